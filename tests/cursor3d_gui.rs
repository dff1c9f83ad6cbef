//! The 3-D cursor across 2-D viewports (kittest): with linked scrolling off, a
//! Shift+click on slice 14 of the chest CT moves the bone series of the same frame of
//! reference, in the other viewport, to its slice nearest to the point.
#![cfg(feature = "gui")]

mod common;
use common::gui::sample_app;

use lightbox::gui::command::{Command, SeriesRef};
use lightbox::gui::state::Layout;

#[test]
fn shift_click_moves_the_other_viewport_to_the_point() {
    let (mut h, root, _dirs) = sample_app();
    let index = common::scan_no_cache(&root);
    let study = index
        .studies()
        .find(|s| s.study_date.as_deref() == Some("20200302"))
        .expect("the chest CT");
    let soft = study
        .series
        .iter()
        .find(|s| s.instances.len() == 32)
        .expect("soft tissue");
    let bone = study
        .series
        .iter()
        .find(|s| s.instances.len() == 16)
        .expect("bone");
    assert_eq!(
        soft.instances[0].frame_of_reference_uid, bone.instances[0].frame_of_reference_uid,
        "one frame of reference"
    );
    let ctx = h.ctx.clone();
    let show = |series: &lightbox::index::Series| SeriesRef {
        study_uid: study.study_uid.clone(),
        series_uid: series.series_uid.clone(),
    };
    for c in [
        Command::SetLayout(Layout::OneByTwo),
        Command::ShowSeries {
            viewport: 1,
            series: show(bone),
        },
        Command::ShowSeries {
            viewport: 0,
            series: show(soft),
        },
        Command::ToggleLinkedScrolling,
        Command::Scroll {
            viewport: 0,
            delta: 13,
        },
    ] {
        h.state_mut().apply(&ctx, c);
    }
    assert!(!h.state().state.linked_scrolling);
    common::gui::wait_for(&mut h, "slice 14 drawn", |h| {
        common::gui::has_label(h, "Slice 14/32")
            && h.state().screen_pos_of([128.0, 128.0]).is_some()
    });
    let before = h.state().viewport_view(1).expect("bone").1;
    let pos = h.state().screen_pos_of([128.0, 128.0]).expect("drawn");
    common::gui::shift_click(&mut h, pos);
    // The bone slice nearest along the normal to soft-tissue slice 14 (index 13).
    let z = |i: &lightbox::index::Instance| i.position_mm.expect("position")[2];
    let target = z(&soft.instances[13]);
    let want = bone
        .instances
        .iter()
        .enumerate()
        .min_by(|a, b| (z(a.1) - target).abs().total_cmp(&(z(b.1) - target).abs()))
        .map(|(k, _)| k)
        .expect("a slice");
    let after = h.state().viewport_view(1).expect("bone").1;
    assert_eq!(after, want, "from {before}");
    assert_ne!(before, want, "the click moved it");
    assert_eq!(
        h.state().viewport_view(0).expect("soft").1,
        13,
        "the clicked view stays"
    );
}
