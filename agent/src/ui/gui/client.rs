//! `bilik-agent ui`: the lock-screen process. It reads its one-time token
//! from stdin, connects to the service's socket (`BILIK_UI_SOCKET`), says
//! hello, and then shows what the service sends while the repair thread
//! writes its status (the heartbeat) back. Welcomed as a standby, it opens
//! its window hidden and waits for the service's `activate`. It decides nothing: locked or
//! not is the service's call, and a UI that loses the service shows the
//! lock screen, then closes (the service's next UI takes over).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use bilik_proto::catalog::Lang;

use super::repair::{self, Heartbeat};
use super::{Shared, WindowError};
use crate::config::Corner;
use crate::ui::wire::{self, FromUi, ToUi};
use crate::ui::{FrontEnd, UiEvent, UiState};

/// How long the service has to answer the hello.
const WELCOME_WAIT: Duration = Duration::from_secs(10);
/// How long the lock screen stays up after the service went away.
const ORPHAN_GRACE: Duration = Duration::from_secs(3);

/// Why the lock-screen process could not run.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket or stdin failed.
    #[error("lock screen: {what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The service did not welcome this UI.
    #[error("lock screen: the service did not welcome this process ({0})")]
    NotWelcome(String),
    /// The window could not run.
    #[error(transparent)]
    Window(#[from] WindowError),
    /// The front-end model could not start.
    #[error(transparent)]
    Ui(#[from] crate::ui::UiError),
}

/// Runs the lock screen against the service at `socket` until the window
/// closes.
pub fn run(socket: &Path) -> Result<(), ClientError> {
    let io = |what| move |source| ClientError::Io { what, source };
    let mut token = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut token)
        .map_err(io("reading the token"))?;
    let mut stream = UnixStream::connect(socket).map_err(io("connecting to the service"))?;
    let hello = FromUi::Hello {
        token: token.trim().to_owned(),
        pid: std::process::id(),
    };
    stream
        .write_all(wire::line(&hello).as_bytes())
        .map_err(io("saying hello"))?;
    stream
        .set_read_timeout(Some(WELCOME_WAIT))
        .map_err(io("waiting for the welcome"))?;
    let mut reader = BufReader::new(stream.try_clone().map_err(io("cloning the socket"))?);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(io("waiting for the welcome"))?;
    let (language, windowed, corner, standby, logo, curtain) =
        match serde_json::from_str::<ToUi>(line.trim()) {
            Ok(ToUi::Welcome {
                language,
                windowed,
                countdown_corner,
                standby,
                logo,
                curtain,
            }) => (
                Lang::parse(&language).unwrap_or_default(),
                windowed,
                Corner::parse(&countdown_corner).unwrap_or_default(),
                standby,
                logo,
                curtain,
            ),
            _ => return Err(ClientError::NotWelcome(format!("{} bytes", line.len()))),
        };
    stream
        .set_read_timeout(None)
        .map_err(io("reading the service"))?;
    tracing::info!(windowed, standby, "lock screen welcomed by the service");

    let shared = super::install(language, windowed, corner, standby);
    shared.set_curtain(curtain);
    if !logo.is_empty() {
        match crate::ui::logo::load(Path::new(&logo)) {
            Ok(logo) => shared.model().logo = Some(Arc::new(logo)),
            Err(e) => tracing::warn!(error = %e, "the lock screen shows without the logo"),
        }
    }
    let (inputs_tx, mut inputs) = tokio::sync::mpsc::channel(32);
    let gui = super::start(inputs_tx)?;
    let (lines_tx, lines) = mpsc::channel::<FromUi>();
    let seq = Arc::new(AtomicU64::new(0));
    spawn("ui-writer", move || write_lines(stream, &lines))?;
    let bridge = lines_tx.clone();
    spawn("ui-inputs", move || {
        while let Some(input) = inputs.blocking_recv() {
            if let Some(line) = FromUi::from_input(input)
                && bridge.send(line).is_err()
            {
                break;
            }
        }
    })?;
    let reader_shared = shared.clone();
    let reader_seq = seq.clone();
    let activate = shared.clone();
    spawn("ui-reader", move || {
        read_lines(reader, gui, &reader_seq, &activate);
        orphaned(&reader_shared);
    })?;
    let repair = repair::spawn(
        shared.clone(),
        Heartbeat {
            lines: lines_tx,
            seq,
        },
    )
    .map_err(io("starting the repair thread"))?;
    super::run_window(shared, Some(repair))?;
    Ok(())
}

/// Starts a named thread.
fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<(), ClientError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map(|_| ())
        .map_err(|source| ClientError::Io {
            what: "starting a thread",
            source,
        })
}

/// Writes the UI's lines to the service until either side is gone.
fn write_lines(mut stream: UnixStream, lines: &mpsc::Receiver<FromUi>) {
    for line in lines {
        if stream.write_all(wire::line(&line).as_bytes()).is_err() {
            tracing::warn!("the service's socket is closed");
            return;
        }
    }
}

/// Shows what the service sends, until it closes the socket.
fn read_lines(
    reader: BufReader<UnixStream>,
    mut gui: super::Gui,
    seq: &AtomicU64,
    shared: &Shared,
) {
    for line in reader.lines() {
        let Ok(line) = line else { break };
        if line.len() > wire::MAX_LINE {
            tracing::warn!("an over-long line from the service: ignored");
            continue;
        }
        match serde_json::from_str::<ToUi>(&line) {
            Ok(ToUi::Ping { seq: n }) => seq.store(n, Ordering::Relaxed),
            Ok(ToUi::Show { event }) => match event.to_event(tokio::time::Instant::now()) {
                Some(event) => gui.show(&event),
                None => tracing::warn!("an event from the service did not decode"),
            },
            Ok(ToUi::Activate { curtain }) => {
                shared.set_curtain(curtain);
                shared.activate();
            }
            Ok(ToUi::Welcome { .. }) => {}
            Err(e) => tracing::warn!(error = %e, "a bad line from the service"),
        }
    }
    tracing::warn!("the service closed the connection: locking");
    gui.show(&UiEvent::State(UiState::Locked));
}

/// The service is gone: stay locked a moment, then close.
fn orphaned(shared: &Shared) {
    std::thread::sleep(ORPHAN_GRACE);
    shared.quit();
}
