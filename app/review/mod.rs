//! Keep/drop review of a release: decisions at study, series and image level, the
//! effective decision of every image, and the TAKEOUT keep-list built from them.
//!
//! The review works on [`ReleaseImages`], a flat, sorted view of the indexed
//! release, so the rules can be tested on hand-made releases without DICOM files.

pub mod csv_text;
pub mod decision;
pub mod decisions_csv;
pub mod effective;
pub mod explicit;
pub mod import;
pub mod import_file;
pub mod keeplist;
pub mod keeplist_check;
pub mod naming;
pub mod session;
pub mod spans;
pub mod suggestion;
pub mod summary;
pub mod takeout;

pub use decision::{Decision, DecisionRecord, ImageRef, Level, ReleaseImages, Target};
pub use effective::{Counts, Effective};
pub use explicit::Decisions;
pub use session::ReviewSession;
