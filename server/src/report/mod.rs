//! Reports: the daily recap and the monthly report (steps 4-6 of the
//! procedure), their exports, and the section head's sign-off.

pub mod annual;
pub mod charts;
pub mod csv;
pub mod export_error;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod model;
pub mod monthly;
pub mod pdf;
pub mod recap;
pub mod signing;
pub mod text;
pub mod usage;
pub mod words;
pub mod xlsx;
