//! The local protocol between the station service and its lock-screen
//! process (`bilik-agent ui`): one JSON object per line over a Unix socket,
//! each way.
//!
//! ```text
//! ui      -> service  {"t":"hello","token":T,"pid":P}          first line; T came on the UI's stdin
//! service -> ui       {"t":"welcome","language":"id","windowed":false,"countdown_corner":"top-right","standby":false}
//! service -> ui       {"t":"activate"}                          to a standby: take over now
//! service -> ui       {"t":"ping","seq":N}                      every heartbeat period
//! service -> ui       {"t":"show","event":{...}}                what to show (see WireEvent)
//! ui      -> service  {"t":"status","seq":N,"screen":"locked","verified":true,"problems":[]}
//! ui      -> service  {"t":"login",...} / {"t":"logout"} / {"t":"repaired","detail":D}
//! ```
//!
//! The status line is the UI's heartbeat: its repair thread writes one per
//! tick, whatever eframe is doing, saying whether the lock it shows was
//! verified with the X server (mapped, full screen, on top, grabbed). The
//! service counts time from these lines only.

use std::time::Duration;

use bilik_proto::catalog::Lang;
use bilik_proto::v1::{RefusalCode, Settings};
use prost::Message;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{Refusal, ServerWords, UiEvent, UiInput, UiState};
use crate::link::LinkState;
use crate::session::SessionView;

/// Longest line either side reads (a settings message with long house
/// rules fits many times over).
pub const MAX_LINE: usize = 256 * 1024;

/// A line from the service to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ToUi {
    /// The answer to a good hello: how to start the window.
    Welcome {
        /// "id" or "en": the language the lock screen starts in.
        language: String,
        /// Developer mode: a normal window, no grabs, no repairs.
        windowed: bool,
        /// Where the countdown sits ("top-right", ...).
        #[serde(default)]
        countdown_corner: String,
        /// A warm standby: start the window hidden and wait for
        /// [`ToUi::Activate`] (the service keeps one ready so a killed,
        /// stopped or hung lock screen is replaced without a cold start).
        #[serde(default)]
        standby: bool,
        /// The library's logo file (`lock.logo`), "" for none: the UI reads
        /// it within `ui::logo`'s limits.
        #[serde(default)]
        logo: String,
        /// The service's curtain window (X id, 0 for none): the lock
        /// screen must not lower it as an intruder (see
        /// `supervisor::curtain`).
        #[serde(default)]
        curtain: u32,
    },
    /// To a standby: the active lock screen is gone, take over now (show
    /// the lock, grab, repair; what to show follows).
    Activate {
        /// The service's curtain window now (it is made again when
        /// destroyed), as in the welcome.
        #[serde(default)]
        curtain: u32,
    },
    /// The service's heartbeat; the UI echoes the last `seq` in its status.
    Ping {
        /// Counts up from 1.
        seq: u64,
    },
    /// Something to show.
    Show {
        /// What.
        event: WireEvent,
    },
}

/// A line from the UI to the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum FromUi {
    /// The first line: proves the UI is the process this service started.
    Hello {
        /// The one-time token given on the UI's stdin.
        token: String,
        /// The UI's process id (for the log).
        pid: u32,
    },
    /// The UI's heartbeat and what it verified.
    Status {
        /// The last ping seen.
        seq: u64,
        /// What the window is showing.
        screen: Screen,
        /// The lock (when `screen` is locked) was verified with the X server
        /// on this tick.
        verified: bool,
        /// What was wrong on this tick (and repaired), for the tamper report.
        problems: Vec<String>,
        /// The X server refused the grab because another client holds it
        /// (`AlreadyGrabbed`): no repair by this UI can restore the lock,
        /// so the service escalates on its shorter `lock.thief_ms` bound.
        #[serde(default)]
        grab_taken: bool,
        /// The lock (when `screen` is locked) has been drawn since its
        /// window was last mapped, moved or uncovered: the service's
        /// curtain holds the keyboard and pointer until then.
        #[serde(default)]
        painted: bool,
    },
    /// A card was presented.
    Login {
        /// As typed or scanned.
        card: String,
        /// The PIN, or empty.
        pin: String,
        /// The purpose picked.
        purpose: String,
        /// The house rules were ticked.
        rules_accepted: bool,
    },
    /// The patron pressed "Log out".
    Logout,
    /// The UI found its window tampered with and repaired it.
    Repaired {
        /// What was found.
        detail: String,
    },
}

/// What the lock-screen window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Screen {
    /// Not known yet (no window yet).
    Starting,
    /// The full-screen lock (or maintenance) screen.
    Locked,
    /// The session's countdown.
    Countdown,
}

/// A [`UiEvent`] the lock screen uses, as sent over the socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireEvent {
    /// The screen's state.
    State {
        /// Which.
        state: WireState,
    },
    /// A warning threshold was passed.
    Warning {
        /// The session concerned.
        session_id: String,
        /// Minutes left.
        minutes_left: u32,
    },
    /// A login was refused.
    Refused {
        /// Why.
        refusal: WireRefusal,
    },
    /// A librarian's message.
    Message {
        /// The text.
        text: String,
        /// Who sent it.
        from: String,
    },
    /// The station is held for a queued patron (empty name: no longer).
    Hold {
        /// Whom for.
        patron_name: String,
        /// Minutes left at receipt.
        minutes_left: u32,
    },
    /// The link to the server changed.
    Link {
        /// "connecting", "connected" or "backoff".
        status: String,
        /// The station's name, when connected.
        station_name: String,
        /// The station's id, when connected.
        station_id: String,
        /// The attempt count, when not connected.
        attempt: u32,
        /// The delay before the next attempt, in ms.
        retry_in_ms: u64,
        /// What went wrong, when backing off.
        error: String,
    },
    /// The server's settings, as their protobuf bytes.
    Settings {
        /// `Settings` encoded.
        proto: Vec<u8>,
    },
}

/// A [`UiState`] over the socket: deadlines as time left when sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WireState {
    /// The lock screen.
    Locked,
    /// Out of service.
    Maintenance,
    /// A session.
    InSession {
        /// Its id.
        session_id: String,
        /// Shown on the countdown.
        patron: String,
        /// Time left when the line was written.
        remaining_ms: u64,
    },
    /// A session near its end.
    Warning {
        /// Its id.
        session_id: String,
        /// Shown on the countdown.
        patron: String,
        /// Time left when the line was written.
        remaining_ms: u64,
        /// The threshold passed.
        minutes_left: u32,
    },
}

/// A [`Refusal`] over the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireRefusal {
    /// Refused with a protocol code (its number).
    Refused(i32),
    /// Refused with a code the agent does not know, in the server's words.
    Unknown(ServerWords),
    /// The server cannot be reached.
    NotConnected,
    /// The server failed the call.
    ServerError,
    /// A login is already being checked.
    InProgress,
}

/// The language's code on the wire.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "id",
        Lang::En => "en",
    }
}

/// Milliseconds until `deadline`, from `now`.
fn remaining(deadline: Instant, now: Instant) -> u64 {
    u64::try_from(deadline.saturating_duration_since(now).as_millis()).unwrap_or(u64::MAX)
}

impl WireState {
    /// `state` with its deadline counted from `now`.
    pub fn from_state(state: &UiState, now: Instant) -> WireState {
        match state {
            UiState::Locked => WireState::Locked,
            UiState::Maintenance => WireState::Maintenance,
            UiState::InSession(s) => WireState::InSession {
                session_id: s.session_id.clone(),
                patron: s.patron_name.clone(),
                remaining_ms: remaining(s.deadline, now),
            },
            UiState::Warning {
                session,
                minutes_left,
            } => WireState::Warning {
                session_id: session.session_id.clone(),
                patron: session.patron_name.clone(),
                remaining_ms: remaining(session.deadline, now),
                minutes_left: *minutes_left,
            },
        }
    }

    /// The state, its deadline from `now` (the time of receipt).
    pub fn to_state(&self, now: Instant) -> UiState {
        let view = |id: &str, patron: &str, ms: u64| SessionView {
            session_id: id.to_owned(),
            patron_name: patron.to_owned(),
            deadline: now + Duration::from_millis(ms),
        };
        match self {
            WireState::Locked => UiState::Locked,
            WireState::Maintenance => UiState::Maintenance,
            WireState::InSession {
                session_id,
                patron,
                remaining_ms,
            } => UiState::InSession(view(session_id, patron, *remaining_ms)),
            WireState::Warning {
                session_id,
                patron,
                remaining_ms,
                minutes_left,
            } => UiState::Warning {
                session: view(session_id, patron, *remaining_ms),
                minutes_left: *minutes_left,
            },
        }
    }
}

impl WireEvent {
    /// The wire form of `event`; `None` for what the lock screen does not
    /// show (journal, hooks, acks, power).
    pub fn from_event(event: &UiEvent, now: Instant) -> Option<WireEvent> {
        Some(match event {
            UiEvent::State(state) => WireEvent::State {
                state: WireState::from_state(state, now),
            },
            UiEvent::Warning {
                session_id,
                minutes_left,
            } => WireEvent::Warning {
                session_id: session_id.clone(),
                minutes_left: *minutes_left,
            },
            UiEvent::Refused(r) => WireEvent::Refused {
                refusal: match r {
                    Refusal::Refused(code) => WireRefusal::Refused(*code as i32),
                    Refusal::Unknown(words) => WireRefusal::Unknown(words.clone()),
                    Refusal::NotConnected => WireRefusal::NotConnected,
                    Refusal::ServerError => WireRefusal::ServerError,
                    Refusal::InProgress => WireRefusal::InProgress,
                },
            },
            UiEvent::Message { text, from } => WireEvent::Message {
                text: text.clone(),
                from: from.clone(),
            },
            UiEvent::Hold {
                patron_name,
                minutes_left,
            } => WireEvent::Hold {
                patron_name: patron_name.clone(),
                minutes_left: *minutes_left,
            },
            UiEvent::Link(link) => {
                let mut wire = WireEvent::Link {
                    status: String::new(),
                    station_name: String::new(),
                    station_id: String::new(),
                    attempt: 0,
                    retry_in_ms: 0,
                    error: String::new(),
                };
                if let WireEvent::Link {
                    status,
                    station_name,
                    station_id,
                    attempt,
                    retry_in_ms,
                    error,
                } = &mut wire
                {
                    match link {
                        LinkState::Connecting { attempt: a } => {
                            *status = "connecting".into();
                            *attempt = *a;
                        }
                        LinkState::Connected {
                            station_id: id,
                            station_name: name,
                        } => {
                            *status = "connected".into();
                            station_id.clone_from(id);
                            station_name.clone_from(name);
                        }
                        LinkState::Backoff {
                            attempt: a,
                            retry_in,
                            error: e,
                        } => {
                            *status = "backoff".into();
                            *attempt = *a;
                            *retry_in_ms = u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX);
                            error.clone_from(e);
                        }
                    }
                }
                wire
            }
            UiEvent::Settings(s) => WireEvent::Settings {
                proto: s.encode_to_vec(),
            },
            UiEvent::JournalDamaged { .. }
            | UiEvent::HookFailed(_)
            | UiEvent::Acked { .. }
            | UiEvent::Power { .. } => return None,
        })
    }

    /// The event, deadlines counted from `now`; `None` if it does not
    /// decode (bad settings bytes).
    pub fn to_event(&self, now: Instant) -> Option<UiEvent> {
        Some(match self {
            WireEvent::State { state } => UiEvent::State(state.to_state(now)),
            WireEvent::Warning {
                session_id,
                minutes_left,
            } => UiEvent::Warning {
                session_id: session_id.clone(),
                minutes_left: *minutes_left,
            },
            WireEvent::Refused { refusal } => UiEvent::Refused(match refusal {
                WireRefusal::Refused(code) => Refusal::Refused(
                    RefusalCode::try_from(*code).unwrap_or(RefusalCode::Unspecified),
                ),
                WireRefusal::Unknown(words) => Refusal::Unknown(words.clone()),
                WireRefusal::NotConnected => Refusal::NotConnected,
                WireRefusal::ServerError => Refusal::ServerError,
                WireRefusal::InProgress => Refusal::InProgress,
            }),
            WireEvent::Message { text, from } => UiEvent::Message {
                text: text.clone(),
                from: from.clone(),
            },
            WireEvent::Hold {
                patron_name,
                minutes_left,
            } => UiEvent::Hold {
                patron_name: patron_name.clone(),
                minutes_left: *minutes_left,
            },
            WireEvent::Link {
                status,
                station_name,
                station_id,
                attempt,
                retry_in_ms,
                error,
            } => UiEvent::Link(match status.as_str() {
                "connected" => LinkState::Connected {
                    station_id: station_id.clone(),
                    station_name: station_name.clone(),
                },
                "backoff" => LinkState::Backoff {
                    attempt: *attempt,
                    retry_in: Duration::from_millis(*retry_in_ms),
                    error: error.clone(),
                },
                _ => LinkState::Connecting { attempt: *attempt },
            }),
            WireEvent::Settings { proto } => {
                UiEvent::Settings(Settings::decode(proto.as_slice()).ok()?)
            }
        })
    }
}

impl FromUi {
    /// The patron's action this line carries, if any.
    pub fn input(&self) -> Option<UiInput> {
        match self {
            FromUi::Login {
                card,
                pin,
                purpose,
                rules_accepted,
            } => Some(UiInput::Login {
                card: card.clone(),
                pin: pin.clone(),
                purpose: purpose.clone(),
                rules_accepted: *rules_accepted,
            }),
            FromUi::Logout => Some(UiInput::Logout),
            FromUi::Hello { .. } | FromUi::Status { .. } | FromUi::Repaired { .. } => None,
        }
    }

    /// The line for a patron's action; `None` for a tamper report (the UI
    /// sends those as [`FromUi::Repaired`] itself).
    pub fn from_input(input: UiInput) -> Option<FromUi> {
        match input {
            UiInput::Login {
                card,
                pin,
                purpose,
                rules_accepted,
            } => Some(FromUi::Login {
                card,
                pin,
                purpose,
                rules_accepted,
            }),
            UiInput::Logout => Some(FromUi::Logout),
            UiInput::Tamper { detail, .. } => Some(FromUi::Repaired { detail }),
        }
    }
}

/// One line of JSON (with its newline).
pub fn line<T: Serialize>(message: &T) -> String {
    let mut text = serde_json::to_string(message).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn states_travel_with_their_time_left() {
        let now = Instant::now();
        let state = UiState::Warning {
            session: SessionView {
                session_id: "s1".into(),
                patron_name: "Andi".into(),
                deadline: now + Duration::from_secs(90),
            },
            minutes_left: 1,
        };
        let wire = WireEvent::from_event(&UiEvent::State(state.clone()), now).unwrap();
        let text = line(&ToUi::Show { event: wire });
        let back: ToUi = serde_json::from_str(text.trim()).unwrap();
        let ToUi::Show { event } = back else {
            panic!("{text}")
        };
        assert_eq!(event.to_event(now), Some(UiEvent::State(state)));
    }

    #[test]
    fn settings_refusals_and_links_round_trip() {
        let now = Instant::now();
        for event in [
            UiEvent::Settings(Settings {
                library_name: "Perpustakaan Kota".into(),
                purposes: vec!["Belajar".into()],
                ..Settings::default()
            }),
            UiEvent::Refused(Refusal::Refused(RefusalCode::Expired)),
            UiEvent::Refused(Refusal::InProgress),
            UiEvent::Refused(Refusal::Unknown(ServerWords {
                code: 40,
                id: "Kartu perlu difoto ulang.".into(),
                en: "Your card photo must be retaken.".into(),
            })),
            UiEvent::Link(LinkState::Connected {
                station_id: "id".into(),
                station_name: "PC-07".into(),
            }),
            UiEvent::Link(LinkState::Backoff {
                attempt: 2,
                retry_in: Duration::from_millis(500),
                error: "down".into(),
            }),
        ] {
            let wire = WireEvent::from_event(&event, now).unwrap();
            let text = serde_json::to_string(&wire).unwrap();
            let back: WireEvent = serde_json::from_str(&text).unwrap();
            assert_eq!(back.to_event(now), Some(event));
        }
        assert_eq!(
            WireEvent::from_event(
                &UiEvent::Acked {
                    event_ids: vec![],
                    pending: 0
                },
                now
            ),
            None
        );
    }

    #[test]
    fn status_lines_parse() {
        let text =
            r#"{"t":"status","seq":3,"screen":"locked","verified":false,"problems":["unmapped"]}"#;
        let status: FromUi = serde_json::from_str(text).unwrap();
        assert_eq!(
            status,
            FromUi::Status {
                seq: 3,
                screen: Screen::Locked,
                verified: false,
                problems: vec!["unmapped".into()],
                grab_taken: false,
                painted: false,
            }
        );
        let welcome: ToUi =
            serde_json::from_str(r#"{"t":"welcome","language":"en","windowed":false}"#).unwrap();
        assert!(matches!(welcome, ToUi::Welcome { standby: false, .. }));
        let activate: ToUi = serde_json::from_str(r#"{"t":"activate"}"#).unwrap();
        assert_eq!(activate, ToUi::Activate { curtain: 0 });
        assert_eq!(status.input(), None);
        let login = FromUi::Login {
            card: "1001".into(),
            pin: String::new(),
            purpose: "Belajar".into(),
            rules_accepted: true,
        };
        assert!(matches!(login.input(), Some(UiInput::Login { .. })));
    }
}
