//! The Debian packages, installed on this machine: `packaging/build-debs.sh`
//! builds bilik-server and bilik-station from the test build's binaries,
//! `dpkg -i` installs them, the installed server runs with the packaged
//! configuration as the package's user and answers gRPC health and
//! `/metrics`, the units pass `systemd-analyze verify`, an upgrade keeps
//! the data and a changed configuration, and `dpkg -r` leaves
//! `/var/lib/bilik`.
//!
//! It changes the machine, so: it needs root (without it, it says so and
//! skips, also under `BILIK_E2E=require`: root is not a tool to install);
//! it refuses to touch a Bilik installation it did not make (its own leave
//! a marker file); it purges what it installed and removes what it created
//! at the end, also when it fails, and a leftover from a killed run is
//! cleaned at the next start.
#![allow(clippy::unwrap_used)]

use bilik_tests::agent::tools_required;
use bilik_tests::process::binary;
use bilik_tests::unit_file::ServiceSection;
use bilik_tests::{DEADLINE, ServerTrust, within};
use std::io::BufRead;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// What the packages own or make that the test must clean up.
const STATE: &str = "/var/lib/bilik";
const CONFIG: &str = "/etc/bilik";
const AGENT_STATE: &str = "/var/lib/bilik-agent";
/// Left in the directories this test made: a later run may remove them.
const MARKER: &str = ".bilik-package-test";
const PACKAGES: [&str; 2] = ["bilik-server", "bilik-station"];

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `dpkg` with its arguments, waiting out another process's dpkg lock.
fn dpkg(args: &[&str]) -> Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let out = Command::new("dpkg").args(args).output().unwrap();
        let locked = String::from_utf8_lossy(&out.stderr).contains("lock");
        if out.status.success() || !locked || std::time::Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

fn dpkg_ok(args: &[&str]) -> Output {
    let out = dpkg(args);
    assert!(
        out.status.success(),
        "dpkg {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn installed_version(package: &str) -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Status} ${Version}", package])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.strip_prefix("install ok installed ")
        .map(str::to_owned)
}

fn user_exists(name: &str) -> bool {
    Command::new("getent")
        .args(["passwd", name])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether a directory is absent or one this test made.
fn ours_or_absent(dir: &str) -> bool {
    let dir = Path::new(dir);
    !dir.exists() || dir.join(MARKER).exists()
}

/// Removes what the packages and this test left (purge, then the kept
/// directories it marked, then the user it made).
struct Cleanup {
    /// Whether the user `bilik` was there before the test (then it stays).
    user_was_there: bool,
}

impl Cleanup {
    fn now(&self) {
        let mut args = vec!["--purge"];
        args.extend(PACKAGES);
        let _ = dpkg(&args);
        for dir in [STATE, CONFIG, AGENT_STATE] {
            if Path::new(dir).join(MARKER).exists() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        if !self.user_was_there && user_exists("bilik") {
            let _ = Command::new("userdel").arg("bilik").output();
            let _ = Command::new("groupdel").arg("bilik").output();
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.now();
    }
}

fn mark_ours() {
    for dir in [STATE, CONFIG, AGENT_STATE] {
        if Path::new(dir).exists() {
            std::fs::write(
                Path::new(dir).join(MARKER),
                b"made by tests/tests/packages.rs\n",
            )
            .unwrap();
        }
    }
}

/// Builds both packages at `version` into `out`, returning their paths.
fn build(out: &Path, version: &str) -> Vec<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/build-debs.sh");
    let bins = binary("bilik-server").parent().unwrap().to_owned();
    binary("bilik-agent");
    let built = run(Command::new(script)
        .arg(out)
        .env("BILIK_BIN_DIR", bins)
        .env("BILIK_DEB_VERSION", version)
        .env("BILIK_DEB_COMPRESS", "gzip -z1"));
    let debs: Vec<PathBuf> = String::from_utf8(built.stdout)
        .unwrap()
        .lines()
        .map(PathBuf::from)
        .collect();
    assert_eq!(debs.len(), 2, "{debs:?}");
    debs
}

fn install(debs: &[PathBuf]) {
    let mut args = vec!["-i"];
    args.extend(debs.iter().map(|d| d.to_str().unwrap()));
    dpkg_ok(&args);
    mark_ours();
}

/// The installed server, started as the package's user with the packaged
/// configuration (ports moved to free ones: this machine may run others).
struct Installed {
    child: Child,
    grpc: String,
    fingerprint: String,
    metrics: String,
}

impl Installed {
    fn start() -> Installed {
        // setpriv execs the server itself (runuser would stay its parent).
        let mut child = Command::new("setpriv")
            .args(["--reuid=bilik", "--regid=bilik", "--init-groups", "--"])
            .args(["/usr/bin/bilik-server", "serve"])
            .args(["--config", "/etc/bilik/server.toml"])
            .args(["--listen", "127.0.0.1:0", "--web-listen", "127.0.0.1:0"])
            .args(["--set", "metrics.listen=127.0.0.1:0"])
            .current_dir("/")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut grpc, mut fingerprint, mut metrics) = (None, None, None);
        // The server prints its addresses at start; the last is /metrics.
        while metrics.is_none() {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("the installed server stopped before printing its addresses");
            };
            if let Some(rest) = line.strip_prefix("Bilik server listening on ") {
                grpc = rest.split_whitespace().next().map(str::to_owned);
            } else if let Some(fp) = line.strip_prefix("Certificate: sha256 ") {
                fingerprint = Some(fp.trim().to_owned());
            } else if let Some(url) = line.strip_prefix("Metrics: ") {
                metrics = Some(url.trim().to_owned());
            }
        }
        // Keep reading stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Installed {
            child,
            grpc: grpc.expect("the gRPC address"),
            fingerprint: fingerprint.expect("the certificate (TLS, as packaged)"),
            metrics: metrics.unwrap(),
        }
    }

    /// gRPC health over TLS pinned to the printed certificate.
    async fn health(&self) -> i32 {
        let channel = bilik_proto::connect(
            &self.grpc,
            &ServerTrust::Pinned(vec![self.fingerprint.clone()]),
        )
        .await
        .unwrap();
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
        within(health.check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        }))
        .await
        .unwrap()
        .into_inner()
        .status
    }

    /// Stops it as systemd would (SIGTERM) and waits.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + DEADLINE;
        while self.child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the installed server did not stop on SIGTERM");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packages_install_run_upgrade_and_remove() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("\n*** SKIPPED packages: needs root (dpkg -i changes the machine) ***\n");
        return;
    }
    let missing: Vec<&str> = ["dpkg-deb", "systemd-analyze", "runuser", "setpriv", "strip"]
        .into_iter()
        .filter(|t| !have(t))
        .collect();
    if !missing.is_empty() {
        let msg = format!(
            "packages: missing {missing:?} (apt-get install dpkg systemd util-linux binutils)"
        );
        assert!(!tools_required(), "BILIK_E2E=require: {msg}");
        eprintln!("\n*** SKIPPED {msg} ***\n");
        return;
    }
    let foreign = [STATE, CONFIG, AGENT_STATE]
        .into_iter()
        .filter(|d| !ours_or_absent(d))
        .collect::<Vec<_>>();
    if !foreign.is_empty() {
        let msg = format!(
            "packages: {foreign:?} exist and were not made by this test: not touching a real installation"
        );
        assert!(!tools_required(), "BILIK_E2E=require: {msg}");
        eprintln!("\n*** SKIPPED {msg} ***\n");
        return;
    }
    let cleanup = Cleanup {
        user_was_there: user_exists("bilik"),
    };
    // A killed earlier run may have left its installation.
    cleanup.now();

    let work = tempfile::tempdir().unwrap();
    let first = build(&work.path().join("v1"), "0.1.0~test1");
    install(&first);
    assert_eq!(
        installed_version("bilik-server").as_deref(),
        Some("0.1.0~test1")
    );
    assert_eq!(
        installed_version("bilik-station").as_deref(),
        Some("0.1.0~test1")
    );
    assert!(user_exists("bilik"));
    let state = std::fs::metadata(STATE).unwrap();
    assert_eq!(state.permissions().mode() & 0o777, 0o700);
    let bilik_uid = run(Command::new("id").args(["-u", "bilik"])).stdout;
    let bilik_uid: u32 = String::from_utf8_lossy(&bilik_uid).trim().parse().unwrap();
    assert_eq!(state.uid(), bilik_uid, "/var/lib/bilik belongs to bilik");
    let conffiles = run(Command::new("dpkg-query").args(["-W", "-f=${Conffiles}", "bilik-server"]));
    assert!(String::from_utf8_lossy(&conffiles.stdout).contains("/etc/bilik/server.toml"));
    let conffiles =
        run(Command::new("dpkg-query").args(["-W", "-f=${Conffiles}", "bilik-station"]));
    assert!(String::from_utf8_lossy(&conffiles.stdout).contains("/etc/bilik/agent.toml"));

    // The units: systemd accepts them, and the server's is hardened.
    for unit in ["bilik-server.service", "bilik-agent.service"] {
        run(Command::new("systemd-analyze")
            .args(["verify", &format!("/lib/systemd/system/{unit}")])
            .env("SYSTEMD_LOG_LEVEL", "warning"));
    }
    let unit = std::fs::read_to_string("/lib/systemd/system/bilik-server.service").unwrap();
    let service = ServiceSection::parse(&unit);
    let get = |k: &str| service.get(k);
    assert_eq!(get("User"), Some("bilik"));
    assert_eq!(get("ProtectSystem"), Some("strict"));
    assert_eq!(get("NoNewPrivileges"), Some("yes"));
    assert_eq!(get("PrivateTmp"), Some("yes"));
    assert_eq!(get("Restart"), Some("on-failure"));
    assert!(get("LimitNOFILE").unwrap().parse::<u64>().unwrap() >= 20_000);
    let agent = std::fs::read_to_string("/lib/systemd/system/bilik-agent.service").unwrap();
    assert!(
        agent.contains("ExecStart=/usr/bin/bilik-agent service --config /etc/bilik/agent.toml")
    );
    // The packaged station configuration is one the installed agent takes.
    run(Command::new("/usr/bin/bilik-agent").args([
        "--config",
        "/etc/bilik/agent.toml",
        "--print-config",
    ]));

    // The installed server, as bilik, with the packaged configuration.
    let server = Installed::start();
    assert_eq!(server.health().await, 1, "SERVING");
    let metrics = bilik_tests::web::http_client().build().unwrap();
    let text = within(metrics.get(&server.metrics).send())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("bilik_audit_chain_intact 1"), "{text}");
    server.stop();
    let data = std::fs::metadata(format!("{STATE}/data")).unwrap();
    assert_eq!(data.uid(), bilik_uid, "the store belongs to bilik");
    assert_eq!(data.permissions().mode() & 0o777, 0o700);

    // An upgrade keeps the data and a changed configuration.
    let mut config = std::fs::read_to_string("/etc/bilik/server.toml").unwrap();
    // The [library] section of the packaged settings (the first one).
    config = config.replacen(
        "# name = \"Perpustakaan Daerah\"",
        "name = \"Perpustakaan Kabupaten Uji\"",
        1,
    );
    std::fs::write("/etc/bilik/server.toml", &config).unwrap();
    let second = build(&work.path().join("v2"), "0.1.0~test2");
    install(&second);
    assert_eq!(
        installed_version("bilik-server").as_deref(),
        Some("0.1.0~test2")
    );
    assert_eq!(
        std::fs::read_to_string("/etc/bilik/server.toml").unwrap(),
        config
    );
    let init = run(Command::new("runuser")
        .args(["-u", "bilik", "--", "/usr/bin/bilik-server", "init"])
        .args(["--config", "/etc/bilik/server.toml"])
        .current_dir("/"));
    let said = String::from_utf8_lossy(&init.stdout);
    assert!(
        said.contains("already has an admin"),
        "the data survived: {said}"
    );
    let printed = run(Command::new("/usr/bin/bilik-server").args([
        "serve",
        "--config",
        "/etc/bilik/server.toml",
        "--print-config",
    ]));
    assert!(String::from_utf8_lossy(&printed.stdout).contains("Perpustakaan Kabupaten Uji"));

    // Removal takes the programs, leaves the data and the configuration.
    let mut args = vec!["-r"];
    args.extend(PACKAGES);
    dpkg_ok(&args);
    assert!(!Path::new("/usr/bin/bilik-server").exists());
    assert!(!Path::new("/usr/bin/bilik-agent").exists());
    assert!(
        Path::new(&format!("{STATE}/data")).is_dir(),
        "dpkg -r leaves /var/lib/bilik"
    );
    assert!(
        Path::new("/etc/bilik/server.toml").exists(),
        "conffiles stay until purge"
    );
    // Purge too (the test's cleanup) keeps the library's data.
    let mut args = vec!["--purge"];
    args.extend(PACKAGES);
    dpkg_ok(&args);
    assert!(
        Path::new(&format!("{STATE}/data")).is_dir(),
        "purge keeps /var/lib/bilik"
    );
    assert!(!Path::new("/etc/bilik/server.toml").exists());
    drop(cleanup);
    assert!(!Path::new(STATE).exists());
}
