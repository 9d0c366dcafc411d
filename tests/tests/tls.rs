//! Encrypted, authenticated links: nothing secret crosses the wire in plain
//! text, a server with another certificate is refused at enrolment and
//! afterwards, an unbound code cannot take over a station, plain HTTP is
//! redirected, and the data directory is owner-only.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::agent::{AgentProcess, enroll};
use bilik_tests::process::ServerProcess;
use bilik_tests::relay::{Interceptor, Recorder};
use bilik_tests::*;
use std::net::SocketAddr;

/// The socket address behind a `https://host:port` URL.
fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("https://")
        .trim_start_matches("http://")
        .parse()
        .unwrap()
}

/// The fingerprint a server process's clients pin.
fn fingerprint_of(server: &ServerProcess) -> String {
    match server.trust() {
        ServerTrust::Pinned(fps) => fps[0].clone(),
        other => panic!("not pinned: {other:?}"),
    }
}

#[tokio::test]
async fn nothing_secret_crosses_the_wire_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", &[]).await;
    let password = server.admin_password.clone().unwrap();
    let grpc = Recorder::start(addr_of(&server.url)).await;
    let web = Recorder::start(addr_of(&server.web_url)).await;
    let via = format!("https://{}", grpc.addr);

    // Staff sign in and act over gRPC, through the recorder.
    let channel = bilik_proto::connect(&via, &server.trust()).await.unwrap();
    let mut admin = Staff::sign_in(channel, "admin", &password).await;
    let (card, name) = ("7319004", "Siti Nurhaliza");
    admin.add_member(card, name, "2099-12-31").await;
    let code = admin.enrollment_code("PC-07").await;

    // A real agent enrols and runs through it.
    let state = dir.path().join("pc07");
    let (ok, out, err) = enroll(&via, &code, &state).await;
    assert!(ok, "{out}{err}");
    let credential = std::fs::read_to_string(state.join("credential.toml")).unwrap();
    let secret = credential
        .lines()
        .find_map(|l| l.strip_prefix("credential = "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let mut agent = AgentProcess::start(&state, &[]).await;
    agent.link("connected").await;
    agent.send(&format!("login {card}")).await;
    agent
        .next("the patron's session", |v| {
            v["event"] == "state" && v["state"] == "in_session"
        })
        .await;
    // A librarian action reaches the agent through it too.
    admin
        .client
        .send_message(admin.req(SendMessageRequest {
            station: "PC-07".into(),
            text: "Perpustakaan tutup 15 menit lagi".into(),
        }))
        .await
        .unwrap();
    agent.event("message").await;

    // The dashboard, through the other recorder: the grid names the patron.
    let mut browser =
        bilik_tests::web::WebClient::pinned(&format!("https://{}", web.addr), server.trust());
    let signed_in = browser.sign_in("admin", &password).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let grid = browser.get("/").await;
    assert!(grid.body.contains(name), "the patron's name was served");
    let cookie = browser.cookies.get("bilik_session").cloned().unwrap();

    assert!(
        grpc.len() > 2_000 && web.len() > 2_000,
        "traffic was recorded"
    );
    // The recorders do see what travels in the clear: the ALPN names of the
    // TLS ClientHello.
    assert!(grpc.saw("h2") && web.saw("http/1.1"));
    for (what, secret) in [
        ("the staff password", password.as_str()),
        ("the staff token", admin.token.as_str()),
        ("the station credential", secret.as_str()),
        ("the card number", card),
        ("the patron's name", name),
        ("the session cookie", cookie.as_str()),
    ] {
        assert!(!grpc.saw(secret), "{what} crossed the gRPC link readable");
        assert!(
            !web.saw(secret),
            "{what} crossed the dashboard link readable"
        );
    }
}

#[tokio::test]
async fn a_server_with_another_certificate_is_refused_at_enrolment_and_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", &[]).await;
    let password = server.admin_password.clone().unwrap();
    let mitm = Interceptor::start(addr_of(&server.url), &fingerprint_of(&server)).await;
    let via = format!("https://{}", mitm.addr);
    let mut admin = Staff::sign_in(server.channel().await, "admin", &password).await;
    let code = admin.enrollment_code("PC-01").await;

    // Enrolment through the interceptor: refused before the code is sent.
    let state = dir.path().join("pc01");
    let (ok, _, err) = enroll(&via, &code, &state).await;
    assert!(!ok);
    assert!(
        err.contains("the server's certificate is not the one enrolled with"),
        "{err}"
    );
    assert!(!state.join("credential.toml").exists());
    // The code never reached anyone: it still works on the real server.
    let (ok, out, err) = enroll(&server.url, &code, &state).await;
    assert!(ok, "{out}{err}");

    // Afterwards: an agent sent to the interceptor refuses it and says why.
    let mut agent = AgentProcess::start(&state, &["--server", &via]).await;
    let backoff = agent.link("backoff").await;
    assert!(
        backoff
            .str("error")
            .contains("the server's certificate is not the one enrolled with"),
        "{:?}",
        backoff.json
    );
    assert_eq!(*mitm.completed.lock().unwrap(), 0, "no handshake completed");

    // The admin CLI pins the certificate in the data directory: refused too.
    let mut cmd = tokio::process::Command::new(bilik_tests::process::binary("bilik-server"));
    cmd.arg("--server-data-dir")
        .arg(&server.data_dir)
        .args(["--server", &via, "station", "list"])
        .env("BILIK_PASSWORD", &password);
    let out = within(cmd.output()).await.unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the server's certificate is not the one enrolled with"),
        "{err}"
    );
    // And a code made for another server is refused by this one.
    let forged = format!("{}-0000-0000-0000-0000-0000", &code[..9]);
    let refused = station_client::StationClient::new(server.channel().await)
        .enroll(EnrollRequest {
            code: forged,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        refused.message().contains("another server certificate"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_unbound_code_cannot_take_over_a_station_and_every_enrolment_is_audited() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    let pc3 = server.enroll("PC-03").await;

    // An unbound code asking for PC-03's name: refused, PC-03 keeps working.
    let unbound = admin.enrollment_code("").await;
    let mut station = station_client::StationClient::new(server.channel().await);
    let err = station
        .enroll(EnrollRequest {
            code: unbound,
            name: "PC-03".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::AlreadyExists);
    assert!(err.message().contains("a code made for PC-03"), "{err:?}");
    pc3.attach("boot-1", "").await;

    // A code bound to PC-03 by an admin replaces its credential.
    let bound = admin.enrollment_code("PC-03").await;
    let again = station
        .enroll(EnrollRequest {
            code: bound,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.station_id, pc3.id);
    let mut old = pc3.client.clone();
    let refused = old.login(LoginRequest::default()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);

    let audit = admin
        .client
        .audit_log(admin.req(AuditLogRequest { limit: 0 }))
        .await
        .unwrap()
        .into_inner()
        .entries;
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_str()))
        .collect();
    for wanted in [
        ("station.enroll", "PC-03"),
        ("station.enroll_refused", "PC-03"),
        ("station.reenroll", "PC-03"),
    ] {
        assert!(actions.contains(&wanted), "{wanted:?} not in {actions:?}");
    }

    // Guessing codes: audited, and slowed down after ten wrong ones.
    let mut last = None;
    for i in 0..11 {
        last = Some(
            station
                .enroll(EnrollRequest {
                    code: format!("WRNG-{i:04}"),
                    ..Default::default()
                })
                .await
                .unwrap_err(),
        );
    }
    let last = last.unwrap();
    assert_eq!(last.code(), tonic::Code::ResourceExhausted, "{last:?}");
    let good = admin.enrollment_code("PC-09").await;
    let still = station
        .enroll(EnrollRequest {
            code: good,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(still.code(), tonic::Code::ResourceExhausted);
    server.stop().await;
}

#[tokio::test]
async fn plain_http_is_redirected_and_plain_grpc_does_not_connect() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", &[]).await;
    let web = addr_of(&server.web_url);
    let mut tcp = tokio::net::TcpStream::connect(web).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tcp.write_all(format!("GET /members?q=1 HTTP/1.1\r\nHost: {web}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    within(tcp.read_to_string(&mut answer)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 301"), "{answer}");
    assert!(
        answer.contains(&format!("Location: https://{web}/members?q=1")),
        "{answer}"
    );

    // A plain-text gRPC client gets nowhere.
    let plain = format!("http://{}", addr_of(&server.url));
    let channel = bilik_proto::connect(&plain, &ServerTrust::Insecure)
        .await
        .unwrap();
    let err = tonic_health::pb::health_client::HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .unwrap_err();
    assert_ne!(err.code(), tonic::Code::Ok);
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_the_key_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _server = ServerProcess::start(&data, "127.0.0.1:0", &[]).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("tls")), 0o700);
    assert_eq!(mode(&data.join("tls/server.key")), 0o600);
    assert_eq!(mode(&data.join("db")), 0o600);
    assert_eq!(mode(&data.join("conf")), 0o600);
}

/// A path as a TOML string value, for `--set`.
fn toml_path(p: &std::path::Path) -> String {
    toml::Value::String(p.display().to_string()).to_string()
}

#[tokio::test]
async fn a_renewed_certificate_announced_over_the_pinned_link_is_accepted_after_the_switch() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = ServerProcess::start(&data, "127.0.0.1:0", &[]).await;
    let password = server.admin_password.clone().unwrap();
    let old_fp = fingerprint_of(&server);
    let mut admin = Staff::sign_in(server.channel().await, "admin", &password).await;
    let code = admin.enrollment_code("PC-01").await;
    let state = dir.path().join("pc01");
    let (ok, out, err) = enroll(&server.url, &code, &state).await;
    assert!(ok, "{out}{err}");

    // The next certificate, made ahead of the switch.
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (new_cert, new_key) = (dir.path().join("new.crt"), dir.path().join("new.key"));
    std::fs::write(&new_cert, cert.pem()).unwrap();
    std::fs::write(&new_key, key.serialize_pem()).unwrap();
    let new_fp = bilik_proto::transport::fingerprint(cert.der());

    // The server announces it; the agent, attached over the pinned link, keeps it.
    let listen = server.listen.clone();
    assert_eq!(server.terminate().await, Some(0));
    drop(server);
    let announce = format!("tls.next_cert_file={}", toml_path(&new_cert));
    let mut server = ServerProcess::start(&data, &listen, &[&announce]).await;
    let mut agent = AgentProcess::start(&state, &[]).await;
    agent.link("connected").await;
    let credential = state.join("credential.toml");
    wait_for("the agent to keep the announced certificate", || {
        let text = std::fs::read_to_string(&credential).unwrap_or_default();
        let kept = text.contains(&new_fp);
        async move { kept.then_some(()) }
    })
    .await;

    // The switch: the agent accepts the new certificate and pins it alone.
    assert_eq!(server.terminate().await, Some(0));
    drop(server);
    let (cert_file, key_file) = (
        format!("tls.cert_file={}", toml_path(&new_cert)),
        format!("tls.key_file={}", toml_path(&new_key)),
    );
    let _server = ServerProcess::start(&data, &listen, &[&cert_file, &key_file]).await;
    agent.link("connected").await;
    wait_for("the renewed certificate to be the only one pinned", || {
        let text = std::fs::read_to_string(&credential).unwrap_or_default();
        let done =
            text.contains(&format!("server_fingerprint = \"{new_fp}\"")) && !text.contains(&old_fp);
        async move { done.then_some(()) }
    })
    .await;
}
