//! INLISLite member import: a workbook written here with rust_xlsxwriter
//! (Indonesian headers under a title row, as INLISLite exports it), with
//! good and bad rows, imported through the real CLI against the real
//! server binary and through the dashboard's preview and confirmation.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::process::ServerProcess;
use bilik_tests::web::{Dashboard, WebClient, csrf_of};
use bilik_tests::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HEADER: [&str; 11] = [
    "No Anggota",
    "Nama",
    "Jenis Kelamin",
    "Tanggal Lahir",
    "Jenis Anggota",
    "Pekerjaan",
    "Pendidikan Terakhir",
    "Tanggal Pendaftaran",
    "Tanggal Akhir Berlaku",
    "Status Anggota",
    "Nomor Identitas",
];

/// A member row; `expires` as text (a bad one makes a bad row).
fn row<'a>(card: &'a str, name: &'a str, expires: &'a str) -> [&'a str; 11] {
    [
        card,
        name,
        "Perempuan",
        "17/06/2005",
        "Pelajar",
        "Pelajar",
        "SMA",
        "10/01/2024",
        expires,
        "Aktif",
        "7371000000000001",
    ]
}

/// INLISLite's layout: a title, the header, the rows; the first row's
/// expiry as a real Excel date cell.
fn workbook(rows: &[[&str; 11]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "DAFTAR ANGGOTA").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for (r, cells) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, *v).unwrap();
        }
    }
    if !rows.is_empty() && rows[0][8] == "2099-12-31" {
        let date = ExcelDateTime::from_ymd(2099, 12, 31).unwrap();
        let format = Format::new().set_num_format("dd/mm/yyyy");
        sheet
            .write_datetime_with_format(2, 8, &date, &format)
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// Writes `rows` as the workbook at `path` and imports it through the CLI
/// against `server`: (success, stdout, stderr).
async fn cli_import(
    server: &ServerProcess,
    password: &str,
    path: &std::path::Path,
    rows: &[[&str; 11]],
    lang: &str,
) -> (bool, String, String) {
    std::fs::write(path, workbook(rows)).unwrap();
    server
        .admin(
            password,
            &["member", "import", path.to_str().unwrap(), "--lang", lang],
        )
        .await
}

#[tokio::test]
async fn the_cli_imports_a_workbook_all_or_nothing_and_again_updates() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", &[]).await;
    let password = server.admin_password.clone().unwrap();
    let bad = dir.path().join("anggota-salah.xlsx");
    let rows = [
        row("A-0001", "Siti Aminah", "2099-12-31"),
        row("A-0002", "Budi Santoso", "31/02/2099"),
        row("A 0003", "", "2099-12-31"),
    ];
    let (ok, _, err) = cli_import(&server, &password, &bad, &rows, "en").await;
    assert!(!ok);
    for needle in [
        "The file was not imported; nothing was changed:",
        "line 4, column tanggal akhir berlaku: Not a date (write YYYY-MM-DD).",
        "line 5, column no anggota: A card number may only hold",
        "line 5, column nama: Required, but empty.",
    ] {
        assert!(err.contains(needle), "{needle} missing from {err}");
    }
    // In Indonesian, and never quoting the bad cells back.
    let (ok, _, err) = cli_import(&server, &password, &bad, &rows, "id").await;
    assert!(!ok);
    for needle in [
        "Berkas tidak diimpor; tidak ada yang diubah:",
        "baris 4, kolom tanggal akhir berlaku: Bukan tanggal (tulis TTTT-BB-HH).",
        "baris 5, kolom nama: Wajib diisi, tetapi kosong.",
    ] {
        assert!(err.contains(needle), "{needle} missing from {err}");
    }
    for value in ["31/02/2099", "2099-02-31", "A 0003", "Budi"] {
        assert!(!err.contains(value), "{value} echoed in {err}");
    }
    let mut admin = Staff::sign_in(server.channel().await, "admin", &password).await;
    let get = |card: &str| GetMemberRequest { card: card.into() };
    assert!(
        admin
            .client
            .get_member(admin.req(get("A-0001")))
            .await
            .is_err(),
        "nothing written from a bad file"
    );

    let good = dir.path().join("anggota.xlsx");
    let rows = [
        row("A-0001", "Siti Aminah", "2099-12-31"),
        row("A-0002", "Budi Santoso", "28/02/2099"),
    ];
    let (ok, out, err) = cli_import(&server, &password, &good, &rows, "id").await;
    assert!(ok, "{err}");
    assert!(out.contains("2 new, 0 updated"), "{out}");
    let m = admin
        .client
        .get_member(admin.req(get("A-0001")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(m.expires, "2099-12-31");
    assert_eq!(m.birth_date, "2005-06-17");
    assert_eq!(
        (m.occupation.as_str(), m.education.as_str()),
        ("Pelajar", "SMA")
    );
    assert_eq!(m.gender, Gender::Female as i32);
    assert_eq!(m.source, "inlislite");

    // Again, with one name changed: updated, never duplicated.
    let rows = [
        row("A-0001", "Siti Aminah Putri", "2099-12-31"),
        row("A-0002", "Budi Santoso", "28/02/2099"),
    ];
    let (ok, out, err) = cli_import(&server, &password, &good, &rows, "id").await;
    assert!(ok, "{err}");
    assert!(out.contains("0 new, 2 updated"), "{out}");
    let found = admin
        .client
        .search_members(admin.req(SearchMembersRequest {
            query: "A-000".into(),
            limit: 10,
            offset: 0,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.members.len(), 2, "{found:?}");
    assert!(found.members.iter().any(|m| m.name == "Siti Aminah Putri"));
    server.terminate().await;
}

#[tokio::test]
async fn the_dashboard_previews_a_workbook_and_imports_it_on_confirmation() {
    let server = TestServer::start().await;
    let web = Dashboard::serve(&server.app).await;
    let mut admin = WebClient::new(&web.url);
    admin.sign_in("admin", &server.admin_password).await;
    let csrf = admin.csrf("/members/import").await;

    let bad = workbook(&[
        row("B-0001", "Rina Wulandari", "2099-12-31"),
        row("B-0002", "Joko", "kapan-kapan"),
    ]);
    let answer = admin
        .post_file("/members/import", &csrf, "file", &bad)
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    let errors = &answer.body[answer.body.find("id=\"import-errors\"").unwrap()..];
    assert!(errors.contains("<td class=\"num\">4</td>"), "{errors}");
    assert!(errors.contains("tanggal akhir berlaku"), "{errors}");
    assert!(server.app.get_member("B-0001").is_err(), "nothing written");

    let good = workbook(&[
        row("B-0001", "Rina Wulandari", "2099-12-31"),
        row("B-0002", "Joko", "2099-06-30"),
    ]);
    let answer = admin
        .post_file("/members/import", &csrf, "file", &good)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body.contains("Baru: <strong>2</strong>"),
        "{}",
        answer.body
    );
    assert!(
        server.app.get_member("B-0001").is_err(),
        "a preview writes nothing"
    );
    let id_at = answer.body.find("name=\"id\" value=\"").unwrap() + "name=\"id\" value=\"".len();
    let id = &answer.body[id_at..id_at + answer.body[id_at..].find('"').unwrap()];
    let done = admin
        .post(
            "/members/import/confirm",
            &[("csrf", &csrf_of(&answer.body)), ("id", id)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let m = server.app.get_member("B-0002").unwrap();
    assert_eq!(
        (m.name.as_str(), m.expires.as_str()),
        ("Joko", "2099-06-30")
    );

    // The imported member logs in; the session keeps occupation and
    // education for the monthly report.
    let station = server.enroll("PC-01").await;
    let l = lease(station.login("B-0001").await);
    let s = server.stored_session(&l.session_id);
    assert_eq!(
        (s.occupation.as_str(), s.education.as_str()),
        ("Pelajar", "SMA")
    );
    assert_eq!(s.category, "Pelajar");
    // The monthly report breaks the month down by them.
    let report = server
        .app
        .monthly_report(&bilik_server::app::StaffIdentity::system(), "2026-11")
        .unwrap();
    let label = |counts: &[bilik_server::report::model::Count], l: &str| {
        counts.iter().find(|c| c.label == l).map(|c| c.sessions)
    };
    assert_eq!(label(&report.occupations, "Pelajar"), Some(1));
    assert_eq!(label(&report.education, "SMA"), Some(1));
    // Its member type is offered on the member form.
    let form = admin.get("/members/new").await.body;
    assert!(
        form.contains("<option value=\"Pelajar\">"),
        "category not offered"
    );
    server.stop().await;
}
