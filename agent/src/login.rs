//! A card login: one `Login` call to the server, its answer as a lease or
//! the reason there is none.

use std::time::Duration;

use bilik_proto::v1::{Lease, LoginRequest, RefusalCode, login_response};

use crate::link::StationRpc;
use crate::ui::Refusal;

/// Calls `Login`, waiting at most `timeout`. A transport failure or a
/// timeout reads as "not connected"; any other error as a server error.
pub async fn call(
    rpc: &mut StationRpc,
    request: LoginRequest,
    timeout: Duration,
) -> Result<Lease, Refusal> {
    let answer = tokio::time::timeout(timeout, rpc.login(request))
        .await
        .map_err(|_| Refusal::NotConnected)?;
    let response = answer.map_err(|status| {
        tracing::warn!(%status, "login call failed");
        match status.code() {
            tonic::Code::Unavailable | tonic::Code::DeadlineExceeded | tonic::Code::Cancelled => {
                Refusal::NotConnected
            }
            _ => Refusal::ServerError,
        }
    })?;
    match response.into_inner().outcome {
        Some(login_response::Outcome::Lease(lease)) => Ok(lease),
        Some(login_response::Outcome::Refusal(r)) => Err(Refusal::Refused(
            RefusalCode::try_from(r.code).unwrap_or(RefusalCode::Unspecified),
        )),
        None => Err(Refusal::ServerError),
    }
}
