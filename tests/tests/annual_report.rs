//! The annual report: built from the monthly reports (the signed, frozen
//! one where a month is signed), its totals the sums of its months, its
//! unique members counted over the year; downloadable as CSV.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_server::app::StaffIdentity;
use bilik_tests::*;

async fn session(server: &TestServer, station: &TestStation, card: &str, at: i64, minutes: i64) {
    server.clock.set_ms(at);
    let lease = lease(station.login(card).await);
    server.clock.set_ms(at + minutes * 60_000);
    station
        .client
        .clone()
        .logout(LogoutRequest {
            session_id: lease.session_id,
        })
        .await
        .unwrap();
}

fn admin() -> StaffIdentity {
    StaffIdentity {
        username: "admin".into(),
        role: Role::Admin,
        expires_at_ms: i64::MAX,
    }
}

#[tokio::test]
async fn the_years_totals_are_the_sums_of_its_months() {
    let server = TestServer::start().await;
    let mut staff = server.admin().await;
    for (card, name) in [("KTA-1", "Andi"), ("KTA-2", "Sari"), ("KTA-3", "Budi")] {
        staff.add_member(card, name, "2030-12-31").await;
    }
    staff
        .create_staff("kasi", "rahasia-123", Role::SectionHead)
        .await;
    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;
    // Andi comes in three months, Sari in two, Budi once.
    session(&server, &pc1, "KTA-1", local_ms(2026, 3, 4, 9, 0), 40).await;
    session(&server, &pc2, "KTA-2", local_ms(2026, 3, 4, 9, 10), 25).await;
    session(&server, &pc1, "KTA-1", local_ms(2026, 6, 10, 10, 0), 45).await;
    session(&server, &pc1, "KTA-1", local_ms(2026, 9, 15, 13, 0), 30).await;
    session(&server, &pc2, "KTA-2", local_ms(2026, 9, 15, 13, 5), 44).await;
    session(&server, &pc2, "KTA-3", local_ms(2026, 9, 16, 8, 30), 15).await;
    // June is signed: the year takes its frozen figures.
    server.clock.set_ms(local_ms(2026, 7, 1, 9, 0));
    let mut kasi = server.staff("kasi", "rahasia-123").await;
    kasi.client
        .sign_monthly_report(kasi.req(SignMonthlyReportRequest {
            month: "2026-06".into(),
            prepared_by: String::new(),
        }))
        .await
        .unwrap();
    server.clock.set_ms(local_ms(2026, 11, 25, 10, 0));

    let year = server.app.annual_report(&admin(), "2026").unwrap();
    assert_eq!(year.months.len(), 12);
    assert_eq!(year.months[5].month, "2026-06");
    assert!(year.months[5].signed);
    assert!(!year.months[8].signed);
    let months: Vec<_> = (1..=12)
        .map(|m| {
            server
                .app
                .monthly_report(&admin(), &format!("2026-{m:02}"))
                .unwrap()
        })
        .collect();
    for (column, month) in year.months.iter().zip(&months) {
        assert_eq!(column.totals, month.totals, "{}", column.month);
    }
    let t = &year.total.totals;
    assert_eq!(
        t.sessions,
        months.iter().map(|m| m.totals.sessions).sum::<u32>()
    );
    assert_eq!(t.sessions, 6);
    assert_eq!(
        t.minutes,
        months.iter().map(|m| m.totals.minutes).sum::<u64>()
    );
    assert_eq!(t.minutes, 40 + 25 + 45 + 30 + 44 + 15);
    assert_eq!(
        t.guest_sessions,
        months.iter().map(|m| m.totals.guest_sessions).sum::<u32>()
    );
    assert_eq!(
        t.opening_minutes_per_station,
        months
            .iter()
            .map(|m| m.totals.opening_minutes_per_station)
            .sum::<u64>()
    );
    // Unique members are counted over the year, not summed: 3, while the
    // months say 2 + 1 + 3.
    assert_eq!(
        months.iter().map(|m| m.totals.unique_members).sum::<u32>(),
        6
    );
    assert_eq!(t.unique_members, 3);
    // Every breakdown adds up to the same sessions.
    let sessions_of = |counts: &[bilik_server::report::model::Count]| {
        counts.iter().map(|c| c.sessions).sum::<u32>()
    };
    assert_eq!(sessions_of(&year.total.age_bands), 6);
    assert_eq!(sessions_of(&year.total.purposes), 6);
    assert_eq!(sessions_of(&year.total.end_reasons), 6);
    let cg: u32 = year
        .total
        .category_gender
        .iter()
        .map(|c| c.male + c.female + c.unknown)
        .sum();
    assert_eq!(cg, 6);
    let per_station: u32 = year.total.per_station.iter().map(|s| s.sessions).sum();
    assert_eq!(per_station, 6);
    // Utilisation within opening hours over the year: the minutes used
    // over the stations' opening minutes (the test library's hours).
    let capacity: f64 = months
        .iter()
        .map(|m| f64::from(m.totals.stations) * m.totals.opening_minutes_per_station as f64)
        .sum();
    let expected = 199.0 / capacity * 100.0;
    assert!(
        (t.utilisation_percent - expected).abs() < 0.06,
        "{} vs {expected}",
        t.utilisation_percent
    );

    // The CSV from the dashboard carries the months and the year.
    let dashboard = web::Dashboard::serve(&server.app).await;
    let mut web = web::WebClient::new(&dashboard.url);
    web.sign_in("admin", &server.admin_password).await;
    let csv = web
        .get("/reports/annual/download?year=2026&format=csv")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains("Laporan Tahunan"), "{}", csv.body);
    let june = csv
        .body
        .lines()
        .find(|l| l.starts_with("Juni 2026"))
        .unwrap();
    let util = months[5].totals.utilisation_percent;
    assert_eq!(
        june,
        format!("Juni 2026,1,1,0,45,{util:.1},ya"),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .lines()
            .any(|l| l.ends_with(",6") && l.contains("sesi")),
        "{}",
        csv.body
    );
    let bad = web
        .get("/reports/annual/download?year=20x6&format=csv")
        .await;
    assert_eq!(bad.status, 400);
    server.stop().await;
}

/// A heartbeat from a locked station (after the clock jumps, it would
/// count as silent).
async fn heartbeat(link: &Link) {
    link.send(agent_message::Kind::Heartbeat(Heartbeat {
        state: StationState::Locked as i32,
        ..Default::default()
    }))
    .await;
}

/// At `at`, `first` takes the one station and `waiting` joins the queue;
/// `minutes` later `first` leaves and `waiting` logs in on the hold: a
/// served wait of exactly `minutes`.
async fn served_wait(
    server: &TestServer,
    station: &TestStation,
    link: &Link,
    (first, waiting): (&str, &str),
    at: i64,
    minutes: i64,
) {
    server.clock.set_ms(at);
    heartbeat(link).await;
    let taken = lease(station.login(first).await);
    let mut admin = server.admin().await;
    admin
        .client
        .add_to_queue(admin.req(AddToQueueRequest {
            card: waiting.into(),
        }))
        .await
        .unwrap();
    server.clock.set_ms(at + minutes * 60_000);
    heartbeat(link).await;
    station
        .client
        .clone()
        .logout(LogoutRequest {
            session_id: taken.session_id,
        })
        .await
        .unwrap();
    wait_for("the station held for the waiting patron", || async {
        heartbeat(link).await;
        let mut admin = server.admin().await;
        let queue = admin
            .client
            .list_queue(admin.req(ListQueueRequest {}))
            .await
            .unwrap()
            .into_inner();
        queue
            .entries
            .iter()
            .any(|e| e.card == waiting && !e.held_station.is_empty())
            .then_some(())
    })
    .await;
    let served = lease(station.login(waiting).await);
    station
        .client
        .clone()
        .logout(LogoutRequest {
            session_id: served.session_id,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_years_median_wait_is_over_every_wait_of_the_year() {
    let server = TestServer::start().await;
    let mut staff = server.admin().await;
    for (card, name) in [("KTA-1", "Andi"), ("KTA-2", "Sari")] {
        staff.add_member(card, name, "2030-12-31").await;
    }
    let pc = server.enroll("PC-01").await;
    let (link, _) = pc.attach("boot-1", "").await;
    // Waits of 10 minutes in March, 30 and 40 in September: the months'
    // medians are 10 and 35, the year's is 30 (not their mean, 22.5).
    served_wait(
        &server,
        &pc,
        &link,
        ("KTA-1", "KTA-2"),
        local_ms(2026, 3, 4, 9, 0),
        10,
    )
    .await;
    served_wait(
        &server,
        &pc,
        &link,
        ("KTA-1", "KTA-2"),
        local_ms(2026, 9, 15, 9, 0),
        30,
    )
    .await;
    served_wait(
        &server,
        &pc,
        &link,
        ("KTA-2", "KTA-1"),
        local_ms(2026, 9, 15, 11, 0),
        40,
    )
    .await;
    server.clock.set_ms(local_ms(2026, 11, 25, 10, 0));
    let march = server.app.monthly_report(&admin(), "2026-03").unwrap();
    let september = server.app.monthly_report(&admin(), "2026-09").unwrap();
    assert_eq!(march.totals.median_wait_minutes, 10.0);
    assert_eq!(september.totals.median_wait_minutes, 35.0);
    let year = server.app.annual_report(&admin(), "2026").unwrap();
    assert_eq!(year.total.totals.queued, 3);
    assert_eq!(year.total.totals.median_wait_minutes, 30.0);
    // The CSV carries the same figure.
    let csv = server
        .app
        .export_annual(
            &admin(),
            "2026",
            ReportFormat::Csv,
            bilik_proto::catalog::Lang::En,
        )
        .unwrap();
    let text = String::from_utf8(csv.content).unwrap();
    assert!(text.lines().any(|l| l.contains("30.0")), "{text}");
    server.stop().await;
}

/// Runs a tool; `None` (and a loud skip) if it is not installed, a
/// failure instead under BILIK_E2E=require.
fn tool_output(tool: &str, args: &[&str]) -> Option<String> {
    match std::process::Command::new(tool).args(args).output() {
        Ok(out) => {
            assert!(out.status.success(), "{tool} failed");
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) if std::env::var("BILIK_E2E").as_deref() == Ok("require") => {
            panic!("{tool} is required (BILIK_E2E=require) but cannot run: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: {tool} is not installed ({e}); install poppler-utils");
            None
        }
    }
}

#[tokio::test]
async fn the_years_pdf_and_xlsx_carry_the_figures_of_the_csv() {
    let server = TestServer::start().await;
    let mut staff = server.admin().await;
    for (card, name) in [("KTA-1", "Andi"), ("KTA-2", "Sari")] {
        staff.add_member(card, name, "2030-12-31").await;
    }
    let pc = server.enroll("PC-01").await;
    session(&server, &pc, "KTA-1", local_ms(2026, 2, 4, 9, 0), 40).await;
    session(&server, &pc, "KTA-2", local_ms(2026, 2, 4, 10, 0), 25).await;
    session(&server, &pc, "KTA-1", local_ms(2026, 8, 12, 9, 0), 33).await;
    server.clock.set_ms(local_ms(2026, 11, 25, 10, 0));
    let dashboard = web::Dashboard::serve(&server.app).await;
    let mut web = web::WebClient::new(&dashboard.url);
    web.sign_in("admin", &server.admin_password).await;
    let page = web.get("/reports/monthly").await;
    for format in ["csv", "pdf", "xlsx"] {
        assert!(
            page.body
                .contains(&format!("name=\"format\" value=\"{format}\"")),
            "no {format} button for the annual report"
        );
    }
    let csv = web
        .get("/reports/annual/download?year=2026&format=csv")
        .await
        .body;

    // The XLSX's months sheet, read back, is the CSV's months table.
    let xlsx = server
        .app
        .export_annual(&admin(), "2026", ReportFormat::Xlsx, Default::default())
        .unwrap();
    assert!(xlsx.file_name.ends_with(".xlsx"));
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.content)).unwrap();
    let range = book.worksheet_range("Per bulan").unwrap();
    let rows: Vec<String> = range
        .rows()
        .skip(1)
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, c)| match c {
                    Data::Float(f) if i == 5 => format!("{f:.1}"),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(n) => n.to_string(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert_eq!(rows.len(), 12);
    assert!(rows[1].starts_with("Februari 2026,2,2,0,65,"), "{rows:?}");
    for row in &rows {
        assert!(
            csv.lines().any(|l| l == row),
            "{row} not in the CSV:\n{csv}"
        );
    }
    let summary = book.worksheet_range("Ringkasan").unwrap();
    let sessions = summary
        .rows()
        .find(|r| matches!(r.first(), Some(Data::String(s)) if s == "Jumlah sesi"))
        .and_then(|r| r.get(1).cloned());
    assert_eq!(sessions, Some(Data::Float(3.0)));

    // The PDF shows the title, the months and the year's totals.
    let pdf = server
        .app
        .export_annual(&admin(), "2026", ReportFormat::Pdf, Default::default())
        .unwrap()
        .content;
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tahunan.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let Some(text) = tool_output("pdftotext", &["-layout", path.to_str().unwrap(), "-"]) else {
        return;
    };
    assert!(
        text.contains("Laporan Tahunan Penggunaan Fasilitas Internet"),
        "{text}"
    );
    assert!(text.contains("Tahun: 2026"), "{text}");
    let total = text
        .lines()
        .find(|l| l.trim_start().starts_with("Jumlah sesi"))
        .unwrap_or_else(|| panic!("no total sessions line in {text}"));
    assert!(total.trim_end().ends_with(" 3"), "{total}");
    let february = text
        .lines()
        .find(|l| l.trim_start().starts_with("Februari 2026"))
        .unwrap_or_else(|| panic!("no February row in {text}"));
    let numbers: Vec<&str> = february.split_whitespace().skip(2).take(4).collect();
    assert_eq!(numbers, ["2", "2", "0", "65"], "{february}");
    server.stop().await;
}
