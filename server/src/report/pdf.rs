//! PDF exports (stub while in progress).
use super::export_error::ExportError;
use super::model::{DailyRecap, MonthlyReport};
use bilik_proto::catalog::Lang;
/// Stub.
pub fn daily(_recap: &DailyRecap, _lang: Lang) -> Result<Vec<u8>, ExportError> { Err(ExportError::Pdf("todo".into())) }
/// Stub.
pub fn monthly(_report: &MonthlyReport, _lang: Lang) -> Result<Vec<u8>, ExportError> { Err(ExportError::Pdf("todo".into())) }
