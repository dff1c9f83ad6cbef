//! Multiplanar reformatting (MPR, issue 17): a series as a volume, and its axial,
//! coronal and sagittal planes with thick slabs.
//!
//! Why a core module without UI: the planes a reader looks at and the arrays a script
//! checks must be the same planes, so the CLI (`lightbox mpr`) and the viewer cut them
//! here. [`volume`] reads and checks the stack (uneven gaps, gantry tilt, missing
//! slices), [`plane`] cuts planes on the series' own grid (and resamples them for
//! display when the stack asks for it), [`display`] windows them to 8 bits. For the
//! viewer, [`grid`] puts the volume on an even voxel grid (2 bytes a voxel) and
//! [`reslice`] places the views and is the CPU reference of the GPU's sampling.

pub mod display;
pub mod grid;
pub mod plane;
pub mod reslice;
pub mod volume;

pub use plane::{Plane, PlaneError, PlaneKind, Sampling, Slab, SlabMode, cut, square_pixels};
pub use volume::{Volume, VolumeCheck, VolumeError};
