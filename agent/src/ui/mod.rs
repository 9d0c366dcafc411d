//! Front-ends: what the patron sees and how they log in and out.
//!
//! The driver owns the station's state; a front-end only shows what the
//! driver tells it ([`FrontEnd::show`], in order, never blocking for long)
//! and sends what the patron does as [`UiInput`]s on the channel it was
//! given at start. The lock-screen GUI (eframe) and the [`headless`]
//! front-end implement the same trait.
//!
//! Fail closed: the driver shows [`UiState::Locked`] before it opens the
//! journal or tries the link, and a front-end starts out showing the lock
//! screen anyway.

pub mod gui;
pub mod headless;
pub mod logo;
mod refusal;
#[cfg(unix)]
pub mod supervisor;
pub mod wire;

use bilik_proto::v1::{HookFailed, PowerAction, Settings};
use tokio::sync::mpsc;

use crate::config::{Config, FrontEndKind};
use crate::link::LinkState;
pub use crate::session::UiState;
pub use refusal::{MAX_SERVER_TEXT, Refusal, ServerWords};

/// Something the patron (or the program standing in for them) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiInput {
    /// A card was presented on the lock screen.
    Login {
        /// The card number as typed or scanned.
        card: String,
        /// The member's PIN, if asked for; empty otherwise.
        pin: String,
        /// The purpose of use picked; empty takes the first offered.
        purpose: String,
        /// Whether the house rules were ticked (the digital initials).
        rules_accepted: bool,
    },
    /// The patron pressed "Log out".
    Logout,
    /// The front-end saw something wrong (its window was killed, say):
    /// journaled and reported to the server.
    Tamper {
        /// What happened.
        detail: String,
        /// The lock screen itself was defeated (killed, stopped, hung, no
        /// verified lock): a running session is taken away from the patron.
        end_session: bool,
    },
}

/// Something to show, in the order the driver decided it.
#[derive(Debug, Clone, PartialEq)]
pub enum UiEvent {
    /// What the screen shows now (lock screen, countdown, maintenance).
    State(UiState),
    /// Pop up "the session ends in `minutes_left` minutes".
    Warning {
        /// The session concerned.
        session_id: String,
        /// Minutes before the end.
        minutes_left: u32,
    },
    /// A card login failed.
    Refused(Refusal),
    /// A librarian's message.
    Message {
        /// The text.
        text: String,
        /// Who sent it.
        from: String,
    },
    /// The station is held for the next patron of the server's waiting
    /// queue (only their card is taken), or no longer (`patron_name` empty).
    Hold {
        /// Whom it is held for; empty: the hold has ended.
        patron_name: String,
        /// Whole minutes until the hold ends, as of receipt (rounded up).
        minutes_left: u32,
    },
    /// The link to the server changed.
    Link(LinkState),
    /// The server's settings: library name, house rules, purposes.
    Settings(Settings),
    /// The event journal was damaged at start-up and repaired.
    JournalDamaged {
        /// What was found and done.
        detail: String,
    },
    /// A hook failed (it is reported to the server too).
    HookFailed(HookFailed),
    /// The server acknowledged events; `pending` are still unacknowledged.
    Acked {
        /// The acknowledged ids.
        event_ids: Vec<String>,
        /// Events left in the journal.
        pending: usize,
    },
    /// The server's restart/shutdown command was carried out, or not.
    Power {
        /// Which one.
        action: PowerAction,
        /// Whether the configured command ran successfully.
        ran: bool,
    },
}

/// A front-end. Implementations must not block in `show` for long: the
/// driver (and with it the lease timer) waits for it.
pub trait FrontEnd: Send + std::fmt::Debug {
    /// Shows `event`.
    fn show(&mut self, event: &UiEvent);

    /// The agent is stopping: release what the front-end holds.
    fn close(&mut self) {}
}

/// Why a front-end could not start.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// An I/O resource (socket, terminal) was refused.
    #[error("cannot start the {front_end} front-end: {source}")]
    Io {
        /// Which front-end.
        front_end: &'static str,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// Starts the configured front-end. It sends what the patron does on
/// `inputs`.
pub fn start(config: &Config, inputs: mpsc::Sender<UiInput>) -> Result<Box<dyn FrontEnd>, UiError> {
    match config.ui {
        FrontEndKind::Headless => Ok(Box::new(headless::Headless::start(
            &config.state_dir,
            config.language,
            inputs,
        )?)),
        #[cfg(unix)]
        FrontEndKind::Gui { .. } => Ok(Box::new(supervisor::start(config, inputs)?)),
        #[cfg(not(unix))]
        FrontEndKind::Gui { .. } => Ok(Box::new(gui::start(inputs)?)),
    }
}
