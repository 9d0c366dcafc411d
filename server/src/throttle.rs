//! The one rate limiter: exponential backoff per key after a few free
//! failures. Pure (every call takes "now"), so its rules are tested without
//! a clock; [`crate::app`] keeps one per thing it throttles (logins per
//! station and per card, wrong PINs per card, staff sign-ins per source
//! address and per username, enrolment codes per source address).
//!
//! A key that keeps failing waits `base`, then twice that, and so on up to
//! `max` between attempts; attempts made while it waits are refused without
//! being evaluated (and without counting: a patron pressing Enter again
//! does not lengthen the wait). A success, or `forget` of quiet, clears it.
//! The map is bounded: made-up keys cannot exhaust memory.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// How a throttle backs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The first wait, ms.
    pub base_ms: i64,
    /// The longest wait, ms.
    pub max_ms: i64,
    /// Quiet time after which a key's failures are forgotten, ms.
    pub forget_ms: i64,
}

impl Rule {
    /// The wait after `failures` failures (0 while they are free).
    pub fn wait_ms(&self, failures: u32) -> i64 {
        let Some(over) = failures.checked_sub(self.free + 1) else {
            return 0;
        };
        let factor = 1i64.checked_shl(over.min(40)).unwrap_or(i64::MAX);
        self.base_ms.saturating_mul(factor).min(self.max_ms)
    }
}

/// What one key has done lately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// Failures since the last success or quiet spell.
    failures: u32,
    /// When the last failure happened, UTC ms.
    last_ms: i64,
    /// No attempt is evaluated before this, UTC ms.
    blocked_until_ms: i64,
}

/// What a failure did to its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Failures of the key so far (this one included).
    pub failures: u32,
    /// How long the key must now wait, ms (0: not yet throttled).
    pub wait_ms: i64,
}

impl Failure {
    /// Whether this failure is the one that started the waiting (the
    /// moment to raise an alert once, not on every later attempt).
    pub fn started_waiting(&self, rule: &Rule) -> bool {
        self.failures == rule.free + 1
    }
}

/// Backoff state for many keys.
#[derive(Debug)]
pub struct Throttle<K> {
    /// The numbers.
    rule: Rule,
    /// Keys with recent failures.
    entries: HashMap<K, Entry>,
    /// Most keys kept; beyond it, forgotten keys go first, then the oldest.
    max_keys: usize,
}

/// Keys kept by default: a few MB at most.
pub const DEFAULT_MAX_KEYS: usize = 50_000;

impl<K: Hash + Eq + Clone> Throttle<K> {
    /// An empty throttle.
    pub fn new(rule: Rule) -> Throttle<K> {
        Throttle::with_capacity(rule, DEFAULT_MAX_KEYS)
    }

    /// An empty throttle keeping at most `max_keys` keys.
    pub fn with_capacity(rule: Rule, max_keys: usize) -> Throttle<K> {
        Throttle {
            rule,
            entries: HashMap::new(),
            max_keys: max_keys.max(1),
        }
    }

    /// The rule it applies.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// `Err(ms to wait)` while `key` must wait; `Ok` when it may try.
    pub fn check<Q>(&self, key: &Q, now_ms: i64) -> Result<(), i64>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.entries.get(key) {
            Some(e) if now_ms < e.blocked_until_ms => Err(e.blocked_until_ms - now_ms),
            _ => Ok(()),
        }
    }

    /// Failures counted for `key` (0 when forgotten).
    pub fn failures<Q>(&self, key: &Q, now_ms: i64) -> u32
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries
            .get(key)
            .filter(|e| now_ms - e.last_ms < self.rule.forget_ms)
            .map_or(0, |e| e.failures)
    }

    /// Counts a failure of `key`.
    pub fn fail<Q>(&mut self, key: &Q, now_ms: i64) -> Failure
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if !self.entries.contains_key(key) {
            if self.entries.len() >= self.max_keys {
                self.make_room(now_ms);
            }
            self.entries.insert(
                key.to_owned(),
                Entry {
                    failures: 0,
                    last_ms: now_ms,
                    blocked_until_ms: 0,
                },
            );
        }
        let rule = self.rule;
        let Some(entry) = self.entries.get_mut(key) else {
            return Failure {
                failures: 0,
                wait_ms: 0,
            };
        };
        if now_ms - entry.last_ms >= rule.forget_ms {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_ms = now_ms;
        let wait_ms = rule.wait_ms(entry.failures);
        entry.blocked_until_ms = now_ms.saturating_add(wait_ms);
        Failure {
            failures: entry.failures,
            wait_ms,
        }
    }

    /// Clears `key` (it succeeded, or staff lifted it).
    pub fn clear<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.remove(key);
    }

    /// How many keys are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops forgotten keys; if that is not enough, the older half.
    fn make_room(&mut self, now_ms: i64) {
        let forget = self.rule.forget_ms;
        self.entries
            .retain(|_, e| now_ms - e.last_ms < forget || now_ms < e.blocked_until_ms);
        if self.entries.len() < self.max_keys {
            return;
        }
        let mut times: Vec<i64> = self.entries.values().map(|e| e.last_ms).collect();
        let middle = times.len() / 2;
        let (_, median, _) = times.select_nth_unstable(middle);
        let median = *median;
        self.entries.retain(|_, e| e.last_ms > median);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = Rule {
        free: 3,
        base_ms: 1_000,
        max_ms: 8_000,
        forget_ms: 60_000,
    };

    #[test]
    fn free_failures_then_doubling_waits_up_to_the_cap() {
        let waits: Vec<i64> = (1..=8).map(|n| RULE.wait_ms(n)).collect();
        assert_eq!(waits, [0, 0, 0, 1_000, 2_000, 4_000, 8_000, 8_000]);
        assert_eq!(RULE.wait_ms(u32::MAX), 8_000);
    }

    #[test]
    fn a_key_waits_after_its_free_failures_and_attempts_meanwhile_do_not_count() {
        let mut t: Throttle<String> = Throttle::new(RULE);
        let key = "PC-01";
        for n in 1..=3 {
            assert_eq!(t.check(key, 0), Ok(()));
            let f = t.fail(key, 0);
            assert_eq!((f.failures, f.wait_ms), (n, 0));
            assert!(!f.started_waiting(&RULE));
        }
        let fourth = t.fail(key, 10);
        assert_eq!(fourth.wait_ms, 1_000);
        assert!(fourth.started_waiting(&RULE));
        assert_eq!(t.check(key, 10), Err(1_000));
        assert_eq!(t.check(key, 1_009), Err(1));
        assert_eq!(t.check(key, 1_010), Ok(()));
        assert_eq!(t.fail(key, 1_010).wait_ms, 2_000);
        assert_eq!(t.failures(key, 1_010), 5);
        // Other keys are not affected.
        assert_eq!(t.check("PC-02", 10), Ok(()));
    }

    #[test]
    fn success_and_quiet_clear_a_key() {
        let mut t = Throttle::new(RULE);
        let key = 7u32;
        for _ in 0..5 {
            t.fail(&key, 0);
        }
        t.clear(&key);
        assert_eq!(t.check(&key, 0), Ok(()));
        assert_eq!(t.failures(&key, 0), 0);
        for _ in 0..5 {
            t.fail(&key, 0);
        }
        assert_eq!(t.failures(&key, 59_999), 5);
        assert_eq!(t.failures(&key, 60_000), 0);
        assert_eq!(t.fail(&key, 60_000).failures, 1, "forgotten after quiet");
    }

    #[test]
    fn made_up_keys_cannot_grow_the_map_beyond_its_bound() {
        let mut t = Throttle::with_capacity(RULE, 100);
        for n in 0..10_000u32 {
            t.fail(&n, i64::from(n));
            assert!(t.len() <= 100);
        }
        // The newest keys survive.
        assert_eq!(t.failures(&9_999, 9_999), 1);
        // Forgotten keys go first: a recent key is kept.
        let mut t = Throttle::with_capacity(RULE, 2);
        t.fail(&1, 0);
        t.fail(&2, 50_000);
        t.fail(&3, 70_000);
        assert_eq!(t.len(), 2);
        assert_eq!(t.failures(&1, 70_000), 0);
        assert_eq!(t.failures(&2, 70_000), 1);
        assert_eq!(t.failures(&3, 70_000), 1);
    }
}
