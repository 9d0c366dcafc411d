//! The service's verdict on its lock-screen process, tick by tick: pure,
//! every input a method taking `now`, so the bounds are tested without a
//! window.
//!
//! - No status line for `heartbeat_timeout` (the UI was SIGSTOPped, or
//!   hangs): kill it (a new one is started).
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
use crate::config::LockConfig;

/// What to do about the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Kill the UI process (a new one is started): it stopped answering or
    /// cannot repair its lock. The text says why, for the tamper report.
    Kill(String),
    /// No verified lock in time: end the patron's session.
    Escalate(String),
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
    /// The bounds.
    heartbeat_timeout: Duration,
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
            heartbeat_timeout: config.heartbeat_timeout,
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
        if let Some(started) = self.started {
            let heard = self.status.map(|s| s.at).or(self.connected);
            match heard {
                Some(at) if since(at) > self.heartbeat_timeout => {
                    verdicts.push(Verdict::Kill(format!(
                        "the lock screen stopped answering (no heartbeat for {} ms: stopped or hung)",
                        ms(since(at))
                    )));
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
            if self.child_verified && since(since_t) > self.restore / 2 && verdicts.is_empty() {
                verdicts.push(Verdict::Kill(format!(
                    "the lock screen could not restore its lock for {} ms",
                    ms(since(since_t))
                )));
            }
        } else {
            self.unverified_since = None;
        }
        if due_locked && !verified {
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
