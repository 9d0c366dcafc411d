//! Card logins validated by a library system over SIP2: the third-party
//! pysip2 server (`tests/peers/sip2_ils.py`, Koha-like patrons) behind the
//! real gRPC Login of a real server; the library system stopping, stalling
//! or talking garbage mid-run; recovery when it comes back.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::{Gender, Lease, LoginRequest, RefusalCode, login_response};
use bilik_tests::peers::{Conn, Sip2Ils, TcpPeer, sip2_overrides, tls_acceptor};
use bilik_tests::{TestServer, TestStation, lease, refusal, wait_for, within};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn skip(test: &str) -> bool {
    bilik_tests::python::with_module(test, "pysip2").is_none()
}

async fn server(overrides: &[String]) -> TestServer {
    let o: Vec<&str> = overrides.iter().map(String::as_str).collect();
    TestServer::start_with(&o).await
}

/// The pysip2 library system, and a server asking it with `extra`
/// overrides besides.
async fn server_with_ils(extra: &[&str]) -> (Sip2Ils, TestServer) {
    let ils = Sip2Ils::start(0).await;
    let mut o = ils.overrides();
    o.extend(extra.iter().map(|e| (*e).to_owned()));
    let server = server(&o).await;
    (ils, server)
}

async fn login_pin(station: &TestStation, card: &str, pin: &str) -> login_response::Outcome {
    station
        .login_with(LoginRequest {
            card: card.into(),
            pin: pin.into(),
            purpose: "Belajar/Tugas".into(),
            rules_version: "1".into(),
        })
        .await
}

/// Logs `card` in on `station` until a lease comes (the breaker's pause,
/// the library system coming back), failing after the harness deadline.
async fn leased_eventually(station: &TestStation, card: &str, what: &str) -> Lease {
    wait_for(what, || async {
        match station.login(card).await {
            login_response::Outcome::Lease(l) => Some(l),
            login_response::Outcome::Refusal(_) => None,
        }
    })
    .await
}

/// A fresh station per login: refusals that count as guesses must not
/// throttle the next card of the test.
async fn fresh(server: &TestServer, n: &mut u32) -> TestStation {
    *n += 1;
    server.enroll(&format!("PC-{n:02}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_patron_gets_the_right_lease_or_refusal() {
    if skip("each_patron_gets_the_right_lease_or_refusal") {
        return;
    }
    let (ils, server) = server_with_ils(&["members.categories=[\"Lansia\"]"]).await;
    let mut n = 0;

    let station = fresh(&server, &mut n).await;
    let granted = lease(station.login("1001").await);
    let s = server.stored_session(&granted.session_id);
    assert_eq!(s.patron_name, "Siti Aminah");
    assert_eq!(s.category, "UMUM");
    assert_eq!(s.gender, Gender::Female as i32);
    assert!(s.age_known);
    assert_eq!(s.age_years, 36, "born 1990-01-15, the clock at 2026-11-25");
    assert_eq!(s.validated_by, "sip2");
    // The member record keeps what the library system said (source sip2).
    let m = server
        .app
        .store_for_tests()
        .member("1001")
        .unwrap()
        .unwrap();
    assert_eq!(m.source, "sip2");
    assert_eq!(m.birth_date, "1990-01-15");
    assert!(m.ils_confirmed_at_ms > 0);

    for (card, want) in [
        ("1002", RefusalCode::Expired),
        ("1003", RefusalCode::Blocked),
        ("1004", RefusalCode::FinesOverLimit),
        ("1005", RefusalCode::NoInternetPrivilege),
        ("1006", RefusalCode::WrongPin),
        ("9999", RefusalCode::UnknownCard),
    ] {
        let station = fresh(&server, &mut n).await;
        assert_eq!(refusal(station.login(card).await), want, "card {card}");
    }
    let station = fresh(&server, &mut n).await;
    assert_eq!(
        refusal(login_pin(&station, "1006", "1111").await),
        RefusalCode::WrongPin
    );
    let with_pin = lease(login_pin(&station, "1006", "4321").await);
    let s = server.stored_session(&with_pin.session_id);
    assert_eq!((s.category.as_str(), s.age_years), ("PELAJAR", 18));

    // Control bytes in the name are dropped, the rest kept.
    let station = fresh(&server, &mut n).await;
    let l = lease(station.login("1007").await);
    let s = server.stored_session(&l.session_id);
    assert_eq!(s.patron_name, "Wayan Sudarma");

    // 93 once per connection: eleven questions, at most max_connections
    // (4) logins, and no login per question.
    let logins = ils.logins.load(Ordering::SeqCst);
    assert!((1..=4).contains(&logins), "{logins} logins");

    // The library system's categories (PC) are offered on the member form,
    // with the configured ones; occupation and education are saved.
    let web = bilik_tests::web::Dashboard::serve(&server.app).await;
    let mut admin = bilik_tests::web::WebClient::new(&web.url);
    admin.sign_in("admin", &server.admin_password).await;
    let form = admin.get("/members/new").await.body;
    for c in ["UMUM", "PELAJAR", "Lansia"] {
        assert!(
            form.contains(&format!("<option value=\"{c}\">")),
            "{c} not offered"
        );
    }
    let csrf = bilik_tests::web::csrf_of(&form);
    let saved = admin
        .post(
            "/members/save",
            &[
                ("csrf", &csrf),
                ("card", "2001"),
                ("name", "Rina"),
                ("expires", "2027-12-31"),
                ("category", "PELAJAR"),
                ("occupation", "Pelajar"),
                ("education", "SMA"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let m = server.app.get_member("2001").unwrap();
    assert_eq!(
        (
            m.category.as_str(),
            m.occupation.as_str(),
            m.education.as_str()
        ),
        ("PELAJAR", "Pelajar", "SMA")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_library_system_costs_a_bounded_wait_then_recovers() {
    if skip("a_stalled_library_system_costs_a_bounded_wait_then_recovers") {
        return;
    }
    let (_ils, server) = server_with_ils(&[]).await;
    let mut n = 0;
    let station = fresh(&server, &mut n).await;

    // SLOW answers after 30 s; the login's bound is request_timeout_ms
    // (800): the refusal arrives, long before that answer (`within` only
    // guards against a hang).
    let code = refusal(within(station.login("SLOW")).await);
    assert_eq!(code, RefusalCode::LibrarySystemUnreachable);

    // A second failure opens the breaker: the next card is answered
    // without asking (the ILS is fine, the breaker does not know yet).
    assert_eq!(
        refusal(station.login("SLOW").await),
        RefusalCode::LibrarySystemUnreachable
    );
    assert_eq!(
        refusal(station.login("1001").await),
        RefusalCode::LibrarySystemUnreachable
    );
    // After the pause a probe goes through and logins work again.
    let granted = leased_eventually(&station, "1001", "the breaker to let a login through").await;
    assert!(!granted.session_id.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_system_stopping_mid_run_follows_the_offline_policy() {
    if skip("the_library_system_stopping_mid_run_follows_the_offline_policy") {
        return;
    }
    let (mut ils, server) =
        server_with_ils(&["sip2.offline=cached", "sip2.offline_hours=24"]).await;
    let port = ils.port;
    let refusing = self::server(&ils.overrides()).await;
    let mut n = 0;

    // Confirmed while the ILS is up (1006 with its PIN).
    let station = fresh(&server, &mut n).await;
    let first = lease(login_pin(&station, "1006", "4321").await);
    station.logout(&first.session_id).await;
    let other = fresh(&refusing, &mut n).await;
    let l = lease(other.login("1001").await);
    other.logout(&l.session_id).await;

    ils.stop().await;
    // Cached policy: the confirmed card comes in, its PIN still checked;
    // a card never confirmed does not.
    assert_eq!(
        refusal(login_pin(&station, "1006", "0000").await),
        RefusalCode::WrongPin
    );
    let offline = lease(login_pin(&station, "1006", "4321").await);
    let s = server.stored_session(&offline.session_id);
    assert_eq!(s.validated_by, "sip2-cached");
    assert_eq!(s.patron_name, "Ani Pin");
    station.logout(&offline.session_id).await;
    let station2 = fresh(&server, &mut n).await;
    assert_eq!(
        refusal(station2.login("1001").await),
        RefusalCode::LibrarySystemUnreachable
    );
    // Refuse policy: even a confirmed card is refused, at once.
    assert_eq!(
        refusal(other.login("1001").await),
        RefusalCode::LibrarySystemUnreachable
    );

    // The library system comes back on its port: both servers recover.
    let _back = Sip2Ils::start(port).await;
    let l = leased_eventually(&other, "1001", "the ILS to be asked again").await;
    let s = refusing.stored_session(&l.session_id);
    assert_eq!(s.validated_by, "sip2");
    let again = leased_eventually(&station2, "1001", "the cached server to ask again").await;
    let s = server.stored_session(&again.session_id);
    assert_eq!(s.validated_by, "sip2");
    server.stop().await;
    refusing.stop().await;
}

/// A library system of our own that misbehaves: answers every request
/// with `reply` (garbage, control bytes, an endless line), or with good
/// answers once the flag is set.
fn misbehaving(reply: &'static [u8]) -> (TcpPeer, Arc<AtomicBool>) {
    let good = Arc::new(AtomicBool::new(false));
    let flag = good.clone();
    let peer = TcpPeer::start(None, move |conn| answer_all(conn, flag.clone(), reply));
    (peer, good)
}

/// Answers every request on `sock` with `reply`, or correctly once `good`.
async fn answer_all(mut sock: Box<dyn Conn>, good: Arc<AtomicBool>, reply: &'static [u8]) {
    let mut buf = [0u8; 2048];
    loop {
        let Ok(n) = sock.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        let answer: Vec<u8> = if good.load(Ordering::SeqCst) {
            good_answer(&buf[..n])
        } else {
            reply.to_vec()
        };
        if sock.write_all(&answer).await.is_err() {
            return;
        }
    }
}

/// A correct answer to a 93 or 63 (sequence number echoed, checksummed).
fn good_answer(request: &[u8]) -> Vec<u8> {
    use bilik_server::sip2::codec::checksum;
    let text = String::from_utf8_lossy(request);
    let seq = text
        .find("AY")
        .and_then(|i| text[i + 2..].chars().next())
        .unwrap_or('0');
    let body = if text.starts_with("93") {
        "941".to_owned()
    } else {
        "64              00020261125    100000000000000000000000000000AOUJI|AA1001|AEPulih|BLY|PIY|"
            .to_owned()
    };
    let mut out = format!("{body}AY{seq}AZ").into_bytes();
    let sum = checksum(&out);
    out.extend_from_slice(sum.as_bytes());
    out.push(b'\r');
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_control_bytes_are_refused_cleanly_then_recovered() {
    let cases: [&'static [u8]; 4] = [
        b"\x00\x01\x02\xff\xfe garbage\r",
        b"64\x07\x08\x1b\x00\r",
        b"941AY0AZ0000\r",
        // No CR at all, forever: the frame limit ends it.
        &[b'A'; 9000],
    ];
    for reply in cases {
        let (ils, good) = misbehaving(reply);
        let server = server(&sip2_overrides(ils.addr.port())).await;
        let station = server.enroll("PC-01").await;
        // The refusal is the outcome; `within` guards against a hang.
        assert_eq!(
            refusal(within(station.login("1001")).await),
            RefusalCode::LibrarySystemUnreachable
        );
        good.store(true, Ordering::SeqCst);
        let l = leased_eventually(&station, "1001", "the library system to make sense again").await;
        let s = server.stored_session(&l.session_id);
        assert_eq!(s.patron_name, "Pulih");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_agent_unlocks_for_the_library_system_and_shows_its_refusal() {
    use bilik_tests::agent::start_enrolled;
    if skip("the_real_agent_unlocks_for_the_library_system_and_shows_its_refusal") {
        return;
    }
    let (mut ils, server) = server_with_ils(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut agent, _) = start_enrolled(&server, dir.path(), "PC-01", &[]).await;

    agent.send("login 1004").await;
    assert_eq!(agent.event("refusal").await.str("code"), "FINES_OVER_LIMIT");
    agent.send("login 1001").await;
    let unlocked = agent.unlocked().await;
    assert_eq!(unlocked.str("patron"), "Siti Aminah");
    let session = server
        .app
        .store_for_tests()
        .active_sessions()
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(session.validated_by, "sip2");
    agent.send("logout").await;
    agent.state("locked").await;
    wait_for("the server to end the session", || async {
        server
            .app
            .store_for_tests()
            .active_sessions()
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;

    ils.stop().await;
    agent.send("login 1005").await;
    let refused = agent.event("refusal").await;
    assert_eq!(refused.str("code"), "LIBRARY_SYSTEM_UNREACHABLE");
    assert!(
        refused
            .str("text")
            .contains("perpustakaan tidak dapat dihubungi"),
        "{:?}",
        refused.json
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_to_the_library_system_checks_its_certificate() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["ils.perpustakaan.test".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let acceptor = tls_acceptor(cert.der(), &key);
    let good = Arc::new(AtomicBool::new(true));
    let ils = TcpPeer::start(Some(acceptor), move |tls| {
        answer_all(tls, good.clone(), b"")
    });
    let port = ils.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ils-ca.pem");
    std::fs::write(&ca, cert.pem()).unwrap();
    let other = rcgen::CertificateParams::new(vec!["ils.perpustakaan.test".into()])
        .unwrap()
        .self_signed(&rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let wrong_ca = dir.path().join("other-ca.pem");
    std::fs::write(&wrong_ca, other.pem()).unwrap();

    for (ca_file, name, works) in [
        (&ca, "ils.perpustakaan.test", true),
        (&ca, "other.test", false),
        (&wrong_ca, "ils.perpustakaan.test", false),
    ] {
        let mut o = sip2_overrides(port);
        o.push("sip2.tls=true".into());
        o.push(format!("sip2.tls_ca_file={}", ca_file.display()));
        o.push(format!("sip2.tls_server_name={name}"));
        let server = server(&o).await;
        let station = server.enroll("PC-01").await;
        let outcome = station.login("1001").await;
        if works {
            assert_eq!(lease(outcome).patron_name, "Pulih");
        } else {
            assert_eq!(
                refusal(outcome),
                RefusalCode::LibrarySystemUnreachable,
                "{name}"
            );
        }
        server.stop().await;
    }
}
