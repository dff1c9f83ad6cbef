//! Assisted annotation (issue 15): proposals a reader only corrects, computed on the
//! CPU in the app (the secure rooms have no GPU server), each an ordinary editable
//! shape marked with its `source` and parameters.
//!
//! - [`grow`]: click-to-segment, a region grown from a seed within an intensity
//!   window, in 2-D on a frame or in 3-D through a series, holes filled, with a leak
//!   guard.
//! - [`contour`]: a mask's outlines as rings (pixel-edge tracing, then the
//!   never-self-intersecting simplification of [`crate::annotate::geometry`]).
//! - [`interpolate`]: outlines on key frames fill the frames between (shape-based,
//!   through signed distances).
//! - [`fill_between`]: the interpolation of one series, label and annotator as
//!   shape changes (an earlier run's shapes replaced).
//! - [`livewire`]: live-wire (intelligent scissors): a polygon whose segments
//!   between the reader's anchors follow the edges of the displayed values
//!   (Dijkstra over a Mortensen–Barrett cost), as a shape marked `live-wire`.
//! - [`seeds`]: grow from seeds, strokes of two or more labels competing by the
//!   random walker.
//! - [`segment`]: click-to-segment in one call: frames read, region grown, outlines
//!   as shapes with their provenance.
//! - [`strokes`]: grow from seeds on a frame of a series: strokes to seeds, the
//!   random walker, outlines as shapes marked `grow-from-seeds`.
//! - [`stack`]: a series' frames as modality values in slice order.
//! - [`monai`]: the optional model server (MONAI Label over http or https), contacted
//!   only when configured; its label volume becomes shapes marked `monai-label`.

pub mod contour;
pub mod fill_between;
pub mod grow;
pub mod interpolate;
pub mod livewire;
pub mod monai;
pub mod seeds;
pub mod segment;
pub mod stack;
pub mod strokes;
