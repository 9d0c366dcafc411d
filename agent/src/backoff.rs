//! Exponential backoff with jitter and a cap, for reconnecting to the server.
//!
//! The base delay starts at `min` and doubles on every attempt until it
//! reaches `max` (in the style of linkerd2-proxy's `ExponentialBackoff`).
//! With `jitter = j` each delay is drawn uniformly from `[hi * (1 - j), hi]`
//! where `hi = min(base * (1 + j), max)`, and is never below `min` nor above
//! `max`. So `j = 0` is plain doubling and `j = 1` is "full jitter" (anything
//! from `min` up to twice the base, capped). Jitter is what keeps a room of
//! stations from reconnecting in lock step after the server restarts: the
//! first retry is spread too (`[min, min * (1 + j)]`), and so are the delays
//! once the cap is reached (`[max * (1 - j), max]`).

use std::time::Duration;

/// Why [`Backoff::new`] refused its bounds.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BackoffError {
    /// A zero minimum would retry in a tight loop.
    #[error("minimum backoff must be greater than zero")]
    MinNotPositive,
    /// The cap must not be below the starting delay.
    #[error("maximum backoff {max:?} is below the minimum {min:?}")]
    MaxBelowMin {
        /// The minimum asked for.
        min: Duration,
        /// The maximum asked for.
        max: Duration,
    },
    /// Jitter is a share of the delay: 0 to 1 (NaN refused too).
    #[error("jitter {0} is not between 0 and 1")]
    JitterOutOfRange(f64),
}

/// The delay sequence for one reconnecting link.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// First (and smallest) delay; also the floor under jitter.
    min: Duration,
    /// The cap: no delay is ever longer.
    max: Duration,
    /// Share of the base delay that jitter may take off, 0..=1.
    jitter: f64,
    /// The un-jittered delay of the next attempt (min, 2 min, ... max).
    base: Duration,
    /// Attempts since the last reset, for logs ("retry 7 in 12 s").
    attempts: u32,
    /// Source of jitter; seedable so tests are reproducible.
    rng: fastrand::Rng,
}

impl Backoff {
    /// Default first delay.
    pub const DEFAULT_MIN: Duration = Duration::from_millis(500);
    /// Default cap.
    pub const DEFAULT_MAX: Duration = Duration::from_secs(30);
    /// Default jitter: up to half of each delay.
    pub const DEFAULT_JITTER: f64 = 0.5;

    /// A backoff from `min` doubling to `max`, with `jitter` (0..=1) of
    /// each delay randomised. The PRNG is seeded from the OS.
    pub fn new(min: Duration, max: Duration, jitter: f64) -> Result<Self, BackoffError> {
        if min.is_zero() {
            return Err(BackoffError::MinNotPositive);
        }
        if max < min {
            return Err(BackoffError::MaxBelowMin { min, max });
        }
        if !(0.0..=1.0).contains(&jitter) {
            return Err(BackoffError::JitterOutOfRange(jitter));
        }
        Ok(Self {
            min,
            max,
            jitter,
            base: min,
            attempts: 0,
            rng: fastrand::Rng::new(),
        })
    }

    /// The same backoff with a fixed PRNG seed (reproducible tests).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = fastrand::Rng::with_seed(seed);
        self
    }

    /// The delay to wait before the next attempt; grows the base for the one
    /// after.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.base;
        let (min_s, max_s) = (self.min.as_secs_f64(), self.max.as_secs_f64());
        let hi = (base.as_secs_f64() * (1.0 + self.jitter)).min(max_s);
        let lo = (hi * (1.0 - self.jitter)).max(min_s).min(hi);
        let secs = lo + (hi - lo) * self.rng.f64();
        // `try_from` only fails on overflow, i.e. somewhere near `max`.
        let delay = Duration::try_from_secs_f64(secs)
            .unwrap_or(self.max)
            .clamp(self.min, self.max);
        self.base = base.saturating_mul(2).min(self.max);
        self.attempts = self.attempts.saturating_add(1);
        delay
    }

    /// Start again from `min` (call once a connection has proved healthy).
    pub fn reset(&mut self) {
        self.base = self.min;
        self.attempts = 0;
    }

    /// Delays handed out since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl Default for Backoff {
    /// 0.5 s doubling to 30 s, half of each delay jittered.
    fn default() -> Self {
        Self {
            min: Self::DEFAULT_MIN,
            max: Self::DEFAULT_MAX,
            jitter: Self::DEFAULT_JITTER,
            base: Self::DEFAULT_MIN,
            attempts: 0,
            rng: fastrand::Rng::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn without_jitter_it_doubles_up_to_the_cap() {
        let mut b = Backoff::new(ms(500), ms(30_000), 0.0).unwrap();
        let got: Vec<u64> = (0..10).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(
            got,
            [
                500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000
            ]
        );
        assert_eq!(b.attempts(), 10);
    }

    #[test]
    fn stays_at_the_cap_for_very_many_attempts() {
        let mut b = Backoff::new(ms(1), ms(10_000), 0.0).unwrap();
        for _ in 0..1000 {
            assert!(b.next_delay() <= ms(10_000));
        }
        assert_eq!(b.next_delay(), ms(10_000));
    }

    #[test]
    fn jittered_delays_stay_in_bounds_and_spread() {
        for jitter in [0.1, 0.5, 1.0] {
            let mut b = Backoff::new(ms(500), ms(30_000), jitter)
                .unwrap()
                .with_seed(7);
            let mut base = ms(500);
            for _ in 0..20 {
                let d = b.next_delay();
                let hi = base.mul_f64(1.0 + jitter).min(ms(30_000));
                assert!(d <= hi, "{d:?} above {hi:?} (base {base:?})");
                assert!(d >= ms(500), "{d:?} below min");
                // One ms of slack for f64 rounding.
                assert!(
                    d + ms(1) >= hi.mul_f64(1.0 - jitter),
                    "{d:?} jittered too far"
                );
                base = (base * 2).min(ms(30_000));
            }
        }
    }

    #[test]
    fn jitter_spreads_delays_even_at_the_cap() {
        let mut b = Backoff::new(ms(500), ms(30_000), 0.5)
            .unwrap()
            .with_seed(42);
        for _ in 0..10 {
            b.next_delay();
        }
        let at_cap: Vec<Duration> = (0..20).map(|_| b.next_delay()).collect();
        assert!(at_cap.iter().all(|d| *d <= ms(30_000) && *d >= ms(15_000)));
        let first = at_cap[0];
        assert!(at_cap.iter().any(|d| *d != first), "no spread: {at_cap:?}");
    }

    #[test]
    fn the_first_retry_is_spread_too() {
        let firsts: Vec<Duration> = (0..20)
            .map(|seed| {
                Backoff::new(ms(500), ms(30_000), 0.5)
                    .unwrap()
                    .with_seed(seed)
                    .next_delay()
            })
            .collect();
        assert!(firsts.iter().all(|d| *d >= ms(500) && *d <= ms(750)));
        assert!(firsts.iter().any(|d| *d != firsts[0]), "{firsts:?}");
    }

    #[test]
    fn huge_bounds_do_not_overflow() {
        let mut b = Backoff::new(Duration::from_secs(u64::MAX / 4), Duration::MAX, 1.0).unwrap();
        for _ in 0..10 {
            let d = b.next_delay();
            assert!(d >= Duration::from_secs(u64::MAX / 4));
        }
    }

    #[test]
    fn two_stations_do_not_retry_in_lock_step() {
        let mut a = Backoff::new(ms(500), ms(30_000), 0.5).unwrap().with_seed(1);
        let mut b = Backoff::new(ms(500), ms(30_000), 0.5).unwrap().with_seed(2);
        let da: Vec<Duration> = (0..8).map(|_| a.next_delay()).collect();
        let db: Vec<Duration> = (0..8).map(|_| b.next_delay()).collect();
        assert_ne!(da, db);
    }

    #[test]
    fn reset_starts_again_from_min() {
        let mut b = Backoff::new(ms(500), ms(30_000), 0.0).unwrap();
        for _ in 0..5 {
            b.next_delay();
        }
        b.reset();
        assert_eq!(b.attempts(), 0);
        assert_eq!(b.next_delay(), ms(500));
        assert_eq!(b.next_delay(), ms(1000));
    }

    #[test]
    fn min_equal_to_max_is_constant() {
        let mut b = Backoff::new(ms(250), ms(250), 1.0).unwrap();
        for _ in 0..5 {
            assert_eq!(b.next_delay(), ms(250));
        }
    }

    #[test]
    fn bad_bounds_are_refused() {
        assert_eq!(
            Backoff::new(Duration::ZERO, ms(10), 0.1).unwrap_err(),
            BackoffError::MinNotPositive
        );
        assert_eq!(
            Backoff::new(ms(10), ms(5), 0.1).unwrap_err(),
            BackoffError::MaxBelowMin {
                min: ms(10),
                max: ms(5)
            }
        );
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                Backoff::new(ms(10), ms(20), bad),
                Err(BackoffError::JitterOutOfRange(_))
            ));
        }
    }

    #[test]
    fn default_is_half_a_second_to_thirty() {
        let mut b = Backoff::default();
        let first = b.next_delay();
        assert!(first >= ms(500) && first <= ms(750), "{first:?}");
        for _ in 0..20 {
            assert!(b.next_delay() <= ms(30_000));
        }
    }
}
