//! The agent's configuration: one TOML file, every key overridable with
//! `--set section.key=value` (the value in TOML syntax, or a bare string),
//! defaults that run out of the box. The text is read as a whole and every
//! bad or unknown key is reported at once, one line each.
//!
//! ```toml
//! [agent]
//! server = ""                      # "" = the URL saved at enrolment
//! name = ""                        # station name asked for at enrolment
//! state_dir = "bilik-agent-state"  # credential, journal, control socket
//! ui = "headless"                  # the front-end: headless, gui, gui-windowed
//! language = "id"                  # id or en: texts the front-end shows
//!
//! [session]
//! warning_minutes = [5, 1]         # leave out to follow the server
//!
//! [link]
//! heartbeat_seconds = 0            # 0 = as the server says (Welcome)
//! backoff_min_ms = 500             # first reconnect delay
//! backoff_max_ms = 30000           # the cap
//! backoff_jitter = 0.5             # share of each delay randomised, 0..=1
//!
//! [hooks]                          # run in order, each with a timeout
//! session_start = []
//! session_end = [{ name = "cleanup", command = ["/usr/local/lib/bilik/session-end.sh"], timeout_ms = 30000 }]
//!
//! [power]                          # the server's restart/shutdown commands
//! restart = { command = ["systemctl", "reboot"] }
//! shutdown = { command = ["systemctl", "poweroff"] }
//!
//! [lock]                           # the lock-screen process (ui = "gui")
//! socket = ""                      # "" = ui.sock in the state directory
//! # ui_command = { command = ["runuser", "-u", "patron", "--", "bilik-agent", "ui"] }
//! # escalate = { command = ["loginctl", "terminate-user", "patron"], timeout_ms = 5000 }
//! heartbeat_ms = 100               # service <-> UI heartbeat period (the judge's tick)
//! heartbeat_timeout_ms = 750       # no UI status this long: hung or stopped (killed,
//!                                  # the standby takes over)
//! slow_ms = 5000                   # a silent UI that is running (starved, not stopped
//!                                  # or hung) is waited for this long, then replaced
//! restore_ms = 2000                # no verified lock this long: escalate
//! thief_ms = 300                   # the grab held by another client this long: escalate
//! standby = true                   # keep a warm standby lock screen ready
//! startup_ms = 20000               # the first lock after start may take this long
//! countdown_corner = "top-right"   # or top-left, bottom-left, bottom-right
//! logo = ""                        # the library's logo on the lock screen: a PNG file
//!                                  # (up to 1 MiB, 1024x1024 px; a bad one is logged
//!                                  # and the lock screen shows without it)
//! ```

use bilik_proto::config_toml::{TomlReader, read_with_overrides};
use std::path::PathBuf;
use std::time::Duration;

use bilik_proto::catalog::Lang;

use crate::backoff::Backoff;
use crate::hooks::HookSpec;

/// Everything wrong with a configuration, one line each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration:\n  {}", .0.join("\n  "))]
pub struct ConfigErrors(pub Vec<String>);

/// Which front-end shows the station's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontEndKind {
    /// No window: control lines in, JSON lines out (tests, demo, stations
    /// locked by other means).
    Headless,
    /// The eframe lock screen (`ui::gui`); `windowed` is the developer mode:
    /// a normal window, no grabs.
    Gui {
        /// A normal window without keyboard/pointer grabs.
        windowed: bool,
    },
}

impl FrontEndKind {
    /// The name used in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Self::Headless => "headless",
            Self::Gui { windowed: false } => "gui",
            Self::Gui { windowed: true } => "gui-windowed",
        }
    }
}

/// Default hook timeout when `timeout_ms` is left out.
pub const DEFAULT_HOOK_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest hook timeout accepted (an hour).
const MAX_HOOK_TIMEOUT_MS: i64 = 3_600_000;

/// The effective configuration of an agent.
#[derive(Debug, Clone)]
pub struct Config {
    /// The server's gRPC URL; empty means the one saved at enrolment.
    pub server: String,
    /// The station name asked for at enrolment (the code's name wins).
    pub name: String,
    /// Holds the credential, the event journal and the control socket.
    pub state_dir: PathBuf,
    /// The front-end to start.
    pub ui: FrontEndKind,
    /// The language of the texts the front-end shows.
    pub language: Lang,
    /// Warning thresholds in minutes; `None` follows the server's settings.
    pub warning_minutes: Option<Vec<u32>>,
    /// Seconds between heartbeats; 0 follows the server's settings.
    pub heartbeat_seconds: u32,
    /// First reconnect delay.
    pub backoff_min: Duration,
    /// Longest reconnect delay.
    pub backoff_max: Duration,
    /// Share of each reconnect delay that is randomised (0..=1).
    pub backoff_jitter: f64,
    /// Commands run, in order, when a session starts.
    pub session_start_hooks: Vec<HookSpec>,
    /// Commands run, in order, when a session ends (the cleanup).
    pub session_end_hooks: Vec<HookSpec>,
    /// What the server's "restart" power command runs; `None`: refused.
    pub power_restart: Option<HookSpec>,
    /// What the server's "shutdown" power command runs; `None`: refused.
    pub power_shutdown: Option<HookSpec>,
    /// How the service runs and watches the lock-screen process.
    pub lock: LockConfig,
}

/// Where on the screen the session's countdown sits (out of the way of the
/// browser's menu, which is top right in most browsers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Corner {
    /// Top left.
    TopLeft,
    /// Top right (the default).
    #[default]
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

impl Corner {
    /// The name in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Corner::TopLeft => "top-left",
            Corner::TopRight => "top-right",
            Corner::BottomLeft => "bottom-left",
            Corner::BottomRight => "bottom-right",
        }
    }

    /// The corner named `name`.
    pub fn parse(name: &str) -> Option<Corner> {
        [
            Corner::TopLeft,
            Corner::TopRight,
            Corner::BottomLeft,
            Corner::BottomRight,
        ]
        .into_iter()
        .find(|c| c.name() == name.trim())
    }
}

/// `[lock]`: the lock-screen process the service starts and watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockConfig {
    /// The Unix socket the UI connects to; `None`: `ui.sock` in the state
    /// directory (a station puts it where the patron's UI can reach it).
    pub socket: Option<PathBuf>,
    /// How to start the UI (e.g. as the patron user, via `runuser`);
    /// `None`: this binary's `ui` subcommand, as the service's own user.
    pub ui_command: Option<HookSpec>,
    /// What ends the patron's graphical session when no verified lock is
    /// restored in time (`loginctl terminate-user patron`, say); `None`:
    /// only reported.
    pub escalate: Option<HookSpec>,
    /// The heartbeat period both ways.
    pub heartbeat: Duration,
    /// No status line from the UI for this long: it is hung or stopped.
    pub heartbeat_timeout: Duration,
    /// A silent UI that `/proc` shows running and making progress (slow on
    /// a starved machine, not stopped or hung) is waited for this long
    /// before it is replaced anyway: a busy machine must not cost the
    /// patron the session, a UI that never answers must not hold it.
    pub slow: Duration,
    /// How long the station may be due locked without a verified lock
    /// before the patron's session is ended.
    pub restore: Duration,
    /// The same bound for the first lock after the service starts (the
    /// desktop session may still be starting).
    pub startup: Duration,
    /// The bound when the UI reports its grab refused because another
    /// client holds it: no restart can repair that, so the service
    /// escalates sooner than `restore` (a few repair ticks, so a grab taken
    /// for an instant by a menu closing is not enough).
    pub thief: Duration,
    /// Keep a second, hidden lock-screen process started and connected,
    /// which takes over at once when the active one is killed, stopped or
    /// hung (no cold start of a window and its software GL).
    pub standby: bool,
    /// Where the countdown sits during a session.
    pub countdown_corner: Corner,
    /// The library's logo on the lock screen (a PNG file the patron's UI
    /// can read); `None`: no logo. Checked by `ui::logo` when used.
    pub logo: Option<PathBuf>,
}

impl Default for LockConfig {
    fn default() -> LockConfig {
        LockConfig {
            socket: None,
            ui_command: None,
            escalate: None,
            heartbeat: Duration::from_millis(100),
            heartbeat_timeout: Duration::from_millis(750),
            slow: Duration::from_secs(5),
            restore: Duration::from_millis(2000),
            startup: Duration::from_secs(20),
            thief: Duration::from_millis(300),
            standby: true,
            countdown_corner: Corner::TopRight,
            logo: None,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            server: String::new(),
            name: String::new(),
            state_dir: PathBuf::from("bilik-agent-state"),
            ui: FrontEndKind::Headless,
            language: Lang::Id,
            warning_minutes: None,
            heartbeat_seconds: 0,
            backoff_min: Backoff::DEFAULT_MIN,
            backoff_max: Backoff::DEFAULT_MAX,
            backoff_jitter: Backoff::DEFAULT_JITTER,
            session_start_hooks: Vec::new(),
            session_end_hooks: Vec::new(),
            power_restart: None,
            power_shutdown: None,
            lock: LockConfig::default(),
        }
    }
}

impl Config {
    /// Reads a TOML text, then applies `overrides` (`section.key=value`).
    /// Every problem is reported.
    pub fn parse(text: &str, overrides: &[String]) -> Result<Config, ConfigErrors> {
        let mut errors = Vec::new();
        let mut table =
            read_with_overrides(text, overrides, &mut errors).map_err(|e| ConfigErrors(vec![e]))?;
        let mut cfg = Config::default();
        let mut r = TomlReader {
            errors: &mut errors,
        };

        let mut agent = r.section(&mut table, "agent");
        r.text(&mut agent, "agent.server", &mut cfg.server, |s| {
            let s = s.trim();
            if s.is_empty() || s.starts_with("http://") || s.starts_with("https://") {
                Ok(s.to_owned())
            } else {
                Err("expected a URL like http://192.168.1.10:50551".into())
            }
        });
        r.text(&mut agent, "agent.name", &mut cfg.name, |s| {
            Ok(s.trim().to_owned())
        });
        r.text(&mut agent, "agent.state_dir", &mut cfg.state_dir, |s| {
            if s.trim().is_empty() {
                Err("must not be empty".into())
            } else {
                Ok(PathBuf::from(s))
            }
        });
        r.text(&mut agent, "agent.ui", &mut cfg.ui, |s| match s.trim() {
            "headless" => Ok(FrontEndKind::Headless),
            "gui" => Ok(FrontEndKind::Gui { windowed: false }),
            "gui-windowed" => Ok(FrontEndKind::Gui { windowed: true }),
            _ => Err("expected \"headless\", \"gui\" or \"gui-windowed\"".into()),
        });
        r.text(&mut agent, "agent.language", &mut cfg.language, |s| {
            Lang::parse(s).ok_or_else(|| "expected \"id\" or \"en\"".into())
        });
        r.unknown(agent, "agent");

        let mut session = r.section(&mut table, "session");
        if let Some(v) = session.remove("warning_minutes") {
            match v.as_array().map(|a| {
                a.iter()
                    .map(toml::Value::as_integer)
                    .collect::<Option<Vec<_>>>()
            }) {
                Some(Some(list)) if list.iter().all(|m| (1..=60).contains(m)) => {
                    cfg.warning_minutes = Some(
                        list.into_iter()
                            .filter_map(|m| u32::try_from(m).ok())
                            .collect(),
                    );
                }
                _ => r.errors.push(
                    "session.warning_minutes: expected a list of minutes 1..=60, e.g. [5, 1]"
                        .into(),
                ),
            }
        }
        r.unknown(session, "session");

        let mut link = r.section(&mut table, "link");
        r.uint(
            &mut link,
            "link.heartbeat_seconds",
            0,
            3600,
            &mut cfg.heartbeat_seconds,
        );
        let mut min_ms = duration_ms(cfg.backoff_min);
        let mut max_ms = duration_ms(cfg.backoff_max);
        r.uint(&mut link, "link.backoff_min_ms", 1, 3_600_000, &mut min_ms);
        r.uint(&mut link, "link.backoff_max_ms", 1, 3_600_000, &mut max_ms);
        cfg.backoff_min = Duration::from_millis(min_ms);
        cfg.backoff_max = Duration::from_millis(max_ms);
        if let Some(v) = link.remove("backoff_jitter") {
            match v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
                Some(j) => cfg.backoff_jitter = j,
                None => r.errors.push(format!(
                    "link.backoff_jitter: expected a number 0..=1, found {v}"
                )),
            }
        }
        if let Err(e) = Backoff::new(cfg.backoff_min, cfg.backoff_max, cfg.backoff_jitter) {
            r.errors.push(format!("link: {e}"));
        }
        r.unknown(link, "link");

        let mut hooks = r.section(&mut table, "hooks");
        cfg.session_start_hooks = r.hook_list(&mut hooks, "session_start");
        cfg.session_end_hooks = r.hook_list(&mut hooks, "session_end");
        r.unknown(hooks, "hooks");

        let mut power = r.section(&mut table, "power");
        cfg.power_restart = power
            .remove("restart")
            .and_then(|v| r.hook(&v, "power.restart", "power-restart"));
        cfg.power_shutdown = power
            .remove("shutdown")
            .and_then(|v| r.hook(&v, "power.shutdown", "power-shutdown"));
        r.unknown(power, "power");

        let mut lock = r.section(&mut table, "lock");
        r.text(&mut lock, "lock.socket", &mut cfg.lock.socket, |s| {
            Ok((!s.trim().is_empty()).then(|| PathBuf::from(s)))
        });
        cfg.lock.ui_command = lock
            .remove("ui_command")
            .and_then(|v| r.hook(&v, "lock.ui_command", "lock-ui"));
        cfg.lock.escalate = lock
            .remove("escalate")
            .and_then(|v| r.hook(&v, "lock.escalate", "lock-escalate"));
        for (key, field, min) in [
            ("heartbeat_ms", &mut cfg.lock.heartbeat, 20),
            ("heartbeat_timeout_ms", &mut cfg.lock.heartbeat_timeout, 100),
            ("slow_ms", &mut cfg.lock.slow, 100),
            ("restore_ms", &mut cfg.lock.restore, 100),
            ("startup_ms", &mut cfg.lock.startup, 100),
            ("thief_ms", &mut cfg.lock.thief, 100),
        ] {
            let mut ms = duration_ms(*field);
            r.uint(&mut lock, &format!("lock.{key}"), min, 600_000, &mut ms);
            *field = Duration::from_millis(ms);
        }
        if cfg.lock.heartbeat_timeout <= cfg.lock.heartbeat {
            r.errors
                .push("lock.heartbeat_timeout_ms: must be longer than lock.heartbeat_ms".into());
        }
        if cfg.lock.slow < cfg.lock.heartbeat_timeout {
            r.errors
                .push("lock.slow_ms: must not be shorter than lock.heartbeat_timeout_ms".into());
        }
        r.boolean(&mut lock, "lock.standby", &mut cfg.lock.standby);
        r.text(&mut lock, "lock.logo", &mut cfg.lock.logo, |s| {
            Ok((!s.trim().is_empty()).then(|| PathBuf::from(s)))
        });
        r.text(
            &mut lock,
            "lock.countdown_corner",
            &mut cfg.lock.countdown_corner,
            |s| {
                Corner::parse(s).ok_or_else(|| {
                    "expected top-left, top-right, bottom-left or bottom-right".into()
                })
            },
        );
        r.unknown(lock, "lock");

        r.unknown_sections(table);
        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The reconnect delays this configuration asks for (bounds were
    /// validated by [`Config::parse`]; a hand-built bad one falls back to
    /// the defaults).
    pub fn backoff(&self) -> Backoff {
        Backoff::new(self.backoff_min, self.backoff_max, self.backoff_jitter).unwrap_or_default()
    }

    /// The effective configuration as TOML, for `--print-config`; it parses
    /// back to the same configuration.
    pub fn to_toml(&self) -> String {
        let s = |text: &str| toml::Value::String(text.to_owned()).to_string();
        let mut out = format!(
            "[agent]\nserver = {}\nname = {}\nstate_dir = {}\nui = {}\nlanguage = {}\n\n[session]\n",
            s(&self.server),
            s(&self.name),
            s(&self.state_dir.display().to_string()),
            s(self.ui.name()),
            s(match self.language {
                Lang::Id => "id",
                Lang::En => "en",
            }),
        );
        match &self.warning_minutes {
            Some(list) => {
                let items: Vec<String> = list.iter().map(u32::to_string).collect();
                out.push_str(&format!("warning_minutes = [{}]\n", items.join(", ")));
            }
            None => out.push_str("# warning_minutes: as the server says\n"),
        }
        out.push_str(&format!(
            "\n[link]\nheartbeat_seconds = {}\nbackoff_min_ms = {}\nbackoff_max_ms = {}\nbackoff_jitter = {}\n\n[hooks]\n",
            self.heartbeat_seconds,
            duration_ms(self.backoff_min),
            duration_ms(self.backoff_max),
            toml::Value::Float(self.backoff_jitter),
        ));
        let list = |hooks: &[HookSpec]| {
            toml::Value::Array(hooks.iter().map(hook_value).collect()).to_string()
        };
        out.push_str(&format!(
            "session_start = {}\nsession_end = {}\n\n[power]\n",
            list(&self.session_start_hooks),
            list(&self.session_end_hooks)
        ));
        for (key, spec) in [
            ("restart", &self.power_restart),
            ("shutdown", &self.power_shutdown),
        ] {
            match spec {
                Some(spec) => out.push_str(&format!("{key} = {}\n", hook_value(spec))),
                None => out.push_str(&format!("# {key}: not configured (refused)\n")),
            }
        }
        out.push_str("\n[lock]\n");
        if let Some(socket) = &self.lock.socket {
            out.push_str(&format!("socket = {}\n", s(&socket.display().to_string())));
        }
        if let Some(logo) = &self.lock.logo {
            out.push_str(&format!("logo = {}\n", s(&logo.display().to_string())));
        }
        for (key, spec) in [
            ("ui_command", &self.lock.ui_command),
            ("escalate", &self.lock.escalate),
        ] {
            if let Some(spec) = spec {
                out.push_str(&format!("{key} = {}\n", hook_value(spec)));
            }
        }
        out.push_str(&format!(
            "heartbeat_ms = {}\nheartbeat_timeout_ms = {}\nslow_ms = {}\nrestore_ms = {}\nstartup_ms = {}\nthief_ms = {}\nstandby = {}\ncountdown_corner = {}\n",
            duration_ms(self.lock.heartbeat),
            duration_ms(self.lock.heartbeat_timeout),
            duration_ms(self.lock.slow),
            duration_ms(self.lock.restore),
            duration_ms(self.lock.startup),
            duration_ms(self.lock.thief),
            self.lock.standby,
            s(self.lock.countdown_corner.name()),
        ));
        out
    }
}

/// A hook as an inline TOML table.
fn hook_value(spec: &HookSpec) -> toml::Value {
    let mut t = toml::map::Map::new();
    t.insert("name".into(), toml::Value::String(spec.name.clone()));
    let command = std::iter::once(&spec.program)
        .chain(&spec.args)
        .map(|a| toml::Value::String(a.clone()))
        .collect();
    t.insert("command".into(), toml::Value::Array(command));
    t.insert(
        "timeout_ms".into(),
        toml::Value::Integer(i64::try_from(spec.timeout.as_millis()).unwrap_or(i64::MAX)),
    );
    toml::Value::Table(t)
}

/// Milliseconds of `d`, saturating.
fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Reading hook lists, on top of the shared configuration reader.
trait HookReader {
    /// `hooks.<key>`: a list of hook tables.
    fn hook_list(&mut self, table: &mut toml::Table, key: &str) -> Vec<HookSpec>;
    /// One hook table.
    fn hook(&mut self, value: &toml::Value, path: &str, default_name: &str) -> Option<HookSpec>;
}

impl HookReader for TomlReader<'_> {
    /// `hooks.<key>`: a list of hook tables.
    fn hook_list(&mut self, table: &mut toml::Table, key: &str) -> Vec<HookSpec> {
        let path = format!("hooks.{key}");
        match table.remove(key) {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let default_name = format!("{}-{}", key.replace('_', "-"), i + 1);
                    self.hook(v, &format!("{path}[{i}]"), &default_name)
                })
                .collect(),
            Some(other) => {
                self.errors.push(format!(
                    "{path}: expected a list of {{ command = [...], timeout_ms = ... }}, found {}",
                    other.type_str()
                ));
                Vec::new()
            }
        }
    }

    /// One hook: `{ name?, command = ["program", "arg", ...], timeout_ms? }`.
    fn hook(&mut self, value: &toml::Value, path: &str, default_name: &str) -> Option<HookSpec> {
        let Some(t) = value.as_table() else {
            self.errors.push(format!(
                "{path}: expected {{ command = [\"program\", ...], timeout_ms = 30000 }}"
            ));
            return None;
        };
        let mut ok = true;
        let name = match t.get("name") {
            None => default_name.to_owned(),
            Some(toml::Value::String(n)) if !n.trim().is_empty() => n.trim().to_owned(),
            Some(_) => {
                self.errors
                    .push(format!("{path}.name: expected a non-empty text"));
                ok = false;
                String::new()
            }
        };
        let command: Option<Vec<String>> = t.get("command").and_then(|c| {
            c.as_array()?
                .iter()
                .map(|a| a.as_str().map(str::to_owned))
                .collect()
        });
        let (program, args) = match command.as_deref() {
            Some([program, args @ ..]) if !program.trim().is_empty() => {
                (program.clone(), args.to_vec())
            }
            _ => {
                self.errors.push(format!(
                    "{path}.command: expected a non-empty list of texts, program first"
                ));
                ok = false;
                (String::new(), Vec::new())
            }
        };
        let timeout = match t.get("timeout_ms") {
            None => DEFAULT_HOOK_TIMEOUT,
            Some(toml::Value::Integer(ms)) if (1..=MAX_HOOK_TIMEOUT_MS).contains(ms) => {
                Duration::from_millis(ms.unsigned_abs())
            }
            Some(other) => {
                self.errors.push(format!(
                    "{path}.timeout_ms: expected a whole number 1..={MAX_HOOK_TIMEOUT_MS}, found {other}"
                ));
                ok = false;
                DEFAULT_HOOK_TIMEOUT
            }
        };
        for key in t.keys() {
            if !["name", "command", "timeout_ms"].contains(&key.as_str()) {
                self.errors.push(format!("{path}.{key}: unknown key"));
                ok = false;
            }
        }
        ok.then_some(HookSpec {
            name,
            program,
            args,
            timeout,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_gives_defaults() {
        let cfg = Config::parse("", &[]).unwrap();
        assert_eq!(cfg.ui, FrontEndKind::Headless);
        assert_eq!(cfg.backoff_min, Duration::from_millis(500));
        assert_eq!(cfg.backoff_max, Duration::from_secs(30));
        assert_eq!(cfg.warning_minutes, None);
        assert!(cfg.power_restart.is_none());
    }

    #[test]
    fn every_bad_key_is_reported_at_once() {
        let text = r#"
[agent]
server = "ftp://x"
colour = 1
[link]
backoff_min_ms = 5000
backoff_max_ms = 1000
[hooks]
session_end = [{ command = [] }, { command = ["true"], timeout_ms = 0, extra = 1 }]
[power]
restart = "reboot"
[oops]
"#;
        let err = Config::parse(text, &["agent.ui=kiosk".into(), "nonsense".into()]).unwrap_err();
        let all = err.0.join("\n");
        for needle in [
            "agent.server",
            "agent.colour",
            "link: maximum backoff",
            "hooks.session_end[0].command",
            "hooks.session_end[1].timeout_ms",
            "hooks.session_end[1].extra",
            "power.restart",
            "oops",
            "agent.ui",
            "nonsense",
        ] {
            assert!(all.contains(needle), "{needle} missing from:\n{all}");
        }
        assert_eq!(err.0.len(), 10, "{all}");
    }

    #[test]
    fn jitter_out_of_range_is_refused() {
        let err = Config::parse("[link]\nbackoff_jitter = 1.5\n", &[]).unwrap_err();
        assert!(err.0[0].contains("jitter"), "{err}");
    }

    #[test]
    fn overrides_and_print_round_trip() {
        let cfg = Config::parse(
            "[hooks]\nsession_end = [{ name = \"wipe\", command = [\"sh\", \"-c\", \"exit 0\"], timeout_ms = 1500 }]\n",
            &[
                "agent.server=http://10.0.0.1:50551".into(),
                "session.warning_minutes=[10, 2]".into(),
                "power.restart={ command = [\"touch\", \"/tmp/x\"] }".into(),
                "link.backoff_jitter=0".into(),
            ],
        )
        .unwrap();
        assert_eq!(cfg.server, "http://10.0.0.1:50551");
        assert_eq!(cfg.warning_minutes, Some(vec![10, 2]));
        assert_eq!(cfg.session_end_hooks[0].name, "wipe");
        assert_eq!(cfg.session_end_hooks[0].args, ["-c", "exit 0"]);
        assert_eq!(
            cfg.session_end_hooks[0].timeout,
            Duration::from_millis(1500)
        );
        let restart = cfg.power_restart.clone().unwrap();
        assert_eq!(restart.program, "touch");
        assert_eq!(restart.timeout, DEFAULT_HOOK_TIMEOUT);
        assert_eq!(cfg.backoff_jitter, 0.0);
        let again = Config::parse(&cfg.to_toml(), &[]).unwrap();
        assert_eq!(again.to_toml(), cfg.to_toml());
        assert_eq!(again.session_end_hooks, cfg.session_end_hooks);
        assert_eq!(again.power_restart, cfg.power_restart);
    }
}
