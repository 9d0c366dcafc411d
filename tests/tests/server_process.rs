//! The real `bilik-server` binary: admin commands over gRPC, and a SIGKILL
//! that loses nothing the server acknowledged.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::process::{ServerProcess, admin_command};
use bilik_tests::*;

const SLIMS: &str = "member_id,member_name,gender,member_type_name,member_email,member_address,postal_code,inst_name,is_new,member_image,pin,member_phone,member_fax,member_since_date,register_date,expire_date,birth_date,member_notes,
\"M0001\",\"Andi Pratama\",\"1\",\"Umum\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\",\"\",\"\",\"2024-01-10\",\"2024-01-10\",\"2099-12-31\",\"2001-02-03\",\"\",
\"M0002\",\"Siti Rahmawati\",\"0\",\"Pelajar\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\",\"\",\"\",\"2024-01-10\",\"2024-01-10\",\"2099-12-31\",\"2009-02-03\",\"\",
\"M0003\",\"Budi Santoso\",\"1\",\"Umum\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\",\"\",\"\",\"2024-01-10\",\"2024-01-10\",\"2020-12-31\",\"\",\"\",
";

#[tokio::test]
async fn admin_commands_and_sigkill_lose_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = ServerProcess::start(&data, "127.0.0.1:0", &[]).await;
    let password = server
        .admin_password
        .clone()
        .expect("first start prints the admin password");

    // Import with the CLI: a bad file is refused with its line and column.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        SLIMS.replace("2099-12-31\",\"2009", "2099-13-31\",\"2009"),
    )
    .unwrap();
    let (ok, _, err) = server
        .admin(&password, &["member", "import", bad.to_str().unwrap()])
        .await;
    assert!(!ok);
    assert!(
        err.contains("line 3") && err.contains("expire_date"),
        "{err}"
    );
    let good = dir.path().join("members.csv");
    std::fs::write(&good, SLIMS).unwrap();
    let (ok, out, err) = server
        .admin(&password, &["member", "import", good.to_str().unwrap()])
        .await;
    assert!(ok, "{err}");
    assert!(out.contains("3 new"), "{out}");

    // Enrol two stations with codes from the CLI.
    let mut stations = Vec::new();
    for name in ["PC-03", "PC-04"] {
        let (ok, out, err) = server
            .admin(&password, &["station", "enroll-code", "--name", name])
            .await;
        assert!(ok, "{err}");
        let (station, enrolled_as) = TestStation::enroll(server.channel().await, out.trim()).await;
        assert_eq!(enrolled_as, name);
        stations.push(station);
    }
    let (pc3, pc4) = (&stations[0], &stations[1]);
    let (_link3, _) = pc3.attach("boot-a", "").await;
    let (mut link4, _) = pc4.attach("boot-b", "").await;

    // A card login on PC-03, a librarian unlock of PC-04 from the CLI.
    let lease3 = lease(pc3.login("m0001").await);
    assert_eq!(refusal(pc4.login("M0003").await), RefusalCode::Expired);
    let (ok, out, err) = server
        .admin(
            &password,
            &["station", "unlock", "PC-04", "--card", "M0002"],
        )
        .await;
    assert!(ok, "{err}");
    assert!(out.contains("Siti Rahmawati"), "{out}");
    let command::Kind::Start(start) = link4.next_command().await else {
        panic!("expected start")
    };
    let lease4 = start.lease.unwrap();

    // SIGKILL: no shutdown code runs.
    server.kill9().await;
    let listen = server.listen.clone();
    drop(server);
    let server = ServerProcess::start(&data, &listen, &[]).await;
    assert!(
        server.admin_password.is_none(),
        "the admin survived, no new one is made"
    );

    // Staff, members, sessions and station credentials are all there.
    let channel = server.channel().await;
    let mut admin = admin_client::AdminClient::new(channel.clone());
    let token = admin
        .sign_in(SignInRequest {
            username: "admin".into(),
            password: password.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .token;
    let member = admin
        .get_member(with_bearer(
            GetMemberRequest {
                card: "M0002".into(),
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(member.name, "Siti Rahmawati");
    let sessions = admin
        .query_sessions(with_bearer(QuerySessionsRequest::default(), &token))
        .await
        .unwrap()
        .into_inner()
        .sessions;
    let ids: Vec<&str> = sessions.iter().map(|s| s.session_id.as_str()).collect();
    assert!(ids.contains(&lease3.session_id.as_str()), "{ids:?}");
    assert!(ids.contains(&lease4.session_id.as_str()), "{ids:?}");
    assert!(sessions.iter().all(|s| s.ended_at_ms == 0));

    // The old credential still works; with the same boot id the session continues.
    let pc3 = TestStation::new(channel.clone(), pc3.id.clone(), &pc3.credential);
    let (_link, welcome) = pc3.attach("boot-a", &lease3.session_id).await;
    assert_eq!(welcome.lease.unwrap().session_id, lease3.session_id);
    // A forged one does not.
    let forged = TestStation::new(
        channel.clone(),
        pc3.id.clone(),
        &format!("{}.{}", pc3.id, "ab".repeat(32)),
    );
    let mut client = forged.client.clone();
    let err = client.login(LoginRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);

    // The CLI lists the stations with their patrons.
    let (ok, out, err) = server.admin(&password, &["station", "list"]).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("PC-03") && out.contains("Andi Pratama"),
        "{out}"
    );

    // The usage log prints times in library time, as the dashboard shows
    // them (the server's default zone is Asia/Makassar, UTC+8).
    let (ok, out, err) = server.admin(&password, &["sessions"]).await;
    assert!(ok, "{err}");
    let started = chrono::DateTime::from_timestamp_millis(lease3.started_at_ms)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Makassar)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let line = out
        .lines()
        .find(|l| l.contains(&lease3.session_id))
        .unwrap_or_else(|| panic!("no line for the session in {out}"));
    assert!(line.starts_with(&started) && !line.contains('Z'), "{line}");

    // SIGTERM is a clean stop.
    let mut server = server;
    assert_eq!(server.terminate().await, Some(0));
}

#[tokio::test]
async fn admin_commands_explain_their_failures() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", &[]).await;
    let password = server.admin_password.clone().unwrap();
    let (ok, _, err) = server.admin("wrong", &["station", "list"]).await;
    assert!(!ok);
    assert!(err.contains("wrong username or password"), "{err}");
    let (ok, _, err) = server
        .admin(&password, &["station", "unlock", "PC-77", "--card", "1"])
        .await;
    assert!(!ok);
    assert!(err.contains("no such station"), "{err}");
    let (ok, _, err) = admin_command("http://127.0.0.1:1", &password, &["station", "list"]).await;
    assert!(!ok);
    assert!(err.contains("cannot reach the server"), "{err}");
}
