//! Why an export could not be rendered.

/// An exporter failed: the renderer library refused the document.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// rust_xlsxwriter failed to build or save the workbook.
    #[error("xlsx: {0}")]
    Xlsx(String),
    /// The PDF could not be built or serialised.
    #[error("pdf: {0}")]
    Pdf(String),
}
