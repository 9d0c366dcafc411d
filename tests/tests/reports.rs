//! Reports over a generated month whose expected numbers this test
//! computes on its own, the exports, and the section head's sign-off.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_server::report::model::MonthlyReport;
use bilik_tests::*;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::{BTreeMap, HashSet};

/// One session the test makes, as the report should count it.
#[derive(Debug, Clone)]
struct Expected {
    date: NaiveDate,
    hour: u32,
    minutes: u64,
    card: &'static str,
    station: &'static str,
    purpose: &'static str,
    reason: &'static str,
    /// Minutes inside opening hours.
    in_hours: u64,
}

/// (card, name, gender, category, birth date)
const MEMBERS: &[(&str, &str, Gender, &str, &str)] = &[
    ("A001", "Andi", Gender::Male, "Umum", "1990-01-01"),
    ("B002", "Siti", Gender::Female, "Pelajar", "2012-03-04"),
    ("C003", "Budi", Gender::Male, "Mahasiswa", "2004-05-06"),
    ("D004", "Nur", Gender::Female, "Umum", ""),
    // Turns 19 on 15 October 2026: band 13-18 before, 19-25 after.
    ("E005", "Rina", Gender::Female, "Pelajar", "2007-10-15"),
];

fn age_on(birth: &str, day: NaiveDate) -> Option<u32> {
    let b = NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok()?;
    let mut age = day.year() - b.year();
    if (day.month(), day.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

fn band(age: Option<u32>) -> &'static str {
    match age {
        None => "unknown",
        Some(0..=12) => "0-12",
        Some(13..=18) => "13-18",
        Some(19..=25) => "19-25",
        Some(26..=45) => "26-45",
        Some(46..=59) => "46-59",
        Some(_) => "60+",
    }
}

async fn keep_online(server: &TestServer, link: &Link, id: &str) {
    link.send(agent_message::Kind::Heartbeat(Heartbeat {
        state: StationState::Locked as i32,
        ..Default::default()
    }))
    .await;
    server.station_when("the heartbeat", id, |s| s.online).await;
}

/// Generates October 2026; returns what the report must say.
async fn generate_october(server: &TestServer) -> Vec<Expected> {
    let mut admin = server.admin().await;
    for (card, name, gender, category, birth) in MEMBERS {
        let member = Member {
            card: (*card).into(),
            name: (*name).into(),
            gender: *gender as i32,
            category: (*category).into(),
            birth_date: (*birth).into(),
            expires: "2030-12-31".into(),
            ..Default::default()
        };
        admin
            .client
            .upsert_member(admin.req(UpsertMemberRequest {
                member: Some(member),
            }))
            .await
            .unwrap();
    }
    // The stations were there before October (a report lists the stations
    // enrolled by the month's end).
    server.clock.set_ms(local_ms(2026, 9, 30, 8, 0));
    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;
    let _never_used = server.enroll("PC-03").await;
    let (_l1, _) = pc1.attach("b1", "").await;
    let (l2, _) = pc2.attach("b2", "").await;
    let mut expected = Vec::new();
    let purposes = [
        "Belajar/Tugas",
        "Mencari informasi",
        "Pekerjaan/Melamar kerja",
    ];
    for d in 1..=31u32 {
        let date = NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        match date.weekday() {
            Weekday::Sun => {}
            Weekday::Sat => {
                // Cut at 12:00 closing: 30 minutes, time_up.
                server.clock.set_ms(local_ms(2026, 10, d, 11, 30));
                let l = lease(
                    pc2.login_with(LoginRequest {
                        card: "B002".into(),
                        purpose: "Mencari informasi".into(),
                        rules_version: "1".into(),
                        ..Default::default()
                    })
                    .await,
                );
                assert_eq!(l.minutes, 30);
                server.clock.set_ms(local_ms(2026, 10, d, 12, 5));
                server.app.sweep().await.unwrap();
                expected.push(Expected {
                    date,
                    hour: 11,
                    minutes: 30,
                    card: "B002",
                    station: "PC-02",
                    purpose: "Mencari informasi",
                    reason: "time_up",
                    in_hours: 30,
                });
            }
            _ => {
                let card = ["A001", "B002", "C003", "D004"][(d % 4) as usize];
                let purpose = purposes[(d % 3) as usize];
                let minutes = 30 + u64::from(d % 3) * 5;
                server.clock.set_ms(local_ms(2026, 10, d, 9, 0));
                let l = lease(
                    pc1.login_with(LoginRequest {
                        card: card.into(),
                        purpose: purpose.into(),
                        rules_version: "1".into(),
                        ..Default::default()
                    })
                    .await,
                );
                server.clock.advance_ms(minutes as i64 * 60_000);
                pc1.logout(&l.session_id).await;
                expected.push(Expected {
                    date,
                    hour: 9,
                    minutes,
                    card,
                    station: "PC-01",
                    purpose,
                    reason: "logout",
                    in_hours: minutes,
                });
                if d % 2 == 0 {
                    server.clock.set_ms(local_ms(2026, 10, d, 10, 0));
                    lease(pc2.login("E005").await);
                    server.clock.set_ms(local_ms(2026, 10, d, 10, 50));
                    server.app.sweep().await.unwrap();
                    expected.push(Expected {
                        date,
                        hour: 10,
                        minutes: 45,
                        card: "E005",
                        station: "PC-02",
                        purpose: "Belajar/Tugas",
                        reason: "time_up",
                        in_hours: 45,
                    });
                }
            }
        }
        if d == 14 {
            // A guest from 23:40 to 00:25: crosses midnight, outside hours.
            server.clock.set_ms(local_ms(2026, 10, 14, 23, 40));
            keep_online(server, &l2, &pc2.id).await;
            admin
                .client
                .unlock_station(admin.req(UnlockStationRequest {
                    station: "PC-02".into(),
                    who: Some(unlock_station_request::Who::GuestNote(
                        "Peneliti tamu".into(),
                    )),
                    minutes: 45,
                    purpose: "Lainnya".into(),
                }))
                .await
                .unwrap();
            server.clock.set_ms(local_ms(2026, 10, 15, 0, 30));
            server.app.sweep().await.unwrap();
            expected.push(Expected {
                date,
                hour: 23,
                minutes: 45,
                card: "",
                station: "PC-02",
                purpose: "Lainnya",
                reason: "time_up",
                in_hours: 0,
            });
        }
    }
    expected
}

fn member(
    card: &str,
) -> &'static (
    &'static str,
    &'static str,
    Gender,
    &'static str,
    &'static str,
) {
    MEMBERS.iter().find(|m| m.0 == card).unwrap()
}

#[tokio::test]
async fn monthly_report_matches_an_independent_count() {
    let server = TestServer::start().await;
    let expected = generate_october(&server).await;
    // A problem logged by staff in the month is listed.
    server.clock.set_ms(local_ms(2026, 10, 20, 13, 0));
    let staff = admin_identity();
    server
        .app
        .open_incident(&staff, "PC-03", "Keyboard rusak", false)
        .await
        .unwrap();
    server.clock.set_ms(local_ms(2026, 10, 31, 18, 0));
    let mut admin = server.admin().await;
    let file = admin.monthly_report("2026-10", ReportFormat::Json).await;
    let report: MonthlyReport = serde_json::from_slice(&file.content).unwrap();

    assert!(
        report.problems.iter().any(|p| p.kind == "incident"
            && p.station == "PC-03"
            && p.detail.contains("Keyboard rusak")),
        "{:?}",
        report.problems
    );

    // Totals.
    let t = &report.totals;
    assert_eq!(t.sessions as usize, expected.len());
    let cards: HashSet<&str> = expected
        .iter()
        .filter(|e| !e.card.is_empty())
        .map(|e| e.card)
        .collect();
    assert_eq!(t.unique_members as usize, cards.len());
    assert_eq!(t.guest_sessions, 1);
    let minutes: u64 = expected.iter().map(|e| e.minutes).sum();
    assert_eq!(t.minutes, minutes);
    assert_eq!(t.stations, 3);
    // Opening minutes of October 2026: weekdays x 480 + Saturdays x 240.
    let days: Vec<NaiveDate> = (1..=31)
        .map(|d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap())
        .collect();
    let opening: u64 = days
        .iter()
        .map(|d| match d.weekday() {
            Weekday::Sun => 0,
            Weekday::Sat => 240,
            _ => 480,
        })
        .sum();
    assert_eq!(t.opening_minutes_per_station, opening);
    let in_hours: u64 = expected.iter().map(|e| e.in_hours).sum();
    let want = (in_hours as f64 / (3.0 * opening as f64) * 1000.0).round() / 10.0;
    assert!(
        (t.utilisation_percent - want).abs() < 1e-9,
        "{} vs {want}",
        t.utilisation_percent
    );

    // Per day: every day, zero days included; the midnight guest counts on its start day.
    assert_eq!(report.per_day.len(), 31);
    for day in &days {
        let label = day.format("%Y-%m-%d").to_string();
        let row = report.per_day.iter().find(|c| c.label == label).unwrap();
        let mine: Vec<_> = expected.iter().filter(|e| e.date == *day).collect();
        assert_eq!(row.sessions as usize, mine.len(), "{label}");
        assert_eq!(
            row.minutes,
            mine.iter().map(|e| e.minutes).sum::<u64>(),
            "{label}"
        );
    }

    // Per station, the never-used one included.
    for name in ["PC-01", "PC-02", "PC-03"] {
        let row = report
            .per_station
            .iter()
            .find(|s| s.station == name)
            .unwrap();
        let mine: Vec<_> = expected.iter().filter(|e| e.station == name).collect();
        assert_eq!(row.sessions as usize, mine.len(), "{name}");
        assert_eq!(
            row.minutes,
            mine.iter().map(|e| e.minutes).sum::<u64>(),
            "{name}"
        );
    }
    let unused = report
        .per_station
        .iter()
        .find(|s| s.station == "PC-03")
        .unwrap();
    assert_eq!((unused.sessions, unused.minutes), (0, 0));
    assert_eq!(unused.utilisation_percent, 0.0);

    // Category x gender.
    let mut cg: BTreeMap<&str, (u32, u32, u32)> = BTreeMap::new();
    for e in &expected {
        let (cat, gender) = if e.card.is_empty() {
            ("Tamu", Gender::Unspecified)
        } else {
            let m = member(e.card);
            (m.3, m.2)
        };
        let row = cg.entry(cat).or_default();
        match gender {
            Gender::Male => row.0 += 1,
            Gender::Female => row.1 += 1,
            Gender::Unspecified => row.2 += 1,
        }
    }
    assert_eq!(report.category_gender.len(), cg.len());
    for row in &report.category_gender {
        let want = cg[row.category.as_str()];
        assert_eq!(
            (row.male, row.female, row.unknown),
            want,
            "{}",
            row.category
        );
    }

    // Age at the session date, with the birthday inside the month.
    let mut bands: BTreeMap<&str, u32> = BTreeMap::new();
    for e in &expected {
        let age = if e.card.is_empty() {
            None
        } else {
            age_on(member(e.card).4, e.date)
        };
        *bands.entry(band(age)).or_default() += 1;
    }
    for row in &report.age_bands {
        assert_eq!(
            row.sessions,
            bands.get(row.label.as_str()).copied().unwrap_or(0),
            "{}",
            row.label
        );
    }
    let e005: Vec<_> = expected.iter().filter(|e| e.card == "E005").collect();
    assert!(e005.iter().any(|e| e.date.day() < 15) && e005.iter().any(|e| e.date.day() > 15));

    // Purposes, hours, end reasons.
    for (rows, key) in [
        (&report.purposes, 0usize),
        (&report.hours, 1),
        (&report.end_reasons, 2),
    ] {
        let mut want: BTreeMap<String, u32> = BTreeMap::new();
        for e in &expected {
            let k = match key {
                0 => e.purpose.to_owned(),
                1 => format!("{:02}", e.hour),
                _ => e.reason.to_owned(),
            };
            *want.entry(k).or_default() += 1;
        }
        for row in rows.iter() {
            assert_eq!(
                row.sessions,
                want.get(&row.label).copied().unwrap_or(0),
                "{}",
                row.label
            );
        }
        assert_eq!(
            rows.iter().map(|r| r.sessions as usize).sum::<usize>(),
            expected.len()
        );
    }
    assert_eq!(report.hours.len(), 24);

    // The daily recap of the 14th lists its sessions, the midnight guest too.
    let recap = admin
        .client
        .daily_recap(admin.req(DailyRecapRequest {
            date: "2026-10-14".into(),
            format: ReportFormat::Json as i32,
            lang: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    let recap: bilik_server::report::model::DailyRecap =
        serde_json::from_slice(&recap.content).unwrap();
    let day14: Vec<_> = expected
        .iter()
        .filter(|e| e.date == NaiveDate::from_ymd_opt(2026, 10, 14).unwrap())
        .collect();
    assert_eq!(recap.rows.len(), day14.len());
    assert_eq!(
        recap.total_minutes,
        day14.iter().map(|e| e.minutes).sum::<u64>()
    );
    let guest = recap.rows.iter().find(|r| r.card.is_empty()).unwrap();
    assert_eq!(
        (guest.start.as_str(), guest.end.as_str()),
        ("23:40", "00:25")
    );

    // XLSX read back: the per-day minutes add up to the total.
    let xlsx = admin.monthly_report("2026-10", ReportFormat::Xlsx).await;
    let sums = xlsx_minutes_per_day(&xlsx.content);
    assert_eq!(sums, minutes as f64);
    server.stop().await;
}

/// The sum of the numbers in the minutes column of the per-day sheet.
fn xlsx_minutes_per_day(bytes: &[u8]) -> f64 {
    use calamine::{DataType, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| {
            let n = n.to_lowercase();
            n.contains("hari") || n.contains("day")
        })
        .unwrap_or_else(|| panic!("no per-day sheet in {names:?}"))
        .clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string().to_lowercase())
        .collect();
    let col = header
        .iter()
        .position(|h| h.contains("menit") || h.contains("minute"))
        .unwrap_or_else(|| panic!("no minutes column in {header:?}"));
    range
        .rows()
        .skip(1)
        .filter_map(|r| {
            r.get(col)
                .and_then(|c| c.get_float().or_else(|| c.get_int().map(|i| i as f64)))
        })
        .sum()
}

#[tokio::test]
async fn pdf_has_the_title_month_and_totals() {
    let server = TestServer::start().await;
    let expected = generate_october(&server).await;
    let mut admin = server.admin().await;
    let pdf = admin.monthly_report("2026-10", ReportFormat::Pdf).await;
    assert!(pdf.content.starts_with(b"%PDF"));
    let dir = artifacts_dir();
    let path = dir.join("monthly-2026-10.pdf");
    std::fs::write(&path, &pdf.content).unwrap();
    let Some(text) = tool_output("pdftotext", &["-layout", path.to_str().unwrap(), "-"]) else {
        return;
    };
    assert!(
        text.contains("Laporan Bulanan Penggunaan Fasilitas Internet"),
        "{text}"
    );
    assert!(text.contains("Oktober 2026"), "{text}");
    assert!(text.contains(&expected.len().to_string()), "{text}");
    let minutes: u64 = expected.iter().map(|e| e.minutes).sum();
    let hours = format!("{:.1}", (minutes as f64 / 6.0).round() / 10.0).replace('.', ",");
    let hours_dot = hours.replace(',', ".");
    assert!(
        text.contains(&hours) || text.contains(&hours_dot),
        "{hours} in {text}"
    );
    // Rendered pages are not empty.
    let prefix = dir.join("monthly-2026-10-page");
    if tool_output(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "40",
            path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    )
    .is_some()
    {
        let pages: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("monthly-2026-10-page")
            })
            .collect();
        assert!(!pages.is_empty());
        for p in pages {
            assert!(
                p.metadata().unwrap().len() > 1000,
                "{:?} is empty",
                p.path()
            );
        }
    }
    server.stop().await;
}

/// Where test artifacts go: target/test-artifacts/reports.
fn artifacts_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.parent())
        .unwrap();
    let dir = target.join("test-artifacts").join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a tool; `None` (and a loud skip) if it is not installed, a
/// failure instead under BILIK_E2E=require.
fn tool_output(tool: &str, args: &[&str]) -> Option<String> {
    match std::process::Command::new(tool).args(args).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{tool} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) => {
            if std::env::var("BILIK_E2E").as_deref() == Ok("require") {
                panic!("{tool} is required (BILIK_E2E=require) but cannot run: {e}");
            }
            eprintln!(
                "SKIPPED: {tool} is not installed ({e}); install poppler-utils and zbar-tools to run this check"
            );
            None
        }
    }
}

#[tokio::test]
async fn only_a_section_head_signs_once_and_the_signature_verifies() {
    let server = TestServer::start_with(&["library.place=Sinjai"]).await;
    generate_october(&server).await;
    let mut admin = server.admin().await;
    for (user, role) in [("kasi", Role::SectionHead), ("pustakawan", Role::Librarian)] {
        admin
            .client
            .create_staff(admin.req(CreateStaffRequest {
                username: user.into(),
                password: "rahasia-123".into(),
                role: role as i32,
                display_name: format!("Bapak {user}"),
                nip: "198001012005011001".into(),
            }))
            .await
            .unwrap();
    }
    let mut kasi = server.staff("kasi", "rahasia-123").await;
    let sign = |month: &str| SignMonthlyReportRequest {
        month: month.into(),
        prepared_by: "pustakawan".into(),
    };

    // Still October: the month has not ended.
    let err = kasi
        .client
        .sign_monthly_report(kasi.req(sign("2026-10")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition);
    assert!(err.message().contains("not ended"), "{}", err.message());
    // Two days later (staff tokens last a working day: sign in again).
    server.clock.set_ms(local_ms(2026, 11, 2, 9, 0));
    let mut kasi = server.staff("kasi", "rahasia-123").await;
    let mut librarian = server.staff("pustakawan", "rahasia-123").await;
    let mut admin = server.admin().await;
    // A station enrolled after the month is not in its report.
    server.enroll("PC-09").await;
    let err = librarian
        .client
        .sign_monthly_report(librarian.req(sign("2026-10")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    let err = admin
        .client
        .sign_monthly_report(admin.req(sign("2026-10")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    let info = kasi
        .client
        .sign_monthly_report(kasi.req(sign("2026-10")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.signer, "kasi");
    let err = kasi
        .client
        .sign_monthly_report(kasi.req(sign("2026-10")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::AlreadyExists);
    let unknown = SignMonthlyReportRequest {
        month: "2026-09".into(),
        prepared_by: "nobody".into(),
    };
    let err = kasi
        .client
        .sign_monthly_report(kasi.req(unknown))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        tonic::Code::InvalidArgument,
        "an unknown preparer"
    );

    // The signed PDF verifies; a changed byte does not.
    let pdf = librarian.monthly_report("2026-10", ReportFormat::Pdf).await;
    assert_eq!(pdf.signed.as_ref().unwrap().sha256, info.sha256);
    let ok = bilik_server::report::signing::verify(&pdf.content, Some(&info.public_key)).unwrap();
    assert_eq!(ok.sha256, info.sha256);
    let mut changed = pdf.content.clone();
    changed[pdf.content.len() / 2] ^= 0x20;
    assert!(bilik_server::report::signing::verify(&changed, Some(&info.public_key)).is_err());
    let dir = artifacts_dir();
    std::fs::write(dir.join("signed-2026-10.pdf"), &pdf.content).unwrap();
    std::fs::write(dir.join("signed-2026-10-changed.pdf"), &changed).unwrap();
    // The same check offline, with the real binary, as a reader of the file would.
    let signed_path = dir.join("signed-2026-10.pdf");
    let changed_path = dir.join("signed-2026-10-changed.pdf");
    let (ok, out, err) = bilik_tests::process::admin_command(
        "",
        "",
        &[
            "report",
            "verify",
            signed_path.to_str().unwrap(),
            "--public-key",
            &info.public_key,
        ],
    )
    .await;
    assert!(ok && out.contains("valid"), "{out}{err}");
    let (ok, _, err) = bilik_tests::process::admin_command(
        "",
        "",
        &[
            "report",
            "verify",
            changed_path.to_str().unwrap(),
            "--public-key",
            &info.public_key,
        ],
    )
    .await;
    assert!(!ok && err.contains("NOT valid"), "{err}");
    if let Some(text) = tool_output(
        "pdftotext",
        &[dir.join("signed-2026-10.pdf").to_str().unwrap(), "-"],
    ) {
        assert!(text.contains("Bapak kasi"), "{text}");
        assert!(text.to_lowercase().contains("elektronik"), "{text}");
        // Preparer and signer are two people; the place-and-date line; the
        // fingerprint of the frozen contents.
        assert!(text.contains("Bapak pustakawan"), "{text}");
        assert!(text.contains("Sinjai, 2 November 2026"), "{text}");
        let fingerprint = server.app.signed_fingerprint("2026-10").unwrap().unwrap();
        assert!(text.contains(&fingerprint), "{text}");
        // The QR code on the last page says the same fingerprint.
        let pages = tool_output("pdfinfo", &[signed_path.to_str().unwrap()]).unwrap();
        let last = pages
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .to_owned();
        let png = dir.join("signed-2026-10-last");
        tool_output(
            "pdftoppm",
            &[
                "-q",
                "-r",
                "200",
                "-png",
                "-singlefile",
                "-f",
                &last,
                "-l",
                &last,
                signed_path.to_str().unwrap(),
                png.to_str().unwrap(),
            ],
        );
        let png = png.with_extension("png");
        if let Some(qr) = tool_output("zbarimg", &["-q", "--raw", png.to_str().unwrap()]) {
            assert_eq!(qr.trim(), format!("BILIK-LAPORAN SHA256:{fingerprint}"));
        }
    }
    let frozen: MonthlyReport = serde_json::from_slice(
        &librarian
            .monthly_report("2026-10", ReportFormat::Json)
            .await
            .content,
    )
    .unwrap();
    assert_eq!(frozen.prepared_by, "Bapak pustakawan");
    assert_eq!(frozen.signed.as_ref().unwrap().name, "Bapak kasi");
    assert!(
        frozen.per_station.iter().all(|s| s.station != "PC-09"),
        "stations as of the month"
    );

    // A session for October that reaches the server late: an addendum; the
    // signed file never changes.
    server.clock.set_ms(local_ms(2026, 10, 31, 11, 0));
    let late = server.enroll("PC-04").await;
    lease(late.login("A001").await);
    server.clock.set_ms(local_ms(2026, 11, 2, 10, 0));
    let json = librarian
        .monthly_report("2026-10", ReportFormat::Json)
        .await;
    let report: MonthlyReport = serde_json::from_slice(&json.content).unwrap();
    assert_eq!(report.addendum.len(), 1);
    assert_eq!(report.signed.as_ref().unwrap().username, "kasi");
    let again = librarian.monthly_report("2026-10", ReportFormat::Pdf).await;
    assert_eq!(again.content, pdf.content);
    assert_eq!(again.signed.unwrap().addendum_sessions, 1);

    // The audit log has the sign-off and its chain holds.
    let audit = admin
        .client
        .audit_log(admin.req(AuditLogRequest { limit: 0 }))
        .await
        .unwrap()
        .into_inner();
    assert!(audit.chain_intact);
    assert!(
        audit
            .entries
            .iter()
            .any(|e| e.action == "report.sign" && e.target == "2026-10" && e.actor == "kasi")
    );
    let err = librarian
        .client
        .audit_log(librarian.req(AuditLogRequest { limit: 0 }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    server.stop().await;
}
