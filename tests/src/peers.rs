//! Third-party peers written in Python (`tests/peers/`), run with the
//! interpreter in `BILIK_PYTHON` (CI's venv, see `.ci/run`) or `python3`.
//! A test whose interpreter or package is missing skips loudly, and fails
//! with `BILIK_E2E=require`.

use crate::DEADLINE;
use crate::agent::tools_required;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The Python interpreter for peers.
pub fn python() -> PathBuf {
    std::env::var_os("BILIK_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from)
}

/// Whether `test` must skip because Python cannot import `module` (said
/// loudly; a failure with `BILIK_E2E=require`).
pub fn skip_without_python_module(test: &str, module: &str) -> bool {
    let ok = std::process::Command::new(python())
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return false;
    }
    let msg = format!(
        "{test}: {} cannot import {module} (set BILIK_PYTHON to a venv with `pip install -r .ci/requirements.txt`)",
        python().display()
    );
    assert!(!tools_required(), "BILIK_E2E=require: {msg}");
    eprintln!("\n*** SKIPPED {msg} ***\n");
    true
}

/// The path of a peer script.
fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("peers")
        .join(name)
}

/// `tests/peers/sip2_ils.py`: pysip2's SIP2 server with the test patrons
/// (see the script for who is who). Killed when dropped.
#[derive(Debug)]
pub struct Sip2Ils {
    /// The port it listens on.
    pub port: u16,
    /// `93` logins it answered.
    pub logins: Arc<AtomicU32>,
    /// The process.
    child: Child,
}

impl Sip2Ils {
    /// Starts it on `port` (0: any free one) and waits until it listens.
    pub async fn start(port: u16) -> Sip2Ils {
        let mut child = Command::new(python())
            .arg(script("sip2_ils.py"))
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SIP2 peer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = tokio::time::timeout(DEADLINE, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(p) = line.strip_prefix("LISTENING ") {
                    return p.trim().parse::<u16>().unwrap();
                }
            }
            panic!("the SIP2 peer exited before listening");
        })
        .await
        .expect("the SIP2 peer did not listen in time");
        let logins = Arc::new(AtomicU32::new(0));
        let counter = logins.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("LOGIN 1") {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Sip2Ils {
            port,
            logins,
            child,
        }
    }

    /// Kills it (SIGKILL: the library system vanishes mid-run).
    pub async fn stop(&mut self) {
        let _ = self.child.kill().await;
    }

    /// The server overrides that make a Bilik server ask this peer.
    pub fn overrides(&self) -> Vec<String> {
        sip2_overrides(self.port)
    }
}

/// Overrides for a server asking a SIP2 peer on `port` of 127.0.0.1 as
/// `bilik`/`rahasia`, with the tests' short timeouts and a fine limit of 50000.
pub fn sip2_overrides(port: u16) -> Vec<String> {
    [
        "members.source=sip2".to_owned(),
        "sip2.host=127.0.0.1".to_owned(),
        format!("sip2.port={port}"),
        "sip2.institution_id=UJI".to_owned(),
        "sip2.login_user=bilik".to_owned(),
        "sip2.login_password=rahasia".to_owned(),
        "sip2.fine_limit=50000".to_owned(),
        "sip2.field_gender=XS".to_owned(),
        "sip2.request_timeout_ms=800".to_owned(),
        "sip2.connect_timeout_ms=500".to_owned(),
        "sip2.breaker_failures=2".to_owned(),
        "sip2.breaker_pause_ms=200".to_owned(),
        "sip2.breaker_max_pause_ms=400".to_owned(),
    ]
    .to_vec()
}
