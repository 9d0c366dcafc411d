//! What operators' monitoring scrapes: the server's counters, histograms
//! and gauges in the OpenMetrics text format (Prometheus reads it), served
//! on a listener of its own ([`listener`], `[metrics] listen`, off unless
//! configured), never on the dashboard.
//!
//! Counters and histograms move where the events happen (the login and
//! session use cases in [`crate::app`], the durable-commit path in
//! [`crate::store`]); gauges (stations, sweeper lag, hub queue, backup age,
//! audit chain) are read from the application when scraped, so they are
//! never stale. Labels are fixed vocabularies (refusal codes, end reasons):
//! nothing from outside becomes a label, so no client can grow the set of
//! series, and no card or name ever appears.

pub mod listener;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

/// One label with a fixed name and a value from a fixed vocabulary.
type Label = [(&'static str, &'static str); 1];

/// A gauge holding seconds or other fractional values.
type FloatGauge = Gauge<f64, AtomicU64>;

/// Bucket bounds of the latency histograms, seconds: 0.1 ms doubling to
/// about 3.3 s (a login with a PIN takes tens of ms, a commit about one
/// device sync).
pub fn latency_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.0001, 2.0, 16)
}

/// The server's metrics: one per application.
#[derive(Debug)]
pub struct Metrics {
    /// What `/metrics` encodes; every family below is registered in it.
    registry: Registry,
    /// Card logins that got a lease.
    logins: Counter,
    /// Card logins refused, by refusal code (`UNKNOWN_CARD`, ...).
    refusals: Family<Label, Counter>,
    /// How long a card login took to answer, seconds (either outcome).
    login_seconds: Histogram,
    /// Sessions started, by how (`card` at the lock screen, `staff` unlock).
    session_starts: Family<Label, Counter>,
    /// Sessions ended, by end reason (`LOGOUT`, `TIME_UP`, ...).
    session_ends: Family<Label, Counter>,
    /// Stations by what the server knows of them (`enrolled`, `attached`,
    /// `online`, `in_session`), set when scraped.
    stations: Family<Label, Gauge>,
    /// Seconds since the lease sweeper last finished a pass.
    sweep_age: FloatGauge,
    /// Seconds the oldest still-open session is past its lease end (0:
    /// none): what a sweeper falling behind looks like to patrons.
    sweep_overdue: FloatGauge,
    /// Requests waiting for the hub task.
    hub_queue: Gauge,
    /// Seconds since the last backup attempt (never one: since the server
    /// started, so an alert on the age fires on a server never backed up).
    backup_age: FloatGauge,
    /// Whether the last backup attempt succeeded (1) or failed (0).
    backup_ok: Gauge,
    /// Whether the audit chain verifies from its last checkpoint (1) or not (0).
    audit_intact: Gauge,
    /// Entries in the audit log (its head's sequence number).
    audit_entries: Gauge,
    /// Watched sites (`[[watch.site]]`) whose last check failed.
    watch_down: Gauge,
    /// Certificate, domain and hosting renewals due within `remind_days`.
    watch_reminders: Gauge,
    /// When the sweeper last finished (monotonic; `None`: not yet).
    last_sweep: std::sync::Mutex<Option<Instant>>,
    /// When these metrics were made (the server's start): the ages above
    /// count from here while there is nothing to count from.
    started: Instant,
}

/// What the application reports at scrape time, for the gauges.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    /// Stations enrolled in the store.
    pub enrolled: u64,
    /// Stations with an open stream.
    pub attached: u64,
    /// Stations heartbeating in time.
    pub online: u64,
    /// Stations with an open session.
    pub in_session: u64,
    /// How far the oldest open session is past its lease end, ms (0: none).
    pub overdue_ms: i64,
    /// Requests waiting for the hub task.
    pub hub_queue: u64,
    /// Age of the last backup attempt, ms (`None`: never one).
    pub backup_age_ms: Option<i64>,
    /// Whether that attempt succeeded.
    pub backup_ok: bool,
    /// Whether the audit chain verifies.
    pub audit_intact: bool,
    /// Entries in the audit log.
    pub audit_entries: u64,
    /// Watched sites down at their last check.
    pub watch_down: u64,
    /// Renewals due soon (or overdue) on watched sites.
    pub watch_reminders: u64,
}

impl Metrics {
    /// Registers every family, with the store's durable-commit histogram.
    pub fn new(commit_latency: Histogram) -> Metrics {
        let mut registry = Registry::with_prefix("bilik");
        let m = Metrics {
            logins: Counter::default(),
            refusals: Family::default(),
            login_seconds: Histogram::new(latency_buckets()),
            session_starts: Family::default(),
            session_ends: Family::default(),
            stations: Family::default(),
            sweep_age: FloatGauge::default(),
            sweep_overdue: FloatGauge::default(),
            hub_queue: Gauge::default(),
            backup_age: FloatGauge::default(),
            backup_ok: Gauge::default(),
            audit_intact: Gauge::default(),
            audit_entries: Gauge::default(),
            watch_down: Gauge::default(),
            watch_reminders: Gauge::default(),
            last_sweep: std::sync::Mutex::new(None),
            started: Instant::now(),
            registry: Registry::default(),
        };
        registry.register("logins", "Card logins that got a lease", m.logins.clone());
        registry.register(
            "login_refusals",
            "Card logins refused, by refusal code",
            m.refusals.clone(),
        );
        registry.register_with_unit(
            "login_duration",
            "Time to answer a card login",
            Unit::Seconds,
            m.login_seconds.clone(),
        );
        registry.register_with_unit(
            "store_commit_duration",
            "Time an acknowledged write waited to be on the device",
            Unit::Seconds,
            commit_latency,
        );
        registry.register(
            "session_starts",
            "Sessions started, by how (card, staff)",
            m.session_starts.clone(),
        );
        registry.register(
            "session_ends",
            "Sessions ended, by end reason",
            m.session_ends.clone(),
        );
        registry.register(
            "stations",
            "Stations by state (enrolled, attached, online, in_session)",
            m.stations.clone(),
        );
        registry.register_with_unit(
            "sweeper_last_run_age",
            "Time since the lease sweeper last finished a pass (none yet: since the server started)",
            Unit::Seconds,
            m.sweep_age.clone(),
        );
        registry.register_with_unit(
            "sweeper_overdue",
            "How far the oldest open session is past its lease end",
            Unit::Seconds,
            m.sweep_overdue.clone(),
        );
        registry.register(
            "hub_queue_depth",
            "Requests waiting for the hub task",
            m.hub_queue.clone(),
        );
        registry.register_with_unit(
            "backup_age",
            "Time since the last backup attempt (none yet: since the server started)",
            Unit::Seconds,
            m.backup_age.clone(),
        );
        registry.register(
            "backup_last_ok",
            "Whether the last backup attempt succeeded",
            m.backup_ok.clone(),
        );
        registry.register(
            "audit_chain_intact",
            "Whether the audit chain verifies from its last checkpoint",
            m.audit_intact.clone(),
        );
        registry.register(
            "audit_entries",
            "Entries in the audit log",
            m.audit_entries.clone(),
        );
        registry.register(
            "watch_sites_down",
            "Watched sites (website, OPAC, uplink) whose last check failed",
            m.watch_down.clone(),
        );
        registry.register(
            "watch_renewals_due",
            "Certificate, domain and hosting renewals of watched sites due soon or overdue",
            m.watch_reminders.clone(),
        );
        Metrics { registry, ..m }
    }

    /// A card login answered after `took`: a lease (`refused: None`) or a
    /// refusal with its code's protobuf name (the label drops the
    /// `REFUSAL_CODE_` prefix: `UNKNOWN_CARD`).
    pub fn login(&self, took: Duration, refused: Option<&'static str>) {
        self.login_seconds.observe(took.as_secs_f64());
        match refused {
            None => {
                self.logins.inc();
            }
            Some(code) => {
                let code = code.trim_start_matches("REFUSAL_CODE_");
                self.refusals.get_or_create(&[("code", code)]).inc();
            }
        }
    }

    /// A session started (`how`: `card` or `staff`).
    pub fn session_started(&self, how: &'static str) {
        self.session_starts.get_or_create(&[("how", how)]).inc();
    }

    /// A session ended, for `reason` (an end reason's protobuf name; the
    /// label drops the `END_REASON_` prefix: `LOGOUT`).
    pub fn session_ended(&self, reason: &'static str) {
        let reason = reason.trim_start_matches("END_REASON_");
        self.session_ends.get_or_create(&[("reason", reason)]).inc();
    }

    /// The lease sweeper finished a pass.
    pub fn swept(&self) {
        if let Ok(mut last) = self.last_sweep.lock() {
            *last = Some(Instant::now());
        }
    }

    /// The text `/metrics` answers, the gauges set from `now`.
    pub fn encode(&self, now: &Snapshot) -> String {
        let stations = [
            ("enrolled", now.enrolled),
            ("attached", now.attached),
            ("online", now.online),
            ("in_session", now.in_session),
        ];
        for (state, n) in stations {
            self.stations
                .get_or_create(&[("state", state)])
                .set(gauge_value(n));
        }
        let sweep_age = self
            .last_sweep
            .lock()
            .ok()
            .and_then(|last| *last)
            .unwrap_or(self.started)
            .elapsed()
            .as_secs_f64();
        self.sweep_age.set(sweep_age);
        self.sweep_overdue.set(seconds(now.overdue_ms.max(0)));
        self.hub_queue.set(gauge_value(now.hub_queue));
        let backup_age = match now.backup_age_ms {
            Some(ms) => seconds(ms.max(0)),
            None => self.started.elapsed().as_secs_f64(),
        };
        self.backup_age.set(backup_age);
        self.backup_ok.set(i64::from(now.backup_ok));
        self.audit_intact.set(i64::from(now.audit_intact));
        self.audit_entries.set(gauge_value(now.audit_entries));
        self.watch_down.set(gauge_value(now.watch_down));
        self.watch_reminders.set(gauge_value(now.watch_reminders));
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// A count as a gauge's value.
fn gauge_value(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Milliseconds as seconds.
fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_gauges_appear_in_the_text() {
        let m = Metrics::new(Histogram::new(latency_buckets()));
        m.login(Duration::from_millis(3), None);
        m.login(Duration::from_millis(2), Some("UNKNOWN_CARD"));
        m.login(Duration::from_millis(2), Some("UNKNOWN_CARD"));
        m.session_ended("LOGOUT");
        let text = m.encode(&Snapshot {
            enrolled: 3,
            backup_age_ms: None,
            ..Snapshot::default()
        });
        for line in [
            "bilik_logins_total 1",
            "bilik_login_refusals_total{code=\"UNKNOWN_CARD\"} 2",
            "bilik_login_duration_seconds_count 3",
            "bilik_session_ends_total{reason=\"LOGOUT\"} 1",
            "bilik_stations{state=\"enrolled\"} 3",
            "bilik_backup_last_ok 0",
            "# EOF",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
    }
}
