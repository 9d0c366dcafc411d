//! The connections a server keeps to its library system. A card login
//! takes an idle connection (or opens one), asks, and puts it back; the
//! whole question is bounded by `request_timeout`, and the circuit
//! [`Breaker`] answers at once while the library system is known to fail.
//! No lock is held while waiting on the network: the idle list is locked
//! only to pop or push.

use super::breaker::Breaker;
use super::client::{Connection, tls_connector};
use super::codec::sip_date;
use super::patron::{self, Patron};
use super::{IlsError, PatronRequest, Settings};
use chrono::NaiveDateTime;
use std::sync::Mutex;

/// The library system, as the login use case sees it.
pub struct Ils {
    /// The `[sip2]` configuration.
    settings: Settings,
    /// The TLS client (with the library's CA), when `tls` is on and the CA
    /// file was usable.
    tls: Option<tokio_rustls::TlsConnector>,
    /// Logged-in connections not in use.
    idle: Mutex<Vec<Connection>>,
    /// At most `max_connections` questions in flight.
    slots: tokio::sync::Semaphore,
    /// Fails fast while the library system is down.
    breaker: Breaker,
}

impl std::fmt::Debug for Ils {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ils")
            .field("settings", &self.settings)
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}

/// Reports a failure if the question is abandoned (the login future was
/// dropped) before it reported anything, so a cancelled breaker probe
/// cannot leave the breaker waiting for it forever.
struct Outcome<'a> {
    /// The breaker to tell.
    breaker: &'a Breaker,
    /// Whether the outcome was reported.
    reported: bool,
}

impl Drop for Outcome<'_> {
    fn drop(&mut self) {
        if !self.reported {
            self.breaker.failure();
        }
    }
}

impl Ils {
    /// The pool for `settings`; no connection is opened until a login asks.
    pub fn new(settings: Settings) -> Ils {
        let tls = if settings.tls {
            match tls_connector(&settings) {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::error!(error = %e, "SIP2 TLS unusable: every card login will be refused");
                    None
                }
            }
        } else {
            None
        };
        Ils {
            slots: tokio::sync::Semaphore::new(settings.max_connections.max(1)),
            breaker: Breaker::new(settings.breaker),
            idle: Mutex::new(Vec::new()),
            tls,
            settings,
        }
    }

    /// The configuration.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the breaker is open (the library system failed recently).
    pub fn is_down(&self) -> bool {
        self.breaker.is_open()
    }

    /// Asks about `card` (with `pin` when the patron gave one) at local
    /// time `now`. Within `request_timeout`, or [`IlsError::Timeout`].
    pub async fn patron(
        &self,
        card: &str,
        pin: &str,
        now: NaiveDateTime,
    ) -> Result<Patron, IlsError> {
        if !self.breaker.allow() {
            return Err(IlsError::BreakerOpen);
        }
        let mut outcome = Outcome {
            breaker: &self.breaker,
            reported: false,
        };
        let answer = tokio::time::timeout(self.settings.request_timeout, self.ask(card, pin, now))
            .await
            .unwrap_or(Err(IlsError::Timeout));
        outcome.reported = true;
        match &answer {
            Ok(_) => self.breaker.success(),
            Err(e) => {
                tracing::warn!(error = %e, "library system request failed");
                self.breaker.failure();
            }
        }
        answer
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn ask(&self, card: &str, pin: &str, now: NaiveDateTime) -> Result<Patron, IlsError> {
        let _slot = self.slots.acquire().await.map_err(|_| IlsError::Closed)?;
        let s = &self.settings;
        let date = sip_date(now);
        let (command, fixed, want) = match s.request {
            // Language unknown (000), the date, a summary asking for no item lists.
            PatronRequest::Information => ("63", format!("000{date}          "), b"64"),
            PatronRequest::Status => ("23", format!("000{date}"), b"24"),
        };
        let mut fields = vec![
            ("AO", s.institution_id.as_str()),
            ("AA", card),
            ("AC", s.terminal_password.as_str()),
        ];
        // A PIN is sent only when given (a system asked with an empty one
        // answers "wrong password"); `23` requires the field.
        if !pin.is_empty() || s.request == PatronRequest::Status {
            fields.push(("AD", pin));
        }
        let pooled = self.idle().pop();
        if let Some(mut conn) = pooled {
            match conn.request(command, &fixed, &fields, want).await {
                Ok(m) => {
                    self.idle().push(conn);
                    return Ok(patron::read(&m, &s.fields));
                }
                // The library system closed an idle connection (restart,
                // its own idle timeout): ask again on a fresh one.
                Err(IlsError::Closed | IlsError::Io(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let mut conn =
            tokio::time::timeout(s.connect_timeout, Connection::open(s, self.tls.as_ref()))
                .await
                .map_err(|_| IlsError::Timeout)??;
        let m = conn.request(command, &fixed, &fields, want).await?;
        self.idle().push(conn);
        Ok(patron::read(&m, &s.fields))
    }
}
