//! The tonic services. They authenticate, translate wire messages and call
//! [`crate::app`]; no rule lives here.

mod admin;
mod station;

pub use admin::AdminService;
pub use station::StationService;

use crate::app::{App, Error, Fault};
use crate::import::ImportErrors;
use bilik_proto::catalog::Lang;
use tonic::{Code, Status};

impl From<Error> for Status {
    fn from(err: Error) -> Status {
        let code = match &err {
            Error::NotFound(_) => Code::NotFound,
            Error::InvalidArgument(_) | Error::Import(_) => Code::InvalidArgument,
            Error::FailedPrecondition(_) => Code::FailedPrecondition,
            Error::AlreadyExists(_) => Code::AlreadyExists,
            Error::Unauthenticated(_) => Code::Unauthenticated,
            Error::PermissionDenied(_) => Code::PermissionDenied,
            Error::ResourceExhausted(_) => Code::ResourceExhausted,
            Error::Said(said) => match said.fault {
                Fault::Invalid => Code::InvalidArgument,
                Fault::NotFound => Code::NotFound,
                Fault::NotNow => Code::FailedPrecondition,
                Fault::Exists => Code::AlreadyExists,
            },
            Error::Store(_) | Error::Secret(_) => Code::Internal,
        };
        let message = match &err {
            Error::Import(e) => return import_status(e, Lang::En),
            Error::Store(e) => {
                tracing::error!(error = %e, "store failure");
                "internal storage error".to_owned()
            }
            other => other.to_string(),
        };
        Status::new(code, clip_message(message))
    }
}

/// A refused import as a status: every problem, one per line, in `lang`,
/// so staff can fix them all at once.
fn import_status(errors: &ImportErrors, lang: Lang) -> Status {
    Status::invalid_argument(clip_message(errors.describe(lang)))
}

/// Longest `grpc-message` sent: our messages name a field and a limit and
/// are far shorter; this bounds any that would grow with the input.
const MAX_STATUS_MESSAGE: usize = 8 * 1024;

/// `message` cut to [`MAX_STATUS_MESSAGE`] bytes at a character boundary.
fn clip_message(mut message: String) -> String {
    if message.len() > MAX_STATUS_MESSAGE {
        let mut cut = MAX_STATUS_MESSAGE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push_str(" ...");
    }
    message
}

/// The bearer token of a request (`authorization: Bearer <token>`).
fn bearer<T>(req: &tonic::Request<T>) -> Result<String, Status> {
    let value = req
        .metadata()
        .get("authorization")
        .ok_or_else(|| Status::unauthenticated("missing authorization metadata"))?;
    let text = value
        .to_str()
        .map_err(|_| Status::unauthenticated("malformed authorization metadata"))?;
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .ok_or_else(|| Status::unauthenticated("authorization must be \"Bearer <token>\""))?;
    Ok(token.trim().to_owned())
}

/// Where a request came from: the address only, not the port (one machine
/// is one source).
fn source<T>(req: &tonic::Request<T>) -> String {
    req.remote_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// Both services over one `App`.
pub fn services(app: &App) -> (StationService, AdminService) {
    (
        StationService::new(app.clone()),
        AdminService::new(app.clone()),
    )
}
