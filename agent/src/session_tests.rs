//! Tests of the station state machine, on paused tokio time.
#![allow(clippy::unwrap_used)]

use super::*;
use tokio::time::{advance, sleep_until};

/// The server's clock when it sends the test leases (any value would do).
const T0: i64 = 1_700_000_000_000;
const MIN: Duration = Duration::from_secs(60);

fn lease(id: &str, minutes: i64) -> Lease {
    Lease {
        session_id: id.to_owned(),
        ends_at_ms: T0 + minutes * 60_000,
        server_time_ms: T0,
        started_at_ms: T0,
        minutes: u32::try_from(minutes.max(0)).unwrap(),
        patron_name: "Budi".to_owned(),
        card: "0001".to_owned(),
    }
}

fn view(id: &str, deadline: Instant) -> SessionView {
    SessionView {
        session_id: id.to_owned(),
        patron_name: "Budi".to_owned(),
        deadline,
    }
}

fn ended(id: &str, reason: EndReason, elapsed: Duration) -> Effect {
    Effect::SessionEnded {
        session_id: id.to_owned(),
        reason,
        elapsed,
    }
}

fn warn(id: &str, minutes_left: u32) -> Effect {
    Effect::Warn {
        session_id: id.to_owned(),
        minutes_left,
    }
}

/// The driver loop: sleeps to each timer and fires it, until `until`.
/// Returns each effect with the time since `start` it happened at.
async fn drive(station: &mut Station, start: Instant, until: Instant) -> Vec<(Duration, Effect)> {
    let mut out = Vec::new();
    for _ in 0..100 {
        match station.next_timer() {
            Some(t) if t <= until => {
                sleep_until(t).await;
                let now = Instant::now();
                out.extend(station.on_timer(now).into_iter().map(|e| (now - start, e)));
            }
            _ => {
                sleep_until(until).await;
                return out;
            }
        }
    }
    panic!("timer loop did not settle: {out:?}");
}

#[tokio::test(start_paused = true)]
async fn a_lease_starts_a_session() {
    let mut s = Station::default();
    assert_eq!(s.ui(), UiState::Locked);
    assert_eq!(s.next_timer(), None);
    let now = Instant::now();
    let effects = s.grant(&lease("s1", 60), now).unwrap();
    let deadline = now + 60 * MIN;
    assert_eq!(
        effects,
        vec![
            Effect::SessionStarted {
                session_id: "s1".into()
            },
            Effect::Show(UiState::InSession(view("s1", deadline))),
        ]
    );
    assert_eq!(s.state(), StationState::InSession);
    assert_eq!(s.session_id(), Some("s1"));
    assert_eq!(s.next_timer(), Some(deadline - 5 * MIN));
}

#[tokio::test(start_paused = true)]
async fn warnings_fire_once_each_then_it_locks_exactly_at_the_deadline() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    let deadline = start + 60 * MIN;
    let got = drive(&mut s, start, start + 2 * 60 * MIN).await;
    assert_eq!(
        got,
        vec![
            (55 * MIN, warn("s1", 5)),
            (
                55 * MIN,
                Effect::Show(UiState::Warning {
                    session: view("s1", deadline),
                    minutes_left: 5
                })
            ),
            (59 * MIN, warn("s1", 1)),
            (
                59 * MIN,
                Effect::Show(UiState::Warning {
                    session: view("s1", deadline),
                    minutes_left: 1
                })
            ),
            (60 * MIN, Effect::Show(UiState::Locked)),
            (60 * MIN, ended("s1", EndReason::TimeUp, 60 * MIN)),
        ]
    );
    assert_eq!(s.state(), StationState::Locked);
    assert_eq!(s.next_timer(), None);
}

#[tokio::test(start_paused = true)]
async fn early_or_repeated_timer_calls_do_nothing() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    assert!(s.on_timer(start + 10 * MIN).is_empty());
    assert_eq!(s.on_timer(start + 55 * MIN).len(), 2);
    assert!(s.on_timer(start + 55 * MIN).is_empty());
    assert!(s.on_timer(start + 56 * MIN).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_late_timer_fires_only_the_latest_warning_or_just_the_lock() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    let effects = s.on_timer(start + 59 * MIN + Duration::from_secs(30));
    assert_eq!(effects[0], warn("s1", 1));
    assert_eq!(effects.len(), 2);

    let mut s = Station::default();
    s.grant(&lease("s2", 60), start).unwrap();
    assert_eq!(
        s.on_timer(start + 61 * MIN),
        vec![
            Effect::Show(UiState::Locked),
            ended("s2", EndReason::TimeUp, 61 * MIN)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn extend_moves_the_deadline_and_rearms_warnings_ahead() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    // Past both warnings.
    let got = drive(&mut s, start, start + 59 * MIN + Duration::from_secs(30)).await;
    assert_eq!(got.len(), 4);
    assert_eq!(s.state(), StationState::Warning);

    // The librarian adds 30 minutes: server now at T0 + 59.5 min.
    let server_now = T0 + 59 * 60_000 + 30_000;
    let effects = s
        .extend("s1", T0 + 90 * 60_000, server_now, Instant::now())
        .unwrap();
    let deadline = start + 90 * MIN;
    assert_eq!(
        effects,
        vec![Effect::Show(UiState::InSession(view("s1", deadline)))]
    );

    let got = drive(&mut s, start, start + 3 * 60 * MIN).await;
    let times: Vec<Duration> = got.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        got.iter()
            .filter(|(_, e)| matches!(e, Effect::Warn { .. }))
            .map(|(t, e)| (*t, e.clone()))
            .collect::<Vec<_>>(),
        vec![(85 * MIN, warn("s1", 5)), (89 * MIN, warn("s1", 1))]
    );
    assert_eq!(times.last(), Some(&(90 * MIN)));
    assert_eq!(
        got.last().unwrap().1,
        ended("s1", EndReason::TimeUp, 90 * MIN)
    );
}

#[tokio::test(start_paused = true)]
async fn a_small_extension_does_not_repeat_a_warning_already_given() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    drive(&mut s, start, start + 58 * MIN).await; // the 5-minute warning fired
    // Two more minutes: 4 left, still inside the 5-minute warning.
    let effects = s
        .extend("s1", T0 + 62 * 60_000, T0 + 58 * 60_000, Instant::now())
        .unwrap();
    assert_eq!(
        effects,
        vec![Effect::Show(UiState::Warning {
            session: view("s1", start + 62 * MIN),
            minutes_left: 5
        })]
    );
    let got = drive(&mut s, start, start + 2 * 60 * MIN).await;
    let warns: Vec<_> = got
        .iter()
        .filter(|(_, e)| matches!(e, Effect::Warn { .. }))
        .collect();
    assert_eq!(warns, vec![&(61 * MIN, warn("s1", 1))]);
}

#[tokio::test(start_paused = true)]
async fn an_extension_that_shortens_warns_or_locks_at_once() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    let effects = s.extend("s1", T0 + 3 * 60_000, T0, Instant::now()).unwrap();
    assert_eq!(effects[0], warn("s1", 5));
    let effects = s.extend("s1", T0 - 1, T0, Instant::now()).unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::Show(UiState::Locked),
            ended("s1", EndReason::TimeUp, Duration::ZERO)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn extend_or_end_of_another_session_is_refused_and_changes_nothing() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    let err = s.extend("old", T0 + 1, T0, start).unwrap_err();
    assert_eq!(
        err,
        SessionError::NotCurrent {
            got: "old".into(),
            current: Some("s1".into())
        }
    );
    assert!(s.end("old", EndReason::Librarian, start).is_err());
    assert_eq!(s.session_id(), Some("s1"));
    assert_eq!(s.next_timer(), Some(start + 55 * MIN));

    let mut locked = Station::default();
    assert!(locked.extend("s1", T0 + 1, T0, start).is_err());
}

#[tokio::test(start_paused = true)]
async fn end_locks_at_once() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    advance(10 * MIN).await;
    let effects = s.end("s1", EndReason::Librarian, Instant::now()).unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::Show(UiState::Locked),
            ended("s1", EndReason::Librarian, 10 * MIN)
        ]
    );
    assert_eq!(s.next_timer(), None);
    assert!(
        s.end("s1", EndReason::Librarian, Instant::now()).is_err(),
        "already ended"
    );
}

#[tokio::test(start_paused = true)]
async fn end_without_an_id_ends_whatever_runs() {
    let mut s = Station::default();
    let start = Instant::now();
    assert_eq!(s.end("", EndReason::Librarian, start).unwrap(), vec![]);
    s.grant(&lease("s1", 60), start).unwrap();
    let effects = s.end("", EndReason::StationRestarted, start).unwrap();
    assert_eq!(
        effects[1],
        ended("s1", EndReason::StationRestarted, Duration::ZERO)
    );
}

#[tokio::test(start_paused = true)]
async fn logout_ends_with_reason_logout() {
    let mut s = Station::default();
    let start = Instant::now();
    assert!(s.logout(start).is_empty(), "nothing to log out of");
    s.grant(&lease("s1", 60), start).unwrap();
    advance(MIN).await;
    assert_eq!(
        s.logout(Instant::now()),
        vec![
            Effect::Show(UiState::Locked),
            ended("s1", EndReason::Logout, MIN)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn maintenance_during_a_session_ends_it_then_off_locks() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    assert_eq!(
        s.set_maintenance(true, start),
        vec![
            Effect::Show(UiState::Maintenance),
            ended("s1", EndReason::Maintenance, Duration::ZERO)
        ]
    );
    assert_eq!(s.state(), StationState::Maintenance);
    assert_eq!(s.next_timer(), None);
    assert!(s.set_maintenance(true, start).is_empty());
    assert_eq!(
        s.set_maintenance(false, start),
        vec![Effect::Show(UiState::Locked)]
    );
    assert!(s.set_maintenance(false, start).is_empty());
}

#[tokio::test(start_paused = true)]
async fn maintenance_from_locked_and_a_lease_in_maintenance() {
    let mut s = Station::default();
    let start = Instant::now();
    assert_eq!(
        s.set_maintenance(true, start),
        vec![Effect::Show(UiState::Maintenance)]
    );
    assert!(s.logout(start).is_empty(), "no session to log out of");
    assert!(s.on_timer(start).is_empty());
    assert_eq!(s.end("", EndReason::Librarian, start).unwrap(), vec![]);
    assert_eq!(s.state(), StationState::Maintenance, "still in maintenance");
    let effects = s.grant(&lease("s1", 30), start).unwrap();
    assert_eq!(effects.len(), 2);
    assert_eq!(s.state(), StationState::InSession);
    let effects = s.logout(start);
    assert_eq!(effects[0], Effect::Show(UiState::Locked));
}

#[tokio::test(start_paused = true)]
async fn a_lease_already_over_locks_at_once() {
    let mut s = Station::default();
    let start = Instant::now();
    let mut l = lease("s1", 60);
    l.server_time_ms = l.ends_at_ms + 5_000; // received 5 s after its end
    assert_eq!(
        s.grant(&l, start).unwrap(),
        vec![ended(
            "s1",
            EndReason::TimeUp,
            60 * MIN + Duration::from_secs(5)
        )]
    );
    assert_eq!(s.ui(), UiState::Locked);
    assert_eq!(s.next_timer(), None);

    // From maintenance it still ends up locked, and says so.
    let mut s = Station::default();
    s.set_maintenance(true, start);
    let effects = s.grant(&lease("s2", 0), start).unwrap();
    assert_eq!(effects[0], Effect::Show(UiState::Locked));
    assert!(matches!(effects[1], Effect::SessionEnded { .. }));
}

#[tokio::test(start_paused = true)]
async fn a_new_lease_replaces_the_running_session() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    advance(20 * MIN).await;
    let now = Instant::now();
    let mut next = lease("s2", 45);
    next.patron_name = "Sari".into();
    assert_eq!(
        s.grant(&next, now).unwrap(),
        vec![
            Effect::Show(UiState::Locked),
            ended("s1", REPLACED_REASON, 20 * MIN),
            Effect::SessionStarted {
                session_id: "s2".into()
            },
            Effect::Show(UiState::InSession(SessionView {
                session_id: "s2".into(),
                patron_name: "Sari".into(),
                deadline: now + 45 * MIN
            })),
        ]
    );
    assert_eq!(s.session_id(), Some("s2"));
}

#[tokio::test(start_paused = true)]
async fn the_same_lease_again_only_updates_the_deadline() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    advance(10 * MIN).await;
    // A reconnect: the Welcome repeats the lease, with the server's time now.
    let mut again = lease("s1", 60);
    again.server_time_ms = T0 + 10 * 60_000;
    let effects = s.grant(&again, Instant::now()).unwrap();
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(s.next_timer(), Some(start + 55 * MIN));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_depends_only_on_the_server_numbers() {
    // Same remaining time, wildly different wall-clock values: same deadline.
    let start = Instant::now();
    for server_now in [1, T0, 4_102_444_800_000] {
        let mut s = Station::default();
        let mut l = lease("s1", 0);
        l.server_time_ms = server_now;
        l.ends_at_ms = server_now + 30 * 60_000;
        l.started_at_ms = server_now;
        s.grant(&l, start).unwrap();
        assert_eq!(s.next_timer(), Some(start + 25 * MIN));
    }
}

#[tokio::test(start_paused = true)]
async fn elapsed_counts_time_before_receipt() {
    let mut s = Station::default();
    let start = Instant::now();
    let mut l = lease("s1", 60);
    l.started_at_ms = T0 - 5 * 60_000; // began 5 minutes before this lease was sent
    s.grant(&l, start).unwrap();
    advance(MIN).await;
    assert_eq!(
        s.logout(Instant::now())[1],
        ended("s1", EndReason::Logout, 6 * MIN)
    );
}

#[tokio::test(start_paused = true)]
async fn a_short_lease_starts_in_warning_without_a_popup() {
    let mut s = Station::default();
    let start = Instant::now();
    let effects = s.grant(&lease("s1", 3), start).unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::SessionStarted {
                session_id: "s1".into()
            },
            Effect::Show(UiState::Warning {
                session: view("s1", start + 3 * MIN),
                minutes_left: 5
            }),
        ]
    );
    let got = drive(&mut s, start, start + 10 * MIN).await;
    assert_eq!(got[0], (2 * MIN, warn("s1", 1)));
    assert_eq!(got.last().unwrap().0, 3 * MIN);
}

#[tokio::test(start_paused = true)]
async fn bad_leases_are_refused() {
    let mut s = Station::default();
    let start = Instant::now();
    assert_eq!(
        s.grant(&lease("", 60), start).unwrap_err(),
        SessionError::MissingSessionId
    );
    let mut l = lease("s1", 60);
    l.server_time_ms = 0;
    assert_eq!(
        s.grant(&l, start).unwrap_err(),
        SessionError::MissingServerTime("s1".into())
    );
    assert_eq!(s.ui(), UiState::Locked);
}

#[tokio::test(start_paused = true)]
async fn an_absurd_lease_is_cut_to_the_maximum() {
    let mut s = Station::new(&[]);
    let start = Instant::now();
    let mut l = lease("s1", 0);
    l.ends_at_ms = i64::MAX;
    s.grant(&l, start).unwrap();
    assert_eq!(s.next_timer(), Some(start + MAX_LEASE));
}

#[tokio::test(start_paused = true)]
async fn warning_minutes_are_configurable_and_normalised() {
    let mut s = Station::new(&[1, 10, 0, 5, 10]);
    let start = Instant::now();
    s.grant(&lease("s1", 30), start).unwrap();
    let got = drive(&mut s, start, start + 31 * MIN).await;
    let warns: Vec<_> = got
        .into_iter()
        .filter(|(_, e)| matches!(e, Effect::Warn { .. }))
        .collect();
    assert_eq!(
        warns,
        vec![
            (20 * MIN, warn("s1", 10)),
            (25 * MIN, warn("s1", 5)),
            (29 * MIN, warn("s1", 1))
        ]
    );

    // No warnings at all: straight to the lock.
    let mut s = Station::new(&[]);
    s.grant(&lease("s2", 30), start).unwrap();
    assert_eq!(s.next_timer(), Some(start + 30 * MIN));
}

#[tokio::test(start_paused = true)]
async fn new_warning_settings_mid_session_skip_what_has_passed() {
    let mut s = Station::default();
    let start = Instant::now();
    s.grant(&lease("s1", 60), start).unwrap();
    advance(52 * MIN).await; // 8 left
    let effects = s.set_warning_minutes(&[10, 2], Instant::now());
    assert_eq!(
        effects,
        vec![Effect::Show(UiState::Warning {
            session: view("s1", start + 60 * MIN),
            minutes_left: 10
        })]
    );
    assert_eq!(s.next_timer(), Some(start + 58 * MIN));
}

#[tokio::test(start_paused = true)]
async fn session_ended_effects_become_journal_events() {
    let e = ended("s1", EndReason::TimeUp, Duration::from_millis(1234));
    let Some(agent_event::Kind::SessionEnded(se)) = e.event_kind() else {
        panic!("not a SessionEnded event");
    };
    assert_eq!(se.session_id, "s1");
    assert_eq!(se.reason, EndReason::TimeUp as i32);
    assert_eq!(se.elapsed_ms, Some(1234));
    assert_eq!(warn("s1", 5).event_kind(), None);
}
