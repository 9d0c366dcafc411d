//! `serve --demo`: a server that shows itself working with no set-up. Demo
//! members (some expired, one blocked), and simulated stations that enrol,
//! attach and heartbeat over real gRPC, obey every command a librarian
//! sends (`station`), and let simulated patrons log in and out with short
//! sessions, so the usage log and the station list move.

mod station;

use crate::app::{App, Error, Result, StaffIdentity};
use bilik_proto::v1::{Gender, Member, Role};

/// Demo members: (card, name, gender, category, years until expiry (negative: expired), blocked).
const MEMBERS: &[(&str, &str, Gender, &str, i32, bool)] = &[
    ("0001", "Andi Pratama", Gender::Male, "Umum", 1, false),
    (
        "0002",
        "Siti Rahmawati",
        Gender::Female,
        "Pelajar",
        1,
        false,
    ),
    ("0003", "Budi Santoso", Gender::Male, "Mahasiswa", 2, false),
    ("0004", "Nur Aisyah", Gender::Female, "Pelajar", 1, false),
    ("0005", "Muhammad Rizky", Gender::Male, "Umum", 1, false),
    ("0006", "Dewi Lestari", Gender::Female, "Guru", 3, false),
    ("0007", "Fajar Nugroho", Gender::Male, "Mahasiswa", 1, false),
    ("0008", "Rina Marlina", Gender::Female, "Umum", 1, false),
    ("0009", "Hendra Wijaya", Gender::Male, "Umum", -1, false),
    ("0010", "Putri Ayu", Gender::Female, "Pelajar", -1, false),
    ("0011", "Yusuf Hidayat", Gender::Male, "Umum", 1, true),
    ("0012", "Wahyuni Syam", Gender::Female, "PNS", 2, false),
];

/// Simulated stations.
const STATIONS: &[&str] = &["PC-01", "PC-02", "PC-03", "PC-04"];

/// What the demo prints for the operator.
#[derive(Debug, Clone)]
pub struct DemoInfo {
    /// The admin account's one-time password.
    pub admin_password: String,
    /// A code to enrol one real agent.
    pub enrollment_code: String,
}

/// Seeds members and the admin account; returns what to print.
pub async fn seed(app: &App) -> Result<DemoInfo> {
    let admin_password = match app.create_first_admin("admin").await? {
        Some(p) => p,
        None => {
            return Err(Error::AlreadyExists(
                "the demo needs a fresh data directory".into(),
            ));
        }
    };
    let me = StaffIdentity {
        username: "admin".into(),
        role: Role::Admin,
        expires_at_ms: i64::MAX,
    };
    let today = app.today();
    for (card, name, gender, category, years, blocked) in MEMBERS {
        let expires = today
            .checked_add_signed(chrono::Duration::days(i64::from(*years) * 365))
            .unwrap_or(today);
        let member = Member {
            card: (*card).into(),
            name: (*name).into(),
            gender: *gender as i32,
            category: (*category).into(),
            expires: expires.format("%Y-%m-%d").to_string(),
            institution: "Demo".into(),
            ..Default::default()
        };
        app.upsert_member(&me, &member).await?;
        if *blocked {
            app.set_member_status(&me, card, bilik_proto::v1::MemberStatus::Blocked)
                .await?;
        }
    }
    let code = app.create_enrollment_code(&me, "", 24 * 60).await?;
    Ok(DemoInfo {
        admin_password,
        enrollment_code: code.code,
    })
}

/// Starts the simulated stations against the server at `url`. With
/// `patrons` false nobody logs in on their own: the stations only do what
/// a librarian tells them (for tests of the README's commands).
pub async fn spawn_stations(app: &App, url: String, patrons: bool) -> Result<()> {
    let me = StaffIdentity {
        username: "admin".into(),
        role: Role::Admin,
        expires_at_ms: i64::MAX,
    };
    for name in STATIONS {
        let code = app.create_enrollment_code(&me, name, 60).await?;
        let cards = if patrons {
            MEMBERS.iter().map(|m| m.0).collect()
        } else {
            Vec::new()
        };
        tokio::spawn(station::run(station::Plan {
            url: url.clone(),
            code: code.code,
            rules_version: app.config().rules_version.clone(),
            cards,
        }));
    }
    Ok(())
}
