//! Personal data kept only as long as the library decides: the retention
//! job pseudonymises old session rows while every figure and the signed
//! report stay exactly as they were; a member's export holds all their
//! sessions; erasure leaves neither card nor name in members or sessions.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_server::app::StaffIdentity;
use bilik_tests::*;

const ANDI: &str = "KTA-5101";
const ANDI_NAME: &str = "Andi Pratama";
const SARI: &str = "KTA-5102";
const SARI_NAME: &str = "Sari Wulandari";

async fn member(admin: &mut Staff, card: &str, name: &str, birth: &str) {
    admin
        .client
        .upsert_member(admin.req(UpsertMemberRequest {
            member: Some(Member {
                card: card.into(),
                name: name.into(),
                birth_date: birth.into(),
                gender: Gender::Female as i32,
                category: "Pelajar".into(),
                expires: "2030-12-31".into(),
                ..Default::default()
            }),
        }))
        .await
        .unwrap();
}

/// A server with Andi as a member and PC-01 enrolled, where Andi had a
/// 30-minute session at 9:00 on each of November's `days`; the admin
/// signed in.
async fn andi_in_november(days: &[u32]) -> (TestServer, Staff, TestStation) {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    member(&mut admin, ANDI, ANDI_NAME, "2001-05-17").await;
    let pc1 = server.enroll("PC-01").await;
    for &d in days {
        timed_session(&server, &pc1, ANDI, local_ms(2026, 11, d, 9, 0), 30).await;
    }
    (server, admin, pc1)
}

/// The audit log's latest entries, as the admin reads them.
async fn audit_log(admin: &mut Staff) -> Vec<AuditEntry> {
    admin
        .client
        .audit_log(admin.req(AuditLogRequest { limit: 500 }))
        .await
        .unwrap()
        .into_inner()
        .entries
}

/// Every stored session (all time).
fn all_sessions(server: &TestServer) -> Vec<bilik_proto::store::v1::SessionRecord> {
    server
        .app
        .store_for_tests()
        .sessions_between(0, i64::MAX / 2)
        .unwrap()
}

/// Whether any stored session still names `card` or `name`, anywhere in
/// the record, or the card's history index still lists one.
fn sessions_mention(server: &TestServer, card: &str, name: &str) -> bool {
    use prost::Message;
    let bytes_mention = |s: &bilik_proto::store::v1::SessionRecord| {
        let raw = s.encode_to_vec();
        let has = |needle: &str| raw.windows(needle.len()).any(|w| w == needle.as_bytes());
        has(card) || has(name)
    };
    all_sessions(server).iter().any(bytes_mention)
        || !server
            .app
            .store_for_tests()
            .card_session_ids(card)
            .unwrap()
            .is_empty()
}

#[tokio::test]
async fn retention_pseudonymises_old_rows_and_the_figures_stay() {
    let server = TestServer::start_with(&["privacy.retention_days=30"]).await;
    let mut admin = server.admin().await;
    member(&mut admin, ANDI, ANDI_NAME, "2001-05-17").await;
    member(&mut admin, SARI, SARI_NAME, "2012-02-01").await;
    admin
        .create_staff("kasi", "rahasia-123", Role::SectionHead)
        .await;
    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;
    // September: Andi three times, Sari once; October: both once.
    for d in [2, 9, 16] {
        timed_session(&server, &pc1, ANDI, local_ms(2026, 9, d, 9, 0), 40).await;
    }
    timed_session(&server, &pc2, SARI, local_ms(2026, 9, 9, 13, 0), 25).await;
    timed_session(&server, &pc1, ANDI, local_ms(2026, 10, 7, 10, 0), 45).await;
    timed_session(&server, &pc2, SARI, local_ms(2026, 10, 7, 10, 30), 30).await;
    // Inside the retention period at the run below: kept as it is, and
    // October's unique members must not count Andi twice.
    timed_session(&server, &pc1, ANDI, local_ms(2026, 10, 28, 10, 0), 45).await;

    // September is signed; October is not.
    server.clock.set_ms(local_ms(2026, 10, 2, 9, 0));
    let mut kasi = server.staff("kasi", "rahasia-123").await;
    let signed = kasi
        .client
        .sign_monthly_report(kasi.req(SignMonthlyReportRequest {
            month: "2026-09".into(),
            prepared_by: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();

    // Thirty days after the middle of October: September and early
    // October are past the retention period.
    server.clock.set_ms(local_ms(2026, 11, 20, 9, 0));
    let mut admin = server.admin().await;
    let formats = [ReportFormat::Pdf, ReportFormat::Csv, ReportFormat::Xlsx];
    let mut before = Vec::new();
    for month in ["2026-09", "2026-10"] {
        for format in formats {
            before.push(admin.monthly_report(month, format).await.content);
        }
    }
    let recap_before = server.app.daily_recap("2026-09-09").unwrap();
    assert!(sessions_mention(&server, ANDI, ANDI_NAME));

    let changed = server.app.apply_retention().await.unwrap();
    assert_eq!(changed, 6);
    // Identifiable data gone from the old rows and the card index; the
    // recent session is Andi's as before.
    assert!(
        !sessions_mention(&server, SARI, SARI_NAME),
        "Sari still in the sessions"
    );
    let cutoff = local_ms(2026, 10, 21, 9, 0);
    let (old, recent): (Vec<_>, Vec<_>) = all_sessions(&server)
        .into_iter()
        .partition(|s| s.started_at_ms < cutoff);
    assert_eq!(recent.len(), 1);
    assert_eq!(
        (recent[0].card.as_str(), recent[0].patron_name.as_str()),
        (ANDI, ANDI_NAME)
    );
    assert_eq!(
        server.app.store_for_tests().card_session_ids(ANDI).unwrap(),
        [recent[0].session_id.clone()]
    );
    for s in &old {
        use prost::Message;
        let raw = String::from_utf8_lossy(&s.encode_to_vec()).into_owned();
        assert!(!raw.contains(ANDI) && !raw.contains(ANDI_NAME), "{s:?}");
        assert!(s.card.starts_with("p:"), "{}", s.card);
        assert!(s.patron_name.is_empty());
        // Andi was 25 (band 19-25) and Sari 14 (13-18): their bands' floors.
        assert!([19, 13].contains(&s.age_years), "{}", s.age_years);
    }
    // One card, one pseudonym: Andi's four old sessions share theirs.
    let mut pseudonyms: Vec<String> = old.into_iter().map(|s| s.card).collect();
    pseudonyms.sort();
    pseudonyms.dedup();
    assert_eq!(pseudonyms.len(), 2);

    // Every report byte for byte as it was; the signed one still verifies.
    let mut after = Vec::new();
    for month in ["2026-09", "2026-10"] {
        for format in formats {
            after.push(admin.monthly_report(month, format).await.content);
        }
    }
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert!(b == a, "report {i} changed after retention");
    }
    let pdf = admin.monthly_report("2026-09", ReportFormat::Pdf).await;
    assert_eq!(pdf.signed.as_ref().unwrap().sha256, signed.sha256);
    bilik_server::report::signing::verify(&pdf.content, Some(&signed.public_key)).unwrap();
    let recap_after = server.app.daily_recap("2026-09-09").unwrap();
    assert_eq!(recap_after.unique_members, recap_before.unique_members);
    assert_eq!(recap_after.total_minutes, recap_before.total_minutes);

    // A second run finds nothing left; the audit log says what happened.
    assert_eq!(server.app.apply_retention().await.unwrap(), 0);
    let audit = audit_log(&mut admin).await;
    let runs: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "privacy.retention")
        .collect();
    assert_eq!(runs.len(), 1);
    assert!(
        runs[0].detail.starts_with("6 sessions"),
        "{}",
        runs[0].detail
    );
    server.stop().await;
}

#[tokio::test]
async fn a_members_export_holds_every_session_and_erasure_leaves_no_trace() {
    let (server, mut admin, pc1) = andi_in_november(&[2, 3, 4]).await;
    member(&mut admin, SARI, SARI_NAME, "2012-02-01").await;
    timed_session(&server, &pc1, SARI, local_ms(2026, 11, 5, 9, 0), 30).await;
    // Not while the card is in a session.
    server.clock.set_ms(local_ms(2026, 11, 25, 10, 0));
    let open = lease(pc1.login(ANDI).await);
    assert!(
        server
            .app
            .erase_member(&admin_identity(), ANDI)
            .await
            .is_err()
    );
    server.clock.set_ms(local_ms(2026, 11, 25, 10, 20));
    pc1.logout(&open.session_id).await;
    let monthly_before = server
        .app
        .monthly_report(&admin_identity(), "2026-11")
        .unwrap();

    let librarian = StaffIdentity {
        role: Role::Librarian,
        ..admin_identity()
    };
    assert!(server.app.export_member(&librarian, ANDI).await.is_err());
    assert!(server.app.erase_member(&librarian, ANDI).await.is_err());

    let export = server
        .app
        .export_member(&admin_identity(), ANDI)
        .await
        .unwrap();
    assert_eq!(export.member.as_ref().unwrap()["name"], ANDI_NAME);
    assert_eq!(export.member.as_ref().unwrap()["birth_date"], "2001-05-17");
    assert_eq!(export.sessions.len(), 4);
    assert!(
        export
            .sessions
            .iter()
            .all(|s| s["card"] == ANDI && s["name"] == ANDI_NAME)
    );
    assert!(
        !serde_json::to_string(&export).unwrap().contains(SARI),
        "another member's data in the export"
    );

    assert_eq!(
        server
            .app
            .erase_member(&admin_identity(), ANDI)
            .await
            .unwrap(),
        4
    );
    assert!(server.app.store_for_tests().member(ANDI).unwrap().is_none());
    assert!(!sessions_mention(&server, ANDI, ANDI_NAME));
    let found = admin
        .client
        .search_members(admin.req(SearchMembersRequest {
            query: "Andi".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(found.members.is_empty());
    // Sari is untouched; November's figures are the same.
    assert!(sessions_mention(&server, SARI, SARI_NAME));
    let monthly_after = server
        .app
        .monthly_report(&admin_identity(), "2026-11")
        .unwrap();
    assert_eq!(monthly_after.totals, monthly_before.totals);
    assert_eq!(
        monthly_after.category_gender,
        monthly_before.category_gender
    );
    assert_eq!(monthly_after.age_bands, monthly_before.age_bands);
    // The erasure is audited under the pseudonym, never the card.
    let audit = audit_log(&mut admin).await;
    let erased = audit.iter().find(|e| e.action == "member.erase").unwrap();
    assert!(erased.target.starts_with("p:"), "{}", erased.target);
    let exported = audit.iter().find(|e| e.action == "member.export").unwrap();
    assert!(!exported.target.contains(ANDI));
    server.stop().await;
}

#[tokio::test]
async fn an_admin_exports_and_erases_from_the_dashboard() {
    let (server, mut admin, _pc1) = andi_in_november(&[2, 3]).await;
    admin
        .create_staff("pustakawan", "rahasia-123", Role::Librarian)
        .await;
    server.clock.set_ms(local_ms(2026, 11, 25, 10, 0));
    let dashboard = web::Dashboard::serve(&server.app).await;
    let page = format!("/members/card/{ANDI}");

    // A librarian sees no such actions and is refused them.
    let mut librarian = web::WebClient::new(&dashboard.url);
    librarian.sign_in("pustakawan", "rahasia-123").await;
    assert!(!librarian.get(&page).await.body.contains("member-erase"));
    assert_eq!(librarian.get(&format!("{page}/export")).await.status, 403);
    let csrf = librarian.csrf(&page).await;
    let refused = librarian
        .post(
            &format!("{page}/erase"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, 403);

    let mut web = web::WebClient::new(&dashboard.url);
    web.sign_in("admin", &server.admin_password).await;
    assert!(web.get(&page).await.body.contains("member-erase"));
    let export = web.get(&format!("{page}/export")).await;
    assert_eq!(export.status, 200);
    let json: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(json["member"]["name"], ANDI_NAME);
    assert_eq!(json["sessions"].as_array().unwrap().len(), 2);

    // Without the tick nothing happens; with it the member is gone.
    let csrf = web.csrf(&page).await;
    let unticked = web.post(&format!("{page}/erase"), &[("csrf", &csrf)]).await;
    assert_eq!(unticked.status, 400);
    assert!(server.app.store_for_tests().member(ANDI).unwrap().is_some());
    let erased = web
        .post(
            &format!("{page}/erase"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert!(erased.status < 400, "{}", erased.status);
    assert!(server.app.store_for_tests().member(ANDI).unwrap().is_none());
    assert!(!sessions_mention(&server, ANDI, ANDI_NAME));
    assert_eq!(web.get(&page).await.status, 404);
    server.stop().await;
}
