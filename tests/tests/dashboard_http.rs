//! The dashboard over plain HTTP (no browser needed): roles, CSRF, the
//! sign-in slow-down and its audit trail, staff management, the member
//! import preview, the problems log, reports, and the live feed ending at
//! shutdown.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::web::{Desk, KEPALA, SITI, WebClient, csrf_of};
use bilik_tests::*;
use std::time::Duration;

#[tokio::test]
async fn pages_need_a_session_and_the_cookie_is_httponly_and_strict() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let web = &desk.web;
    let mut anon = WebClient::new(&web.url);
    let answer = anon.get("/usage").await;
    assert_eq!(answer.status, 303);
    assert!(
        answer.location.starts_with("/login?next="),
        "{}",
        answer.location
    );

    let http = bilik_tests::web::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http.get(format!("{}/login", web.url)).send().await.unwrap();
    let pre = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    let page = login.text().await.unwrap();
    let csrf = csrf_of(&page);
    let cookie = pre.split(';').next().unwrap().to_owned();
    let signed = http
        .post(format!("{}/login", web.url))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "siti"),
            ("password", "rahasia-123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status().as_u16(), 303);
    let set = signed.headers()["set-cookie"].to_str().unwrap();
    assert!(set.starts_with("bilik_session="), "{set}");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    desk.stop().await;
}

#[tokio::test]
async fn a_librarian_gets_403_on_admin_pages_and_only_auditors_see_the_audit_log() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let server = &desk.server;
    let mut siti = desk.client(&SITI).await;
    for path in ["/staff", "/audit"] {
        let answer = siti.get(path).await;
        assert_eq!(answer.status, 403, "{path} for a librarian");
        assert!(answer.body.contains("Tidak diizinkan"), "{}", answer.body);
    }
    // Admin-only actions are refused too, even with a valid token.
    let csrf = siti.csrf("/").await;
    let answer = siti
        .post(
            "/enrollment-code",
            &[("csrf", &csrf), ("station_name", "PC-09")],
        )
        .await;
    assert_eq!(answer.status, 403);
    let answer = siti
        .post(
            "/staff",
            &[("csrf", &csrf), ("username", "x"), ("role", "admin")],
        )
        .await;
    assert_eq!(answer.status, 403);
    // The navigation does not offer what they may not open.
    let home = siti.get("/").await;
    assert!(!home.body.contains("href=\"/staff\""));

    let mut kepala = desk.client(&KEPALA).await;
    assert_eq!(kepala.get("/audit").await.status, 200);
    assert_eq!(kepala.get("/staff").await.status, 403);

    let mut admin = desk.client_as("admin", &server.admin_password).await;
    assert_eq!(admin.get("/audit").await.status, 200);
    assert_eq!(admin.get("/staff").await.status, 200);
    desk.stop().await;
}

#[tokio::test]
async fn a_form_posted_without_the_csrf_token_is_refused() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let (server, web) = (&desk.server, &desk.web);
    let mut siti = desk.client(&SITI).await;
    let member = [
        ("card", "0042"),
        ("name", "Rina Wulandari"),
        ("expires", "2027-12-31"),
    ];
    let answer = siti.post("/members/save", &member).await;
    assert_eq!(answer.status, 403);
    assert!(answer.body.contains("token keamanan"), "{}", answer.body);
    let mut wrong = member.to_vec();
    wrong.push(("csrf", "0000"));
    assert_eq!(siti.post("/members/save", &wrong).await.status, 403);
    // Another session's token does not work either.
    let mut kepala = desk.client(&KEPALA).await;
    let theirs = kepala.csrf("/").await;
    let mut foreign = member.to_vec();
    foreign.push(("csrf", &theirs));
    assert_eq!(siti.post("/members/save", &foreign).await.status, 403);
    assert!(server.app.get_member("0042").is_err(), "nothing written");
    // The sign-in form needs its token too.
    let mut anon = WebClient::new(&web.url);
    let answer = anon
        .post(
            "/login",
            &[("username", "siti"), ("password", "rahasia-123")],
        )
        .await;
    assert_eq!(answer.status, 403);
    // With the token, it is saved.
    let csrf = siti.csrf("/members/new").await;
    let mut good = member.to_vec();
    good.push(("csrf", &csrf));
    let answer = siti.post("/members/save", &good).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        server.app.get_member("0042").unwrap().name,
        "Rina Wulandari"
    );
    desk.stop().await;
}

#[tokio::test]
async fn repeated_wrong_passwords_slow_down_the_source_and_the_account_and_are_audited_once() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let (server, web) = (&desk.server, &desk.web);
    let mut attacker = WebClient::new(&web.url);
    // Five failures are free; the sixth starts a wait.
    for _ in 0..6 {
        let answer = attacker.sign_in("siti", "salah-salah").await;
        assert_eq!(answer.status, 401);
        assert!(answer.body.contains("salah."), "{}", answer.body);
    }
    // While it waits, even the right password is not checked, and it says why.
    let answer = attacker.sign_in("siti", "rahasia-123").await;
    assert_eq!(answer.status, 429);
    assert!(answer.body.contains("Terlalu banyak"), "{}", answer.body);
    assert!(!attacker.cookies.contains_key("bilik_session"));
    // gRPC sign-in follows the same rule (same source address).
    let mut grpc = admin_client::AdminClient::new(server.channel().await);
    let refused = grpc
        .sign_in(SignInRequest {
            username: "siti".into(),
            password: "rahasia-123".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
    assert!(
        refused.message().contains("too many"),
        "{}",
        refused.message()
    );

    // The wait is short (1 s, doubling per failure): not a lock-out anyone
    // could keep an owner in.
    server.clock.advance_ms(1_001);
    let mut admin = desk.client_as("admin", &server.admin_password).await;
    let page = admin.get("/").await;
    assert!(page.body.contains("security-alerts"), "{}", page.body);
    assert!(
        page.body.contains("alert.account_throttled"),
        "{}",
        page.body
    );
    // The audit log has one entry for the burst of failures and one for
    // the throttled account, not one per attempt.
    let mut staff = server.staff("admin", &server.admin_password).await;
    let log = staff
        .client
        .audit_log(staff.req(AuditLogRequest { limit: 100 }))
        .await
        .unwrap()
        .into_inner();
    let count = |action: &str| log.entries.iter().filter(|e| e.action == action).count();
    assert_eq!(count("alert.sign_in_failures"), 1, "{:?}", log.entries);
    assert_eq!(count("alert.account_throttled"), 1, "{:?}", log.entries);
    assert_eq!(count("staff.sign_in_failed"), 0);
    let mut siti = WebClient::new(&web.url);
    assert_eq!(siti.sign_in("siti", "rahasia-123").await.status, 303);
    desk.stop().await;
}

#[tokio::test]
async fn admins_create_reset_and_disable_staff_accounts() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let (server, web) = (&desk.server, &desk.web);
    let mut admin = desk.client_as("admin", &server.admin_password).await;
    let csrf = admin.csrf("/staff").await;
    let answer = admin
        .post(
            "/staff",
            &[
                ("csrf", &csrf),
                ("username", "budi"),
                ("display_name", "Budi Santoso"),
                ("role", "librarian"),
                ("password", "awal-12345"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let mut budi = desk.client_as("budi", "awal-12345").await;

    let answer = admin
        .post(
            "/staff/budi/password",
            &[("csrf", &csrf), ("password", "baru-12345")],
        )
        .await;
    assert_eq!(answer.status, 303);
    // The reset signed budi out everywhere.
    assert_eq!(budi.get("/").await.status, 303);
    let mut budi = desk.client_as("budi", "baru-12345").await;

    let answer = admin
        .post(
            "/staff/budi/disabled",
            &[("csrf", &csrf), ("disabled", "1")],
        )
        .await;
    assert_eq!(answer.status, 303);
    assert_eq!(budi.get("/").await.status, 303, "disabled: signed out");
    let again = WebClient::new(&web.url).sign_in("budi", "baru-12345").await;
    assert_eq!(again.status, 401);
    assert!(again.body.contains("dinonaktifkan"), "{}", again.body);
    // An admin cannot disable themselves.
    let answer = admin
        .post(
            "/staff/admin/disabled",
            &[("csrf", &csrf), ("disabled", "1")],
        )
        .await;
    assert_eq!(answer.status, 409);
    let audit = admin.get("/audit").await.body;
    for action in ["staff.create", "staff.password_reset", "staff.disable"] {
        assert!(audit.contains(action), "{action} missing");
    }
    desk.stop().await;
}

const HEADER: &str = "\"member_id\",\"member_name\",\"gender\",\"member_type_name\",\"member_email\",\"member_address\",\"postal_code\",\"inst_name\",\"is_new\",\"member_image\",\"pin\",\"member_phone\",\"member_fax\",\"member_since_date\",\"register_date\",\"expire_date\",\"birth_date\",\"member_notes\",";

fn slims_row(id: &str, name: &str, expire: &str) -> String {
    format!(
        "\"{id}\",\"{name}\",\"1\",\"Pelajar\",\"\",\"Jl. Persatuan 3\",\"92611\",\"SMA Negeri 1 Sinjai\",\"0\",\"\",\"\",\"0812\",\"\",\"2025-01-10\",\"2025-01-10\",\"{expire}\",\"2008-03-02\",\"\","
    )
}

fn slims_file(rows: &[String]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

#[tokio::test]
async fn a_three_megabyte_slims_file_imports_on_the_dashboard_but_not_before_sign_in() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let (server, web) = (&desk.server, &desk.web);
    let rows: Vec<String> = (0..17_000)
        .map(|n| {
            slims_row(
                &format!("B{n:05}"),
                "Anggota Baru Perpustakaan",
                "2027-12-31",
            )
        })
        .collect();
    let file = slims_file(&rows);
    assert!(file.len() > 3_000_000, "{} bytes", file.len());
    // Signed out: refused by size before anything else reads it.
    let mut stranger = WebClient::new(&web.url);
    let csrf = csrf_of(&stranger.get("/login").await.body);
    let answer = stranger
        .post_file("/members/import", &csrf, "file", &file)
        .await;
    assert_eq!(answer.status, 413);
    // Signed in: the CSRF guard reads the whole file (under the import
    // limit), the preview counts every row, the confirmation writes them.
    let mut siti = desk.client(&SITI).await;
    let csrf = siti.csrf("/members/import").await;
    let answer = siti
        .post_file("/members/import", &csrf, "file", &file)
        .await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        &answer.body[..answer.body.len().min(2000)]
    );
    assert!(answer.body.contains("Baru: <strong>17000</strong>"));
    let id_at = answer.body.find("name=\"id\" value=\"").unwrap() + "name=\"id\" value=\"".len();
    let id = &answer.body[id_at..id_at + answer.body[id_at..].find('"').unwrap()];
    let done = siti
        .post("/members/import/confirm", &[("csrf", &csrf), ("id", id)])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        server.app.get_member("B16999").unwrap().name,
        "Anggota Baru Perpustakaan"
    );
    desk.stop().await;
}

#[tokio::test]
async fn import_preview_shows_the_bad_line_and_writes_nothing_then_the_fixed_file_imports() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let server = &desk.server;
    let mut admin = server.admin().await;
    admin.add_member("M0001", "Andi Lama", "2026-12-31").await;
    let mut siti = desk.client(&SITI).await;
    let csrf = siti.csrf("/members/import").await;
    let mut rows = vec![
        slims_row("M0001", "Andi Pratama", "2027-12-31"),
        slims_row("M0002", "Siti Rahmawati", "2027-06-30"),
        slims_row("M0003", "Budi Santoso", "2027-01-31"),
    ];
    rows.insert(2, slims_row("M0004", "Nur Aisyah", "2027-02-30"));
    let answer = siti
        .post_file("/members/import", &csrf, "file", &slims_file(&rows))
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    let errors = &answer.body[answer.body.find("id=\"import-errors\"").unwrap()..];
    // Line 1 is the header: the bad row is line 4.
    assert!(errors.contains("<td class=\"num\">4</td>"), "{errors}");
    assert!(errors.contains("expire_date"), "{errors}");
    assert!(answer.body.contains("Tidak ada data yang disimpan"));
    assert_eq!(server.app.get_member("M0001").unwrap().name, "Andi Lama");
    assert!(server.app.get_member("M0002").is_err());

    // The corrected file: a preview of what changes, still nothing written.
    rows[2] = slims_row("M0004", "Nur Aisyah", "2027-02-28");
    let answer = siti
        .post_file("/members/import", &csrf, "file", &slims_file(&rows))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let counts = &answer.body[answer.body.find("id=\"import-counts\"").unwrap()..];
    let counts = &counts[..counts.find("</p>").unwrap()];
    assert!(counts.contains("Baru: <strong>3</strong>"), "{counts}");
    assert!(
        counts.contains("Diperbarui: <strong>1</strong>"),
        "{counts}"
    );
    assert!(answer.body.contains("Nur Aisyah"));
    assert!(
        server.app.get_member("M0002").is_err(),
        "preview writes nothing"
    );

    // Confirm: every row is imported.
    let id_at = answer.body.find("name=\"id\" value=\"").unwrap() + "name=\"id\" value=\"".len();
    let id = &answer.body[id_at..id_at + 32];
    let csrf = csrf_of(&answer.body);
    let done = siti
        .post("/members/import/confirm", &[("csrf", &csrf), ("id", id)])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(server.app.get_member("M0001").unwrap().name, "Andi Pratama");
    for card in ["M0002", "M0003", "M0004"] {
        assert!(server.app.get_member(card).is_ok(), "{card} imported");
    }
    // A preview is confirmed once.
    let again = siti
        .post("/members/import/confirm", &[("csrf", &csrf), ("id", id)])
        .await;
    assert_eq!(again.status, 400);
    desk.stop().await;
}

#[tokio::test]
async fn problems_are_logged_with_maintenance_and_resolved() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let server = &desk.server;
    let station = server.enroll("PC-02").await;
    let mut siti = desk.client(&SITI).await;
    let csrf = siti.csrf("/problems").await;
    let answer = siti
        .post(
            "/problems",
            &[
                ("csrf", &csrf),
                ("station", &station.id),
                ("text", "Mouse tidak berfungsi"),
                ("maintenance", "1"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(
        server
            .app
            .store_for_tests()
            .station(&station.id)
            .unwrap()
            .unwrap()
            .maintenance
    );
    let page = siti.get("/problems").await.body;
    assert!(page.contains("Mouse tidak berfungsi"));
    let open = server.app.incidents(0).unwrap();
    assert_eq!(open.len(), 1);
    let answer = siti
        .post(
            &format!("/problems/{}/resolve", open[0].incident_id),
            &[
                ("csrf", &csrf),
                ("resolution", "Mouse diganti"),
                ("end_maintenance", "1"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(
        !server
            .app
            .store_for_tests()
            .station(&station.id)
            .unwrap()
            .unwrap()
            .maintenance
    );
    let page = siti.get("/problems").await.body;
    assert!(page.contains("Mouse diganti"));
    // Resolving twice is a clear refusal, not a crash.
    let twice = siti
        .post(
            &format!("/problems/{}/resolve", open[0].incident_id),
            &[("csrf", &csrf), ("resolution", "lagi")],
        )
        .await;
    assert_eq!(twice.status, 409);
    let (entries, _) = server.app.audit_log(0).unwrap();
    assert!(entries.iter().any(|e| e.action == "incident.open"));
    assert!(entries.iter().any(|e| e.action == "incident.resolve"));
    desk.stop().await;
}

#[tokio::test]
async fn reports_download_and_only_a_section_head_signs() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let server = &desk.server;
    let mut siti = desk.client(&SITI).await;
    let page = siti.get("/reports/monthly?month=2026-10").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("<svg").count(), 2, "two charts");
    assert!(
        !page.body.contains("/reports/monthly/sign"),
        "no Sign button"
    );
    let pdf = siti
        .get("/reports/monthly/download?month=2026-10&format=pdf")
        .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with("%PDF"));
    let csv = siti
        .get("/reports/daily/download?date=2026-11-25&format=csv")
        .await;
    assert_eq!(csv.status, 200);
    let bad = siti.get("/reports/daily?date=2026-13-45").await;
    assert_eq!(bad.status, 400, "a bad date is a clear message");

    let csrf = siti.csrf("/reports/monthly").await;
    let refused = siti
        .post(
            "/reports/monthly/sign",
            &[("csrf", &csrf), ("month", "2026-10")],
        )
        .await;
    assert_eq!(refused.status, 403);

    let mut kepala = desk.client(&KEPALA).await;
    // The running month cannot be signed: no button, and its confirmation
    // step refuses with the reason.
    let running = server.app.today().format("%Y-%m").to_string();
    let page = kepala
        .get(&format!("/reports/monthly?month={running}"))
        .await
        .body;
    assert!(!page.contains("/reports/monthly/sign"), "no Sign button");
    let early = kepala
        .get(&format!("/reports/monthly/sign?month={running}"))
        .await;
    assert_eq!(early.status, 409, "{}", early.body);

    // An ended month: the button leads to a confirmation step that shows
    // what will be frozen and asks who prepared the report.
    let page = kepala.get("/reports/monthly?month=2026-10").await.body;
    assert!(
        page.contains("/reports/monthly/sign?month=2026-10"),
        "Sign button"
    );
    let confirm = kepala.get("/reports/monthly/sign?month=2026-10").await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("id=\"freeze-warning\""));
    assert!(confirm.body.contains("id=\"station-count\""));
    assert!(
        confirm.body.contains("value=\"siti\"") && confirm.body.contains("Siti Aminah"),
        "the preparer is chosen from the staff"
    );
    let csrf = csrf_of(&confirm.body);
    // Sent without the ticked statement: asked again, nothing signed.
    let unticked = kepala
        .post(
            "/reports/monthly/sign",
            &[
                ("csrf", &csrf),
                ("month", "2026-10"),
                ("prepared_by", "siti"),
            ],
        )
        .await;
    assert_eq!(unticked.status, 200);
    assert!(unticked.body.contains("id=\"not-confirmed\""));
    assert!(
        unticked.body.contains("value=\"siti\" selected"),
        "keeps the choice"
    );
    assert!(server.app.signed_fingerprint("2026-10").unwrap().is_none());
    let nobody = kepala
        .post(
            "/reports/monthly/sign",
            &[
                ("csrf", &csrf),
                ("month", "2026-10"),
                ("prepared_by", "nobody"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(nobody.status, 400, "{}", nobody.body);
    let signed = kepala
        .post(
            "/reports/monthly/sign",
            &[
                ("csrf", &csrf),
                ("month", "2026-10"),
                ("prepared_by", "siti"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let page = kepala.get("/reports/monthly?month=2026-10").await.body;
    assert!(page.contains("id=\"signed\""), "shows it signed");
    let fingerprint = server.app.signed_fingerprint("2026-10").unwrap().unwrap();
    assert!(page.contains(&fingerprint), "shows its fingerprint");
    assert!(
        !page.contains("/reports/monthly/sign"),
        "no Sign button once signed"
    );
    let twice = kepala
        .post(
            "/reports/monthly/sign",
            &[
                ("csrf", &csrf),
                ("month", "2026-10"),
                ("prepared_by", "siti"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(twice.status, 409);
    desk.stop().await;
}

#[tokio::test]
async fn the_usage_book_exports_csv_and_actions_answer_json_to_the_script() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let (server, web) = (&desk.server, &desk.web);
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    let station = server.enroll("PC-03").await;
    let (mut link, _) = station.attach("boot-1", "").await;
    let siti = desk.client(&SITI).await;
    let csrf = {
        let mut s = WebClient::new(&web.url);
        s.cookies = siti.cookies.clone();
        s.csrf("/").await
    };
    let http = bilik_tests::web::http_client().build().unwrap();
    let cookie = format!("bilik_session={}", siti.cookies["bilik_session"]);
    let post = |path: String, form: Vec<(&'static str, String)>| {
        http.post(format!("{}{path}", web.url))
            .header("cookie", cookie.clone())
            .header("x-bilik-fetch", "1")
            .form(&form)
            .send()
    };
    // A purpose the library does not count is refused, in Indonesian.
    let refused = post(
        format!("/stations/{}/unlock", station.id),
        vec![
            ("csrf", csrf.clone()),
            ("card", "0001".into()),
            ("purpose", "Main game".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        refused["message"],
        "Isian tidak valid: Pilih salah satu keperluan yang tersedia."
    );
    // The purpose asked on the unlock reaches the session.
    let answer: serde_json::Value = post(
        format!("/stations/{}/unlock", station.id),
        vec![
            ("csrf", csrf.clone()),
            ("card", "0001".into()),
            ("purpose", "Mencari informasi".into()),
        ],
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    assert!(matches!(link.next_command().await, command::Kind::Start(_)));
    // A refusal is a message, not a crash: the station is busy now.
    let refused = post(
        format!("/stations/{}/unlock", station.id),
        vec![("csrf", csrf.clone()), ("note", "tamu".into())],
    )
    .await
    .unwrap();
    assert_eq!(refused.status().as_u16(), 409);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(refused["ok"], false);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("sedang dipakai"),
        "{refused}"
    );
    let answer: serde_json::Value = post(
        format!("/stations/{}/end", station.id),
        vec![("csrf", csrf.clone())],
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    assert!(matches!(link.next_command().await, command::Kind::End(_)));

    let mut siti = siti;
    let csv = siti
        .get("/usage.csv?from=2026-11-25&to=2026-11-25&station=PC-03&card=0001")
        .await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[1].contains("Andi Pratama") && lines[1].contains("PC-03"));
    assert!(lines[1].contains("Mencari informasi"), "{}", csv.body);
    // Nobody ticked the house rules on a librarian's unlock.
    assert!(
        lines[0].contains("Tata Tertib") && lines[1].contains(",—,"),
        "{}",
        csv.body
    );
    // A patron's own login records the rules they ticked: the usage book
    // page and its CSV show it.
    let outcome = station.login("0001").await;
    assert!(
        matches!(outcome, login_response::Outcome::Lease(_)),
        "{outcome:?}"
    );
    let csv = siti
        .get("/usage.csv?from=2026-11-25&to=2026-11-25&station=PC-03&card=0001")
        .await;
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    // Both sessions start at the same instant: find each by its purpose.
    let row = |purpose: &str| lines.iter().find(|l| l.contains(purpose)).unwrap();
    assert!(
        row(",Belajar/Tugas,").contains(",Disetujui (v1),"),
        "{}",
        csv.body
    );
    assert!(row(",Mencari informasi,").contains(",—,"), "{}", csv.body);
    let page = siti.get("/usage?from=2026-11-25&to=2026-11-25").await.body;
    assert!(
        page.contains("<th>Tata Tertib</th>") && page.contains("<td>Disetujui (v1)</td>"),
        "{page}"
    );
    // And the monthly report counts it under its purpose.
    let month = siti
        .get("/reports/monthly/download?month=2026-11&format=csv")
        .await;
    assert_eq!(month.status, 200);
    let purposes: Vec<&str> = month
        .body
        .lines()
        .skip_while(|l| !l.starts_with("Keperluan,Sesi,Menit"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        purposes
            .iter()
            .any(|l| l.starts_with("Mencari informasi,1,")),
        "{}",
        month.body
    );
    desk.stop().await;
}

#[tokio::test]
async fn the_live_feed_sends_the_grid_and_ends_when_the_server_stops() {
    let config = bilik_server::config::Config::parse(TEST_CONFIG, &[]).unwrap();
    let clock = bilik_server::clock::ManualClock::new(wednesday_10am());
    let app = bilik_server::app::App::new(
        bilik_server::store::Store::temporary().unwrap(),
        config,
        std::sync::Arc::new(clock),
    );
    let password = app.create_first_admin("admin").await.unwrap().unwrap();
    let grpc = bilik_server::listen("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let web = bilik_server::listen("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let web_url = format!("http://{}", web.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(bilik_server::run_with_web(
        app.clone(),
        grpc,
        Some(web),
        async {
            let _ = stopped.await;
        },
    ));
    let mut client = WebClient::new(&web_url);
    assert_eq!(client.sign_in("admin", &password).await.status, 303);
    let mut feed = bilik_tests::web::http_client()
        .build()
        .unwrap()
        .get(format!("{web_url}/events"))
        .header(
            "cookie",
            format!("bilik_session={}", client.cookies["bilik_session"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        feed.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let _ = stop.send(());
    // The feed ends (the stream closes) and then the server stops, because
    // nothing is left open rather than because its 5 s grace period ran out
    // (which also stops it): the wait for both ends before that grace could.
    let stopped = async {
        while let Ok(Some(_)) = feed.chunk().await {}
        serving.await
    };
    tokio::time::timeout(INSIDE_THE_GRACE, stopped)
        .await
        .expect("the server waited out its grace period: something stayed open")
        .unwrap()
        .unwrap();
}

/// A deadline shorter than the server's 5 s shutdown grace period.
const INSIDE_THE_GRACE: Duration = Duration::from_secs(4);

#[tokio::test]
async fn a_station_going_silent_mid_session_raises_an_alert_at_the_desk() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let server = &desk.server;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    let busy = server.enroll("PC-01").await;
    let idle = server.enroll("PC-02").await;
    let (_busy_link, _) = busy.attach("boot-1", "").await;
    let (_idle_link, _) = idle.attach("boot-2", "").await;
    lease(busy.login("0001").await);
    let mut siti = desk.client(&SITI).await;
    let text = bilik_proto::catalog::web::ALERT_OFFLINE_IN_SESSION.id;
    let page = siti.get("/").await.body;
    assert!(!page.contains(text), "no alert while both heartbeat");

    // Both go silent past the offline timeout: only the one with a patron
    // on it is an alert.
    let silent_for = server.app.config().offline_after_ms() + 1_000;
    server.clock.set_ms(server.clock_now() + silent_for);
    server.app.sweep().await.unwrap();
    let page = siti.get("/").await.body;
    assert_eq!(page.matches(text).count(), 1, "one alert: {page}");
    let alert = page.split(text).nth(1).unwrap();
    assert!(alert[..alert.len().min(400)].contains("PC-01"), "{alert}");
    let (entries, _) = server.app.audit_log(0).unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "alert.offline_in_session")
            .count(),
        1
    );
    // A second sweep does not raise it again.
    server.app.sweep().await.unwrap();
    assert_eq!(siti.get("/").await.body.matches(text).count(), 1);
    desk.stop().await;
}

#[tokio::test]
async fn the_komputer_page_shows_the_queue_with_positions_and_takes_adds_and_removes() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let server = &desk.server;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    admin.add_member("0002", "Budi Santoso", "2027-12-31").await;
    let mut siti = desk.client(&SITI).await;
    let csrf = siti.csrf("/").await;
    for card in ["0002", "0001"] {
        let answer = siti
            .post("/queue/add", &[("csrf", &csrf), ("card", card)])
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
    }
    let page = siti.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Antrean pengunjung"), "{}", page.body);
    let budi = page.body.find(r#"data-position="1" data-card="0002""#);
    let andi = page.body.find(r#"data-position="2" data-card="0001""#);
    assert!(budi.is_some() && andi.is_some(), "{}", page.body);
    assert!(page.body.contains("Budi Santoso (0002)"));
    // A bad card is refused on the page and adds nothing.
    let bad = siti
        .post("/queue/add", &[("csrf", &csrf), ("card", "9999")])
        .await;
    assert_ne!(bad.status, 303);
    let answer = siti
        .post("/queue/remove", &[("csrf", &csrf), ("card", "0002")])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let page = siti.get("/").await;
    assert!(page.body.contains(r#"data-position="1" data-card="0001""#));
    assert!(!page.body.contains(r#"data-card="0002""#));
    desk.stop().await;
}

#[tokio::test]
async fn member_search_finds_names_by_words_with_a_count_and_pages() {
    let desk = Desk::start(&[SITI, KEPALA]).await;
    let server = &desk.server;
    let mut admin = server.admin().await;
    admin
        .add_member("7001", "Andi Tenri Ajeng", "2027-12-31")
        .await;
    admin.add_member("7002", "Ma'ruf Amin", "2027-12-31").await;
    for i in 0..60 {
        admin
            .add_member(
                &format!("8{i:03}"),
                &format!("Budi Santoso {i:02}"),
                "2027-12-31",
            )
            .await;
    }
    let mut siti = desk.client(&SITI).await;
    for (query, card) in [
        ("Andi Tenri", "7001"),
        ("ma%27ruf", "7002"),
        ("MARUF", "7002"),
    ] {
        let page = siti.get(&format!("/members?q={query}")).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("1 anggota ditemukan"),
            "{query}: {}",
            page.body
        );
        assert!(page.body.contains(&format!(">{card}</a>")), "{query}");
        assert_eq!(page.body.matches("/members/card/").count(), 1, "{query}");
    }
    // Sixty matches: a count, two pages of fifty and ten.
    let first = siti.get("/members?q=budi").await.body;
    assert!(first.contains("60 anggota ditemukan"), "{first}");
    assert!(first.contains("halaman 1 dari 2"));
    assert_eq!(first.matches("/members/card/").count(), 50);
    assert!(first.contains("id=\"next\"") && !first.contains("id=\"prev\""));
    let second = siti.get("/members?q=budi&page=2").await.body;
    assert_eq!(second.matches("/members/card/").count(), 10);
    assert!(second.contains("id=\"prev\"") && !second.contains("id=\"next\""));
    // A bad page number is the first page, not an error.
    let bad = siti.get("/members?q=budi&page=x%00").await;
    assert_eq!(bad.status, 200);
    assert_eq!(bad.body.matches("/members/card/").count(), 50);
    desk.stop().await;
}
