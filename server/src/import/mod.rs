//! Member imports from other library systems.

pub mod slims;
