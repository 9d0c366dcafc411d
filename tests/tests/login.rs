//! Card logins through real gRPC: the validity rules and the lease length.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::*;

#[tokio::test]
async fn enrol_attach_login_gives_a_45_minute_lease() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    let station = server.enroll("PC-01").await;
    let (_link, welcome) = station.attach("boot-1", "").await;
    assert_eq!(welcome.station_name, "PC-01");
    assert_eq!(welcome.settings.as_ref().unwrap().session_minutes, 45);
    assert!(welcome.lease.is_none());

    let lease = lease(station.login(" 0001 ").await);
    assert_eq!(lease.minutes, 45);
    assert_eq!(lease.ends_at_ms - lease.started_at_ms, 45 * 60_000);
    assert_eq!(lease.server_time_ms, wednesday_10am());
    assert_eq!(lease.patron_name, "Andi Pratama");

    let sessions = admin.sessions().await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].card, "0001");
    assert_eq!(sessions[0].purpose, "Belajar/Tugas");
    assert_eq!(sessions[0].station_id, station.id);
    assert_eq!(sessions[0].ended_at_ms, 0);
    let view = admin.station(&station.id).await;
    assert_eq!(view.session.unwrap().session_id, lease.session_id);
    server.stop().await;
}

#[tokio::test]
async fn expiry_date_itself_is_valid_and_the_day_after_is_not() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    // The clock stands at 2026-11-25 in the library.
    admin
        .add_member("EXP-YESTERDAY", "Kemarin", "2026-11-24")
        .await;
    admin
        .add_member("EXP-TODAY", "Hari Ini", "2026-11-25")
        .await;
    let station = server.enroll("PC-01").await;
    let refused = station.login("exp-yesterday").await;
    assert_eq!(refusal(refused.clone()), RefusalCode::Expired);
    let login_response::Outcome::Refusal(r) = refused else {
        unreachable!()
    };
    assert!(r.message_id.contains("habis"), "{}", r.message_id);
    assert!(r.message_en.contains("expired"), "{}", r.message_en);
    lease(station.login("EXP-TODAY").await);
    server.stop().await;
}

#[tokio::test]
async fn unknown_blocked_and_in_use_each_have_their_code() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    admin.add_member("0002", "Budi", "2027-01-01").await;
    admin
        .client
        .set_member_status(admin.req(SetMemberStatusRequest {
            card: "0002".into(),
            status: MemberStatus::Blocked as i32,
        }))
        .await
        .unwrap();
    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;
    assert_eq!(refusal(pc1.login("9999").await), RefusalCode::UnknownCard);
    assert_eq!(refusal(pc1.login("0002").await), RefusalCode::Blocked);
    lease(pc1.login("0001").await);
    assert_eq!(refusal(pc2.login("0001").await), RefusalCode::InUse);
    // The station itself is busy too.
    admin.add_member("0003", "Cici", "2027-01-01").await;
    assert_eq!(refusal(pc1.login("0003").await), RefusalCode::StationBusy);
    // Only one session was written.
    assert_eq!(admin.sessions().await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn lease_is_cut_at_closing_and_closed_hours_refuse() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    admin.add_member("0002", "Budi", "2027-01-01").await;
    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;

    server.clock.set_ms(local_ms(2026, 11, 25, 15, 40));
    let short = lease(pc1.login("0001").await);
    assert_eq!(short.minutes, 20);
    assert_eq!(short.ends_at_ms, local_ms(2026, 11, 25, 16, 0));

    server.clock.set_ms(local_ms(2026, 11, 25, 16, 5));
    assert_eq!(refusal(pc2.login("0002").await), RefusalCode::Closed);
    server.clock.set_ms(local_ms(2026, 11, 29, 10, 0)); // Sunday
    assert_eq!(refusal(pc2.login("0002").await), RefusalCode::Closed);
    server.clock.set_ms(local_ms(2026, 11, 28, 7, 59)); // Saturday, before opening
    assert_eq!(refusal(pc2.login("0002").await), RefusalCode::Closed);
    server.stop().await;
}

#[tokio::test]
async fn daily_allowance_and_rules_and_pin() {
    let server = TestServer::start_with(&["session.daily_allowance_minutes=60"]).await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    let pc = server.enroll("PC-01").await;
    // The house rules must be the ones the server has.
    let unticked = pc
        .login_with(LoginRequest {
            card: "0001".into(),
            rules_version: String::new(),
            ..Default::default()
        })
        .await;
    assert_eq!(refusal(unticked), RefusalCode::RulesNotAccepted);
    let first = lease(pc.login("0001").await);
    assert_eq!(first.minutes, 45);
    server.clock.advance_ms(30 * 60_000);
    pc.client
        .clone()
        .logout(LogoutRequest {
            session_id: first.session_id.clone(),
        })
        .await
        .unwrap();
    // 30 of 60 minutes used today.
    assert_eq!(lease(pc.login("0001").await).minutes, 30);

    // A member with a PIN needs it.
    let member = Member {
        card: "0100".into(),
        name: "Pin".into(),
        expires: "2027-01-01".into(),
        pin: "4321".into(),
        ..Default::default()
    };
    let saved = admin
        .client
        .upsert_member(admin.req(UpsertMemberRequest {
            member: Some(member),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(saved.has_pin && saved.pin.is_empty());
    let pc2 = server.enroll("PC-02").await;
    let wrong = pc2
        .login_with(LoginRequest {
            card: "0100".into(),
            pin: "0000".into(),
            rules_version: "1".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(refusal(wrong), RefusalCode::WrongPin);
    let right = pc2
        .login_with(LoginRequest {
            card: "0100".into(),
            pin: "4321".into(),
            rules_version: "1".into(),
            ..Default::default()
        })
        .await;
    lease(right);
    server.stop().await;
}
