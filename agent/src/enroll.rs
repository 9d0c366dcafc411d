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
    /// The code carries no certificate tag (a server without TLS made it, or
    /// it was mistyped).
    #[error(
        "this enrolment code has no server certificate tag: copy the whole code \
         (XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX), or use --insecure for a plain-text test server"
    )]
    NoTag,
}

/// Enrols this PC with the server at `server` using `code`, asking for
/// station name `name` (the code's own name wins), and saves the credential
/// in `state_dir`. Over TLS the code's tag must match the certificate the
/// server shows before the code is sent; that certificate is pinned from
/// then on. `insecure`: plain text (`http://` only).
pub async fn enroll(
    server: &str,
    code: &str,
    name: &str,
    state_dir: &Path,
    insecure: bool,
) -> Result<Credential, EnrollError> {
    if server.trim().is_empty() {
        return Err(EnrollError::NoServer);
    }
    let unreachable = |reason: String| EnrollError::Unreachable {
        url: server.to_owned(),
        reason,
    };
    let trust = if insecure {
        bilik_proto::ServerTrust::Insecure
    } else {
        let (_, tag) = bilik_proto::transport::split_code(code);
        if tag.len() != bilik_proto::transport::CODE_TAG_LEN {
            return Err(EnrollError::NoTag);
        }
        bilik_proto::ServerTrust::Tag(tag)
    };
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let channel = bilik_proto::transport::connect_seeing(server, &trust, Some(seen.clone()))
        .await
        .map_err(|e| unreachable(e.to_string()))?;
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
            tonic::Code::Unavailable => unreachable(match std::error::Error::source(&status) {
                Some(cause) => bilik_proto::transport::describe(cause),
                None => status.message().to_owned(),
            }),
            _ => EnrollError::Rpc(status),
        })?
        .into_inner();
    if response.credential.is_empty() || response.station_id.is_empty() {
        return Err(EnrollError::NoCredential);
    }
    let server_fingerprint = seen.lock().ok().and_then(|s| s.clone()).unwrap_or_default();
    if !insecure && server_fingerprint.is_empty() {
        return Err(EnrollError::NoCredential);
    }
    let credential = Credential {
        server: server.to_owned(),
        station_id: response.station_id,
        station_name: response.station_name,
        credential: response.credential,
        server_fingerprint,
        insecure,
        next_server_fingerprint: String::new(),
    };
    credential.save(state_dir)?;
    Ok(credential)
}
