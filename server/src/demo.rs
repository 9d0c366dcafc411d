//! `serve --demo`: a server that shows itself working with no set-up. Demo
//! members (some expired, one blocked), and simulated stations that enrol,
//! attach and heartbeat over real gRPC, and let patrons log in and out
//! with short sessions, so the usage log and the station list move.

use crate::app::{App, Error, Result, StaffIdentity};
use bilik_proto::v1::station_client::StationClient;
use bilik_proto::v1::{
    AgentMessage, EnrollRequest, Gender, Heartbeat, Hello, LoginRequest, LogoutRequest, Member,
    Metrics, Role, StationState, agent_message, login_response, server_message,
};
use std::time::Duration;

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

/// A small random number below `n` (demo pacing only).
fn random_below(n: u64) -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes) % n.max(1)
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

/// Starts the simulated stations against the server at `url`.
pub async fn spawn_stations(app: &App, url: String) -> Result<()> {
    let me = StaffIdentity {
        username: "admin".into(),
        role: Role::Admin,
        expires_at_ms: i64::MAX,
    };
    for name in STATIONS {
        let code = app.create_enrollment_code(&me, name, 60).await?;
        tokio::spawn(simulate(
            url.clone(),
            code.code,
            app.config().rules_version.clone(),
        ));
    }
    Ok(())
}

type Client = StationClient<
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, bilik_proto::Bearer>,
>;

async fn simulate(url: String, code: String, rules_version: String) {
    if let Err(e) = simulate_station(&url, &code, &rules_version).await {
        tracing::warn!(error = %e, "demo station stopped");
    }
}

async fn simulate_station(
    url: &str,
    code: &str,
    rules_version: &str,
) -> std::result::Result<(), tonic::Status> {
    // The demo's stations enrol as real agents do: the code's tag pins the
    // server's certificate.
    let (_, tag) = bilik_proto::transport::split_code(code);
    let trust = if url.starts_with("https://") {
        bilik_proto::ServerTrust::Tag(tag)
    } else {
        bilik_proto::ServerTrust::Insecure
    };
    let channel = bilik_proto::connect(url, &trust)
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let enrolled = StationClient::new(channel.clone())
        .enroll(EnrollRequest {
            code: code.into(),
            hostname: "demo".into(),
            os: "simulated".into(),
            agent_version: env!("CARGO_PKG_VERSION").into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let bearer = bilik_proto::Bearer::new(&enrolled.credential)
        .map_err(|_| tonic::Status::internal("bad credential"))?;
    let mut client: Client = StationClient::with_interceptor(channel, bearer);
    let (up, rx) = tokio::sync::mpsc::channel(16);
    let hello = Hello {
        boot_id: uuid::Uuid::new_v4().to_string(),
        agent_version: env!("CARGO_PKG_VERSION").into(),
        state: StationState::Locked as i32,
        hostname: enrolled.station_name.to_lowercase(),
        os: "simulated".into(),
        ..Default::default()
    };
    let _ = up
        .send(AgentMessage {
            kind: Some(agent_message::Kind::Hello(hello)),
        })
        .await;
    let mut down = client
        .attach(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await?
        .into_inner();
    // Drain pushed commands (a librarian may end or extend demo sessions).
    tokio::spawn(async move {
        while let Ok(Some(msg)) = down.message().await {
            if let Some(server_message::Kind::Command(cmd)) = msg.kind {
                tracing::debug!(?cmd, "demo station got a command");
            }
        }
    });
    // What the simulated screen shows, for the heartbeats.
    let in_session = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let heartbeat_up = up.clone();
    let showing = in_session.clone();
    tokio::spawn(async move {
        loop {
            let state = if showing.load(std::sync::atomic::Ordering::Relaxed) {
                StationState::InSession
            } else {
                StationState::Locked
            };
            let hb = Heartbeat {
                state: state as i32,
                metrics: Some(Metrics {
                    cpu_percent: random_below(40) as f32,
                    memory_used_bytes: (2 + random_below(4)) << 30,
                    memory_total_bytes: 8 << 30,
                    ..Default::default()
                }),
                ..Default::default()
            };
            let msg = AgentMessage {
                kind: Some(agent_message::Kind::Heartbeat(hb)),
            };
            if heartbeat_up.send(msg).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
    loop {
        tokio::time::sleep(Duration::from_secs(5 + random_below(25))).await;
        let card = MEMBERS[random_below(MEMBERS.len() as u64) as usize].0;
        let purposes = bilik_proto::catalog::DEFAULT_PURPOSES;
        let login = LoginRequest {
            card: card.into(),
            purpose: purposes[random_below(purposes.len() as u64) as usize].into(),
            rules_version: rules_version.into(),
            ..Default::default()
        };
        let outcome = client.login(login).await?.into_inner().outcome;
        if let Some(login_response::Outcome::Lease(lease)) = outcome {
            in_session.store(true, std::sync::atomic::Ordering::Relaxed);
            let hold = 20 + random_below(150);
            tokio::time::sleep(Duration::from_secs(hold)).await;
            in_session.store(false, std::sync::atomic::Ordering::Relaxed);
            // Past the lease end the server has closed it as time_up already.
            let _ = client
                .logout(LogoutRequest {
                    session_id: lease.session_id,
                })
                .await;
        }
    }
}
