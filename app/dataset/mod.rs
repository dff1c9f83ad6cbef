//! A labelled release as a dataset (issue 14): what it holds per study
//! ([`facts`]), patient-level splits ([`split`]) and the description of a test set
//! that YY/T 1858-2022 asks for (counts by sex, age band, region, device, label;
//! [`describe`]).

pub mod describe;
pub mod facts;
pub mod report;
pub mod split;
