//! A public PC is an attacker's console: each attack against the real
//! server (in-process over real gRPC and HTTP, or the real binary) and the
//! bounded outcome it must get.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::process::ServerProcess;
use bilik_tests::web::{Dashboard, WebClient, http_client};
use bilik_tests::*;
use std::net::IpAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A signed-in dashboard client of `server`'s admin.
async fn admin_web(server: &TestServer, web: &Dashboard) -> WebClient {
    let mut client = WebClient::new(&web.url);
    assert_eq!(
        client.sign_in("admin", &server.admin_password).await.status,
        303
    );
    client
}

/// The audit entries with `action`, over gRPC.
async fn audited(staff: &mut Staff, action: &str) -> Vec<AuditEntry> {
    let log = staff
        .client
        .audit_log(staff.req(AuditLogRequest { limit: 1000 }))
        .await
        .unwrap()
        .into_inner();
    log.entries
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

#[tokio::test]
async fn a_card_scan_loop_gets_too_many_attempts_within_a_few_tries_and_raises_one_alert() {
    let server = TestServer::start().await;
    let web = Dashboard::serve(&server.app).await;
    let mut admin = server.admin().await;
    admin.add_member("1000", "Andi", "2030-01-01").await;
    admin.add_member("1001", "Budi", "2030-01-01").await;
    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;

    // Guessing card numbers: a few refusals, then TOO_MANY_ATTEMPTS.
    let mut codes = Vec::new();
    let mut throttled = None;
    for n in 0..20 {
        match pc1.login(&format!("9{n:03}")).await {
            login_response::Outcome::Refusal(r) => {
                let code = RefusalCode::try_from(r.code).unwrap();
                codes.push(code);
                if code == RefusalCode::TooManyAttempts {
                    throttled = Some(r);
                    break;
                }
            }
            login_response::Outcome::Lease(l) => panic!("a guessed card got in: {l:?}"),
        }
    }
    let throttled = throttled.unwrap_or_else(|| panic!("never throttled: {codes:?}"));
    assert_eq!(codes.len(), 7, "{codes:?}");
    assert!(codes[..6].iter().all(|c| *c == RefusalCode::UnknownCard));
    assert!(throttled.retry_after_ms > 0);
    assert!(throttled.message_id.contains("Terlalu banyak"));
    assert!(throttled.message_en.contains("Too many attempts"));
    // While it waits, nothing is evaluated: not even a valid card gets in.
    assert_eq!(
        refusal(pc1.login("1000").await),
        RefusalCode::TooManyAttempts
    );
    // Another station is not affected.
    lease(pc2.login("1001").await);

    // The desk sees one alert naming the station.
    let mut desk = admin_web(&server, &web).await;
    let page = desk.get("/").await;
    assert!(page.body.contains("alert.login_refusals"), "{}", page.body);
    assert!(page.body.contains("PC-01"));
    assert_eq!(audited(&mut admin, "alert.login_refusals").await.len(), 1);

    // After the wait, a real patron on PC-01 gets in, and that clears it.
    server.clock.advance_ms(throttled.retry_after_ms);
    lease(pc1.login("1000").await);
    server.stop().await;
}

#[tokio::test]
async fn a_pin_locks_after_five_wrong_tries_and_only_staff_lift_it() {
    let server = TestServer::start().await;
    let web = Dashboard::serve(&server.app).await;
    let mut admin = server.admin().await;
    admin
        .client
        .upsert_member(admin.req(UpsertMemberRequest {
            member: Some(Member {
                card: "2000".into(),
                name: "Citra".into(),
                expires: "2030-01-01".into(),
                pin: "1234".into(),
                ..Default::default()
            }),
        }))
        .await
        .unwrap();
    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;
    let with_pin = |pin: &str| LoginRequest {
        card: "2000".into(),
        pin: pin.into(),
        rules_version: "1".into(),
        purpose: "Belajar/Tugas".into(),
    };
    let mut codes = Vec::new();
    for guess in ["0000", "1111", "2222", "3333", "4444"] {
        codes.push(refusal(pc1.login_with(with_pin(guess)).await));
    }
    assert_eq!(
        codes,
        [
            RefusalCode::WrongPin,
            RefusalCode::WrongPin,
            RefusalCode::WrongPin,
            RefusalCode::WrongPin,
            RefusalCode::PinLocked
        ]
    );
    // Locked durably: the right PIN, from another station, is refused.
    assert_eq!(
        refusal(pc2.login_with(with_pin("1234")).await),
        RefusalCode::PinLocked
    );
    let member = admin
        .client
        .get_member(admin.req(GetMemberRequest {
            card: "2000".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(member.pin_locked);

    // The desk sees it on every page and on the member's page, and lifts it.
    let mut desk = admin_web(&server, &web).await;
    let page = desk.get("/members/card/2000").await;
    assert!(page.body.contains("alert.pin_locked"), "{}", page.body);
    assert!(page.body.contains("pin-locked"), "{}", page.body);
    let csrf = desk.csrf("/members/card/2000").await;
    let lifted = desk
        .post("/members/card/2000/pin-unlock", &[("csrf", &csrf)])
        .await;
    assert_eq!(lifted.status, 303, "{}", lifted.body);
    lease(pc2.login_with(with_pin("1234")).await);
    assert_eq!(audited(&mut admin, "member.pin_locked").await.len(), 1);
    let unlocks = audited(&mut admin, "member.pin_unlock").await;
    assert_eq!(unlocks.len(), 1);
    assert_eq!(unlocks[0].actor, "admin");
    server.stop().await;
}

/// The median of some durations.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn an_unknown_and_a_known_username_take_the_same_time_to_refuse() {
    let server = TestServer::start().await;
    server
        .admin()
        .await
        .create_staff("siti", "rahasia-123", Role::Librarian)
        .await;
    let mut client = admin_client::AdminClient::new(server.channel().await);
    let mut attempt = async |user: &str, password: &str| {
        let started = Instant::now();
        let answer = client
            .sign_in(SignInRequest {
                username: user.into(),
                password: password.into(),
            })
            .await;
        (started.elapsed(), answer)
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for round in 0..15 {
        let (t, answer) = attempt("siti", "salah-salah").await;
        assert_eq!(answer.unwrap_err().code(), tonic::Code::Unauthenticated);
        known.push(t);
        let (t, answer) = attempt(&format!("nobody{round}"), "salah-salah").await;
        assert_eq!(answer.unwrap_err().code(), tonic::Code::Unauthenticated);
        unknown.push(t);
        // A success from this address clears its failures: the throttle
        // stays out of the measurement.
        attempt("siti", "rahasia-123").await.1.unwrap();
    }
    let (known, unknown) = (median(known), median(unknown));
    let ratio = known.as_secs_f64() / unknown.as_secs_f64();
    // Within noise: on a loaded machine medians of the same work differ by
    // up to ~3x; without the dummy check they differ by ~200x.
    assert!(
        (0.25..4.0).contains(&ratio),
        "known user {known:?}, unknown user {unknown:?}: the time tells them apart"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_ten_mebibyte_argument_gets_a_short_error_that_does_not_echo_it() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    let huge = "9".repeat(10 << 20);
    let err = admin
        .client
        .get_member(admin.req(GetMemberRequest { card: huge.clone() }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert!(err.message().len() < 200, "{} bytes", err.message().len());
    assert!(err.message().contains("card"), "{}", err.message());
    assert!(!err.message().contains("99999"));
    // A station's call over the station service's message limit is
    // refused by size, just as briefly.
    let pc = server.enroll("PC-01").await;
    let err = pc
        .client
        .clone()
        .login(LoginRequest {
            card: huge,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.message().len() < 200, "{} bytes", err.message().len());
    assert!(!err.message().contains("99999"));
    server.stop().await;
}

#[tokio::test]
async fn a_hostile_hostname_in_heartbeats_does_not_break_the_station_list() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    let pc = server.enroll("PC-01").await;
    let (link, _) = pc.attach("boot-1", "").await;
    let hostile = "evil\n\u{1b}[31m".repeat(300_000);
    link.send(agent_message::Kind::Heartbeat(Heartbeat {
        state: StationState::Locked as i32,
        metrics: Some(Metrics {
            hostname: hostile,
            os: "\u{202e}gnp.exe".into(),
            cpu_percent: f32::NAN,
            ..Default::default()
        }),
        session_id: String::new(),
    }))
    .await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let station = loop {
        let list = admin.stations().await;
        if let Some(s) = list
            .into_iter()
            .find(|s| s.metrics.as_ref().is_some_and(|m| !m.hostname.is_empty()))
        {
            break s;
        }
        assert!(tokio::time::Instant::now() < deadline, "no heartbeat seen");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let metrics = station.metrics.unwrap();
    assert!(metrics.hostname.chars().count() <= 100);
    assert!(!metrics.hostname.chars().any(char::is_control));
    assert!(!metrics.os.contains('\u{202e}'));
    assert_eq!(metrics.cpu_percent, 0.0);
    // Everyone's list still works.
    assert_eq!(admin.stations().await.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_post_before_sign_in_is_refused_without_reading_it() {
    let server = TestServer::start().await;
    let web = Dashboard::serve(&server.app).await;
    let addr = web.url.trim_start_matches("http://");
    // 100 MB announced, nothing sent: the answer comes at once.
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(
        b"POST /login HTTP/1.1\r\nHost: bilik\r\n\
          Content-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 104857600\r\n\r\n",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    within(tcp.read_to_end(&mut answer)).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Chunked, with no length: cut off at the limit, not read to the end.
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(
        b"POST /login HTTP/1.1\r\nHost: bilik\r\n\
          Content-Type: application/x-www-form-urlencoded\r\n\
          Transfer-Encoding: chunked\r\n\r\n",
    )
    .await
    .unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 4096, "a".repeat(4096));
    for _ in 0..4 {
        tcp.write_all(chunk.as_bytes()).await.unwrap();
    }
    let mut answer = Vec::new();
    within(tcp.read_to_end(&mut answer)).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // The sign-in form itself still works.
    admin_web(&server, &web).await;
    server.stop().await;
}

#[tokio::test]
async fn redirect_targets_stay_on_the_dashboard() {
    let server = TestServer::start().await;
    let web = Dashboard::serve(&server.app).await;
    let mut client = WebClient::new(&web.url);
    for (back, expected) in [
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("/%0d%0aSet-Cookie:x=1", "/"),
        ("/members?q=andi", "/members?q=andi"),
    ] {
        let answer = client.get(&format!("/lang/en?back={back}")).await;
        assert_eq!(answer.location, expected, "back={back}");
    }
    let page = client.get("/login").await;
    let csrf = bilik_tests::web::csrf_of(&page.body);
    let answer = client
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "admin"),
                ("password", &server.admin_password),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.location, "/");
    server.stop().await;
}

/// Raises this process's open-files limit to its hard limit (the flood
/// below opens thousands of sockets).
fn raise_own_fd_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    limit.current = limit.maximum;
    setrlimit(Resource::Nofile, limit).unwrap();
}

#[tokio::test]
async fn two_thousand_half_open_connections_leave_the_dashboard_and_grpc_answering() {
    let dir = tempfile::tempdir().unwrap();
    // The server gets the usual 1024 open files, as in the measurement the
    // issue reports; the flood alone would need twice that.
    let server = ServerProcess::start_under(
        &["prlimit", "--nofile=1024:1024", "--"],
        &dir.path().join("data"),
        "127.0.0.1:0",
        &[
            "tls.insecure=true",
            "limits.connections_per_address=100",
            "limits.idle_timeout_seconds=10",
        ],
    )
    .await;
    raise_own_fd_limit();
    let grpc_addr = server.listen.clone();
    let web_addr = server.web_url.trim_start_matches("http://").to_owned();
    let mut flood = Vec::new();
    for n in 0..2000 {
        let (addr, half) = if n % 2 == 0 {
            (&web_addr, &b"GET /login HTTP/1.1\r\nHost: bil"[..])
        } else {
            (&grpc_addr, &b"PRI * HTTP/2.0\r\n"[..])
        };
        let mut tcp = TcpStream::connect(addr.as_str()).await.unwrap();
        // A closed connection may refuse the write: that is the point.
        let _ = tcp.write_all(half).await;
        flood.push(tcp);
    }
    // An honest librarian and an honest station elsewhere on the LAN.
    let honest: IpAddr = [127, 0, 0, 2].into();
    let http = http_client().local_address(honest).build().unwrap();
    let page = within(http.get(format!("{}/login", server.web_url)).send())
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let channel = tonic::transport::Endpoint::from_shared(server.url.clone())
        .unwrap()
        .local_address(Some(honest))
        .connect()
        .await
        .unwrap();
    let password = server.admin_password.clone().unwrap();
    let mut admin = Staff::sign_in(channel, "admin", &password).await;
    admin.stations().await;

    // A silent connection is closed once it has been idle for 10 s, on
    // either listener (from another address: the flood's are at their cap).
    let silent = |addr: String| async move {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.3:0".parse().unwrap()).unwrap();
        let mut tcp = socket.connect(addr.parse().unwrap()).await.unwrap();
        // (gRPC's server speaks first: its settings, then nothing.)
        let mut said = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(25), tcp.read_to_end(&mut said)).await;
        assert!(closed.is_ok(), "{addr}: still open after 25 s");
    };
    tokio::join!(silent(web_addr), silent(grpc_addr));
    drop(flood);
}

#[tokio::test]
async fn a_forged_log_line_from_a_station_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", &[]).await;
    let password = server.admin_password.clone().unwrap();
    let channel = server.channel().await;
    let mut admin = Staff::sign_in(channel.clone(), "admin", &password).await;
    let code = admin.enrollment_code("PC-01").await;
    let (pc, _) = TestStation::enroll(channel, &code).await;
    let (mut link, _) = pc.attach("boot-1", "").await;
    let forged = "ok\n2026-12-01T08:00:00.000000Z  INFO bilik_server: staff signed in \
                  user=mallory\u{1b}[2K\r";
    link.send(agent_message::Kind::Event(AgentEvent {
        event_id: "e-1".into(),
        at_ms: 0,
        kind: Some(agent_event::Kind::Tamper(Tamper {
            detail: forged.into(),
        })),
    }))
    .await;
    assert_eq!(link.next_ack().await, ["e-1"]);
    let log = wait_for("the tamper line in the log", || {
        let text = std::fs::read_to_string(&server.log).unwrap_or_default();
        async move { text.contains("station reports tampering").then_some(text) }
    })
    .await;
    assert!(
        log.contains("user=mallory"),
        "the detail is logged, on its line"
    );
    for line in log.lines().filter(|l| l.contains("user=mallory")) {
        assert!(
            line.contains("station reports tampering"),
            "a forged line: {line}"
        );
    }
    assert!(
        !log.contains('\u{1b}'),
        "an escape sequence reached the log"
    );
    assert!(!log.contains('\r'));
    // The desk sees the tamper report as an alert naming the station.
    let mut desk = WebClient::pinned(&server.web_url, server.trust());
    assert_eq!(desk.sign_in("admin", &password).await.status, 303);
    let page = desk.get("/").await;
    assert!(page.body.contains("alert.tamper"), "{}", page.body);
    assert!(page.body.contains("PC-01"));
}
