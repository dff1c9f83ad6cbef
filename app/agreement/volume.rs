//! Per-series 3-D agreement: being written.
