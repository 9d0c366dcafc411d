//! Alerts a librarian sees on every dashboard page: a station refusing
//! card after card, a PIN locked, sign-ins failing from one address, an
//! account being guessed at, wrong enrolment codes, a station reporting
//! tampering, a station going offline in the middle of a session.
//!
//! Occurrences are aggregated into bursts: the first opens one (one audit
//! entry), later ones within [`QUIET_MS`] only count, and when a burst has
//! been quiet that long the sweeper closes it with one summary entry. So a
//! guesser making thousands of attempts writes two audit entries, not
//! thousands. In memory: a restart forgets open alerts (their audit entries
//! stay).

use super::App;
use bilik_proto::catalog::{Text, web as t};
use std::collections::VecDeque;

/// Quiet time that ends a burst: 10 minutes.
pub(super) const QUIET_MS: i64 = 10 * 60_000;
/// How long an ended, undismissed alert stays on the dashboard: a day.
const SHOWN_MS: i64 = 24 * 60 * 60_000;
/// Most alerts kept (open and ended); the oldest ended go first.
const MAX_ALERTS: usize = 500;
/// Longest subject kept (a username or an address from outside).
const MAX_SUBJECT: usize = 64;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    /// A station's card logins are being throttled.
    LoginRefusals,
    /// A card's PIN was locked after wrong tries.
    PinLocked,
    /// Failed staff sign-ins from one source address.
    SignInFailures,
    /// One staff account is being guessed at (its sign-ins are slowed).
    AccountThrottled,
    /// Wrong enrolment codes from one source address.
    EnrolCodeFailures,
    /// A station reported tampering.
    Tamper,
    /// A station went offline while a patron was in a session on it.
    OfflineInSession,
}

impl AlertKind {
    /// The audit action of a burst's first entry.
    pub fn action(self) -> &'static str {
        match self {
            AlertKind::LoginRefusals => "alert.login_refusals",
            AlertKind::PinLocked => "alert.pin_locked",
            AlertKind::SignInFailures => "alert.sign_in_failures",
            AlertKind::AccountThrottled => "alert.account_throttled",
            AlertKind::EnrolCodeFailures => "alert.enrol_code_failures",
            AlertKind::Tamper => "alert.tamper",
            AlertKind::OfflineInSession => "alert.offline_in_session",
        }
    }

    /// What the dashboard says (the subject and count follow).
    pub fn text(self) -> Text {
        match self {
            AlertKind::LoginRefusals => t::ALERT_LOGIN_REFUSALS,
            AlertKind::PinLocked => t::ALERT_PIN_LOCKED,
            AlertKind::SignInFailures => t::ALERT_SIGN_IN_FAILURES,
            AlertKind::AccountThrottled => t::ALERT_ACCOUNT_THROTTLED,
            AlertKind::EnrolCodeFailures => t::ALERT_ENROL_CODE_FAILURES,
            AlertKind::Tamper => t::ALERT_TAMPER,
            AlertKind::OfflineInSession => t::ALERT_OFFLINE_IN_SESSION,
        }
    }
}

/// One burst of occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// For dismissing it.
    pub id: u64,
    /// What it is about.
    pub kind: AlertKind,
    /// Which station, card, address or account (cleaned and clipped).
    pub subject: String,
    /// The first occurrence, UTC ms.
    pub first_ms: i64,
    /// The latest occurrence, UTC ms.
    pub last_ms: i64,
    /// Occurrences so far.
    pub count: u32,
    /// Shown on the dashboard (a burst may be counted, for the audit log,
    /// before it is worth a librarian's attention).
    pub visible: bool,
    /// Quiet for `QUIET_MS`: summarised in the audit log.
    pub ended: bool,
    /// A member of staff has seen to it.
    pub dismissed: bool,
}

/// Every alert, newest last.
#[derive(Debug, Default)]
pub(crate) struct Alerts {
    /// Open and recently ended bursts.
    list: VecDeque<Alert>,
    /// The next id.
    next_id: u64,
}

/// What [`App::note_alert`] should do with an occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occurrence {
    /// Count it in an open burst; open none.
    CountOnly,
    /// Count it, or open a burst (hidden until it becomes visible).
    Open,
    /// Count it, or open a burst, and show it.
    Show,
}

impl App {
    /// Counts an occurrence of `kind` about `subject`; the first of a burst
    /// writes one audit entry.
    pub(crate) async fn note_alert(
        &self,
        kind: AlertKind,
        subject: &str,
        occurrence: Occurrence,
        detail: &str,
    ) {
        let now = self.now_ms();
        let subject = super::clean_line(subject, MAX_SUBJECT);
        let opened = {
            let mut alerts = self.alerts_lock();
            let open = alerts
                .list
                .iter_mut()
                .rev()
                .find(|a| a.kind == kind && a.subject == subject && !a.ended);
            match open {
                Some(a) => {
                    a.count = a.count.saturating_add(1);
                    a.last_ms = now;
                    a.visible |= occurrence == Occurrence::Show;
                    false
                }
                None if occurrence == Occurrence::CountOnly => false,
                None => {
                    alerts.next_id += 1;
                    let alert = Alert {
                        id: alerts.next_id,
                        kind,
                        subject: subject.clone(),
                        first_ms: now,
                        last_ms: now,
                        count: 1,
                        visible: occurrence == Occurrence::Show,
                        ended: false,
                        dismissed: false,
                    };
                    alerts.list.push_back(alert);
                    trim(&mut alerts.list);
                    true
                }
            }
        };
        if opened {
            tracing::warn!(kind = kind.action(), "alert raised");
            self.audit("-", kind.action(), &subject, detail).await;
        }
    }

    /// Makes an open burst visible (it crossed its threshold).
    pub(crate) fn show_alert(&self, kind: AlertKind, subject: &str) {
        let subject = super::clean_line(subject, MAX_SUBJECT);
        let mut alerts = self.alerts_lock();
        if let Some(a) = alerts
            .list
            .iter_mut()
            .rev()
            .find(|a| a.kind == kind && a.subject == subject && !a.ended)
        {
            a.visible = true;
        }
    }

    /// Ends bursts quiet for [`QUIET_MS`], each with one summary entry in
    /// the audit log; forgets what is older than a day. Run by the sweeper.
    pub(crate) async fn close_quiet_alerts(&self) {
        let now = self.now_ms();
        let ended: Vec<Alert> = {
            let mut alerts = self.alerts_lock();
            let mut ended = Vec::new();
            for a in alerts.list.iter_mut() {
                if !a.ended && now - a.last_ms >= QUIET_MS {
                    a.ended = true;
                    ended.push(a.clone());
                }
            }
            alerts
                .list
                .retain(|a| !(a.ended && now - a.last_ms >= SHOWN_MS));
            ended
        };
        for a in ended {
            let detail = bilik_proto::catalog::audit::details::ALERT_BURST.fill(&[
                &a.kind.action(),
                &a.count,
                &((a.last_ms - a.first_ms) / 60_000),
            ]);
            self.audit("-", "alert.ended", &a.subject, &detail).await;
        }
    }

    /// The alerts a librarian should see: visible, not dismissed, newest first.
    pub fn alerts(&self) -> Vec<Alert> {
        let alerts = self.alerts_lock();
        alerts
            .list
            .iter()
            .rev()
            .filter(|a| a.visible && !a.dismissed)
            .cloned()
            .collect()
    }

    /// A member of staff has seen to an alert.
    pub async fn dismiss_alert(&self, by: &super::StaffIdentity, id: u64) -> super::Result<()> {
        let dismissed = {
            let mut alerts = self.alerts_lock();
            alerts
                .list
                .iter_mut()
                .find(|a| a.id == id && !a.dismissed)
                .map(|a| {
                    a.dismissed = true;
                    a.clone()
                })
        };
        let Some(a) = dismissed else {
            return Err(super::said(super::Fault::NotFound, t::FAULT_NO_ALERT));
        };
        self.audit(&by.username, "alert.dismiss", &a.subject, a.kind.action())
            .await;
        Ok(())
    }

    fn alerts_lock(&self) -> std::sync::MutexGuard<'_, Alerts> {
        self.inner
            .alerts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Keeps at most [`MAX_ALERTS`]: ended ones go first, then the oldest.
fn trim(list: &mut VecDeque<Alert>) {
    while list.len() > MAX_ALERTS {
        match list.iter().position(|a| a.ended) {
            Some(i) => {
                list.remove(i);
            }
            None => {
                list.pop_front();
            }
        }
    }
}
