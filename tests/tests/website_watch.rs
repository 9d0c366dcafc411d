//! The website watch (SOP 07) against real local peers the tests start
//! and stop: an HTTP site that goes down and comes back (a problem opened
//! in the problems log, then closed with what was observed, and in the
//! monthly report), a content change noticed ("last changed"), an HTTPS
//! site whose certificate (from a test CA) expires soon (a reminder on the
//! Health page), and a hostile peer (silent, or endless) that cannot hang
//! a check. Checks run every second (`interval_seconds = 1`), an outage is
//! two failed checks; everything waits on conditions with a deadline.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::{MonthlyReportRequest, ReportFormat};
use bilik_server::report::model::MonthlyReport;
use bilik_tests::peers::{Conn, TcpPeer, tls_acceptor};
use bilik_tests::web::{Dashboard, WebClient};
use bilik_tests::{TestServer, wait_for};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the peer answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Behaviour {
    /// A page with the current body.
    Page,
    /// Reads the request and never answers.
    Silent,
    /// Answers 200 and sends body bytes forever.
    Endless,
}

/// A local web site (HTTP, or HTTPS with `tls`), stoppable and restartable
/// on the same port.
struct Peer {
    /// What a GET answers.
    body: Arc<Mutex<String>>,
    /// The accept loop and where it listens.
    tcp: TcpPeer,
}

impl Peer {
    fn start(behaviour: Behaviour, tls: Option<tokio_rustls::TlsAcceptor>) -> Peer {
        let body = Arc::new(Mutex::new("<h1>Perpustakaan</h1> versi 1".to_owned()));
        let page = body.clone();
        let tcp = TcpPeer::start(tls, move |conn| {
            let page = page.clone();
            async move { answer(conn, &page, behaviour).await }
        });
        Peer { body, tcp }
    }

    /// Listens again on the same port.
    fn resume(&mut self) {
        self.tcp.resume();
    }

    /// Closes the port: connections are refused.
    async fn stop(&mut self) {
        self.tcp.stop().await;
    }
}

async fn answer(mut io: Box<dyn Conn>, body: &Mutex<String>, behaviour: Behaviour) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match io.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    match behaviour {
        Behaviour::Page => {
            let body = body.lock().unwrap().clone();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = io.write_all(head.as_bytes()).await;
            let _ = io.write_all(body.as_bytes()).await;
            let _ = io.shutdown().await;
        }
        Behaviour::Silent => std::future::pending::<()>().await,
        Behaviour::Endless => {
            let _ = io
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n",
                )
                .await;
            let chunk = vec![b'x'; 64 * 1024];
            while io.write_all(&chunk).await.is_ok() {}
        }
    }
}

/// A server watching `sites` (inline TOML tables), its dashboard, and an
/// admin signed in to it.
async fn watching(sites: &[String]) -> (TestServer, Dashboard, WebClient) {
    let list = format!("watch.site=[{}]", sites.join(", "));
    let server = TestServer::start_with(&[&list, "watch.failures_before_outage=2"]).await;
    let web = Dashboard::serve(&server.app).await;
    let mut client = WebClient::new(&web.url);
    let answer = client.sign_in("admin", &server.admin_password).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    (server, web, client)
}

/// The Health page's row of `site` (its HTML).
async fn row(client: &mut WebClient, site: &str) -> String {
    let page = client.get("/health").await;
    assert_eq!(page.status, 200);
    let start = page
        .body
        .find(&format!("data-site=\"{site}\""))
        .unwrap_or_else(|| panic!("no row for {site} on the Health page"));
    let end = page.body[start..]
        .find("</tr>")
        .map_or(page.body.len(), |e| start + e);
    page.body[start..end].to_owned()
}

/// Waits until the Health page's row of `site` contains `needle`.
async fn row_shows(client: &mut WebClient, site: &str, needle: &str) -> String {
    let deadline = tokio::time::Instant::now() + bilik_tests::DEADLINE;
    loop {
        let row = row(client, site).await;
        if row.contains(needle) {
            return row;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {site} showing {needle:?}: {row}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_outage_opens_a_problem_and_the_recovery_closes_it() {
    let mut peer = Peer::start(Behaviour::Page, None);
    let site = format!(
        "{{ name = \"Situs perpustakaan\", url = \"http://{}/index.html\", interval_seconds = 1, timeout_ms = 2000 }}",
        peer.tcp.addr
    );
    let (server, _web, mut client) = watching(&[site]).await;
    let name = "Situs perpustakaan";
    row_shows(&mut client, name, "aktif").await;
    row_shows(&mut client, name, "hari ini").await;

    // Three days later, same page: last changed 3 days ago.
    server.clock.advance_ms(3 * 24 * 3600 * 1000);
    // (Staff sessions do not last three days: sign in again.)
    client.sign_in("admin", &server.admin_password).await;
    row_shows(&mut client, name, "3 hari lalu").await;
    // The page changes: noticed at the next check.
    *peer.body.lock().unwrap() = "<h1>Perpustakaan</h1> versi 2, jadwal baru".to_owned();
    row_shows(&mut client, name, "hari ini").await;

    // The site goes down: after two failed checks a problem is open.
    peer.stop().await;
    let down = row_shows(&mut client, name, "TIDAK DAPAT DIAKSES").await;
    assert!(down.contains("tidak terhubung"), "{down}");
    let opened = wait_for("the outage in the problems log", || async {
        let open = server.app.incidents(100).unwrap();
        open.into_iter()
            .find(|i| i.watch_site == name && i.resolved_at_ms == 0)
    })
    .await;
    assert_eq!(opened.reported_by, "system");
    assert_eq!(opened.station_name, name);
    let problems = client.get("/problems").await;
    assert!(problems.body.contains(name), "{}", problems.body);

    // It comes back: the problem is closed with what was observed.
    peer.resume();
    let closed = wait_for("the outage closed", || async {
        server
            .app
            .incidents(100)
            .unwrap()
            .into_iter()
            .find(|i| i.incident_id == opened.incident_id && i.resolved_at_ms != 0)
    })
    .await;
    assert_eq!(closed.resolved_by, "system");
    assert!(
        closed.resolution.contains("Tidak dapat diakses dari"),
        "{}",
        closed.resolution
    );
    let failed: u32 = closed
        .resolution
        .rsplit(": ")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count of failed checks in {:?}", closed.resolution));
    assert!(failed >= 2, "{}", closed.resolution);
    row_shows(&mut client, name, "aktif").await;
    // Only one problem for the one outage.
    let outages = server
        .app
        .incidents(100)
        .unwrap()
        .into_iter()
        .filter(|i| i.watch_site == name)
        .count();
    assert_eq!(outages, 1);

    // The audit log has both steps, by the system (each written once its
    // problem is stored: the closing one may follow the closed problem).
    for action in ["incident.open", "incident.resolve"] {
        wait_for(&format!("{action} in the audit log"), || async {
            let (audit, intact) = server.app.audit_log(100).unwrap();
            assert!(intact);
            audit
                .iter()
                .any(|e| e.action == action && e.actor == "system" && e.target == name)
                .then_some(())
        })
        .await;
    }

    // The monthly report's problems section lists the outage.
    let mut staff = server.admin().await;
    let month = server.app.today().format("%Y-%m").to_string();
    let file = staff
        .client
        .monthly_report(staff.req(MonthlyReportRequest {
            month,
            format: ReportFormat::Json as i32,
            lang: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    let report: MonthlyReport = serde_json::from_slice(&file.content).unwrap();
    let problem = report
        .problems
        .iter()
        .find(|p| p.station == name)
        .expect("the outage in the monthly report");
    assert_eq!(problem.kind, "outage");
    assert!(
        problem.detail.contains("Tidak dapat diakses dari"),
        "{}",
        problem.detail
    );
    server.stop().await;
}

/// A CA and a certificate for 127.0.0.1 from it that ends `days` from
/// now (real time: the TLS check uses it): the CA's PEM, and an acceptor.
fn certificate_ending_in(days: i64) -> (String, tokio_rustls::TlsAcceptor, chrono::NaiveDate) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Bilik test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".into()]).unwrap();
    let ymd = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };
    let today = chrono::Utc::now().date_naive();
    let ends = today + chrono::Duration::days(days);
    params.not_before = ymd(today - chrono::Duration::days(30));
    params.not_after = ymd(ends);
    let cert = params.signed_by(&key, &ca).unwrap();
    (ca.pem(), tls_acceptor(cert.der(), &key), ends)
}

#[tokio::test]
async fn a_certificate_close_to_expiry_and_a_domain_raise_reminders() {
    let (ca_pem, acceptor, ends) = certificate_ending_in(10);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let peer = Peer::start(Behaviour::Page, Some(acceptor));
    let today = chrono::Utc::now().date_naive();
    let domain = today + chrono::Duration::days(20);
    let hosting = today + chrono::Duration::days(200);
    let site = format!(
        "{{ name = \"OPAC\", kind = \"opac\", url = \"https://{}/\", interval_seconds = 1, timeout_ms = 2000, \
         ca_file = {:?}, domain_expires = \"{domain}\", hosting_expires = \"{hosting}\" }}",
        peer.tcp.addr,
        ca_file.display().to_string()
    );
    let (server, _web, mut client) = watching(&[site]).await;
    // Reminders count days from the server's today: put its clock at now.
    server.clock.set_ms(chrono::Utc::now().timestamp_millis());
    client.sign_in("admin", &server.admin_password).await;
    let row = row_shows(&mut client, "OPAC", "aktif").await;
    // The certificate's end as the server reads it (library time; a
    // certificate ending at UTC midnight is the same date in Makassar).
    assert!(row.contains(&ends.format("%Y-%m-%d").to_string()), "{row}");
    let page = client.get("/health").await.body;
    let start = page
        .find("id=\"watch-reminders\"")
        .expect("the reminders list");
    let reminders = &page[start..];
    assert!(reminders.contains("Sertifikat TLS"), "{reminders}");
    assert!(
        reminders.contains(&domain.format("%Y-%m-%d").to_string()),
        "{reminders}"
    );
    // Hosting ends in 200 days: not within the 30 days of reminders.
    assert!(
        !reminders.contains(&hosting.format("%Y-%m-%d").to_string()),
        "{reminders}"
    );
    // The OPAC kind does not track content.
    assert!(
        !row.contains("hari lalu") && !row.contains("hari ini"),
        "{row}"
    );

    // In English too.
    let english = client.get("/lang/en?back=/health").await;
    assert!(english.status < 400, "{}", english.status);
    let page = client.get("/health").await.body;
    assert!(
        page.contains("Renewal reminders") && page.contains("TLS certificate"),
        "{page}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_silent_or_endless_site_cannot_hang_a_check() {
    let silent = Peer::start(Behaviour::Silent, None);
    let endless = Peer::start(Behaviour::Endless, None);
    let sites = [
        format!(
            "{{ name = \"Diam\", url = \"http://{}/\", interval_seconds = 1, timeout_ms = 300 }}",
            silent.tcp.addr
        ),
        format!(
            "{{ name = \"Tanpa akhir\", url = \"http://{}/\", interval_seconds = 1, timeout_ms = 5000 }}",
            endless.tcp.addr
        ),
    ];
    let (server, _web, mut client) = watching(&sites).await;
    let row = row_shows(&mut client, "Diam", "TIDAK DAPAT DIAKSES").await;
    assert!(row.contains("tidak menjawab tepat waktu"), "{row}");
    // The endless page is read to the size limit and judged by it: up.
    row_shows(&mut client, "Tanpa akhir", "aktif").await;
    let metrics = server.app.metrics_text().await.unwrap();
    assert!(
        metrics.lines().any(|l| l == "bilik_watch_sites_down 1"),
        "{metrics}"
    );
    server.stop().await;
}
