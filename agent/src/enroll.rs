//! `bilik-agent enroll`: trade a one-time code for the station credential.

use std::path::Path;

use bilik_proto::v1::EnrollRequest;
use bilik_proto::v1::station_client::StationClient;

use crate::credential::{Credential, CredentialError};

/// Why enrolment failed, in words an installer can act on.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// No server URL was given.
    #[error("give the server's address: --server http://SERVER:50551")]
    NoServer,
    /// The server could not be reached.
    #[error("cannot reach the server at {url}: {reason}")]
    Unreachable {
        /// The address tried.
        url: String,
        /// What went wrong, with its causes.
        reason: String,
    },
    /// The server refused the code (unknown, used or expired).
    #[error("the server refused the enrolment code: {0}")]
    CodeRefused(String),
    /// Any other answer from the server.
    #[error("enrolment failed: {}: {}", .0.code(), .0.message())]
    Rpc(tonic::Status),
    /// The server answered without a credential.
    #[error("the server's answer has no credential")]
    NoCredential,
    /// The credential could not be saved.
    #[error(transparent)]
    Save(#[from] CredentialError),
}

/// An error and its causes on one line ("transport error: tcp connect
/// error: Connection refused").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        cause = c.source();
    }
    text
}

/// Enrols this PC with the server at `server` using `code`, asking for
/// station name `name` (the code's own name wins), and saves the credential
/// in `state_dir`.
pub async fn enroll(
    server: &str,
    code: &str,
    name: &str,
    state_dir: &Path,
) -> Result<Credential, EnrollError> {
    if server.trim().is_empty() {
        return Err(EnrollError::NoServer);
    }
    let unreachable = |reason: String| EnrollError::Unreachable {
        url: server.to_owned(),
        reason,
    };
    let channel = bilik_proto::connect(server)
        .await
        .map_err(|e| unreachable(with_causes(&e)))?;
    let request = EnrollRequest {
        code: code.trim().to_owned(),
        name: name.to_owned(),
        hostname: crate::metrics::host_name(),
        os: crate::metrics::os_name(),
        agent_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let response = StationClient::new(channel)
        .enroll(request)
        .await
        .map_err(|status| match status.code() {
            tonic::Code::PermissionDenied | tonic::Code::Unauthenticated => {
                EnrollError::CodeRefused(status.message().to_owned())
            }
            tonic::Code::Unavailable => unreachable(status.message().to_owned()),
            _ => EnrollError::Rpc(status),
        })?
        .into_inner();
    if response.credential.is_empty() || response.station_id.is_empty() {
        return Err(EnrollError::NoCredential);
    }
    let credential = Credential {
        server: server.to_owned(),
        station_id: response.station_id,
        station_name: response.station_name,
        credential: response.credential,
    };
    credential.save(state_dir)?;
    Ok(credential)
}
