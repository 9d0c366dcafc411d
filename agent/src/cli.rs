//! The command line: `bilik-agent [run]` and `bilik-agent enroll`, and how
//! flags become configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, ConfigErrors};

/// Bilik's station agent: keeps this PC locked outside a valid session.
#[derive(Debug, Parser)]
#[command(name = "bilik-agent", version, about)]
pub struct Cli {
    /// Where the configuration comes from.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Log as JSON lines (RUST_LOG sets the level, default info).
    #[arg(long, global = true)]
    pub log_json: bool,
    /// What to do (default: run).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the agent (the default) with the configured front-end; with
    /// `--ui gui` this is `service`.
    Run,
    /// Run the station service with the lock screen: the server link, the
    /// journal and the lease here, the lock screen in a `ui` process this
    /// service starts and watches (a system unit, `Restart=always`).
    Service,
    /// The lock-screen process, started by the service (not by hand): it
    /// reads a one-time token on stdin and connects to the service.
    Ui {
        /// The service's socket (default: $BILIK_UI_SOCKET).
        #[arg(long, env = "BILIK_UI_SOCKET")]
        socket: PathBuf,
    },
    /// Trade a one-time enrolment code (from `bilik-server station
    /// enroll-code`) for this station's credential, saved in the state
    /// directory.
    Enroll {
        /// The one-time code.
        #[arg(long)]
        code: String,
        /// Enrol over plain text (`http://`, a server run with
        /// tls.insecure): for tests only, the credential crosses readable.
        #[arg(long)]
        insecure: bool,
    },
}

/// Configuration flags, shared by every subcommand. The dedicated flags
/// are applied after `--set`, so they win.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The TOML configuration file.
    #[arg(long, short, global = true, env = "BILIK_AGENT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Override one key, e.g. --set link.backoff_max_ms=5000 (repeatable).
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE", global = true)]
    pub overrides: Vec<String>,
    /// Same as --set agent.server=URL.
    #[arg(long, global = true)]
    pub server: Option<String>,
    /// Same as --set agent.name=NAME (the station name asked for at enrolment).
    #[arg(long, global = true)]
    pub name: Option<String>,
    /// Same as --set agent.state_dir=DIR.
    #[arg(long, global = true)]
    pub state_dir: Option<PathBuf>,
    /// Same as --set agent.ui=UI (headless, gui, gui-windowed).
    #[arg(long, global = true)]
    pub ui: Option<String>,
    /// Developer mode of the GUI: a normal window, no grabs (same as
    /// --ui gui-windowed).
    #[arg(long, global = true)]
    pub windowed: bool,
    /// Print the effective configuration and exit.
    #[arg(long, global = true)]
    pub print_config: bool,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The configuration is invalid (every problem listed).
    #[error(transparent)]
    Config(#[from] ConfigErrors),
}

impl ConfigArgs {
    /// The file (if any), then `--set`, then the dedicated flags.
    pub fn load(&self) -> Result<Config, CliError> {
        let text = match &self.config {
            Some(path) => std::fs::read_to_string(path).map_err(|source| CliError::Read {
                path: path.clone(),
                source,
            })?,
            None => String::new(),
        };
        let mut overrides = self.overrides.clone();
        let text_value = |s: &str| toml::Value::String(s.to_owned()).to_string();
        if let Some(server) = &self.server {
            overrides.push(format!("agent.server={}", text_value(server)));
        }
        if let Some(name) = &self.name {
            overrides.push(format!("agent.name={}", text_value(name)));
        }
        if let Some(dir) = &self.state_dir {
            overrides.push(format!(
                "agent.state_dir={}",
                text_value(&dir.display().to_string())
            ));
        }
        if let Some(ui) = &self.ui {
            overrides.push(format!("agent.ui={}", text_value(ui)));
        }
        if self.windowed {
            overrides.push(format!("agent.ui={}", text_value("gui-windowed")));
        }
        Ok(Config::parse(&text, &overrides)?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_set() {
        let cli = Cli::try_parse_from([
            "bilik-agent",
            "enroll",
            "--code",
            "ABCD-1234",
            "--set",
            "agent.server=http://a:1",
            "--server",
            "http://b:2",
            "--state-dir",
            "/tmp/x y",
        ])
        .unwrap();
        let config = cli.config.load().unwrap();
        assert_eq!(config.server, "http://b:2");
        assert_eq!(config.state_dir, PathBuf::from("/tmp/x y"));
        assert!(matches!(cli.command, Some(Command::Enroll { code, .. }) if code == "ABCD-1234"));
    }

    #[test]
    fn a_missing_config_file_is_named() {
        let cli =
            Cli::try_parse_from(["bilik-agent", "--config", "/nonexistent/agent.toml"]).unwrap();
        let err = cli.config.load().unwrap_err();
        assert!(err.to_string().contains("/nonexistent/agent.toml"), "{err}");
    }
}
