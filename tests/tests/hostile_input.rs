//! Nothing from outside panics the server or changes what it should not.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::*;

#[tokio::test]
async fn odd_cards_are_refused_with_a_reason() {
    let server = TestServer::start().await;
    let station = server.enroll("PC-01").await;
    assert_eq!(refusal(station.login("").await), RefusalCode::InvalidCard);
    assert_eq!(
        refusal(station.login("   ").await),
        RefusalCode::InvalidCard
    );
    assert_eq!(
        refusal(station.login(&"7".repeat(10 * 1024)).await),
        RefusalCode::InvalidCard
    );
    assert_eq!(
        refusal(station.login("12\u{0}34").await),
        RefusalCode::InvalidCard
    );
    assert_eq!(
        refusal(station.login("'; DROP TABLE members; --").await),
        RefusalCode::InvalidCard
    );
    assert_eq!(refusal(station.login("🙂").await), RefusalCode::InvalidCard);
    let mut admin = server.admin().await;
    assert!(admin.sessions().await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn unknown_enum_values_are_invalid_arguments() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2027-01-01").await;
    let err = admin
        .client
        .set_member_status(admin.req(SetMemberStatusRequest {
            card: "0001".into(),
            status: 99,
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let member = Member {
        card: "0002".into(),
        name: "X".into(),
        expires: "2027-01-01".into(),
        gender: -5,
        ..Default::default()
    };
    let err = admin
        .client
        .upsert_member(admin.req(UpsertMemberRequest {
            member: Some(member),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let err = admin
        .client
        .import_members(admin.req(ImportMembersRequest {
            format: 42,
            content: b"x".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    let err = admin
        .client
        .power_station(admin.req(PowerStationRequest {
            station: "PC-01".into(),
            action: 7,
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    // An unknown reason in a journaled event is taken as a logout, not a crash.
    let station = server.enroll("PC-01").await;
    let (mut link, _) = station.attach("boot", "").await;
    let lease = lease(station.login("0001").await);
    link.send(agent_message::Kind::Event(session_ended(
        "e1",
        &lease.session_id,
        1234,
        0,
        Some(60_000),
    )))
    .await;
    assert_eq!(link.next_ack().await, vec!["e1".to_owned()]);
    let s = server.stored_session(&lease.session_id);
    assert_eq!(s.end_reason, EndReason::Logout as i32);
    // Bad dates and members.
    let bad = Member {
        card: "0003".into(),
        name: "Y".into(),
        expires: "31/12/2027".into(),
        ..Default::default()
    };
    let err = admin
        .client
        .upsert_member(admin.req(UpsertMemberRequest { member: Some(bad) }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert!(
        err.message().to_lowercase().contains("expires"),
        "{}",
        err.message()
    );
    let err = admin
        .client
        .query_sessions(admin.req(QuerySessionsRequest {
            from_date: "kemarin".into(),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    server.stop().await;
}

#[tokio::test]
async fn a_stream_must_open_with_hello() {
    let server = TestServer::start().await;
    let station = server.enroll("PC-01").await;
    for first in [
        agent_message::Kind::Heartbeat(Heartbeat::default()),
        agent_message::Kind::Event(AgentEvent::default()),
    ] {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tx.send(AgentMessage { kind: Some(first) }).await.unwrap();
        let err = station
            .client
            .clone()
            .attach(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
    }
    // An empty message, then a closed stream.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(AgentMessage { kind: None }).await.unwrap();
    drop(tx);
    let err = station
        .client
        .clone()
        .attach(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    // Events without ids or kinds on a good stream are not acknowledged and
    // break nothing.
    let (mut link, _) = station.attach("boot", "").await;
    link.send(agent_message::Kind::Event(AgentEvent::default()))
        .await;
    link.send(agent_message::Kind::Event(AgentEvent {
        event_id: "x".repeat(10_000),
        ..Default::default()
    }))
    .await;
    link.send(agent_message::Kind::Event(AgentEvent {
        event_id: "ok-1".into(),
        kind: Some(agent_event::Kind::Tamper(Tamper {
            detail: "lock window closed".into(),
        })),
        ..Default::default()
    }))
    .await;
    assert_eq!(link.next_ack().await, vec!["ok-1".to_owned()]);
    server.stop().await;
}

#[tokio::test]
async fn credentials_and_roles_are_enforced() {
    let server = TestServer::start().await;
    let station = server.enroll("PC-01").await;
    let channel = server.channel().await;
    // No credential, a wrong secret, a made-up station, garbage.
    for credential in [
        None,
        Some(format!("{}.{}", station.id, "0".repeat(64))),
        Some("st_nothere.abcdef".to_owned()),
        Some("garbage".to_owned()),
    ] {
        let mut client = bilik_proto::v1::station_client::StationClient::new(channel.clone());
        let mut req = tonic::Request::new(LoginRequest {
            card: "0001".into(),
            ..Default::default()
        });
        if let Some(c) = credential {
            req.metadata_mut()
                .insert("authorization", format!("Bearer {c}").parse().unwrap());
        }
        let err = client.login(req).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated);
    }
    // A used enrolment code does not work twice.
    let mut admin = server.admin().await;
    let code = admin
        .client
        .create_enrollment_code(admin.req(CreateEnrollmentCodeRequest::default()))
        .await
        .unwrap()
        .into_inner()
        .code;
    let mut plain = bilik_proto::v1::station_client::StationClient::new(channel.clone());
    let enroll = EnrollRequest {
        code: code.to_lowercase(),
        name: "PC-09".into(),
        ..Default::default()
    };
    plain.enroll(enroll.clone()).await.unwrap();
    let err = plain.enroll(enroll).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    // An expired code.
    let code = admin
        .client
        .create_enrollment_code(admin.req(CreateEnrollmentCodeRequest {
            station_name: "PC-10".into(),
            valid_minutes: 5,
        }))
        .await
        .unwrap()
        .into_inner()
        .code;
    server.clock.advance_ms(6 * 60_000);
    let err = plain
        .enroll(EnrollRequest {
            code,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    assert!(err.message().contains("expired"), "{}", err.message());

    // Staff: a wrong password, no token, and a librarian calling admin-only methods.
    let mut anon = bilik_proto::v1::admin_client::AdminClient::new(channel.clone());
    let err = anon
        .sign_in(SignInRequest {
            username: "admin".into(),
            password: "wrong".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    let err = anon
        .list_stations(ListStationsRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    admin
        .client
        .create_staff(admin.req(CreateStaffRequest {
            username: "pustakawan".into(),
            password: "rahasia-123".into(),
            role: Role::Librarian as i32,
            display_name: "Ibu Pustakawan".into(),
            nip: String::new(),
        }))
        .await
        .unwrap();
    let mut librarian = server.staff("pustakawan", "rahasia-123").await;
    assert_eq!(librarian.stations().await.len(), 2);
    let err = librarian
        .client
        .create_enrollment_code(librarian.req(CreateEnrollmentCodeRequest::default()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    let err = librarian
        .client
        .create_staff(librarian.req(CreateStaffRequest {
            username: "sneaky".into(),
            password: "sneaky-pass".into(),
            role: Role::Admin as i32,
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    // Signed out: the token stops working.
    librarian
        .client
        .sign_out(librarian.req(SignOutRequest {}))
        .await
        .unwrap();
    let err = librarian
        .client
        .list_stations(librarian.req(ListStationsRequest {}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    server.stop().await;
}

#[tokio::test]
async fn health_and_reflection_are_served() {
    use tonic_health::pb::health_client::HealthClient;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let server = TestServer::start().await;
    let mut health = HealthClient::new(server.channel().await);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "bilik.v1.Station".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    let mut reflection = ServerReflectionClient::new(server.channel().await);
    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = reflection
        .server_reflection_info(tokio_stream::iter([req]))
        .await
        .unwrap()
        .into_inner();
    let answer = within(answers.message()).await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
        panic!("unexpected reflection answer {answer:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for want in [
        "bilik.v1.Station",
        "bilik.v1.Admin",
        "grpc.health.v1.Health",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    server.stop().await;
}
