//! Bilik's station agent: keeps the PC locked outside a valid session.
//!
//! Module map:
//!
//! - [`cli`]: the command line; flags become configuration.
//! - [`config`]: the TOML configuration, every bad key reported at once.
//! - [`credential`]: the station credential saved at enrolment.
//! - [`enroll`]: `bilik-agent enroll`, a one-time code for a credential.
//! - [`driver`]: the one task that owns the state: session machine,
//!   journal, hooks, link and front-end, talking over channels.
//! - [`session`]: the station state machine and lease timer (tokio time).
//! - [`link`]: connect/attach/reconnect (explicit Connected/Backoff states),
//!   heartbeats, commands and acks.
//! - [`login`]: one card login call and its answer.
//! - [`backoff`]: exponential reconnect delays with jitter and a cap.
//! - [`metrics`]: the sysinfo sample in every heartbeat.
//! - [`journal`]: the durable outbox of events until the server acks them.
//! - [`hooks`]: commands run at session start and end (cleanup between
//!   patrons); [`hook_runner`] runs them in order off the driver's task.
//! - [`ui`]: the front-end trait; [`ui::headless`] is JSON lines on stdout.
//!
//! [`run`] wires them together: credential, front-end (showing the lock
//! screen before anything else), journal, link, driver.

pub mod backoff;
pub mod cli;
pub mod config;
pub mod credential;
pub mod driver;
pub mod enroll;
pub mod hook_runner;
pub mod hooks;
pub mod journal;
pub mod link;
pub mod login;
pub mod metrics;
pub mod session;
pub mod ui;

use std::future::Future;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::config::Config;
use crate::credential::{Credential, CredentialError};
use crate::driver::{Driver, DriverConfig, Parts};
use crate::journal::{Journal, JournalError};
use crate::link::{GrpcConnector, LinkConfig, Reported};
use crate::session::UiState;
use crate::ui::{UiError, UiEvent};

/// Why the agent could not run.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Not enrolled, or the credential file is unreadable.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// The saved credential cannot travel in a header.
    #[error("the saved credential is not usable (enrol the station again)")]
    BadCredential,
    /// The front-end could not start.
    #[error(transparent)]
    Ui(#[from] UiError),
    /// The journal cannot be opened (the state directory is not writable?).
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A start-up task failed.
    #[error("start-up failed: {0}")]
    Startup(String),
}

/// A connection that lasted this long resets the reconnect backoff.
const HEALTHY_AFTER: Duration = Duration::from_secs(10);

/// Runs the agent until `shutdown` resolves.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), AgentError> {
    let credential = Credential::load(&config.state_dir)?;
    let bearer =
        bilik_proto::Bearer::new(&credential.credential).map_err(|_| AgentError::BadCredential)?;
    crate::credential::Credential::warn_if_exposed(&config.state_dir);
    let server = if config.server.is_empty() {
        credential.server.clone()
    } else {
        config.server.clone()
    };

    // Fail closed: the lock screen comes first.
    let (inputs_tx, inputs) = mpsc::channel(32);
    let mut frontend = ui::start(&config, inputs_tx)?;
    frontend.show(&UiEvent::State(UiState::Locked));

    let dir = config.state_dir.clone();
    let (journal, damage) = tokio::task::spawn_blocking(move || Journal::open(&dir))
        .await
        .map_err(|e| AgentError::Startup(e.to_string()))??;
    let sampler = tokio::task::spawn_blocking(metrics::Sampler::new)
        .await
        .map_err(|e| AgentError::Startup(e.to_string()))?;

    let boot_id = uuid::Uuid::new_v4().to_string();
    tracing::info!(
        station = %credential.station_name, %server, %boot_id,
        state_dir = %config.state_dir.display(), "starting"
    );
    let (status, status_rx) = watch::channel(Reported::default());
    let (events_tx, link_events) = mpsc::channel(link::EVENT_QUEUE);
    let link_config = LinkConfig {
        boot_id,
        agent_version: env!("CARGO_PKG_VERSION").to_owned(),
        hostname: metrics::host_name(),
        os: metrics::os_name(),
        backoff: config.backoff(),
        heartbeat: (config.heartbeat_seconds > 0)
            .then(|| Duration::from_secs(u64::from(config.heartbeat_seconds))),
        healthy_after: HEALTHY_AFTER,
    };
    let link = link::spawn(
        GrpcConnector::new(&server, bearer, credential.trust())
            .following_renewals(&config.state_dir),
        link_config,
        status_rx,
        events_tx,
        Some(sampler),
    );
    let driver = Driver::new(Parts {
        config: DriverConfig::from(&config),
        journal,
        damage,
        link,
        link_events,
        status,
        frontend,
        inputs,
    });
    driver.run(shutdown).await;
    Ok(())
}
