//! The service's verdict on its lock-screen process, tick by tick: pure,
//! every input a method taking `now`, so the bounds are tested without a
//! window.
//!
//! - No status line for `heartbeat_timeout`: what `/proc` says of the
//!   process decides ([`Judge::process`], `liveness`). Exited: its exit
//!   report is waited for (it says how it ended). Stopped (SIGSTOP), or
//!   sleeping with no CPU time used for `heartbeat_timeout` while the X
//!   server answers the service (`x_lag`)
//!   (hung), or nothing known: kill it (a new one is started), a tamper.
//!   Running, or using CPU (slow: a starved machine, not the patron): it
//!   is waited for, no tamper and no session end while it makes progress
//!   (the curtain covers a lock it does not verify, as for any other), up
//!   to `slow` of silence, after which it is killed and replaced anyway.
//! - Due locked, the UI answering but not verifying its lock for half of
//!   `restore` after it had verified one: kill it too (it cannot repair).
//! - Due locked and no verified lock for `restore` (`startup` until the
//!   first verified lock since the service started): escalate, once per
//!   episode: end the patron's graphical session.
//! - Due locked and the UI reporting, for `thief` on end, that the X server
//!   refused its grab because another client holds it (once a lock was
//!   verified since the service started): escalate at once (no restart can
//!   take a grab another client holds; ending the patron's session ends
//!   that client).

use std::time::Duration;

use tokio::time::Instant;

use super::super::wire::Screen;
use super::liveness::{Sample, State};
use crate::config::LockConfig;

/// What to do about the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Kill the UI process (a new one is started): it stopped answering or
    /// cannot repair its lock. The text says why, for the tamper report.
    Kill(String),
    /// The UI is silent but running: waited for (logged once per silence,
    /// no tamper).
    Wait(String),
    /// No verified lock in time: end the patron's session.
    Escalate(String),
}

/// The X server counts as slow when it has not answered the service's own
/// connection for this long (the curtain asks every 250 ms).
const X_SLOW: Duration = Duration::from_millis(500);

/// What a silent UI's process is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    /// Running, or its CPU time advanced lately: starved, not hung.
    Slow,
    /// Stopped by a signal.
    Stopped,
    /// Sleeping without using CPU time: hung.
    Hung,
    /// Exited.
    Gone,
    /// Not known (no look at `/proc`).
    Unknown,
}

/// The last status line of the current UI.
#[derive(Debug, Clone, Copy)]
struct Status {
    /// When it arrived.
    at: Instant,
    /// The screen it reported.
    screen: Screen,
    /// Whether it verified the lock.
    verified: bool,
}

/// The judge's memory. See the module docs.
#[derive(Debug)]
pub(super) struct Judge {
    /// The heartbeat period: a UI not heard from for longer is looked at
    /// in `/proc`.
    period: Duration,
    /// The bounds.
    heartbeat_timeout: Duration,
    /// A silent but running UI is waited for this long.
    slow: Duration,
    /// The last look at the silent UI's process (`None`: not silent, or
    /// not known), and when its CPU time last advanced since it went
    /// silent.
    sample: Option<(Sample, Option<Instant>)>,
    /// The current silence was reported as slowness already.
    slow_told: bool,
    /// How long ago the X server last answered the service's own
    /// connection (`None`: not known): a lock screen that waits on a slow
    /// X server uses no CPU time, and is not hung.
    x_lag: Option<Duration>,
    /// No verified lock this long (once one was seen): escalate.
    restore: Duration,
    /// The same before the first verified lock since start.
    startup: Duration,
    /// The grab held by another client this long: escalate.
    thief: Duration,
    /// The UI has reported its grab taken by another client since (reset
    /// by a status without it).
    grab_taken_since: Option<Instant>,
    /// The current UI process started at (`None`: none running).
    started: Option<Instant>,
    /// The current UI connected and said hello at.
    connected: Option<Instant>,
    /// Its last status.
    status: Option<Status>,
    /// The current UI has verified a lock at least once.
    child_verified: bool,
    /// A lock was verified at least once since the service started.
    ever_verified: bool,
    /// The UI last stopped verifying while due locked at.
    unverified_since: Option<Instant>,
    /// The station has been due locked without a verified lock since.
    due_since: Option<Instant>,
    /// This episode was escalated already.
    escalated: bool,
    /// The last status said the lock was drawn.
    painted: bool,
    /// The service's curtain covers the screen and holds the keyboard and
    /// pointer: the station is locked by the service itself, and the lock
    /// screen gets the longer `startup` bound to come back before the
    /// patron's session is ended.
    curtain_holds: bool,
}

impl Judge {
    /// A judge with `config`'s bounds, no UI yet.
    pub(super) fn new(config: &LockConfig) -> Judge {
        Judge {
            period: config.heartbeat,
            heartbeat_timeout: config.heartbeat_timeout,
            slow: config.slow,
            sample: None,
            slow_told: false,
            x_lag: None,
            restore: config.restore,
            startup: config.startup,
            thief: config.thief,
            grab_taken_since: None,
            started: None,
            connected: None,
            status: None,
            child_verified: false,
            ever_verified: false,
            unverified_since: None,
            due_since: None,
            escalated: false,
            painted: false,
            curtain_holds: false,
        }
    }

    /// A new UI process was started.
    pub(super) fn started(&mut self, now: Instant) {
        self.started = Some(now);
        self.sample = None;
        self.slow_told = false;
        self.connected = None;
        self.status = None;
        self.child_verified = false;
        self.unverified_since = None;
        self.grab_taken_since = None;
        self.painted = false;
    }

    /// The UI process is gone (exited or killed).
    pub(super) fn gone(&mut self) {
        self.started = None;
        self.sample = None;
        self.slow_told = false;
        self.connected = None;
        self.status = None;
        self.child_verified = false;
        self.painted = false;
    }

    /// The last status said whether the lock was drawn.
    pub(super) fn painted(&mut self, painted: bool) {
        self.painted = painted;
    }

    /// Whether the current UI has verified its lock since it started.
    pub(super) fn child_verified(&self) -> bool {
        self.child_verified
    }

    /// Whether the curtain holds the screen now.
    pub(super) fn curtain_holds(&mut self, holds: bool) {
        self.curtain_holds = holds;
    }

    /// Whether the last status (fresh enough) said the lock was drawn.
    pub(super) fn lock_painted(&self, now: Instant) -> bool {
        self.painted
            && self.status.is_some_and(|s| {
                s.screen == Screen::Locked
                    && now.saturating_duration_since(s.at) <= self.heartbeat_timeout
            })
    }

    /// Whether the UI has been silent for more than a heartbeat period:
    /// its process should be looked at ([`Judge::process`]).
    pub(super) fn silent(&self, now: Instant) -> bool {
        self.started.is_some()
            && self
                .status
                .map(|s| s.at)
                .or(self.connected)
                .is_some_and(|at| now.saturating_duration_since(at) > self.period)
    }

    /// A look at the silent UI's process at `now` (`None`: cannot be
    /// told).
    pub(super) fn process(&mut self, now: Instant, sample: Option<Sample>) {
        let Some(sample) = sample else {
            self.sample = None;
            return;
        };
        let progress = match self.sample {
            Some((last, _)) if sample.cpu > last.cpu => Some(now),
            Some((_, at)) => at,
            None => None,
        };
        self.sample = Some((sample, progress));
    }

    /// How long ago the X server last answered the service (its curtain's
    /// connection); `None`: not known.
    pub(super) fn x_lag(&mut self, lag: Option<Duration>) {
        self.x_lag = lag;
    }

    /// What the last look at the silent UI's process says.
    fn silence(&self, now: Instant) -> Life {
        let Some((sample, progress)) = self.sample else {
            return Life::Unknown;
        };
        match sample.state {
            State::Gone => Life::Gone,
            State::Stopped => Life::Stopped,
            State::Running => Life::Slow,
            State::Sleeping
                if progress.is_some_and(|t| {
                    now.saturating_duration_since(t) <= self.heartbeat_timeout
                }) =>
            {
                Life::Slow
            }
            // Waiting on an X server that does not answer the service
            // either (busy, starved or grabbed): slow, not hung.
            State::Sleeping if self.x_lag.is_some_and(|lag| lag > X_SLOW) => Life::Slow,
            State::Sleeping => Life::Hung,
        }
    }

    /// The UI said a good hello.
    pub(super) fn connected(&mut self, now: Instant) {
        self.connected = Some(now);
    }

    /// A status line arrived; `grab_taken`: the X server refused the
    /// UI's grab because another client holds it.
    pub(super) fn status(
        &mut self,
        now: Instant,
        screen: Screen,
        verified: bool,
        grab_taken: bool,
    ) {
        if grab_taken && screen == Screen::Locked {
            self.grab_taken_since.get_or_insert(now);
        } else {
            self.grab_taken_since = None;
        }
        self.sample = None;
        self.slow_told = false;
        self.status = Some(Status {
            at: now,
            screen,
            verified,
        });
        if verified && screen == Screen::Locked {
            self.child_verified = true;
            self.ever_verified = true;
        }
    }

    /// Whether the current UI answers with a screen other than "starting"
    /// (its window is up).
    pub(super) fn answering(&self, now: Instant) -> bool {
        self.status.is_some_and(|s| {
            s.screen != Screen::Starting
                && now.saturating_duration_since(s.at) <= self.heartbeat_timeout
        })
    }

    /// Whether the screen needs the service's curtain while due locked: the
    /// current UI has not verified its lock yet (it is starting, or took
    /// over from one that was killed), or has not verified it for more
    /// than `grace` (a repair it cannot finish quickly; a quick one is
    /// left to the UI, which the curtain would only make draw again).
    pub(super) fn needs_curtain(&self, now: Instant, grace: Duration) -> bool {
        !self.child_verified
            || (!self.lock_verified(now)
                && self
                    .unverified_since
                    .is_some_and(|t| now.saturating_duration_since(t) > grace))
    }

    /// Whether the last status (fresh enough) verified a lock.
    pub(super) fn lock_verified(&self, now: Instant) -> bool {
        self.status.is_some_and(|s| {
            s.verified
                && s.screen == Screen::Locked
                && now.saturating_duration_since(s.at) <= self.heartbeat_timeout
        })
    }

    /// The verdict at `now`; `due_locked`: the station should be locked
    /// (locked or maintenance, not the developer's windowed mode).
    pub(super) fn tick(&mut self, now: Instant, due_locked: bool) -> Vec<Verdict> {
        let mut verdicts = Vec::new();
        let since = |t: Instant| now.saturating_duration_since(t);
        let ms = |d: Duration| d.as_millis();
        let mut slow = false;
        if let Some(started) = self.started {
            let heard = self.status.map(|s| s.at).or(self.connected);
            match heard {
                Some(at) if since(at) > self.heartbeat_timeout => {
                    let silent = ms(since(at));
                    let why = match self.silence(now) {
                        Life::Slow if since(at) <= self.slow => {
                            slow = true;
                            if !self.slow_told {
                                self.slow_told = true;
                                verdicts.push(Verdict::Wait(format!(
                                    "the lock screen is slow: no heartbeat for {silent} ms, but it is running, or waiting on an X server that is slow for the service too (waited for up to {} ms)",
                                    ms(self.slow)
                                )));
                            }
                            None
                        }
                        Life::Slow => Some(format!(
                            "the lock screen did not answer for {silent} ms though running (bound {} ms)",
                            ms(self.slow)
                        )),
                        Life::Stopped => Some(format!(
                            "the lock screen stopped answering (no heartbeat for {silent} ms: stopped)"
                        )),
                        Life::Hung => Some(format!(
                            "the lock screen stopped answering (no heartbeat for {silent} ms, no CPU time used: hung)"
                        )),
                        // Its exit is reported by the process task once
                        // the process is reaped (a tamper report with its
                        // exit status): not killed again before, unless
                        // that report never comes.
                        Life::Gone if since(at) <= self.slow => {
                            slow = true;
                            None
                        }
                        Life::Gone => Some(format!(
                            "the lock screen stopped answering (no heartbeat for {silent} ms: exited)"
                        )),
                        Life::Unknown => Some(format!(
                            "the lock screen stopped answering (no heartbeat for {silent} ms: stopped or hung)"
                        )),
                    };
                    verdicts.extend(why.map(Verdict::Kill));
                }
                None if since(started) > self.startup.max(self.heartbeat_timeout * 5) => {
                    verdicts.push(Verdict::Kill(format!(
                        "the lock screen did not connect within {} ms",
                        ms(since(started))
                    )));
                }
                _ => {}
            }
        }
        let verified = self.lock_verified(now);
        if due_locked && !verified && self.status.is_some() {
            let since_t = *self.unverified_since.get_or_insert(now);
            if self.child_verified
                && since(since_t) > self.restore / 2
                && verdicts.is_empty()
                && !slow
            {
                verdicts.push(Verdict::Kill(format!(
                    "the lock screen could not restore its lock for {} ms",
                    ms(since(since_t))
                )));
            }
        } else {
            self.unverified_since = None;
        }
        if due_locked && !verified && slow {
            // A slow lock screen still covers the screen and holds the
            // grab (X keeps it for the process): the bound for a verified
            // lock starts once it answers again, or is replaced.
            self.due_since = None;
        } else if due_locked && !verified {
            let due = *self.due_since.get_or_insert(now);
            let bound = if self.ever_verified && !self.curtain_holds {
                self.restore
            } else {
                self.startup
            };
            // Not before the first verified lock since start: the lock
            // screen of a service that restarted may hold the grab a moment.
            let taken = self
                .grab_taken_since
                .filter(|t| self.ever_verified && since(*t) >= self.thief && verdicts.is_empty());
            if !self.escalated {
                if let Some(taken) = taken {
                    self.escalated = true;
                    verdicts.push(Verdict::Escalate(format!(
                        "no verified lock: another client has held the grab for {} ms (bound {} ms): ending the patron's session",
                        ms(since(taken)),
                        ms(self.thief)
                    )));
                } else if since(due) > bound {
                    self.escalated = true;
                    verdicts.push(Verdict::Escalate(format!(
                        "no verified lock for {} ms (bound {} ms): ending the patron's session",
                        ms(since(due)),
                        ms(bound)
                    )));
                }
            }
        } else {
            self.due_since = None;
            self.escalated = false;
        }
        verdicts
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn judge() -> Judge {
        Judge::new(&LockConfig::default())
    }

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[tokio::test(start_paused = true)]
    async fn the_curtain_covers_a_new_ui_until_it_verifies_and_a_slow_repair_after_the_grace() {
        let mut j = judge();
        let t0 = Instant::now();
        let grace = MS(400);
        j.started(t0);
        assert!(j.needs_curtain(t0, grace), "a UI that never verified");
        j.connected(t0);
        j.status(t0 + MS(100), Screen::Locked, false, false);
        assert!(j.tick(t0 + MS(100), true).is_empty());
        assert!(j.needs_curtain(t0 + MS(100), grace));
        j.status(t0 + MS(200), Screen::Locked, true, false);
        j.tick(t0 + MS(200), true);
        assert!(!j.needs_curtain(t0 + MS(200), grace), "verified");
        // A window trick: repaired within the grace, no curtain.
        j.status(t0 + MS(300), Screen::Locked, false, false);
        j.tick(t0 + MS(300), true);
        assert!(!j.needs_curtain(t0 + MS(600), grace));
        // Not repaired after the grace: the curtain.
        j.status(t0 + MS(700), Screen::Locked, false, false);
        j.tick(t0 + MS(700), true);
        assert!(j.needs_curtain(t0 + MS(701), grace));
        // A new UI process (the standby took over): covered again.
        j.status(t0 + MS(800), Screen::Locked, true, false);
        j.tick(t0 + MS(800), true);
        assert!(!j.needs_curtain(t0 + MS(800), grace));
        j.started(t0 + MS(900));
        assert!(j.needs_curtain(t0 + MS(900), grace));
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_ui_is_killed_after_the_heartbeat_timeout() {
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Locked, true, false);
        assert!(j.tick(t0 + MS(700), true).is_empty());
        let v = j.tick(t0 + MS(800), true);
        assert!(
            matches!(&v[..], [Verdict::Kill(why)] if why.contains("stopped answering")),
            "{v:?}"
        );
    }

    fn look(state: State, cpu: u64) -> Option<Sample> {
        Some(Sample { state, cpu })
    }

    /// A UI that verified its lock at `t0` and then went silent; the
    /// service looks at its process every 100 ms from `t0 + 200 ms` to
    /// `until` with `sample(n)` for the n-th look, ticking the judge; the
    /// verdicts.
    fn silent_ui(until: u64, mut sample: impl FnMut(u64) -> Option<Sample>) -> Vec<(u64, Verdict)> {
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Locked, true, false);
        let mut verdicts = Vec::new();
        for n in 0.. {
            let at = 200 + 100 * n;
            if at > until {
                break;
            }
            let now = t0 + MS(at);
            assert!(j.silent(now));
            j.process(now, sample(n));
            verdicts.extend(j.tick(now, true).into_iter().map(|v| (at, v)));
            if verdicts.iter().any(|(_, v)| matches!(v, Verdict::Kill(_))) {
                break;
            }
        }
        verdicts
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopped_or_hung_ui_is_killed_after_the_heartbeat_timeout() {
        let v = silent_ui(3000, |_| look(State::Stopped, 10));
        assert!(
            matches!(&v[..], [(800, Verdict::Kill(why))] if why.contains("stopped answering") && why.contains("stopped)")),
            "{v:?}"
        );
        // Sleeping and no CPU time used: hung.
        let v = silent_ui(3000, |_| look(State::Sleeping, 10));
        assert!(
            matches!(&v[..], [(800, Verdict::Kill(why))] if why.contains("hung")),
            "{v:?}"
        );
        // Exited: its exit report is waited for (it says how), up to the
        // slow bound.
        let v = silent_ui(10_000, |_| look(State::Gone, 0));
        assert!(
            matches!(&v[..], [(5100, Verdict::Kill(why))] if why.contains("exited")),
            "{v:?}"
        );
        // Nothing known (no /proc): as before, killed.
        let v = silent_ui(3000, |_| None);
        assert!(matches!(&v[..], [(800, Verdict::Kill(_))]), "{v:?}");
        // Sleeping, but the X server has not answered the service either
        // (the lock screen waits on it): slow.
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Locked, true, false);
        j.x_lag(Some(MS(900)));
        j.process(t0 + MS(800), look(State::Sleeping, 10));
        let v = j.tick(t0 + MS(900), true);
        assert!(matches!(&v[..], [Verdict::Wait(_)]), "{v:?}");
        j.x_lag(Some(MS(100)));
        let v = j.tick(t0 + MS(1000), true);
        assert!(
            matches!(&v[..], [Verdict::Kill(why)] if why.contains("hung")),
            "{v:?}"
        );
        // It used CPU, then stopped using it: hung a heartbeat timeout later.
        let v = silent_ui(5000, |n| look(State::Sleeping, 10 + n.min(10)));
        assert!(
            matches!(&v[..], [(_, Verdict::Wait(_)), (2000, Verdict::Kill(why))] if why.contains("hung")),
            "{v:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_ui_is_waited_for_up_to_the_slow_bound_then_replaced() {
        // Runnable (waiting for a CPU) or using CPU time: slow, not hung.
        for slow in [
            (|_| look(State::Running, 10)) as fn(u64) -> Option<Sample>,
            |n| look(State::Sleeping, 10 + n),
            |n| {
                look(
                    if n % 2 == 0 {
                        State::Running
                    } else {
                        State::Sleeping
                    },
                    10 + n / 2,
                )
            },
        ] {
            let v = silent_ui(10_000, slow);
            assert!(
                matches!(&v[..], [(800, Verdict::Wait(_)), (5100, Verdict::Kill(why))] if why.contains("though running") && why.contains("bound 5000 ms")),
                "{v:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_ui_that_answers_again_costs_nothing() {
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Locked, true, false);
        for round in 0..3u64 {
            let base = round * 4000;
            // Silent 3 s while running: no kill, no escalation (the
            // restore bound is 2 s), one Wait per silence.
            let mut waits = 0;
            for n in 2..=30 {
                let now = t0 + MS(base + 100 * n);
                assert!(j.silent(now));
                j.process(now, look(State::Running, 100 * round + n));
                for v in j.tick(now, true) {
                    assert!(matches!(v, Verdict::Wait(_)), "round {round} {n}: {v:?}");
                    waits += 1;
                }
            }
            assert_eq!(waits, 1);
            assert!(
                j.needs_curtain(t0 + MS(base + 3000), MS(400)),
                "covered while silent"
            );
            // It answers: verified again.
            let now = t0 + MS(base + 3100);
            j.status(now, Screen::Locked, true, false);
            assert!(j.tick(now, true).is_empty());
            assert!(!j.silent(now));
            let now = t0 + MS(base + 3900);
            j.status(now, Screen::Locked, true, false);
            assert!(j.tick(now, true).is_empty());
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_lost_lock_kills_then_escalates_once() {
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Locked, true, false);
        // The lock is lost; the UI still answers.
        let t1 = t0 + MS(100);
        j.status(t1, Screen::Locked, false, false);
        assert!(j.tick(t1, true).is_empty());
        j.status(t1 + MS(1000), Screen::Locked, false, false);
        let v = j.tick(t1 + MS(1050), true);
        assert!(matches!(&v[..], [Verdict::Kill(_)]), "{v:?}");
        j.gone();
        j.started(t1 + MS(1100));
        let v = j.tick(t1 + MS(2050), true);
        assert!(
            matches!(&v[..], [Verdict::Escalate(why)] if why.contains("bound 2000 ms")),
            "{v:?}"
        );
        assert!(j.tick(t1 + MS(3000), true).is_empty(), "escalated twice");
        // A verified lock ends the episode.
        j.connected(t1 + MS(3000));
        j.status(t1 + MS(3100), Screen::Locked, true, false);
        assert!(j.tick(t1 + MS(3100), true).is_empty());
        assert!(j.lock_verified(t1 + MS(3100)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_countdown_past_the_deadline_is_not_a_lock() {
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Locked, true, false);
        j.status(t0 + MS(100), Screen::Countdown, true, false);
        assert!(j.tick(t0 + MS(100), false).is_empty());
        // The session ended: the UI still shows the countdown.
        j.status(t0 + MS(2200), Screen::Countdown, true, false);
        let _ = j.tick(t0 + MS(200), true);
        let v = j.tick(t0 + MS(2300), true);
        assert!(v.iter().any(|v| matches!(v, Verdict::Escalate(_))), "{v:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_grab_held_by_another_client_escalates_on_the_short_bound() {
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Locked, true, false);
        // Another client took the grab: the UI says so on every tick.
        for n in 1..=3 {
            j.status(t0 + MS(100 * n), Screen::Locked, false, true);
            assert!(j.tick(t0 + MS(100 * n), true).is_empty(), "tick {n}");
        }
        // One status without it restarts the count (a menu let go).
        j.status(t0 + MS(350), Screen::Locked, false, false);
        assert!(j.tick(t0 + MS(420), true).is_empty());
        j.status(t0 + MS(450), Screen::Locked, false, true);
        assert!(j.tick(t0 + MS(700), true).is_empty());
        j.status(t0 + MS(750), Screen::Locked, false, true);
        let v = j.tick(t0 + MS(760), true);
        assert!(
            matches!(&v[..], [Verdict::Escalate(why)] if why.contains("another client") && why.contains("bound 300 ms")),
            "{v:?}"
        );
        assert!(j.tick(t0 + MS(900), true).is_empty(), "escalated twice");
        // In session, a grab held elsewhere is the patron's business.
        let mut j = judge();
        j.started(t0);
        j.connected(t0);
        j.status(t0, Screen::Countdown, true, true);
        j.status(t0 + MS(500), Screen::Countdown, true, true);
        assert!(j.tick(t0 + MS(600), false).is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_grab_held_before_the_first_lock_is_not_a_thief() {
        // The lock screen of the service before this one still holds the
        // grab a moment: the startup bound applies.
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        j.connected(t0);
        j.status(t0 + MS(100), Screen::Locked, false, true);
        j.status(t0 + MS(600), Screen::Locked, false, true);
        assert!(j.tick(t0 + MS(650), true).is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_lock_may_take_the_startup_bound() {
        let mut j = judge();
        let t0 = Instant::now();
        j.started(t0);
        assert!(j.tick(t0 + MS(5000), true).is_empty());
        j.connected(t0 + MS(5000));
        j.status(t0 + MS(5000), Screen::Starting, false, false);
        assert!(j.tick(t0 + MS(5100), true).is_empty());
        j.status(t0 + MS(5200), Screen::Locked, true, false);
        assert!(j.tick(t0 + MS(5200), true).is_empty());
    }
}
