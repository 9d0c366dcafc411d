//! Reports on the dashboard: the daily recap, the monthly report with its
//! two charts, downloads (PDF, XLSX, CSV) and the section head's Sign
//! button. All numbers come from [`crate::app`]; the words from the
//! report catalogue.

use super::Shared;
use super::error::WebError;
use super::layout::{self, Nav};
use super::request::Ctx;
use crate::report::charts::{sessions_per_day_svg, sessions_per_hour_svg};
use crate::report::model::Count;
use crate::report::words::{self, Cell, recap_cells, recap_header};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use bilik_proto::catalog::{Lang, report as rt, web as t};
use bilik_proto::v1::{ReportFile, ReportFormat};
use chrono::Datelike;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

/// `GET /reports`.
pub(super) async fn index() -> Redirect {
    Redirect::to("/reports/daily")
}

/// `?date=` / `?month=` and `?format=`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ReportQuery {
    /// YYYY-MM-DD (daily).
    #[serde(default)]
    date: String,
    /// YYYY-MM (monthly).
    #[serde(default)]
    month: String,
    /// pdf, xlsx or csv (downloads).
    #[serde(default)]
    format: String,
    /// YYYY (annual).
    #[serde(default)]
    year: String,
}

/// The tabs between the two reports.
fn tabs(ctx: &Ctx, daily: bool) -> Markup {
    html! {
        p.row {
            a class=[daily.then_some("active")] href="/reports/daily" { (ctx.t(&t::DAILY_RECAP)) }
            " · "
            a class=[(!daily).then_some("active")] href="/reports/monthly" { (ctx.t(&t::MONTHLY_REPORT)) }
            " · "
            form.inline #annual method="get" action="/reports/annual/download" {
                input type="number" name="year" min="2000" max="2200" placeholder=(ctx.t(&t::YEAR_HINT)) required aria-label=(ctx.t(&t::YEAR));
                " " button type="submit" name="format" value="csv" { (ctx.t(&t::ANNUAL_REPORT_CSV)) }
                " " button type="submit" name="format" value="pdf" { "PDF" }
                " " button type="submit" name="format" value="xlsx" { "XLSX" }
            }
        }
    }
}

/// Download links for the three formats.
fn downloads(ctx: &Ctx, base: &str) -> Markup {
    html! {
        p.row.downloads { (ctx.t(&t::DOWNLOAD)) ":"
            @for (i, f) in ["pdf", "xlsx", "csv"].iter().enumerate() {
                @if i > 0 { " · " } @else { " " }
                a href=(format!("{base}&format={f}")) download { (f.to_uppercase()) }
            }
        }
    }
}

/// `GET /reports/daily`.
pub(super) async fn daily(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let recap = app.daily_recap(&q.date)?;
    let header = recap_header(ctx.lang);
    let lang = ctx.lang;
    let body = html! {
        (tabs(&ctx, true))
        form.filters method="get" action="/reports/daily" {
            label { (ctx.t(&t::DATE)) input type="date" name="date" value=(recap.date); }
            button.primary type="submit" { (ctx.t(&t::SHOW)) }
        }
        h2 { (rt::DAILY_TITLE.get(lang)) " — " (words::day_in_words(&recap.date, lang)) }
        (downloads(&ctx, &format!("/reports/daily/download?date={}", recap.date)))
        div.cards {
            div.stat { span.muted { (rt::TOTAL_SESSIONS.get(lang)) } strong { (recap.total_sessions) } }
            div.stat { span.muted { (rt::TOTAL_UNIQUE_MEMBERS.get(lang)) } strong { (recap.unique_members) } }
            div.stat { span.muted { (rt::TOTAL_GUEST_SESSIONS.get(lang)) } strong { (recap.guest_sessions) } }
            div.stat { span.muted { (rt::TOTAL_MINUTES.get(lang)) } strong { (recap.total_minutes) } }
        }
        @if recap.rows.is_empty() { p.empty { (ctx.t(&t::NO_SESSIONS)) } } @else {
            div.table-wrap { table #recap {
                thead { tr { @for h in &header[..header.len() - 1] { th { (h) } } } }
                tbody { @for (i, row) in recap.rows.iter().enumerate() {
                    @let cells = recap_cells(i + 1, row, lang);
                    tr { @for c in &cells[..cells.len() - 1] { @match c {
                        Cell::Int(n) => td.num { (n) },
                        Cell::Text(s) => td { (s) },
                    } } }
                } }
            } }
        }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Reports,
        ctx.t(&t::NAV_REPORTS),
        body,
    ))
}

/// A breakdown as a small table, with its column headers.
fn count_table(lang: Lang, title: &str, rows: &[Count], label: fn(&str, Lang) -> String) -> Markup {
    html! {
        div.panel {
            h2 { (title) }
            div.table-wrap { table {
                thead { tr {
                    th { (title) } th.num { (rt::COL_SESSIONS.get(lang)) } th.num { (rt::COL_MINUTES.get(lang)) }
                } }
                tbody { @for c in rows.iter().filter(|c| c.sessions > 0) { tr {
                    td { (label(&c.label, lang)) } td.num { (c.sessions) }
                    td.num { (c.minutes) " " (t::UNIT_MINUTES.get(lang)) }
                } } }
            } }
        }
    }
}

/// The month shown when none is asked for: the current one.
fn default_month(app: &crate::app::App) -> String {
    let today = app.today();
    format!("{:04}-{:02}", today.year(), today.month())
}

/// `GET /reports/monthly`.
pub(super) async fn monthly(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let month = match q.month.trim() {
        "" => default_month(app),
        m => m.to_owned(),
    };
    let who = ctx.identity.clone();
    let report = app
        .off_runtime(move |app| app.monthly_report(&who, &month))
        .await?;
    let lang = ctx.lang;
    let tot = &report.totals;
    // Offered only where signing can succeed: a section head, an ended
    // month, not signed yet (the app's rule).
    let can_sign = app.check_may_sign(&ctx.identity, &report.month).is_ok();
    let fingerprint = match &report.signed {
        Some(_) => app.signed_fingerprint(&report.month)?,
        None => None,
    };
    let body = html! {
        (tabs(&ctx, false))
        form.filters method="get" action="/reports/monthly" {
            label { (rt::MONTH_LABEL.get(lang)) input type="month" name="month" value=(report.month); }
            button.primary type="submit" { (ctx.t(&t::SHOW)) }
        }
        h2 { (rt::MONTHLY_TITLE.get(lang)) " — " (words::month_in_words(&report.month, lang)) }
        (downloads(&ctx, &format!("/reports/monthly/download?month={}", report.month)))
        @match &report.signed {
            Some(s) => p.flash.ok #signed { (ctx.t(&t::SIGNED_BY)) " " (s.name) " (" (s.signed_at) ")" },
            None => p.muted #unsigned { (ctx.t(&t::NOT_SIGNED)) },
        }
        @if let Some(f) = &fingerprint {
            p.muted #fingerprint { (ctx.t(&t::SIGN_FINGERPRINT)) ": " code { (f) } }
        }
        @if can_sign {
            p { a.button.primary #sign href=(format!("/reports/monthly/sign?month={}", report.month)) { (ctx.t(&t::SIGN)) } }
        }
        div.cards {
            div.stat { span.muted { (rt::TOTAL_SESSIONS.get(lang)) } strong { (tot.sessions) } }
            div.stat { span.muted { (rt::TOTAL_UNIQUE_MEMBERS.get(lang)) } strong { (tot.unique_members) } }
            div.stat { span.muted { (rt::TOTAL_MINUTES.get(lang)) } strong { (tot.minutes) } }
            div.stat { span.muted { (ctx.t(&t::AVERAGE_MINUTES)) } strong { (words::dec1(tot.average_minutes, lang)) } }
            div.stat title=(ctx.t(&t::UTILISATION_EXPLAINED)) {
                span.muted { (ctx.t(&t::UTILISATION)) }
                strong { (words::dec1(tot.utilisation_percent, lang)) "%" }
                small.muted { (ctx.t(&t::UTILISATION_EXPLAINED)) }
            }
        }
        div.chart #chart-days { h3 { (rt::CHART_PER_DAY.get(lang)) } (PreEscaped(sessions_per_day_svg(&report))) }
        div.chart #chart-hours { h3 { (rt::CHART_PER_HOUR.get(lang)) } (PreEscaped(sessions_per_hour_svg(&report))) }
        div.breakdowns {
            (count_table(lang, ctx.t(&t::PURPOSE), &report.purposes, words::as_is))
            (count_table(lang, ctx.t(&t::OCCUPATION), &report.occupations, words::as_is))
            (count_table(lang, ctx.t(&t::EDUCATION), &report.education, words::as_is))
            (count_table(lang, ctx.t(&t::AGE_BAND), &report.age_bands, words::age_band))
            (count_table(lang, ctx.t(&t::END_REASON), &report.end_reasons, words::end_reason))
            div.panel {
                h2 { (ctx.t(&t::STATION)) }
                div.table-wrap { table #per-station {
                    thead { tr {
                        th { (rt::COL_STATION.get(lang)) } th.num { (rt::COL_SESSIONS.get(lang)) }
                        th.num { (rt::COL_UTILISATION.get(lang)) }
                    } }
                    tbody { @for s in &report.per_station { tr {
                        td { (s.station) } td.num { (s.sessions) } td.num { (words::dec1(s.utilisation_percent, lang)) "%" }
                    } } }
                } }
            }
        }
        @if !report.problems.is_empty() {
            h2 { (ctx.t(&t::NAV_PROBLEMS)) }
            table { tbody { @for p in &report.problems { tr {
                td { (p.at) } td { (p.station) } td { (words::problem_kind(&p.kind, lang)) } td { (p.detail) }
            } } } }
        }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Reports,
        ctx.t(&t::NAV_REPORTS),
        body,
    ))
}

/// The requested download format.
fn format_of(q: &ReportQuery) -> Result<ReportFormat, WebError> {
    match q.format.as_str() {
        "pdf" => Ok(ReportFormat::Pdf),
        "xlsx" => Ok(ReportFormat::Xlsx),
        "csv" => Ok(ReportFormat::Csv),
        _ => Err(WebError::invalid(t::FAULT_UNKNOWN_CHOICE)),
    }
}

/// A report file as a download.
fn attachment(file: ReportFile) -> Response {
    let mut response = file.content.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let name = file.file_name.replace(['"', '\\'], "");
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `GET /reports/daily/download?date=&format=`.
pub(super) async fn daily_download(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let (format, lang) = (format_of(&q)?, ctx.lang);
    let file = state
        .app
        .off_runtime(move |app| app.export_daily(&q.date, format, lang))
        .await?;
    Ok(attachment(file))
}

/// `GET /reports/monthly/download?month=&format=`.
pub(super) async fn monthly_download(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    download(&state, &ctx, &q, |app, who, q, format, lang| {
        app.export_monthly(who, &q.month, format, lang)
    })
    .await
}

/// `GET /reports/annual/download?year=&format=` (pdf, xlsx, csv, json).
pub(super) async fn annual_download(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    download(&state, &ctx, &q, |app, who, q, format, lang| {
        app.export_annual(who, &q.year, format, lang)
    })
    .await
}

/// A report file made off the runtime by `export`, as a download.
async fn download(
    state: &Shared,
    ctx: &Ctx,
    q: &ReportQuery,
    export: fn(
        &crate::app::App,
        &crate::app::StaffIdentity,
        &ReportQuery,
        ReportFormat,
        bilik_proto::catalog::Lang,
    ) -> crate::app::Result<ReportFile>,
) -> Result<Response, WebError> {
    let (who, format, lang) = (ctx.identity.clone(), format_of(q)?, ctx.lang);
    let q = q.clone();
    let file = state
        .app
        .off_runtime(move |app| export(app, &who, &q, format, lang))
        .await?;
    Ok(attachment(file))
}

/// `GET /reports/monthly/sign?month=`: the confirmation step. It shows
/// what will be frozen (the month's figures and computers) and asks who
/// prepared the report; nothing is signed until its form is sent with the
/// statement ticked.
pub(super) async fn sign_confirm(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    confirm_page(&state, &ctx, q.month.trim(), "", false).await
}

/// The confirmation page, with the preparer chosen so far and, after a
/// send without the tick, a note asking for it.
async fn confirm_page(
    state: &Shared,
    ctx: &Ctx,
    month: &str,
    preparer: &str,
    not_confirmed: bool,
) -> Result<Response, WebError> {
    let app = &state.app;
    let lang = ctx.lang;
    // Not a section head, a running month, signed already: the reason.
    app.check_may_sign(&ctx.identity, month)?;
    let who = ctx.identity.clone();
    let wanted = month.to_owned();
    let report = app
        .off_runtime(move |app| app.monthly_report(&who, &wanted))
        .await?;
    let preparers = app.preparers()?;
    let tot = &report.totals;
    let back = format!("/reports/monthly?month={}", report.month);
    let body = html! {
        (tabs(ctx, false))
        h2 { (ctx.t(&t::SIGN_CONFIRM_TITLE)) " — " (words::month_in_words(&report.month, lang)) }
        p #freeze-warning { (ctx.t(&t::SIGN_CONFIRM_INTRO)) }
        div.cards {
            div.stat { span.muted { (rt::TOTAL_SESSIONS.get(lang)) } strong { (tot.sessions) } }
            div.stat { span.muted { (rt::TOTAL_UNIQUE_MEMBERS.get(lang)) } strong { (tot.unique_members) } }
            div.stat { span.muted { (rt::TOTAL_MINUTES.get(lang)) } strong { (tot.minutes) } }
            div.stat { span.muted { (ctx.t(&t::SIGN_STATIONS)) } strong #station-count { (report.per_station.len()) } }
        }
        @if not_confirmed {
            p.flash.bad #not-confirmed { (ctx.t(&t::SIGN_NOT_CONFIRMED)) }
        }
        form.panel method="post" action="/reports/monthly/sign" {
            input type="hidden" name="csrf" value=(ctx.csrf);
            input type="hidden" name="month" value=(report.month);
            label { (ctx.t(&t::SIGN_PREPARER)) " "
                select name="prepared_by" {
                    option value="" { (ctx.t(&t::SIGN_PREPARER_NONE)) }
                    @for (user, name) in &preparers {
                        option value=(user) selected[user == preparer] { (name) }
                    }
                }
            }
            label { input type="checkbox" name="confirm" value="yes"; " " (ctx.t(&t::SIGN_CONFIRM_CHECK)) }
            p {
                button.primary type="submit" #sign-final { (ctx.t(&t::SIGN_FINAL)) }
                " " a href=(back) { (ctx.t(&t::SIGN_BACK)) }
            }
        }
    };
    Ok(layout::page(
        ctx,
        app,
        Nav::Reports,
        ctx.t(&t::SIGN_CONFIRM_TITLE),
        body,
    ))
}

/// The sign-off form of the confirmation step.
#[derive(Debug, Deserialize)]
pub(super) struct SignForm {
    /// YYYY-MM.
    #[serde(default)]
    month: String,
    /// Username of the preparer; empty: a blank line on the PDF.
    #[serde(default)]
    prepared_by: String,
    /// "yes" when the section head ticked the statement.
    #[serde(default)]
    confirm: String,
}

/// `POST /reports/monthly/sign` (section heads; the app decides). Without
/// the ticked statement, the confirmation step again.
pub(super) async fn sign(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<SignForm>,
) -> Result<Response, WebError> {
    if form.confirm != "yes" {
        return confirm_page(&state, &ctx, form.month.trim(), &form.prepared_by, true).await;
    }
    let signed = state
        .app
        .sign_monthly_report(&ctx.identity, &form.month, &form.prepared_by)
        .await?;
    let back = format!("/reports/monthly?month={}", signed.month);
    let message = format!(
        "{} {} (SHA-256 {})",
        ctx.t(&t::SIGNED),
        signed.month,
        signed.sha256
    );
    Ok(layout::done(&ctx, &back, &message))
}
