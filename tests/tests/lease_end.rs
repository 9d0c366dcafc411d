//! The server closes leases by itself and notices silent stations.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::*;

#[tokio::test]
async fn a_lease_ends_at_its_end_time_without_the_station() {
    let server = TestServer::start().await;
    let InSession {
        mut admin,
        station,
        mut link,
        lease,
    } = server.in_session().await;

    // One minute before the end nothing happens...
    server.clock.advance_ms(44 * 60_000);
    server.app.sweep().await.unwrap();
    assert_eq!(admin.sessions().await[0].ended_at_ms, 0);
    // ...past the end, the sweeper closes it as time_up at the lease end.
    server.clock.advance_ms(90_000);
    let ended = wait_for("the lease to be closed", || {
        let app = server.app.clone();
        let id = lease.session_id.clone();
        async move {
            let s = app.store_for_tests().session(&id).unwrap().unwrap();
            (s.ended_at_ms != 0).then_some(s)
        }
    })
    .await;
    assert_eq!(ended.end_reason, EndReason::TimeUp as i32);
    assert_eq!(ended.ended_at_ms, lease.ends_at_ms);
    // The station is told too (it locks by itself anyway).
    let command::Kind::End(end) = link.next_command().await else {
        panic!("expected end")
    };
    assert_eq!(end.reason, EndReason::TimeUp as i32);
    // The card is free again.
    lease_of(station.login("0001").await);
    server.stop().await;
}

fn lease_of(outcome: login_response::Outcome) -> Lease {
    lease(outcome)
}

#[tokio::test]
async fn a_station_that_stops_heartbeating_is_shown_offline() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    let station = server.enroll("PC-01").await;
    let (link, _) = station.attach("boot-1", "").await;
    let heartbeat = |state: StationState| {
        agent_message::Kind::Heartbeat(Heartbeat {
            state: state as i32,
            metrics: Some(Metrics {
                cpu_percent: 12.5,
                hostname: "pc-01".into(),
                ..Default::default()
            }),
            session_id: String::new(),
        })
    };
    link.send(heartbeat(StationState::Locked)).await;
    let id = station.id.clone();
    server
        .station_when("the heartbeat to show", &id, |s| {
            s.metrics.as_ref().map(|m| m.cpu_percent) == Some(12.5)
        })
        .await;
    assert!(admin.station(&station.id).await.online);

    // 3 x 15 s without a heartbeat: offline, although the stream is open.
    server.clock.advance_ms(46_000);
    server
        .station_when("the station to be offline", &id, |info| {
            !info.online && info.state == StationState::Offline as i32
        })
        .await;
    // A heartbeat brings it back.
    link.send(heartbeat(StationState::Locked)).await;
    server
        .station_when("the station to be online again", &id, |s| s.online)
        .await;
    // Closing the stream is offline at once.
    drop(link);
    server
        .station_when("the detach to show", &id, |s| !s.online)
        .await;
    server.stop().await;
}

#[tokio::test]
async fn reattach_with_the_same_boot_keeps_the_session_and_a_new_boot_ends_it() {
    let server = TestServer::start().await;
    let InSession {
        station,
        link,
        lease,
        ..
    } = server.in_session().await;
    drop(link);
    // Same boot: the network blinked; the session goes on.
    let (link, welcome) = station.attach("boot-1", &lease.session_id).await;
    assert_eq!(welcome.lease.unwrap().session_id, lease.session_id);
    drop(link);
    // New boot: the PC restarted; the session is over.
    server.clock.advance_ms(5 * 60_000);
    let (_link, welcome) = station.attach("boot-2", "").await;
    assert!(welcome.lease.is_none());
    let s = server.stored_session(&lease.session_id);
    assert_eq!(s.end_reason, EndReason::StationRestarted as i32);
    assert_eq!(s.ended_at_ms, wednesday_10am() + 5 * 60_000);
    server.stop().await;
}

#[tokio::test]
async fn journaled_events_apply_once_and_logout_time_wins() {
    let server = TestServer::start().await;
    let InSession {
        station,
        mut link,
        lease,
        ..
    } = server.in_session().await;
    // The patron logged out after 12 minutes, while the link was down; the
    // event arrives 20 minutes later, twice.
    server.clock.advance_ms(32 * 60_000);
    let event = session_ended(
        "evt-1",
        &lease.session_id,
        EndReason::Logout as i32,
        0,
        Some(12 * 60_000),
    );
    link.send(agent_message::Kind::Event(event.clone())).await;
    assert_eq!(link.next_ack().await, vec!["evt-1".to_owned()]);
    link.send(agent_message::Kind::Event(event)).await;
    assert_eq!(link.next_ack().await, vec!["evt-1".to_owned()]);
    let s = server.stored_session(&lease.session_id);
    assert_eq!(s.end_reason, EndReason::Logout as i32);
    assert_eq!(s.ended_at_ms, lease.started_at_ms + 12 * 60_000);
    assert_eq!(
        server
            .app
            .store_for_tests()
            .station_events(&station.id)
            .unwrap()
            .len(),
        1
    );

    // A hook failure is kept as a station problem.
    let hook = AgentEvent {
        event_id: "evt-2".into(),
        at_ms: server.clock_now(),
        kind: Some(agent_event::Kind::HookFailed(HookFailed {
            hook: "cleanup".into(),
            exit_code: 3,
            detail: "rm: cannot remove".into(),
            timed_out: false,
        })),
    };
    link.send(agent_message::Kind::Event(hook)).await;
    assert_eq!(link.next_ack().await, vec!["evt-2".to_owned()]);
    assert_eq!(
        server
            .app
            .store_for_tests()
            .station_events(&station.id)
            .unwrap()
            .len(),
        2
    );
    server.stop().await;
}

#[tokio::test]
async fn an_end_at_zero_elapsed_ms_is_zero_and_a_missing_one_uses_the_event_time() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    admin.add_member("0002", "Budi", "2027-01-01").await;
    let station = server.enroll("PC-01").await;
    let (mut link, _) = station.attach("boot-1", "").await;
    let ended = |id: &str, session_id: &str, at_ms: i64, elapsed_ms: Option<i64>| {
        session_ended(
            id,
            session_id,
            EndReason::StationRestarted as i32,
            at_ms,
            elapsed_ms,
        )
    };
    // Ended within its first millisecond (SIGTERM right after the unlock):
    // 0 ms is a real value, not "unknown" (this was a flaky test: the
    // server used to read 0 as unknown and record the whole lease).
    let first = lease(station.login("0001").await);
    link.send(agent_message::Kind::Event(ended(
        "evt-0",
        &first.session_id,
        0,
        Some(0),
    )))
    .await;
    assert_eq!(link.next_ack().await, vec!["evt-0".to_owned()]);
    let s = server.stored_session(&first.session_id);
    assert_eq!(s.ended_at_ms, s.started_at_ms);

    // An agent that could not tell the elapsed time: the event's own time.
    let second = lease(station.login("0002").await);
    let at = second.started_at_ms + 7 * 60_000;
    link.send(agent_message::Kind::Event(ended(
        "evt-1",
        &second.session_id,
        at,
        None,
    )))
    .await;
    assert_eq!(link.next_ack().await, vec!["evt-1".to_owned()]);
    let s = server.stored_session(&second.session_id);
    assert_eq!(s.ended_at_ms, at);
    server.stop().await;
}
