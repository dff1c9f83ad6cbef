//! Scored findings (AP, FROC, ROC): being written.
