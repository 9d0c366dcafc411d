//! The real binaries as processes, started as a user would start them and
//! killed with SIGKILL to prove that nothing acknowledged is lost.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Path of a workspace binary (`bilik-server`, `bilik-agent`), built by
/// `cargo build --workspace --bins` (the README's test command does it).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> -> target/<profile>/<name>
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` before the tests",
        path.display()
    );
    // A binary older than the code it is built from would test old code.
    // Cargo's dep-info file beside it lists exactly the sources it is built
    // from (a file only unit tests compile is not among them); without it,
    // the binary's own crate and the protocol.
    let built = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    let newest = match std::fs::read_to_string(dir.join(format!("{name}.d"))) {
        Ok(deps) => deps
            .split_once(": ")
            .map(|(_, files)| files)
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
            .max(),
        Err(_) => {
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let own = match name {
                "bilik-server" => "server/src",
                "bilik-agent" => "agent/src",
                _ => "tests/src",
            };
            [own, "proto/src", "proto/bilik"]
                .iter()
                .filter_map(|dir| newest_file(&workspace.join(dir)))
                .max()
        }
    };
    if let (Some(built), Some(newest)) = (built, newest) {
        assert!(
            built >= newest,
            "{} is older than its sources: run `cargo build --workspace --bins` before the tests",
            path.display()
        );
    }
    path
}

/// When the newest file under `dir` was last changed.
fn newest_file(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_file(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// A `bilik-server serve` process.
#[derive(Debug)]
pub struct ServerProcess {
    /// The running process (killed when dropped).
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The address it listens on (reuse it to restart on the same port).
    pub listen: String,
    /// The store directory.
    pub data_dir: PathBuf,
    /// Printed at the first start of a data directory.
    pub admin_password: Option<String>,
    /// The dashboard's `http://127.0.0.1:PORT`.
    pub web_url: String,
    /// Where its logs go.
    pub log: PathBuf,
}

impl ServerProcess {
    /// Starts `bilik-server serve` on `data_dir`, listening on `listen`
    /// (`127.0.0.1:0` for any port), with extra `--set` overrides; returns
    /// once it says it listens.
    pub async fn start(data_dir: &Path, listen: &str, overrides: &[&str]) -> ServerProcess {
        ServerProcess::start_under(&[], data_dir, listen, overrides).await
    }

    /// [`ServerProcess::start`] with the binary run by `wrapper` (e.g.
    /// `strace -f -o FILE`): the wrapper's first word is the program, the
    /// server binary and its arguments follow the rest.
    pub async fn start_under(
        wrapper: &[&str],
        data_dir: &Path,
        listen: &str,
        overrides: &[&str],
    ) -> ServerProcess {
        let mut cmd = match wrapper.split_first() {
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(binary("bilik-server"));
                cmd
            }
            None => Command::new(binary("bilik-server")),
        };
        cmd.arg("serve");
        ServerProcess::spawn(cmd, data_dir, listen, overrides).await
    }

    /// `bilik-server serve --demo --no-demo-patrons` on `data_dir` (fresh):
    /// demo members and simulated stations that only do what they are told.
    pub async fn start_demo(data_dir: &Path, overrides: &[&str]) -> ServerProcess {
        let mut cmd = Command::new(binary("bilik-server"));
        cmd.args(["serve", "--demo", "--no-demo-patrons"]);
        ServerProcess::spawn(cmd, data_dir, "127.0.0.1:0", overrides).await
    }

    /// Runs `cmd` (a `serve` command line) on `data_dir` with the tests'
    /// settings; returns once it has printed its addresses.
    async fn spawn(
        mut cmd: Command,
        data_dir: &Path,
        listen: &str,
        overrides: &[&str],
    ) -> ServerProcess {
        let log = data_dir.with_extension("log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        cmd.arg("--data-dir")
            .arg(data_dir)
            .arg("--listen")
            .arg(listen)
            // Open all day (real clock), quick sweeps.
            .args(["--set", "server.sweep_interval_ms=50"])
            // Any free port for the dashboard, so servers can run side by side.
            .args(["--set", "server.web_listen=127.0.0.1:0"])
            // A small disk reserve: servers start often in tests.
            .args(["--set", "server.reserve_mb=4"]);
        for o in overrides {
            cmd.args(["--set", o]);
        }
        cmd.env("RUST_LOG", "info,bilik_server=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true);
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut admin_password = None;
        let (url, web_url) = crate::within(async {
            let mut url = None;
            let mut web = None;
            loop {
                let line = lines.next_line().await.unwrap().unwrap_or_else(|| {
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    let tail: Vec<&str> = text
                        .lines()
                        .filter(|l| !l.starts_with(' '))
                        .rev()
                        .take(8)
                        .collect();
                    panic!(
                        "bilik-server exited; the end of {}:\n{}",
                        log.display(),
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                    )
                });
                // "... one-time password X" (first start), or the demo's
                // "admin: user admin, password X".
                if let Some(rest) = line.split("password ").nth(1) {
                    admin_password = Some(rest.trim().to_owned());
                }
                if let Some(rest) = line
                    .split("listening on ")
                    .nth(1)
                    .or_else(|| line.trim_start().strip_prefix("gRPC:"))
                {
                    url = Some(rest.split_whitespace().next().unwrap().to_owned());
                }
                if let Some(rest) = line.trim_start().strip_prefix("dashboard:") {
                    web = Some(rest.split_whitespace().next().unwrap().to_owned());
                }
                // Printed right after the gRPC address; the demo ends its
                // block with "Stop with Ctrl-C.".
                if let Some(rest) = line.strip_prefix("Dashboard: ") {
                    web = Some(rest.split_whitespace().next().unwrap().to_owned());
                }
                if (line.starts_with("Dashboard: ") || line.starts_with("Stop with"))
                    && let (Some(url), Some(web)) = (url.take(), web.take())
                {
                    break (url, web);
                }
            }
        })
        .await;
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        ServerProcess {
            child,
            listen: url
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .to_owned(),
            url,
            data_dir: data_dir.to_owned(),
            admin_password,
            web_url,
            log,
        }
    }

    /// SIGKILL: no shutdown code runs, nothing is flushed at exit.
    pub async fn kill9(&mut self) {
        self.child.kill().await.unwrap();
    }

    /// SIGTERM, then wait for a clean exit; returns the exit status code.
    pub async fn terminate(&mut self) -> Option<i32> {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        crate::within(self.child.wait()).await.unwrap().code()
    }

    /// Runs a `bilik-server` admin subcommand against this server as
    /// `admin`, pinning its certificate from its data directory (as the CLI
    /// on the server machine does). Returns (success, stdout, stderr).
    pub async fn admin(&self, password: &str, args: &[&str]) -> (bool, String, String) {
        let mut cmd = Command::new(binary("bilik-server"));
        cmd.arg("--server-data-dir").arg(&self.data_dir);
        run_admin(cmd, &self.url, password, args).await
    }

    /// Which certificate to accept: the one in its data directory.
    pub fn trust(&self) -> bilik_proto::ServerTrust {
        server_trust(&self.data_dir)
    }

    /// A channel to this server, its certificate pinned.
    pub async fn channel(&self) -> tonic::transport::Channel {
        bilik_proto::connect(&self.url, &self.trust())
            .await
            .unwrap()
    }

    /// Waits for the process to exit by itself; returns its exit code.
    pub async fn wait(&mut self) -> Option<i32> {
        crate::within(self.child.wait()).await.unwrap().code()
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

/// Runs a `bilik-server` admin subcommand against `url` as `admin`
/// (plain text for an `http://` URL). Returns (success, stdout, stderr).
pub async fn admin_command(url: &str, password: &str, args: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new(binary("bilik-server"));
    if url.starts_with("http://") {
        cmd.arg("--insecure");
    }
    run_admin(cmd, url, password, args).await
}

async fn run_admin(
    mut cmd: Command,
    url: &str,
    password: &str,
    args: &[&str],
) -> (bool, String, String) {
    let out = cmd
        .args(args)
        .env("BILIK_SERVER", url)
        .env("BILIK_USER", "admin")
        .env("BILIK_PASSWORD", password)
        .env("RUST_BACKTRACE", "0")
        .output();
    let out = crate::within(out).await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The trust that pins the certificate a server made in `data_dir`.
pub fn server_trust(data_dir: &Path) -> bilik_proto::ServerTrust {
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(data_dir.join("tls").join("server.crt")).unwrap();
    let leaf = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .next()
        .unwrap()
        .unwrap();
    bilik_proto::ServerTrust::Pinned(vec![bilik_proto::transport::fingerprint(&leaf)])
}
