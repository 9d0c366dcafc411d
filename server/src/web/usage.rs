//! The usage book: sessions filtered by date, station and card, with a
//! CSV export of exactly what the filter shows.

use super::Shared;
use super::error::WebError;
use super::layout::{self, Nav};
use super::request::Ctx;
use crate::report::words::{Cell, recap_cells, recap_header};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bilik_proto::catalog::web as t;
use bilik_proto::v1::QuerySessionsRequest;
use maud::html;
use serde::Deserialize;

/// The filters of the usage book (all optional).
#[derive(Debug, Default, Deserialize)]
pub(super) struct UsageQuery {
    /// First day, YYYY-MM-DD (default: today).
    #[serde(default)]
    from: Option<String>,
    /// Last day, YYYY-MM-DD (default: the first day).
    #[serde(default)]
    to: Option<String>,
    /// Station id or name.
    #[serde(default)]
    station: String,
    /// Card number.
    #[serde(default)]
    card: String,
}

impl UsageQuery {
    /// The app query: today when no date is given.
    fn request(&self, today: &str) -> QuerySessionsRequest {
        let from = self
            .from
            .clone()
            .filter(|f| !f.trim().is_empty())
            .unwrap_or_else(|| today.to_owned());
        let to = self
            .to
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| from.clone());
        QuerySessionsRequest {
            from_date: from,
            to_date: to,
            station: self.station.clone(),
            card: self.card.clone(),
            limit: 0,
        }
    }
}

/// `GET /usage`.
pub(super) async fn page(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<UsageQuery>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let today = app.today().format("%Y-%m-%d").to_string();
    let req = q.request(&today);
    let rows = app.usage_book(&req)?;
    let stations = app.station_choices()?;
    let minutes: u64 = rows.iter().map(|r| u64::from(r.minutes)).sum();
    let header = recap_header(ctx.lang);
    let csv_link = format!(
        "/usage.csv?from={}&to={}&station={}&card={}",
        req.from_date,
        req.to_date,
        super::request::encode_component(&req.station),
        super::request::encode_component(&req.card)
    );
    let body = html! {
        form.filters method="get" action="/usage" {
            label { (ctx.t(&t::FROM_DATE)) input type="date" name="from" value=(req.from_date); }
            label { (ctx.t(&t::TO_DATE)) input type="date" name="to" value=(req.to_date); }
            label { (ctx.t(&t::STATION))
                select name="station" {
                    option value="" { (ctx.t(&t::ALL_STATIONS)) }
                    @for s in &stations {
                        option value=(s.name) selected[s.name == req.station || s.station_id == req.station] { (s.name) }
                    }
                }
            }
            label { (ctx.t(&t::CARD_NUMBER)) input name="card" value=(req.card) inputmode="numeric"; }
            button.primary type="submit" { (ctx.t(&t::SHOW)) }
            a href=(csv_link) download { (ctx.t(&t::DOWNLOAD_CSV)) }
        }
        p.summary {
            (ctx.t(&t::SESSIONS)) ": " strong { (rows.len()) } " · "
            (ctx.t(&t::TOTAL_TIME)) ": " strong { (layout::duration(ctx.lang, (minutes as i64) * 60_000)) }
        }
        @if rows.is_empty() {
            p.empty { (ctx.t(&t::NO_SESSIONS)) }
        } @else {
            div.table-wrap { table #usage {
                thead { tr { @for h in &header[..header.len() - 1] { th { (h) } } } }
                tbody {
                    @for (i, row) in rows.iter().enumerate() {
                        @let cells = recap_cells(i + 1, row, ctx.lang);
                        tr { @for c in &cells[..cells.len() - 1] {
                            @match c {
                                Cell::Int(n) => td.num { (n) },
                                Cell::Text(s) => td { (s) },
                            }
                        } }
                    }
                }
            } }
        }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Usage,
        ctx.t(&t::NAV_USAGE),
        body,
    ))
}

/// `GET /usage.csv`: the same filter as a CSV file.
pub(super) async fn csv(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<UsageQuery>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let today = app.today().format("%Y-%m-%d").to_string();
    let req = q.request(&today);
    let rows = app.export_usage_book(&ctx.identity, &req).await?;
    let bytes = crate::report::csv::usage_book(&rows, ctx.lang);
    let name = format!(
        "attachment; filename=\"buku-penggunaan-{}-{}.csv\"",
        req.from_date, req.to_date
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
