//! Dismissing a security alert (the panel itself is drawn by
//! [`super::layout::page`] on every page).

use super::Shared;
use super::error::WebError;
use super::layout;
use super::request::{Ctx, local_path};
use axum::extract::{Path, State};
use axum::response::Response;
use bilik_proto::catalog::web as t;
use serde::Deserialize;

/// The dismiss form.
#[derive(Debug, Deserialize)]
pub(super) struct DismissForm {
    /// The page to go back to.
    #[serde(default)]
    back: String,
}

/// A member of staff has seen to an alert.
pub(super) async fn dismiss(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(id): Path<u64>,
    axum::Form(form): axum::Form<DismissForm>,
) -> Result<Response, WebError> {
    state.app.dismiss_alert(&ctx.identity, id).await?;
    let back = local_path(&form.back).to_owned();
    Ok(layout::done(&ctx, &back, ctx.t(&t::ALERT_DISMISS)))
}
