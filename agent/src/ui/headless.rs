//! `--ui headless`: no window. Control lines in, JSON lines out.
//!
//! Used by the tests, by the demo, and by stations that are locked by other
//! means (a kiosk program that reads the JSON and drives the agent).
//!
//! # Input
//!
//! One command per line, from **stdin** and from the Unix socket
//! **`control.sock`** in the state directory (mode 0600: the agent's user
//! only). On the socket every line is answered with `ok` or
//! `error: <why>`; on stdin a bad line is reported as an `input_error`
//! JSON line. Blank lines are ignored.
//!
//! ```text
//! login <card> [purpose ...]          the house rules count as ticked
//! login-pin <card> <pin> [purpose ...]
//! logout
//! ```
//!
//! A purpose left out is the first one the server offers.
//!
//! # Output
//!
//! Every state change, refusal, warning, message and link change is ONE
//! JSON object on ONE line of stdout, with an `"event"` field saying which:
//!
//! ```text
//! {"event":"state","state":"locked"}
//! {"event":"state","state":"in_session","session_id":S,"patron":P,"remaining_ms":N}
//! {"event":"state","state":"warning","session_id":S,"patron":P,"remaining_ms":N,"minutes_left":M}
//! {"event":"state","state":"maintenance"}
//! {"event":"warning","session_id":S,"minutes_left":M,"text":T}
//! {"event":"refusal","code":C,"text":T}        C: UNKNOWN_CARD, EXPIRED, MAINTENANCE, ...,
//!                                              NOT_CONNECTED, SERVER_ERROR, IN_PROGRESS;
//!                                              CODE_N for a code this agent does not know
//!                                              (T is then the server's own text)
//! {"event":"message","text":T,"from":F}
//! {"event":"hold","patron":P,"minutes_left":M,"text":T}   P "": the hold ended
//! {"event":"link","status":"connecting","attempt":N}
//! {"event":"link","status":"connected","station_id":I,"station_name":N}
//! {"event":"link","status":"backoff","attempt":N,"retry_in_ms":D,"error":E}
//! {"event":"settings","library_name":L,"session_minutes":N,"warning_minutes":[..],
//!  "heartbeat_seconds":N,"rules_version":V,"rules_text":T,"rules_text_en":T,"purposes":[..],"pin_required":B}
//! {"event":"journal_damaged","detail":D}
//! {"event":"hook_failed","hook":H,"exit_code":X,"timed_out":B,"detail":D}
//! {"event":"acked","event_ids":[..],"pending":N}
//! {"event":"power","action":"restart"|"shutdown","ran":B}
//! {"event":"input_error","line":L,"error":E}
//! ```
//!
//! `remaining_ms` is the time left when the line was written, from the
//! monotonic deadline (the PC's wall clock plays no part). Texts are in the
//! configured language. Consumers should ignore fields and events they do
//! not know: more may be added.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bilik_proto::catalog::{self, Lang};
use bilik_proto::v1::PowerAction;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{FrontEnd, UiError, UiEvent, UiInput, UiState};
use crate::link::LinkState;

/// The control socket's file name in the state directory.
pub const SOCKET_NAME: &str = "control.sock";

/// Where the JSON lines go; shared with the input readers (which report
/// bad lines there).
type Output = Arc<Mutex<Box<dyn Write + Send>>>;

/// The headless front-end.
pub struct Headless {
    /// Stdout (or a test's buffer).
    out: Output,
    /// The language of the texts.
    lang: Lang,
    /// The control socket, removed again at close.
    socket: Option<PathBuf>,
    /// The task accepting socket connections.
    listener: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Headless {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Headless")
            .field("lang", &self.lang)
            .field("socket", &self.socket)
            .finish_non_exhaustive()
    }
}

impl Headless {
    /// Writes to stdout, reads stdin and `state_dir/control.sock`.
    pub fn start(
        state_dir: &Path,
        lang: Lang,
        inputs: mpsc::Sender<UiInput>,
    ) -> Result<Headless, UiError> {
        let out: Output = Arc::new(Mutex::new(Box::new(std::io::stdout())));
        spawn_stdin_reader(inputs.clone(), out.clone())?;
        let mut headless = Headless {
            out,
            lang,
            socket: None,
            listener: None,
        };
        #[cfg(unix)]
        headless.listen(&state_dir.join(SOCKET_NAME), inputs)?;
        #[cfg(not(unix))]
        let _ = (state_dir, inputs);
        Ok(headless)
    }

    /// A front-end writing to `out` only (tests).
    pub fn with_writer(out: Box<dyn Write + Send>, lang: Lang) -> Headless {
        Headless {
            out: Arc::new(Mutex::new(out)),
            lang,
            socket: None,
            listener: None,
        }
    }

    /// Binds the control socket (replacing a stale one) and serves it.
    #[cfg(unix)]
    fn listen(&mut self, path: &Path, inputs: mpsc::Sender<UiInput>) -> Result<(), UiError> {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let io = |source| UiError::Io {
            front_end: "headless",
            source,
        };
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if meta.file_type().is_socket() {
                std::fs::remove_file(path).map_err(io)?;
            } else {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a socket", path.display()),
                )));
            }
        }
        let listener = tokio::net::UnixListener::bind(path).map_err(io)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        tracing::info!(socket = %path.display(), "control socket ready");
        self.socket = Some(path.to_path_buf());
        self.listener = Some(tokio::spawn(serve_socket(listener, inputs)));
        Ok(())
    }

    /// Writes one JSON line.
    fn write(&self, value: &Value) {
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = writeln!(out, "{value}").and_then(|()| out.flush()) {
            tracing::debug!(error = %e, "stdout is gone");
        }
    }
}

impl FrontEnd for Headless {
    fn show(&mut self, event: &UiEvent) {
        self.write(&to_json(event, self.lang, Instant::now()));
    }

    fn close(&mut self) {
        if let Some(task) = self.listener.take() {
            task.abort();
        }
        if let Some(path) = self.socket.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The JSON line for `event`, with remaining times counted from `now`.
pub fn to_json(event: &UiEvent, lang: Lang, now: Instant) -> Value {
    match event {
        UiEvent::State(state) => state_json(state, now),
        UiEvent::Warning {
            session_id,
            minutes_left,
        } => json!({
            "event": "warning",
            "session_id": session_id,
            "minutes_left": minutes_left,
            "text": catalog::TIME_NEARLY_UP.get(lang),
        }),
        UiEvent::Refused(refusal) => json!({
            "event": "refusal",
            "code": refusal.code(),
            "text": refusal.text(lang),
        }),
        UiEvent::Message { text, from } => json!({
            "event": "message", "text": text, "from": from,
        }),
        UiEvent::Hold {
            patron_name,
            minutes_left,
        } => json!({
            "event": "hold",
            "patron": patron_name,
            "minutes_left": minutes_left,
            "text": if patron_name.is_empty() {
                String::new()
            } else {
                format!("{} {patron_name}", catalog::lock_screen::RESERVED_FOR.get(lang))
            },
        }),
        UiEvent::Link(LinkState::Connecting { attempt }) => json!({
            "event": "link", "status": "connecting", "attempt": attempt,
        }),
        UiEvent::Link(LinkState::Connected {
            station_id,
            station_name,
        }) => json!({
            "event": "link", "status": "connected",
            "station_id": station_id, "station_name": station_name,
        }),
        UiEvent::Link(LinkState::Backoff {
            attempt,
            retry_in,
            error,
        }) => json!({
            "event": "link", "status": "backoff", "attempt": attempt,
            "retry_in_ms": u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX),
            "error": error,
        }),
        UiEvent::Settings(s) => json!({
            "event": "settings",
            "library_name": s.library_name,
            "session_minutes": s.session_minutes,
            "warning_minutes": s.warning_minutes,
            "heartbeat_seconds": s.heartbeat_seconds,
            "rules_version": s.rules_version,
            "rules_text": s.rules_text,
            "rules_text_en": s.rules_text_en,
            "purposes": s.purposes,
            "pin_required": s.pin_required,
        }),
        UiEvent::JournalDamaged { detail } => json!({
            "event": "journal_damaged", "detail": detail,
        }),
        UiEvent::HookFailed(h) => json!({
            "event": "hook_failed", "hook": h.hook, "exit_code": h.exit_code,
            "timed_out": h.timed_out, "detail": h.detail,
        }),
        UiEvent::Acked { event_ids, pending } => json!({
            "event": "acked", "event_ids": event_ids, "pending": pending,
        }),
        UiEvent::Power { action, ran } => json!({
            "event": "power",
            "action": match action {
                PowerAction::Restart => "restart",
                PowerAction::Shutdown => "shutdown",
                PowerAction::Unspecified => "unspecified",
            },
            "ran": ran,
        }),
    }
}

/// The `state` line.
fn state_json(state: &UiState, now: Instant) -> Value {
    let remaining = |deadline: Instant| {
        u64::try_from(deadline.saturating_duration_since(now).as_millis()).unwrap_or(u64::MAX)
    };
    match state {
        UiState::Locked => json!({"event": "state", "state": "locked"}),
        UiState::Maintenance => json!({"event": "state", "state": "maintenance"}),
        UiState::InSession(s) => json!({
            "event": "state", "state": "in_session", "session_id": s.session_id,
            "patron": s.patron_name, "remaining_ms": remaining(s.deadline),
        }),
        UiState::Warning {
            session,
            minutes_left,
        } => json!({
            "event": "state", "state": "warning", "session_id": session.session_id,
            "patron": session.patron_name, "remaining_ms": remaining(session.deadline),
            "minutes_left": minutes_left,
        }),
    }
}

/// Parses one control line; `Ok(None)` for a blank one.
pub fn parse_line(line: &str) -> Result<Option<UiInput>, String> {
    let mut words = line.split_whitespace();
    let Some(command) = words.next() else {
        return Ok(None);
    };
    let rest = |words: std::str::SplitWhitespace<'_>| words.collect::<Vec<_>>().join(" ");
    match command {
        "login" => {
            let card = words.next().ok_or("login: give the card number")?;
            Ok(Some(UiInput::Login {
                card: card.to_owned(),
                pin: String::new(),
                purpose: rest(words),
                rules_accepted: true,
            }))
        }
        "login-pin" => {
            let (Some(card), Some(pin)) = (words.next(), words.next()) else {
                return Err("login-pin: give the card number and the PIN".into());
            };
            Ok(Some(UiInput::Login {
                card: card.to_owned(),
                pin: pin.to_owned(),
                purpose: rest(words),
                rules_accepted: true,
            }))
        }
        "logout" if words.next().is_none() => Ok(Some(UiInput::Logout)),
        _ => Err("unknown command; expected `login <card> [purpose]`, \
             `login-pin <card> <pin> [purpose]` or `logout`"
            .into()),
    }
}

/// Reads stdin on a thread of its own (a blocking read cannot be
/// cancelled; the thread simply ends with the process or at end of input).
fn spawn_stdin_reader(inputs: mpsc::Sender<UiInput>, out: Output) -> Result<(), UiError> {
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match parse_line(&line) {
                    Ok(None) => {}
                    Ok(Some(input)) => {
                        if inputs.blocking_send(input).is_err() {
                            break;
                        }
                    }
                    Err(error) => {
                        let value = json!({"event": "input_error", "line": line, "error": error});
                        let mut out = out
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        let _ = writeln!(out, "{value}").and_then(|()| out.flush());
                    }
                }
            }
            tracing::debug!("end of stdin");
        })
        .map(|_| ())
        .map_err(|source| UiError::Io {
            front_end: "headless",
            source,
        })
}

/// Accepts control connections until aborted.
#[cfg(unix)]
async fn serve_socket(listener: tokio::net::UnixListener, inputs: mpsc::Sender<UiInput>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve_connection(stream, inputs.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "control socket accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// Longest control line read from the socket.
#[cfg(unix)]
const MAX_LINE: u64 = 4096;

/// Reads lines from one control connection, answering each.
#[cfg(unix)]
async fn serve_connection(stream: tokio::net::UnixStream, inputs: mpsc::Sender<UiInput>) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut line = String::new();
        match (&mut reader).take(MAX_LINE).read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = match parse_line(&line) {
            Ok(None) => continue,
            Ok(Some(input)) => match inputs.send(input).await {
                Ok(()) => "ok".to_owned(),
                Err(_) => "error: the agent is stopping".to_owned(),
            },
            Err(e) => format!("error: {e}"),
        };
        if write
            .write_all(format!("{reply}\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::session::SessionView;
    use crate::ui::Refusal;
    use bilik_proto::v1::RefusalCode;
    use std::time::Duration;

    #[test]
    fn control_lines() {
        assert_eq!(parse_line("  "), Ok(None));
        assert_eq!(
            parse_line("login 0001 Mencari informasi"),
            Ok(Some(UiInput::Login {
                card: "0001".into(),
                pin: String::new(),
                purpose: "Mencari informasi".into(),
                rules_accepted: true,
            }))
        );
        assert_eq!(
            parse_line("login-pin 0001 4321"),
            Ok(Some(UiInput::Login {
                card: "0001".into(),
                pin: "4321".into(),
                purpose: String::new(),
                rules_accepted: true,
            }))
        );
        assert_eq!(parse_line("logout\n"), Ok(Some(UiInput::Logout)));
        assert!(parse_line("login").is_err());
        assert!(parse_line("logout now").is_err());
        assert!(
            parse_line("reboot")
                .unwrap_err()
                .contains("unknown command")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn every_event_is_one_json_line() {
        let now = Instant::now();
        let session = SessionView {
            session_id: "s1".into(),
            patron_name: "Andi".into(),
            deadline: now + Duration::from_secs(90),
        };
        let line = to_json(
            &UiEvent::State(UiState::InSession(session.clone())),
            Lang::En,
            now,
        );
        assert_eq!(
            line,
            json!({"event":"state","state":"in_session","session_id":"s1","patron":"Andi","remaining_ms":90000})
        );
        let line = to_json(
            &UiEvent::State(UiState::Warning {
                session,
                minutes_left: 1,
            }),
            Lang::En,
            now + Duration::from_secs(30),
        );
        assert_eq!(line["remaining_ms"], 60000);
        assert_eq!(line["minutes_left"], 1);
        let line = to_json(
            &UiEvent::Refused(Refusal::Refused(RefusalCode::Maintenance)),
            Lang::En,
            now,
        );
        assert_eq!(line["code"], "MAINTENANCE");
        assert!(line["text"].as_str().unwrap().contains("maintenance"));
        // A code this agent does not know: the server's own words, in the
        // configured language.
        let unknown = Refusal::Unknown(crate::ui::ServerWords {
            code: 40,
            id: "Kartu perlu difoto ulang.".into(),
            en: "Your card photo must be retaken.".into(),
        });
        let line = to_json(&UiEvent::Refused(unknown.clone()), Lang::En, now);
        assert_eq!(
            line,
            json!({"event":"refusal","code":"CODE_40","text":"Your card photo must be retaken."})
        );
        let line = to_json(&UiEvent::Refused(unknown), Lang::Id, now);
        assert_eq!(line["text"], "Kartu perlu difoto ulang.");
        let line = to_json(
            &UiEvent::Link(LinkState::Backoff {
                attempt: 3,
                retry_in: Duration::from_millis(2500),
                error: "down".into(),
            }),
            Lang::Id,
            now,
        );
        assert_eq!(
            line,
            json!({"event":"link","status":"backoff","attempt":3,"retry_in_ms":2500,"error":"down"})
        );
        let text = line.to_string();
        assert!(!text.contains('\n'));
    }

    #[test]
    fn writes_lines_to_the_writer() {
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let mut ui = Headless::with_writer(Box::new(buf.clone()), Lang::Id);
        ui.show(&UiEvent::State(UiState::Locked));
        ui.show(&UiEvent::Message {
            text: "Tutup 15 menit lagi".into(),
            from: "siti".into(),
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0], json!({"event":"state","state":"locked"}));
        assert_eq!(lines[1]["from"], "siti");
    }
}
