//! The website watch's use cases (SOP 07): what one check of a watched
//! site changes (its state, an outage opening a problem in the problems
//! log, the recovery closing it with what was observed), and what the
//! Health page shows (each site, and reminders ahead of a certificate,
//! domain or hosting expiry).
//!
//! An outage is `[watch] failures_before_outage` consecutive failed checks
//! (a single failure is a blip); the first successful check after it
//! closes the problem. The checks themselves run in [`crate::watch`] with
//! no lock held; only the read-change-write of the state below is
//! serialised.

use super::{App, Result, SYSTEM_ACTOR};
use crate::watch::probe::Outcome;
use crate::watch::{Kind, Site};
use bilik_proto::catalog::{Lang, web as t};
use bilik_proto::store::v1::{IncidentRecord, WatchSiteRecord};
use chrono::NaiveDate;

/// Milliseconds in a day.
const DAY_MS: i64 = 24 * 3600 * 1000;

/// One watched site as the Health page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedSite {
    /// Its name in the configuration.
    pub name: String,
    /// Its address.
    pub url: String,
    /// What it is (website, OPAC, uplink).
    pub kind: Kind,
    /// The state kept between checks (all zero before the first check).
    pub state: WatchSiteRecord,
    /// Whole days since its content last changed (`None`: not tracked for
    /// its kind, or not seen yet): the procedure asks whether the site is
    /// kept up to date.
    pub changed_days_ago: Option<i64>,
}

/// What is about to expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryKind {
    /// The TLS certificate the site presented.
    Certificate,
    /// The domain registration (configured by hand).
    Domain,
    /// The hosting contract (configured by hand).
    Hosting,
}

impl ExpiryKind {
    /// Its name in the catalogue.
    pub fn text(self) -> bilik_proto::catalog::Text {
        match self {
            ExpiryKind::Certificate => t::WATCH_CERTIFICATE,
            ExpiryKind::Domain => t::WATCH_DOMAIN,
            ExpiryKind::Hosting => t::WATCH_HOSTING,
        }
    }
}

/// A renewal due soon (step 4 of the procedure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// The watched site.
    pub site: String,
    /// What expires.
    pub what: ExpiryKind,
    /// The last day it is valid (library time).
    pub on: NaiveDate,
    /// Days from today until then (negative: expired).
    pub days_left: i64,
}

impl App {
    /// Records one check of `site`: its state changes durably, and an
    /// outage opens (or a recovery closes) its problem in the problems log,
    /// in the same write; both are audited.
    pub async fn record_check(&self, site: &Site, outcome: &Outcome) -> Result<()> {
        let now = self.now_ms();
        let threshold = self.config().watch.failures_before_outage;
        let (incident, opened) = {
            let _serial = self.inner.watch_lock.lock().await;
            let mut all = self.store().watch_state()?;
            let index = match all.sites.iter().position(|s| s.name == site.name) {
                Some(i) => i,
                None => {
                    all.sites.push(WatchSiteRecord {
                        name: site.name.clone(),
                        ..Default::default()
                    });
                    all.sites.len() - 1
                }
            };
            let state = &mut all.sites[index];
            let incident = match apply(state, site, outcome, now, threshold) {
                Step::Steady => None,
                Step::Outage => {
                    let record = self.outage_incident(site, state, now);
                    state.incident_id = record.incident_id.clone();
                    Some((record, true))
                }
                Step::Recovered {
                    incident_id,
                    down_from_ms,
                    checks_failed,
                } => self
                    .store()
                    .incident(&incident_id)?
                    .filter(|i| i.resolved_at_ms == 0)
                    .map(|mut record| {
                        let text = self.recovery_text(down_from_ms, now, checks_failed);
                        super::incidents::settle(&mut record, SYSTEM_ACTOR, now, text);
                        (record, false)
                    }),
            };
            self.store()
                .put_watch_state(&all, incident.as_ref().map(|(i, _)| i))?
                .durable()
                .await?;
            match incident {
                Some((record, opened)) => (Some(record), opened),
                None => (None, false),
            }
        };
        if let Some(record) = incident {
            if opened {
                tracing::warn!(site = %site.name, "watch: outage, problem opened");
                self.audit(SYSTEM_ACTOR, "incident.open", &site.name, &record.text)
                    .await;
            } else {
                tracing::info!(site = %site.name, "watch: recovered, problem closed");
                self.audit(
                    SYSTEM_ACTOR,
                    "incident.resolve",
                    &site.name,
                    &record.resolution,
                )
                .await;
            }
        }
        Ok(())
    }

    /// The problem an outage opens.
    fn outage_incident(&self, site: &Site, state: &WatchSiteRecord, now: i64) -> IncidentRecord {
        let reason = failure_text(&state.failure).get(Lang::Id);
        let text = format!(
            "{} {} ({} {}; {reason})",
            site.name,
            t::WATCH_OUTAGE_TEXT.get(Lang::Id),
            t::WATCH_SINCE.get(Lang::Id),
            self.local(state.down_since_ms).format("%Y-%m-%d %H:%M"),
        );
        IncidentRecord {
            incident_id: self.new_session_id(now),
            station_id: String::new(),
            station_name: site.name.clone(),
            reported_by: SYSTEM_ACTOR.to_owned(),
            text: super::clean_line(&text, 1000),
            opened_at_ms: now,
            watch_site: site.name.clone(),
            ..Default::default()
        }
    }

    /// What a recovery says it observed.
    fn recovery_text(&self, down_from_ms: i64, up_at_ms: i64, checks_failed: u32) -> String {
        let at = |ms| self.local(ms).format("%Y-%m-%d %H:%M").to_string();
        format!(
            "{} {} {} {}; {}: {checks_failed}",
            t::WATCH_RECOVERED_TEXT.get(Lang::Id),
            at(down_from_ms),
            t::WATCH_UNTIL.get(Lang::Id),
            at(up_at_ms),
            t::WATCH_CHECKS_FAILED.get(Lang::Id),
        )
    }

    /// Every configured site with its state, in the configuration's order.
    pub fn watched_sites(&self) -> Result<Vec<WatchedSite>> {
        let state = self.store().watch_state()?;
        let now = self.now_ms();
        Ok(self
            .config()
            .watch
            .sites
            .iter()
            .map(|site| {
                let state = state
                    .sites
                    .iter()
                    .find(|s| s.name == site.name)
                    .cloned()
                    .unwrap_or_default();
                let changed_days_ago = (site.kind.tracks_content()
                    && state.content_changed_ms != 0)
                    .then(|| (now - state.content_changed_ms).max(0) / DAY_MS);
                WatchedSite {
                    name: site.name.clone(),
                    url: site.url.clone(),
                    kind: site.kind,
                    state,
                    changed_days_ago,
                }
            })
            .collect())
    }

    /// Renewals due within `[watch] remind_days` (or overdue), soonest first.
    pub fn watch_reminders(&self) -> Result<Vec<Reminder>> {
        let today = self.today();
        let within = i64::from(self.config().watch.remind_days);
        let mut out = Vec::new();
        for watched in self.watched_sites()? {
            let Some(site) = self
                .config()
                .watch
                .sites
                .iter()
                .find(|s| s.name == watched.name)
            else {
                continue;
            };
            let cert = (watched.state.cert_expires_ms != 0)
                .then(|| self.local(watched.state.cert_expires_ms).date());
            for (what, on) in [
                (ExpiryKind::Certificate, cert),
                (ExpiryKind::Domain, site.domain_expires),
                (ExpiryKind::Hosting, site.hosting_expires),
            ] {
                let Some(on) = on else { continue };
                let days_left = (on - today).num_days();
                if days_left <= within {
                    out.push(Reminder {
                        site: site.name.clone(),
                        what,
                        on,
                        days_left,
                    });
                }
            }
        }
        out.sort_by_key(|r| r.days_left);
        Ok(out)
    }

    /// Watched sites down now, for `/metrics`.
    pub(crate) fn watch_down_count(&self) -> u64 {
        self.watched_sites()
            .map(|s| {
                s.iter()
                    .filter(|w| w.state.last_check_ms != 0 && !w.state.up)
                    .count() as u64
            })
            .unwrap_or(0)
    }
}

/// What a check did to the state.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Nothing for the problems log.
    Steady,
    /// The failures reached the threshold: open a problem.
    Outage,
    /// Up again after an outage with a problem open.
    Recovered {
        /// The problem to close.
        incident_id: String,
        /// The first failed check.
        down_from_ms: i64,
        /// How many checks failed in a row.
        checks_failed: u32,
    },
}

/// The rule of one check: updates `state` by `outcome` at `now`.
fn apply(
    state: &mut WatchSiteRecord,
    site: &Site,
    outcome: &Outcome,
    now: i64,
    threshold: u32,
) -> Step {
    state.last_check_ms = now;
    state.response_ms = outcome.response_ms;
    state.status = u32::from(outcome.status);
    if let Some(ms) = outcome.cert_expires_ms {
        state.cert_expires_ms = ms;
    }
    match outcome.result {
        Err(failure) => {
            state.up = false;
            state.failure = failure.code().to_owned();
            state.failures = state.failures.saturating_add(1);
            if state.failures == 1 {
                state.down_since_ms = now;
            }
            if state.failures >= threshold && state.incident_id.is_empty() {
                Step::Outage
            } else {
                Step::Steady
            }
        }
        Ok(()) => {
            if site.kind.tracks_content()
                && let Some(hash) = outcome.content
                && state.content_sha256 != hash
            {
                state.content_sha256 = hash.to_vec();
                state.content_changed_ms = now;
            }
            let step = if state.incident_id.is_empty() {
                Step::Steady
            } else {
                Step::Recovered {
                    incident_id: std::mem::take(&mut state.incident_id),
                    down_from_ms: state.down_since_ms,
                    checks_failed: state.failures,
                }
            };
            state.up = true;
            state.failure.clear();
            state.failures = 0;
            state.down_since_ms = 0;
            state.last_up_ms = now;
            step
        }
    }
}

/// The words of a stored failure code (an HTTP error's status is shown
/// beside them).
pub fn failure_text(code: &str) -> bilik_proto::catalog::Text {
    match code {
        "unreachable" => t::WATCH_UNREACHABLE,
        "timeout" => t::WATCH_TIMEOUT,
        "tls" => t::WATCH_TLS,
        "certificate" => t::WATCH_CERT_INVALID,
        "status" => t::WATCH_HTTP_ERROR,
        _ => t::WATCH_BAD_ANSWER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::probe::Failure;
    use std::time::Duration;

    fn site() -> Site {
        Site {
            name: "Situs".into(),
            url: "http://x/".into(),
            kind: Kind::Website,
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            ca_file: Default::default(),
            domain_expires: None,
            hosting_expires: None,
        }
    }

    fn outcome(result: Result<(), Failure>, content: u8) -> Outcome {
        Outcome {
            result,
            status: 200,
            response_ms: 5,
            content: Some([content; 32]),
            cert_expires_ms: None,
        }
    }

    #[test]
    fn an_outage_takes_the_threshold_and_recovery_reports_it() {
        let mut s = WatchSiteRecord::default();
        let down = Err(Failure::Unreachable);
        assert_eq!(
            apply(&mut s, &site(), &outcome(Ok(()), 1), 10, 3),
            Step::Steady
        );
        assert_eq!(s.content_changed_ms, 10);
        assert_eq!(
            apply(&mut s, &site(), &outcome(down, 0), 20, 3),
            Step::Steady
        );
        assert_eq!(
            apply(&mut s, &site(), &outcome(down, 0), 30, 3),
            Step::Steady
        );
        assert_eq!(
            apply(&mut s, &site(), &outcome(down, 0), 40, 3),
            Step::Outage
        );
        s.incident_id = "i".into();
        assert_eq!(
            apply(&mut s, &site(), &outcome(down, 0), 50, 3),
            Step::Steady
        );
        let step = apply(&mut s, &site(), &outcome(Ok(()), 1), 60, 3);
        assert_eq!(
            step,
            Step::Recovered {
                incident_id: "i".into(),
                down_from_ms: 20,
                checks_failed: 4
            }
        );
        assert!(s.up && s.incident_id.is_empty() && s.failures == 0);
        // Same content: not a change; new content: changed now.
        assert_eq!(s.content_changed_ms, 10);
        apply(&mut s, &site(), &outcome(Ok(()), 2), 70, 3);
        assert_eq!(s.content_changed_ms, 70);
    }
}
