//! A card login: one `Login` call to the server, its answer as a lease or
//! the reason there is none. This sits below the UI: it answers in the
//! server's terms ([`LoginFailed`]), and the driver decides what the lock
//! screen shows.

use std::time::Duration;

use bilik_proto::v1::{Lease, LoginRequest, Refusal, login_response};

use crate::link::StationRpc;

/// Why a login call gave no lease.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginFailed {
    /// The server refused, as it said it: the code, its text in both
    /// languages, and how long to wait before a throttled retry.
    Refused(Refusal),
    /// The server could not be reached (or did not answer in time).
    NotConnected,
    /// The server failed the call.
    ServerError,
}

/// Calls `Login`, waiting at most `timeout`. A transport failure or a
/// timeout reads as "not connected"; any other error as a server error.
pub async fn call(
    rpc: &mut StationRpc,
    request: LoginRequest,
    timeout: Duration,
) -> Result<Lease, LoginFailed> {
    let answer = tokio::time::timeout(timeout, rpc.login(request))
        .await
        .map_err(|_| LoginFailed::NotConnected)?;
    let response = answer.map_err(|status| {
        tracing::warn!(%status, "login call failed");
        match status.code() {
            tonic::Code::Unavailable | tonic::Code::DeadlineExceeded | tonic::Code::Cancelled => {
                LoginFailed::NotConnected
            }
            _ => LoginFailed::ServerError,
        }
    })?;
    match response.into_inner().outcome {
        Some(login_response::Outcome::Lease(lease)) => Ok(lease),
        Some(login_response::Outcome::Refusal(r)) => Err(LoginFailed::Refused(r)),
        None => Err(LoginFailed::ServerError),
    }
}
