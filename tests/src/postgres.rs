//! A throwaway PostgreSQL for the tests: one cluster per test process,
//! started on first use, and a fresh database for each test.
//!
//! The cluster is `initdb`'d into a temporary directory (as the `postgres`
//! system user when the tests run as root: initdb refuses root), listens on
//! 127.0.0.1 on a free port and on a Unix socket in that directory, with
//! `fsync` and `synchronous_commit` on (durability is the point) and
//! password (SCRAM) authentication. It is started by a small watchdog shell
//! whose stdin is a pipe from this process: when the test process exits or
//! is killed, the pipe closes, and the watchdog stops the postmaster
//! (immediate shutdown), waits for it and removes the directory. Nothing is
//! left running. `store_conformance::harness_leaves_no_server_behind`
//! proves it with SIGKILL.
//!
//! PostgreSQL's server binaries are found in `BILIK_PG_BIN` or the newest
//! `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package). Without them
//! a test skips with a loud message, or fails under `BILIK_E2E=require`.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long the cluster may take to start (initdb + startup on a busy
/// 2-core machine).
const START_DEADLINE: Duration = Duration::from_secs(120);

/// The watchdog: starts the postmaster (the arguments), then waits for
/// its stdin to close and stops it. `$1` is the directory to remove.
const WATCHDOG: &str = r#"
dir="$1"; shift
"$@" >>"$dir/postgres.log" 2>&1 &
pid=$!
echo "postmaster $pid"
cat >/dev/null
kill -QUIT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$dir"
"#;

/// The running cluster of this test process.
#[derive(Debug)]
pub struct Cluster {
    /// The temporary directory (data in `data/`, the socket beside it).
    pub dir: PathBuf,
    /// The TCP port on 127.0.0.1.
    pub port: u16,
    /// The superuser's password (user `bilik`).
    password: String,
    /// The server binaries' directory.
    bin: PathBuf,
    /// The watchdog; kept so the process is reaped with us.
    _watchdog: Mutex<Child>,
    /// The pipe whose closing (this process ending) stops the cluster.
    _lifeline: Mutex<ChildStdin>,
    /// The postmaster's process id (the no-leak test watches it).
    pub postmaster_pid: u32,
}

/// A fresh database on the test cluster.
#[derive(Debug, Clone)]
pub struct Database {
    /// `postgres://bilik:PASSWORD@127.0.0.1:PORT/test_N`.
    pub url: String,
    /// `test_N`.
    pub name: String,
}

/// Whether tools are required (`BILIK_E2E=require`, set by CI).
fn required() -> bool {
    std::env::var("BILIK_E2E").is_ok_and(|v| v == "require")
}

/// The directory with `initdb`, `postgres` and `createdb`.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BILIK_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The cluster, started on first use; `Err` says why there is none.
pub fn cluster() -> Result<&'static Cluster, String> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    CLUSTER.get_or_init(start).as_ref().map_err(Clone::clone)
}

/// A fresh database for `test`, or `None` (after a loud message) when
/// PostgreSQL is not installed; panics under `BILIK_E2E=require`.
pub fn database(test: &str) -> Option<Database> {
    let cluster = match cluster() {
        Ok(c) => c,
        Err(why) => {
            let msg =
                format!("{test}: no PostgreSQL for the tests ({why}; apt-get install postgresql)");
            assert!(!required(), "BILIK_E2E=require: {msg}");
            eprintln!("\n*** SKIPPED {msg} ***\n");
            return None;
        }
    };
    Some(cluster.create_database())
}

impl Cluster {
    /// Creates `test_N` (N counts up in this process).
    pub fn create_database(&self) -> Database {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let name = format!("test_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let out = Command::new(self.bin.join("createdb"))
            .args(["-h"])
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-U", "bilik", &name])
            .env("PGPASSWORD", &self.password)
            .output()
            .expect("run createdb");
        assert!(
            out.status.success(),
            "createdb {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Database {
            url: self.url(&name),
            name,
        }
    }

    /// Runs SQL on database `name` as the superuser (`psql`, over the Unix
    /// socket): its output, unaligned, without headers. Panics on failure.
    pub fn psql(&self, name: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.dir)
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "bilik",
                "-d",
                name,
                "-c",
                sql,
            ])
            .env("PGPASSWORD", &self.password)
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The address of database `name` over TCP.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://bilik:{}@127.0.0.1:{}/{name}",
            self.password, self.port
        )
    }

    /// A `Command` for a server binary, run as the cluster's user.
    fn as_owner(bin: &Path, run_as: Option<&str>, tool: &str) -> Command {
        match run_as {
            Some(user) => {
                let mut c = Command::new("setpriv");
                c.args([
                    &format!("--reuid={user}"),
                    &format!("--regid={user}"),
                    "--init-groups",
                    "--",
                ])
                .arg(bin.join(tool));
                c
            }
            None => Command::new(bin.join(tool)),
        }
    }
}

/// Makes the cluster: initdb, then the postmaster under the watchdog.
fn start() -> Result<Cluster, String> {
    let bin = bin_dir().ok_or("PostgreSQL's server binaries are not installed")?;
    let root = rustix::process::geteuid().is_root();
    let run_as = root.then(|| "postgres".to_owned());
    let dir = tempfile::Builder::new()
        .prefix("bilik-pg-")
        .tempdir()
        .map_err(|e| format!("temporary directory: {e}"))?
        .keep();
    let password = uuid::Uuid::new_v4().simple().to_string();
    let pwfile = dir.join("pwfile");
    std::fs::write(&pwfile, &password).map_err(|e| e.to_string())?;
    if let Some(user) = &run_as {
        let status = Command::new("chown")
            .args(["-R", &format!("{user}:{user}")])
            .arg(&dir)
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !status.success() {
            return Err(format!("cannot give the temporary directory to {user}"));
        }
    }
    let data = dir.join("data");
    let out = Cluster::as_owner(&bin, run_as.as_deref(), "initdb")
        .arg("-D")
        .arg(&data)
        .args(["-U", "bilik", "-A", "scram-sha-256", "-E", "UTF8"])
        .args(["--locale=C", "--no-sync", "--no-instructions"])
        .arg(format!("--pwfile={}", pwfile.display()))
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let _ = std::fs::remove_file(&pwfile);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let postgres = Cluster::as_owner(&bin, run_as.as_deref(), "postgres");
    let mut watchdog = Command::new("sh");
    watchdog
        .args(["-c", WATCHDOG, "bilik-pg-watchdog"])
        .arg(&dir)
        .arg(postgres.get_program())
        .args(postgres.get_args())
        .arg("-D")
        .arg(&data)
        .args(["-c", "listen_addresses=127.0.0.1", "-p", &port.to_string()])
        .arg("-c")
        .arg(format!("unix_socket_directories={}", dir.display()))
        .args(["-c", "fsync=on", "-c", "synchronous_commit=on"])
        .args(["-c", "full_page_writes=on", "-c", "max_connections=300"])
        .args([
            "-c",
            "shared_buffers=32MB",
            "-c",
            "log_min_messages=warning",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = watchdog.spawn().map_err(|e| format!("watchdog: {e}"))?;
    let lifeline = child.stdin.take().ok_or("no watchdog stdin")?;
    let stdout = child.stdout.take().ok_or("no watchdog stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let postmaster_pid: u32 = line
        .trim()
        .strip_prefix("postmaster ")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("watchdog said {line:?}"))?;
    wait_ready(&data, &mut child)?;
    Ok(Cluster {
        dir,
        port,
        password,
        bin,
        _watchdog: Mutex::new(child),
        _lifeline: Mutex::new(lifeline),
        postmaster_pid,
    })
}

/// Waits until `postmaster.pid` says "ready" (the postmaster accepts
/// connections), failing if the watchdog ends first.
fn wait_ready(data: &Path, watchdog: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + START_DEADLINE;
    loop {
        if let Ok(pidfile) = std::fs::read_to_string(data.join("postmaster.pid"))
            && pidfile.lines().nth(7).is_some_and(|s| s.trim() == "ready")
        {
            return Ok(());
        }
        if let Ok(Some(status)) = watchdog.try_wait() {
            let log =
                std::fs::read_to_string(data.with_file_name("postgres.log")).unwrap_or_default();
            return Err(format!(
                "the postmaster exited at start ({status}): {}",
                log.lines().last().unwrap_or("")
            ));
        }
        if Instant::now() > deadline {
            return Err("the postmaster did not become ready in time".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
