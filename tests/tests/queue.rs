//! The waiting queue for walk-in patrons, through the real server
//! in-process, real gRPC and (for the lock screen) the real headless agent.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::agent::{AgentProcess, enroll_station};
use bilik_tests::*;

/// Adds `card` to the queue; the server's answer.
async fn add(admin: &mut Staff, card: &str) -> Result<QueueInfo, tonic::Status> {
    let req = admin.req(AddToQueueRequest { card: card.into() });
    admin.client.add_to_queue(req).await.map(|r| r.into_inner())
}

/// The queue as staff see it.
async fn list(admin: &mut Staff) -> QueueInfo {
    let req = admin.req(ListQueueRequest {});
    admin.client.list_queue(req).await.unwrap().into_inner()
}

/// The cards in queue order.
fn cards(info: &QueueInfo) -> Vec<String> {
    info.entries.iter().map(|e| e.card.clone()).collect()
}

/// Waits until the queue holds a station for `card`; returns its entry.
async fn held_for(server: &TestServer, card: &str) -> QueueEntry {
    wait_for("a hold for the patron", || async {
        let mut admin = server.admin().await;
        list(&mut admin)
            .await
            .entries
            .into_iter()
            .find(|e| e.card == card && !e.held_station.is_empty())
    })
    .await
}

/// The next Hold command pushed to a station that holds it for someone
/// (releases, with an empty name, are passed over).
async fn next_hold(link: &mut Link) -> HoldStation {
    loop {
        if let command::Kind::Hold(h) = link.next_command().await
            && !h.patron_name.is_empty()
        {
            return h;
        }
    }
}

/// A heartbeat from a locked station (after the test clock jumps, the
/// station would otherwise count as silent, i.e. offline).
async fn heartbeat(link: &Link) {
    link.send(agent_message::Kind::Heartbeat(Heartbeat {
        state: StationState::Locked as i32,
        ..Default::default()
    }))
    .await;
}

async fn logout(station: &TestStation, session_id: &str) {
    station
        .client
        .clone()
        .logout(LogoutRequest {
            session_id: session_id.into(),
        })
        .await
        .unwrap();
}

/// A server with members 0001-0004 and one attached station, PC-01.
async fn one_station() -> (TestServer, TestStation, Link) {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    for (card, name) in [
        ("0001", "Andi Pratama"),
        ("0002", "Budi Santoso"),
        ("0003", "Citra Lestari"),
        ("0004", "Dewi Anggraini"),
    ] {
        admin.add_member(card, name, "2027-12-31").await;
    }
    let station = server.enroll("PC-01").await;
    let (link, _) = station.attach("boot-1", "").await;
    wait_for("the station online", || async {
        let view = server.admin().await.station(&station.id).await;
        view.online.then_some(())
    })
    .await;
    (server, station, link)
}

#[tokio::test]
async fn a_queue_of_three_gets_one_station_in_turn() {
    let (server, station, mut link) = one_station().await;
    let mut admin = server.admin().await;
    let first = lease(station.login("0001").await);
    for card in ["0002", "0003", "0004"] {
        add(&mut admin, card).await.unwrap();
    }
    let info = list(&mut admin).await;
    assert_eq!(cards(&info), ["0002", "0003", "0004"]);
    let positions: Vec<u32> = info.entries.iter().map(|e| e.position).collect();
    assert_eq!(positions, [1, 2, 3]);
    // One station, 45 minutes left on it: then one more session per patron.
    let waits: Vec<u32> = info
        .entries
        .iter()
        .map(|e| e.estimated_wait_minutes)
        .collect();
    assert_eq!(waits, [45, 90, 135]);
    assert!(info.entries.iter().all(|e| e.held_station.is_empty()));

    let mut session = first.session_id;
    for (i, card) in ["0002", "0003", "0004"].into_iter().enumerate() {
        logout(&station, &session).await;
        let entry = held_for(&server, card).await;
        assert_eq!(entry.position, 1);
        assert_eq!(entry.held_station, "PC-01");
        assert_eq!(entry.hold_until_ms, server.clock_now() + 5 * 60_000);
        let hold = next_hold(&mut link).await;
        assert_eq!(hold.patron_name, entry.patron_name);
        assert_eq!(hold.until_ms, entry.hold_until_ms);
        // Someone else's card is refused while the station is held.
        assert_eq!(
            refusal(station.login("0001").await),
            RefusalCode::Reserved,
            "round {i}"
        );
        let granted = lease(station.login(card).await);
        assert_eq!(granted.patron_name, entry.patron_name);
        session = granted.session_id;
        let left = list(&mut admin).await;
        assert_eq!(cards(&left).len(), 2 - i, "{left:?}");
        assert!(!cards(&left).contains(&card.to_owned()));
    }
    // Each queued patron had exactly one session at PC-01.
    let sessions = admin.sessions().await;
    // (The test clock stands still: all four start at the same instant, so
    // the order was asserted round by round above.)
    let mut cards_seen: Vec<&str> = sessions.iter().map(|s| s.card.as_str()).collect();
    cards_seen.sort_unstable();
    assert_eq!(cards_seen, ["0001", "0002", "0003", "0004"]);
    assert!(sessions.iter().all(|s| s.station_name == "PC-01"));
    server.stop().await;
}

#[tokio::test]
async fn an_expired_hold_passes_the_station_to_the_next() {
    let (server, station, mut link) = one_station().await;
    let mut admin = server.admin().await;
    let first = lease(station.login("0001").await);
    add(&mut admin, "0002").await.unwrap();
    add(&mut admin, "0003").await.unwrap();
    logout(&station, &first.session_id).await;
    held_for(&server, "0002").await;
    assert_eq!(next_hold(&mut link).await.patron_name, "Budi Santoso");

    // Not yet: a minute before the hold ends, it stands.
    server.clock.advance_ms(4 * 60_000);
    heartbeat(&link).await;
    server.app.sweep().await.unwrap();
    assert_eq!(cards(&list(&mut admin).await), ["0002", "0003"]);

    server.clock.advance_ms(60_000);
    heartbeat(&link).await;
    let entry = held_for(&server, "0003").await;
    assert_eq!(entry.held_station, "PC-01");
    assert_eq!(cards(&list(&mut admin).await), ["0003"]);
    assert_eq!(next_hold(&mut link).await.patron_name, "Citra Lestari");
    // The patron who did not come is out: their card is refused there now.
    assert_eq!(refusal(station.login("0002").await), RefusalCode::Reserved);
    lease(station.login("0003").await);
    assert!(list(&mut admin).await.entries.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn bad_queue_requests_are_refused_and_change_nothing() {
    let (server, station, _link) = one_station().await;
    let mut admin = server.admin().await;
    admin
        .client
        .set_member_status(admin.req(SetMemberStatusRequest {
            card: "0004".into(),
            status: MemberStatus::Blocked as i32,
        }))
        .await
        .unwrap();
    lease(station.login("0001").await);
    add(&mut admin, "0002").await.unwrap();
    let before = list(&mut admin).await;
    let cases = [
        ("9999", tonic::Code::NotFound),
        ("0002", tonic::Code::AlreadyExists),
        ("0004", tonic::Code::FailedPrecondition),
        ("0001", tonic::Code::FailedPrecondition),
        ("<script>", tonic::Code::InvalidArgument),
    ];
    for (card, code) in cases {
        let err = add(&mut admin, card).await.unwrap_err();
        assert_eq!(err.code(), code, "{card}: {err:?}");
        assert!(!err.message().contains(card), "echoes the input: {err:?}");
        assert!(!err.message().is_empty());
    }
    let err = admin
        .client
        .remove_from_queue(admin.req(RemoveFromQueueRequest {
            card: "0003".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    assert_eq!(list(&mut admin).await.entries, before.entries);

    // Removing works, and is audited like other staff actions.
    let after = admin
        .client
        .remove_from_queue(admin.req(RemoveFromQueueRequest {
            card: "0002".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(after.entries.is_empty());
    let audit = admin
        .client
        .audit_log(admin.req(AuditLogRequest::default()))
        .await
        .unwrap()
        .into_inner();
    let actions: Vec<&str> = audit.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"queue.add"), "{actions:?}");
    assert!(actions.contains(&"queue.remove"), "{actions:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_restart_keeps_the_queue_and_the_hold() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server =
        TestServer::start_on(bilik_server::store::Store::open(&data).unwrap(), &[], None).await;
    let password = server.admin_password.clone();
    let mut admin = server.admin().await;
    for (card, name) in [("0001", "Andi"), ("0002", "Budi"), ("0003", "Citra")] {
        admin.add_member(card, name, "2027-12-31").await;
    }
    let station = server.enroll("PC-01").await;
    let (link, _) = station.attach("boot-1", "").await;
    wait_for("the station online", || async {
        server
            .admin()
            .await
            .station(&station.id)
            .await
            .online
            .then_some(())
    })
    .await;
    let first = lease(station.login("0001").await);
    add(&mut admin, "0002").await.unwrap();
    add(&mut admin, "0003").await.unwrap();
    logout(&station, &first.session_id).await;
    let held = held_for(&server, "0002").await;
    drop(link);
    drop(admin);
    server.stop().await;

    let server = TestServer::start_on(
        bilik_server::store::Store::open(&data).unwrap(),
        &[],
        Some(password),
    )
    .await;
    let mut admin = server.admin().await;
    let info = list(&mut admin).await;
    assert_eq!(cards(&info), ["0002", "0003"]);
    assert_eq!(info.entries[0].held_station, "PC-01");
    assert_eq!(info.entries[0].hold_until_ms, held.hold_until_ms);
    // The station reattaching is told of its hold in the Welcome.
    let station = TestStation::new(
        server.channel().await,
        station.id.clone(),
        &station.credential,
    );
    let (_link, welcome) = station.attach("boot-1", "").await;
    assert_eq!(welcome.hold.unwrap().patron_name, "Budi");
    assert_eq!(refusal(station.login("0003").await), RefusalCode::Reserved);
    lease(station.login("0002").await);
    server.stop().await;
}

#[tokio::test]
async fn the_lock_screen_shows_the_hold_and_takes_only_the_held_card() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    admin.add_member("0002", "Budi Santoso", "2027-12-31").await;
    admin
        .add_member("0003", "Citra Lestari", "2027-12-31")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("PC-01");
    enroll_station(&server, "PC-01", &state).await;
    let mut agent = AgentProcess::start(&state, &[]).await;
    agent.link("connected").await;
    agent.send("login 0001").await;
    agent
        .next("an unlocked screen", |v| {
            v["event"] == "state" && (v["state"] == "in_session" || v["state"] == "warning")
        })
        .await;
    add(&mut admin, "0002").await.unwrap();
    add(&mut admin, "0003").await.unwrap();
    agent.send("logout").await;
    agent.state("locked").await;
    let hold = agent
        .next("the hold on the lock screen", |v| {
            v["event"] == "hold" && v["patron"] == "Budi Santoso"
        })
        .await;
    assert_eq!(hold.str("text"), "Dipesan untuk Budi Santoso");
    assert_eq!(hold.u64("minutes_left"), 5);

    agent.send("login 0003").await;
    let refused = agent.event("refusal").await;
    assert_eq!(refused.str("code"), "RESERVED");
    assert!(!refused.str("text").is_empty());
    agent.send("login 0002").await;
    let open = agent
        .next("the held patron's session", |v| {
            v["event"] == "state" && (v["state"] == "in_session" || v["state"] == "warning")
        })
        .await;
    assert_eq!(open.str("patron"), "Budi Santoso");
    // The hold is over: the lock screen was told so.
    let cleared = agent
        .seen
        .iter()
        .rposition(|l| l.json["event"] == "hold" && l.json["patron"] == "");
    let shown = agent
        .seen
        .iter()
        .rposition(|l| l.json["event"] == "hold" && l.json["patron"] == "Budi Santoso");
    assert!(cleared > shown, "{:?}", agent.seen);
    assert_eq!(cards(&list(&mut admin).await), ["0003"]);
    drop(agent);
    server.stop().await;
}
