//! The end-to-end test harness: the real server in-process on
//! `127.0.0.1:0` with a temporary store and a manual clock, real gRPC
//! clients, and helpers to start the real binaries as processes.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod agent;
pub mod fixtures;
pub mod gui;
pub mod peers;
pub mod postgres;
pub mod process;
pub mod python;
pub mod relay;
pub mod served;
pub mod unit_file;
pub mod web;

pub use bilik_proto::ServerTrust;
use bilik_proto::v1::admin_client::AdminClient;
use bilik_proto::v1::station_client::StationClient;
use bilik_proto::v1::*;
use bilik_server::app::App;
use bilik_server::clock::ManualClock;
use bilik_server::config::Config;
use bilik_server::store::Store;
pub use fixtures::{InSession, admin_identity, session_ended, timed_session};
use served::Served;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Streaming};

/// How long any wait in a test may take before it fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The library's opening hours in the tests: weekdays 08-16, Saturday
/// morning, Sunday closed. Sweeps every 20 ms so lease ends show quickly.
pub const TEST_CONFIG: &str = r#"
[server]
sweep_interval_ms = 20
[tls]
insecure = true
[library]
name = "Perpustakaan Uji"
time_zone = "Asia/Makassar"
[hours]
mon = "08:00-16:00"
tue = "08:00-16:00"
wed = "08:00-16:00"
thu = "08:00-16:00"
fri = "08:00-16:00"
sat = "08:00-12:00"
sun = "closed"
"#;

/// UTC ms of a library-local (Asia/Makassar) date and time.
pub fn local_ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    use chrono::TimeZone;
    chrono_tz::Asia::Makassar
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .timestamp_millis()
}

/// Wednesday 2026-11-25 10:00 in the library: open until 16:00.
pub fn wednesday_10am() -> i64 {
    local_ms(2026, 11, 25, 10, 0)
}

/// The real server, in-process.
#[derive(Debug)]
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The application behind the services (to inspect records directly).
    pub app: App,
    /// The server's clock; tests move it.
    pub clock: ManualClock,
    /// The password of the `admin` account.
    pub admin_password: String,
    /// `http://127.0.0.1:PORT/metrics` when started with `metrics.listen`.
    pub metrics_url: Option<String>,
    /// The serving task (stopped by [`TestServer::stop`]).
    served: Served,
}

impl TestServer {
    /// A server with [`TEST_CONFIG`], a temporary store and the clock at
    /// Wednesday 10:00.
    pub async fn start() -> TestServer {
        TestServer::start_with(&[]).await
    }

    /// Same, with `--set` style overrides.
    pub async fn start_with(overrides: &[&str]) -> TestServer {
        TestServer::start_on(Store::temporary().unwrap(), overrides, None).await
    }

    /// A server over `store` (e.g. one opened on a directory, to restart
    /// it); `admin_password` is the one made at the store's first start.
    pub async fn start_on(
        store: Store,
        overrides: &[&str],
        admin_password: Option<String>,
    ) -> TestServer {
        let overrides: Vec<String> = overrides.iter().map(|s| (*s).to_owned()).collect();
        let config = Config::parse(TEST_CONFIG, &overrides).unwrap();
        let clock = ManualClock::new(wednesday_10am());
        let app = App::new(store, config, Arc::new(clock.clone()));
        let admin_password = match app.create_first_admin("admin").await.unwrap() {
            Some(made) => made,
            None => admin_password.expect("the admin password of the store's first start"),
        };
        // `metrics.listen=127.0.0.1:0` in the overrides: `/metrics` on a
        // port of its own, as `serve` does it.
        let metrics = match app.config().metrics_listen {
            Some(addr) => Some(bilik_server::listen(addr).await.unwrap()),
            None => None,
        };
        let metrics_url = metrics
            .as_ref()
            .map(|l| format!("http://{}/metrics", l.local_addr().unwrap()));
        let side = bilik_server::SideListeners { web: None, metrics };
        let served = Served::start_with_side(&app, side, "http").await;
        TestServer {
            url: served.url.clone(),
            app,
            clock,
            admin_password,
            metrics_url,
            served,
        }
    }

    /// Now on the server's clock.
    pub fn clock_now(&self) -> i64 {
        use bilik_server::clock::Clock;
        self.clock.now_ms()
    }

    /// A channel to the server.
    pub async fn channel(&self) -> Channel {
        bilik_proto::connect(&self.url, &ServerTrust::Insecure)
            .await
            .unwrap()
    }

    /// An admin client signed in as `admin`.
    pub async fn admin(&self) -> Staff {
        self.staff("admin", &self.admin_password).await
    }

    /// A client signed in as any staff account.
    pub async fn staff(&self, user: &str, password: &str) -> Staff {
        Staff::sign_in(self.channel().await, user, password).await
    }

    /// Enrols a station named `name` through a code the admin makes.
    pub async fn enroll(&self, name: &str) -> TestStation {
        let code = self.admin().await.enrollment_code(name).await;
        TestStation::enroll(self.channel().await, &code).await.0
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) {
        self.served.stop().await;
    }
}

/// A signed-in staff client.
#[derive(Debug)]
pub struct Staff {
    /// The generated client.
    pub client: AdminClient<Channel>,
    /// The bearer token.
    pub token: String,
}

impl Staff {
    /// Signs in over `channel` as `user`.
    pub async fn sign_in(channel: Channel, user: &str, password: &str) -> Staff {
        let mut client = AdminClient::new(channel);
        let token = client
            .sign_in(SignInRequest {
                username: user.into(),
                password: password.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .token;
        Staff { client, token }
    }

    /// A request carrying the staff token.
    pub fn req<T>(&self, msg: T) -> Request<T> {
        with_bearer(msg, &self.token)
    }

    /// A one-time enrolment code for a station named `name` (admins only).
    pub async fn enrollment_code(&mut self, name: &str) -> String {
        self.client
            .create_enrollment_code(self.req(CreateEnrollmentCodeRequest {
                station_name: name.into(),
                valid_minutes: 0,
            }))
            .await
            .unwrap()
            .into_inner()
            .code
    }

    /// Creates a staff account (admins only) with `password` and `role`.
    pub async fn create_staff(&mut self, user: &str, password: &str, role: Role) -> StaffInfo {
        self.client
            .create_staff(self.req(CreateStaffRequest {
                username: user.into(),
                password: password.into(),
                role: role as i32,
                display_name: user.into(),
                nip: String::new(),
            }))
            .await
            .unwrap()
            .into_inner()
    }

    /// Adds or updates a member valid until `expires`.
    pub async fn add_member(&mut self, card: &str, name: &str, expires: &str) -> Member {
        let member = Member {
            card: card.into(),
            name: name.into(),
            expires: expires.into(),
            category: "Umum".into(),
            ..Default::default()
        };
        self.client
            .upsert_member(self.req(UpsertMemberRequest {
                member: Some(member),
            }))
            .await
            .unwrap()
            .into_inner()
    }

    /// Every station as the dashboard sees it.
    pub async fn stations(&mut self) -> Vec<StationInfo> {
        self.client
            .list_stations(self.req(ListStationsRequest {}))
            .await
            .unwrap()
            .into_inner()
            .stations
    }

    /// One station as the dashboard sees it.
    pub async fn station(&mut self, id: &str) -> StationInfo {
        self.stations()
            .await
            .into_iter()
            .find(|s| s.station_id == id)
            .unwrap()
    }

    /// The usage log (all of it).
    pub async fn sessions(&mut self) -> Vec<SessionInfo> {
        self.client
            .query_sessions(self.req(QuerySessionsRequest::default()))
            .await
            .unwrap()
            .into_inner()
            .sessions
    }
}

/// `msg` with `authorization: Bearer <token>`.
pub fn with_bearer<T>(msg: T, token: &str) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

/// An enrolled station, speaking the protocol directly (as an agent would).
#[derive(Debug, Clone)]
pub struct TestStation {
    /// The id the server gave it.
    pub id: String,
    /// `<id>.<secret>`.
    pub credential: String,
    /// Client that sends the credential.
    pub client: StationClient<InterceptedService<Channel, bilik_proto::Bearer>>,
}

impl TestStation {
    /// Enrols over `channel` with a one-time `code`; the station and the
    /// name the server gave it.
    pub async fn enroll(channel: Channel, code: &str) -> (TestStation, String) {
        let enrolled = StationClient::new(channel.clone())
            .enroll(EnrollRequest {
                code: code.to_owned(),
                hostname: "test-host".into(),
                os: "test".into(),
                agent_version: "test".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let station = TestStation::new(channel, enrolled.station_id, &enrolled.credential);
        (station, enrolled.station_name)
    }

    /// A station client over `channel` with `credential`.
    pub fn new(channel: Channel, id: String, credential: &str) -> TestStation {
        TestStation {
            id,
            credential: credential.to_owned(),
            client: StationClient::with_interceptor(
                channel,
                bilik_proto::Bearer::new(credential).unwrap(),
            ),
        }
    }

    /// Attaches with a Hello; returns the open link and the Welcome.
    pub async fn attach(&self, boot_id: &str, session_id: &str) -> (Link, Welcome) {
        let (tx, rx) = mpsc::channel(16);
        let hello = Hello {
            boot_id: boot_id.into(),
            agent_version: "test".into(),
            state: StationState::Locked as i32,
            session_id: session_id.into(),
            ..Default::default()
        };
        tx.send(AgentMessage {
            kind: Some(agent_message::Kind::Hello(hello)),
        })
        .await
        .unwrap();
        let mut down = self
            .client
            .clone()
            .attach(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .unwrap()
            .into_inner();
        let first = within(down.message()).await.unwrap().unwrap();
        let Some(server_message::Kind::Welcome(welcome)) = first.kind else {
            panic!("expected Welcome, got {first:?}");
        };
        (Link { up: tx, down }, welcome)
    }

    /// A card login with the default rules version and a purpose.
    pub async fn login(&self, card: &str) -> login_response::Outcome {
        self.login_with(LoginRequest {
            card: card.into(),
            purpose: "Belajar/Tugas".into(),
            rules_version: "1".into(),
            ..Default::default()
        })
        .await
    }

    /// Ends the session `session_id` as the station's patron does.
    pub async fn logout(&self, session_id: &str) {
        self.client
            .clone()
            .logout(LogoutRequest {
                session_id: session_id.into(),
            })
            .await
            .unwrap();
    }

    /// A login with any request.
    pub async fn login_with(&self, req: LoginRequest) -> login_response::Outcome {
        self.client
            .clone()
            .login(req)
            .await
            .unwrap()
            .into_inner()
            .outcome
            .unwrap()
    }
}

/// An attached station's two directions.
#[derive(Debug)]
pub struct Link {
    /// Heartbeats and events go up here.
    pub up: mpsc::Sender<AgentMessage>,
    /// Commands and acks come down here.
    pub down: Streaming<ServerMessage>,
}

impl Link {
    /// The next pushed command (fails the test after [`DEADLINE`]).
    pub async fn next_command(&mut self) -> command::Kind {
        loop {
            let msg = within(self.down.message()).await.unwrap().unwrap();
            if let Some(server_message::Kind::Command(cmd)) = msg.kind {
                return cmd.kind.unwrap();
            }
        }
    }

    /// The next acknowledgement of events.
    pub async fn next_ack(&mut self) -> Vec<String> {
        loop {
            let msg = within(self.down.message()).await.unwrap().unwrap();
            if let Some(server_message::Kind::Ack(ack)) = msg.kind {
                return ack.event_ids;
            }
        }
    }

    /// Sends one message up.
    pub async fn send(&self, kind: agent_message::Kind) {
        self.up
            .send(AgentMessage { kind: Some(kind) })
            .await
            .unwrap();
    }
}

/// Awaits `fut`, failing the test after [`DEADLINE`].
pub async fn within<F: Future>(fut: F) -> F::Output {
    tokio::time::timeout(DEADLINE, fut)
        .await
        .expect("timed out waiting")
}

/// Polls `check` until it returns `Some`, failing after [`DEADLINE`].
pub async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The lease of a login outcome, or a failure naming the refusal.
pub fn lease(outcome: login_response::Outcome) -> Lease {
    match outcome {
        login_response::Outcome::Lease(l) => l,
        login_response::Outcome::Refusal(r) => panic!("refused: {r:?}"),
    }
}

/// The refusal code of a login outcome.
pub fn refusal(outcome: login_response::Outcome) -> RefusalCode {
    match outcome {
        login_response::Outcome::Refusal(r) => RefusalCode::try_from(r.code).unwrap(),
        login_response::Outcome::Lease(l) => panic!("expected a refusal, got a lease {l:?}"),
    }
}
