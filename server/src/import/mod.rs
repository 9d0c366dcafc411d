//! Member imports from other library systems. Each system has a reader
//! that splits its file into rows of fields ([`slims`] CSV, [`inlislite`]
//! Excel); [`member`] turns
//! a row into a validated member, the same for every system, and collects
//! the problems (the import is all-or-nothing).

pub mod inlislite;
pub mod member;
pub mod slims;

pub use member::{Gender, ImportErrors, ImportedMember, Problem, RowError, Standing};
