//! "Compare with prior" in the viewer (kittest): Ctrl+Shift+R on the follow-up chest
//! CT opens the earlier chest CT beside it with scrolling linked; across frames of
//! reference the viewer asks for one registration (Ctrl+Shift+L at matching slices),
//! after which scrolling one moves the other by the same distance.
#![cfg(feature = "gui")]

use egui::{Key, Modifiers};

mod common;
use common::gui::{has_label, sample_app, wait_for};

use lightbox::gui::command::{Command, SeriesRef};

#[test]
fn the_prior_opens_beside_the_follow_up_and_scrolls_with_it() {
    let (mut h, root, _dirs) = sample_app();
    let index = common::scan_no_cache(&root);
    let (follow_up, chest) = common::follow_up_chest(&index);
    let (_, prior) = lightbox::index::priors::prior_of(&index, &chest.series_uid).expect("a prior");
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::ShowSeries {
            viewport: 0,
            series: SeriesRef {
                study_uid: follow_up.study_uid.clone(),
                series_uid: chest.series_uid.clone(),
            },
        },
    );
    h.step();
    h.key_press_modifiers(Modifiers::CTRL | Modifiers::SHIFT, Key::R);
    h.run_steps(3);
    let (shown, _) = h.state().viewport_view(1).expect("the second viewport");
    assert_eq!(shown.series_uid, prior.series_uid, "the prior beside it");
    let same_frame =
        chest.instances[0].frame_of_reference_uid == prior.instances[0].frame_of_reference_uid;
    if !same_frame {
        assert!(
            has_label(&h, "Link here (Ctrl+Shift+L)"),
            "asks for a registration"
        );
    }
    // Match slice 10 of the follow-up with slice 12 of the prior, then link.
    for (viewport, delta) in [(0, 10), (1, 12)] {
        h.state_mut()
            .apply(&ctx, Command::Scroll { viewport, delta });
    }
    h.state_mut().apply(&ctx, Command::Activate(0));
    h.key_press_modifiers(Modifiers::CTRL | Modifiers::SHIFT, Key::L);
    h.run_steps(2);
    let before = h.state().viewport_view(1).expect("prior").1;
    h.state_mut().apply(
        &ctx,
        Command::Scroll {
            viewport: 0,
            delta: 3,
        },
    );
    h.step();
    let after = h.state().viewport_view(1).expect("prior").1;
    // Both series are 5 mm apart: three slices on, three slices on.
    assert_eq!(after as i64 - before as i64, 3, "{before} → {after}");
    wait_for(&mut h, "both drawn", |h| has_label(h, "Slice 14/32"));
}
