//! Each librarian action reaches the attached station as a pushed command,
//! and the usage log follows.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::*;

#[tokio::test]
async fn unlock_extend_message_end_are_pushed_and_recorded() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-01-01").await;
    let station = server.enroll("PC-03").await;
    let (mut link, _) = station.attach("boot-1", "").await;

    // Unlock for a card, addressed by the station's name.
    let unlocked = admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-03".into(),
            who: Some(unlock_station_request::Who::Card("0001".into())),
            minutes: 0,
            purpose: "Mencari informasi".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(unlocked.unlocked_by, "admin");
    let command::Kind::Start(start) = link.next_command().await else {
        panic!("expected start")
    };
    let lease = start.lease.unwrap();
    assert_eq!(lease.session_id, unlocked.session_id);
    assert_eq!(lease.minutes, 45);
    assert_eq!(lease.patron_name, "Andi Pratama");

    // Extend by 15 minutes.
    let extended = admin
        .client
        .extend_session(admin.req(ExtendSessionRequest {
            station: station.id.clone(),
            minutes: 15,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(extended.ends_at_ms, lease.ends_at_ms + 15 * 60_000);
    assert_eq!(extended.extensions, 1);
    let command::Kind::Extend(ext) = link.next_command().await else {
        panic!("expected extend")
    };
    assert_eq!(ext.ends_at_ms, extended.ends_at_ms);
    assert_eq!(ext.added_minutes, 15);

    // A message.
    let sent = admin
        .client
        .send_message(admin.req(SendMessageRequest {
            station: "pc-03".into(),
            text: "Waktu hampir habis".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(sent.delivered);
    let command::Kind::Message(msg) = link.next_command().await else {
        panic!("expected message")
    };
    assert_eq!(msg.text, "Waktu hampir habis");
    assert_eq!(msg.from, "admin");

    // End.
    server.clock.advance_ms(10 * 60_000);
    let ended = admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: "PC-03".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ended.end_reason, EndReason::Librarian as i32);
    assert_eq!(ended.ended_at_ms, wednesday_10am() + 10 * 60_000);
    let command::Kind::End(end) = link.next_command().await else {
        panic!("expected end")
    };
    assert_eq!(end.session_id, unlocked.session_id);
    assert_eq!(end.reason, EndReason::Librarian as i32);

    let log = admin.sessions().await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].end_reason, EndReason::Librarian as i32);
    assert!(admin.station(&station.id).await.session.is_none());
    server.stop().await;
}

#[tokio::test]
async fn guest_unlock_and_maintenance() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    let station = server.enroll("PC-01").await;
    let (mut link, _) = station.attach("boot-1", "").await;

    // A staff-recorded unlock needs a note.
    let missing = admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-01".into(),
            who: Some(unlock_station_request::Who::GuestNote("  ".into())),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::InvalidArgument);
    let guest = admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-01".into(),
            who: Some(unlock_station_request::Who::GuestNote(
                "Peneliti tamu, KTP 7301".into(),
            )),
            minutes: 30,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(guest.card, "");
    assert_eq!(guest.guest_note, "Peneliti tamu, KTP 7301");
    assert_eq!(guest.ends_at_ms - guest.started_at_ms, 30 * 60_000);
    assert!(matches!(link.next_command().await, command::Kind::Start(_)));

    // Maintenance ends the session, is pushed, and refuses logins.
    let info = admin
        .client
        .set_maintenance(admin.req(SetMaintenanceRequest {
            station: "PC-01".into(),
            on: true,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(info.maintenance);
    assert!(info.session.is_none());
    let command::Kind::Maintenance(m) = link.next_command().await else {
        panic!("expected maintenance")
    };
    assert!(m.on);
    let log = admin.sessions().await;
    assert_eq!(log[0].end_reason, EndReason::Maintenance as i32);
    assert_eq!(
        refusal(station.login("0001").await),
        RefusalCode::Maintenance
    );
    // A librarian cannot unlock it either.
    let err = admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-01".into(),
            who: Some(unlock_station_request::Who::Card("0001".into())),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition);

    admin
        .client
        .set_maintenance(admin.req(SetMaintenanceRequest {
            station: "PC-01".into(),
            on: false,
        }))
        .await
        .unwrap();
    let command::Kind::Maintenance(m) = link.next_command().await else {
        panic!("expected maintenance off")
    };
    assert!(!m.on);
    lease(station.login("0001").await);
    server.stop().await;
}

#[tokio::test]
async fn actions_on_missing_or_offline_stations_are_refused_cleanly() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    admin.add_member("0009", "Kedaluwarsa", "2020-01-01").await;
    let err = admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: "PC-99".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    // Enrolled but never attached: offline, so unlocking makes no sense.
    let _station = server.enroll("PC-02").await;
    let err = admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-02".into(),
            who: Some(unlock_station_request::Who::Card("0001".into())),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition);
    assert!(err.message().contains("offline"), "{}", err.message());
    // An expired card is refused with its reason even for a librarian.
    let station = server.enroll("PC-03").await;
    let (_link, _) = station.attach("b", "").await;
    let err = admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-03".into(),
            who: Some(unlock_station_request::Who::Card("0009".into())),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition);
    assert!(err.message().contains("expired"), "{}", err.message());
    let sent = admin
        .client
        .send_message(admin.req(SendMessageRequest {
            station: "PC-02".into(),
            text: "halo".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(!sent.delivered);
    server.stop().await;
}

#[tokio::test]
async fn watch_gives_a_snapshot_then_changes() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    let station = server.enroll("PC-01").await;
    let mut watch = admin
        .client
        .watch_stations(admin.req(WatchStationsRequest {}))
        .await
        .unwrap()
        .into_inner();
    let first = within(watch.message()).await.unwrap().unwrap();
    assert!(first.snapshot);
    assert_eq!(first.stations.len(), 1);
    assert!(!first.stations[0].online);

    let (_link, _) = station.attach("boot-1", "").await;
    let lease = lease(station.login("0001").await);
    // Changes arrive until the station shows the session.
    loop {
        let update = within(watch.message()).await.unwrap().unwrap();
        assert!(!update.snapshot);
        let info = &update.stations[0];
        if info
            .session
            .as_ref()
            .is_some_and(|s| s.session_id == lease.session_id)
        {
            assert!(info.online);
            break;
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn watch_ends_when_its_client_goes_away() {
    let server = TestServer::start().await;
    let _station = server.enroll("PC-01").await;
    let before = server.app.hub().watchers();
    // A client of its own, so dropping it closes its connection.
    let mut admin = server.admin().await;
    let mut watch = admin
        .client
        .watch_stations(admin.req(WatchStationsRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert!(within(watch.message()).await.unwrap().unwrap().snapshot);
    assert_eq!(server.app.hub().watchers(), before + 1);

    // The client goes; no station changes meanwhile. The server's end of
    // the stream lets go of its subscription anyway.
    drop(watch);
    drop(admin);
    wait_for("the watch to end on the server", || async {
        (server.app.hub().watchers() == before).then_some(())
    })
    .await;
    server.stop().await;
}
