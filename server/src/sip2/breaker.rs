//! The circuit breaker in front of the library system: after a few
//! failures in a row it opens and every card login is answered at once
//! (no patron waits out a timeout while the ILS is known to be down);
//! after a pause one probe goes through, and the pause doubles, with
//! jitter, up to a cap, while probes keep failing. One success closes it.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// When the breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Failures in a row that open the breaker.
    pub failures: u32,
    /// The first pause before a probe.
    pub base: Duration,
    /// The longest pause.
    pub cap: Duration,
}

/// The breaker's state, behind a mutex held only for a few instructions.
#[derive(Debug)]
pub struct Breaker {
    /// Its limits.
    config: BreakerConfig,
    /// Failures, pause, probe in flight.
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Failures in a row.
    failures: u32,
    /// Until when requests are refused; `None`: closed.
    open_until: Option<Instant>,
    /// The current pause (doubles while probes fail).
    pause: Duration,
    /// A probe is in flight: others are still refused.
    probing: bool,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Breaker {
        Breaker {
            config,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a request may go to the library system now. While open,
    /// no; once the pause is over, exactly one caller (the probe) is let
    /// through until it reports back.
    pub fn allow(&self) -> bool {
        let mut s = self.state();
        match s.open_until {
            None => true,
            Some(until) if Instant::now() < until || s.probing => false,
            Some(_) => {
                s.probing = true;
                true
            }
        }
    }

    /// Whether the breaker is open (for health reporting).
    pub fn is_open(&self) -> bool {
        self.state().open_until.is_some()
    }

    /// The library system answered: close.
    pub fn success(&self) {
        *self.state() = State::default();
    }

    /// The library system failed (no connection, timeout, garbage).
    pub fn failure(&self) {
        let mut s = self.state();
        s.failures = s.failures.saturating_add(1);
        if s.failures < self.config.failures && !s.probing {
            return;
        }
        s.pause = if s.open_until.is_none() {
            self.config.base
        } else {
            (s.pause * 2).min(self.config.cap)
        };
        s.open_until = Some(Instant::now() + jittered(s.pause));
        s.probing = false;
    }
}

/// `pause` shortened by up to a quarter at random, so many servers of one
/// library system do not probe it in step.
fn jittered(pause: Duration) -> Duration {
    let mut b = [0u8; 2];
    let r = getrandom::fill(&mut b).map_or(0, |()| u16::from_le_bytes(b));
    let quarter = pause / 4;
    pause - quarter.mul_f64(f64::from(r) / f64::from(u16::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker::new(BreakerConfig {
            failures: 2,
            base: Duration::from_secs(4),
            cap: Duration::from_secs(10),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_failures_and_probes_once() {
        let b = breaker();
        assert!(b.allow());
        b.failure();
        assert!(b.allow(), "one failure does not open it");
        b.failure();
        assert!(!b.allow(), "open");
        tokio::time::advance(Duration::from_secs(4)).await;
        assert!(b.allow(), "the probe");
        assert!(!b.allow(), "only one probe at a time");
        b.failure();
        // The pause doubled: at least 6 s (8 less a quarter), under 10.
        tokio::time::advance(Duration::from_millis(5_900)).await;
        assert!(!b.allow());
        tokio::time::advance(Duration::from_millis(2_200)).await;
        assert!(b.allow());
        b.success();
        assert!(b.allow() && b.allow() && !b.is_open());
    }

    #[tokio::test(start_paused = true)]
    async fn pause_is_capped() {
        let b = breaker();
        b.failure();
        b.failure();
        for _ in 0..10 {
            tokio::time::advance(Duration::from_secs(10)).await;
            assert!(b.allow(), "a probe is due within the cap");
            b.failure();
        }
    }
}
