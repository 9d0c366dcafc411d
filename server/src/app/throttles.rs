//! Who is slowed down, after how many failures, for how long: every
//! throttle of the server with its numbers, in one place. The mechanism is
//! [`crate::throttle`]; the use cases (card login, staff sign-in,
//! enrolment) ask here before they evaluate anything expensive.

use crate::throttle::{Failure, Rule, Throttle};
use std::sync::Mutex;

/// Card logins per station: a scan loop on one PC. Five refusals are
/// normal fumbling; then 2 s, 4 s, ... up to 5 minutes between tries.
pub(super) const STATION_LOGINS: Rule = Rule {
    free: 5,
    base_ms: 2_000,
    max_ms: 5 * 60_000,
    forget_ms: 15 * 60_000,
};

/// Card logins per card, across stations (one card tried everywhere).
pub(super) const CARD_LOGINS: Rule = STATION_LOGINS;

/// Wrong PINs per card: the PIN locks at the [`PIN_LOCK_AFTER`]th within a
/// day; staff lift it.
pub(super) const WRONG_PINS: Rule = Rule {
    free: PIN_LOCK_AFTER,
    base_ms: 0,
    max_ms: 0,
    forget_ms: 24 * 60 * 60_000,
};

/// Wrong PINs (within [`WRONG_PINS`]' window) that lock a card's PIN.
pub(super) const PIN_LOCK_AFTER: u32 = 5;

/// Staff sign-ins per source address: backoff, not a lock anyone could
/// trigger for someone else; up to 5 minutes between tries.
pub(super) const SIGN_INS_PER_ADDRESS: Rule = Rule {
    free: 5,
    base_ms: 1_000,
    max_ms: 5 * 60_000,
    forget_ms: 15 * 60_000,
};

/// Staff sign-ins per username, from anywhere: slows a spread-out guess at
/// one account, capped at 30 s so nobody can keep its owner out.
pub(super) const SIGN_INS_PER_USER: Rule = Rule {
    free: 5,
    base_ms: 1_000,
    max_ms: 30_000,
    forget_ms: 15 * 60_000,
};

/// Wrong enrolment codes per source address: ten, then a minute's wait,
/// doubling up to 10 minutes (an installer rarely mistypes ten times).
pub(super) const ENROL_CODES: Rule = Rule {
    free: 9,
    base_ms: 60_000,
    max_ms: 10 * 60_000,
    forget_ms: 15 * 60_000,
};

/// Longest a throttled attempt is held before its refusal is answered
/// (a tarpit): a guesser that waits for each answer makes at most one
/// attempt a second instead of thousands, so honest stations keep the
/// server's cores; a patron sees the refusal after a moment.
pub(super) const TARPIT_MAX_MS: i64 = 1_000;

/// Holds a throttled attempt for its wait, at most [`TARPIT_MAX_MS`].
pub(crate) async fn tarpit(wait_ms: i64) {
    let ms = u64::try_from(wait_ms.clamp(0, TARPIT_MAX_MS)).unwrap_or(0);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// The server's throttles (in memory: a restart forgets them, which only
/// gives a guesser back a handful of free tries).
#[derive(Debug)]
pub(crate) struct Throttles {
    /// Card logins by station id.
    pub station_logins: Mutex<Throttle<String>>,
    /// Card logins by card number.
    pub card_logins: Mutex<Throttle<String>>,
    /// Wrong PINs by card number.
    pub wrong_pins: Mutex<Throttle<String>>,
    /// Staff sign-ins by source address.
    pub sign_ins_by_address: Mutex<Throttle<String>>,
    /// Staff sign-ins by username.
    pub sign_ins_by_user: Mutex<Throttle<String>>,
    /// Enrolment codes by source address.
    pub enrol_codes: Mutex<Throttle<String>>,
}

impl Default for Throttles {
    fn default() -> Throttles {
        Throttles {
            station_logins: Mutex::new(Throttle::new(STATION_LOGINS)),
            card_logins: Mutex::new(Throttle::new(CARD_LOGINS)),
            wrong_pins: Mutex::new(Throttle::new(WRONG_PINS)),
            sign_ins_by_address: Mutex::new(Throttle::new(SIGN_INS_PER_ADDRESS)),
            sign_ins_by_user: Mutex::new(Throttle::new(SIGN_INS_PER_USER)),
            enrol_codes: Mutex::new(Throttle::new(ENROL_CODES)),
        }
    }
}

/// `Err(ms to wait)` while `key` must wait in `throttle`.
pub(crate) fn check(throttle: &Mutex<Throttle<String>>, key: &str, now_ms: i64) -> Result<(), i64> {
    let t = throttle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    t.check(key, now_ms)
}

/// Counts a failure of `key` in `throttle`.
pub(crate) fn fail(throttle: &Mutex<Throttle<String>>, key: &str, now_ms: i64) -> Failure {
    let mut t = throttle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    t.fail(key, now_ms)
}

/// Clears `key` in `throttle`.
pub(crate) fn clear(throttle: &Mutex<Throttle<String>>, key: &str) {
    let mut t = throttle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    t.clear(key);
}
