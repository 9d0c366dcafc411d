//! Nothing acknowledged is lost: every acknowledged write is on the device
//! (fdatasync) before the answer, concurrent logins cannot break "one
//! session per card", backups taken under load restore, damaged backups are
//! refused, and a nearly full disk refuses new sessions without breaking
//! the store.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::process::{ServerProcess, binary};
use bilik_tests::*;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock seconds (what `strace -ttt` prints).
fn wall() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A tool the test needs: present, or skip (fail under BILIK_E2E=require).
fn have(tool: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            !bilik_tests::agent::tools_required(),
            "{tool} is required (BILIK_E2E=require): apt-get install {tool}"
        );
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}

/// A signed-in admin client of a server process.
async fn admin_of(server: &ServerProcess, password: &str) -> Staff {
    staff_of(server, "admin", password).await
}

async fn staff_of(server: &ServerProcess, user: &str, password: &str) -> Staff {
    Staff::sign_in(server.channel().await, user, password).await
}

/// Enrols a station on a server process.
async fn enroll_at(server: &ServerProcess, admin: &mut Staff, name: &str) -> TestStation {
    let code = admin.enrollment_code(name).await;
    TestStation::enroll(server.channel().await, &code).await.0
}

/// A completed `fdatasync` of sled's log seen by strace: (start, end) in
/// wall-clock seconds.
fn log_syncs(trace: &str) -> Vec<(f64, f64)> {
    // Lines: "PID START fdatasync(FD</path/db>) = 0 <DURATION>", or split
    // into "... <unfinished ...>" and "PID TIME <... fdatasync resumed>
    // ) = 0 <DURATION>" when another thread's syscall came between.
    let mut started = std::collections::HashMap::new();
    let mut syncs = Vec::new();
    let duration = |line: &str| -> Option<f64> {
        let d = line.rsplit('<').next()?.trim_end_matches('>');
        d.trim().parse().ok()
    };
    for line in trace.lines() {
        let mut words = line.split_whitespace();
        let (Some(pid), Some(at)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(at) = at.parse::<f64>() else { continue };
        if line.contains("fdatasync(") && line.contains("/db>") {
            if line.ends_with("<unfinished ...>") {
                started.insert(pid.to_owned(), at);
            } else if line.contains("= 0") {
                syncs.push((at, at + duration(line).unwrap_or(0.0)));
            }
        } else if line.contains("fdatasync resumed>")
            && line.contains("= 0")
            && let Some(start) = started.remove(pid)
        {
            syncs.push((start, start + duration(line).unwrap_or(0.0)));
        }
    }
    syncs
}

#[tokio::test]
async fn every_acknowledged_write_is_synced_to_the_device_before_the_answer() {
    if !have("strace") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let trace_arg = trace.to_str().unwrap().to_owned();
    let wrapper = [
        "strace",
        "-f",
        "-y",
        "-ttt",
        "-T",
        "-e",
        "trace=fdatasync",
        "-o",
        &trace_arg,
    ];
    let data = dir.path().join("data");
    let mut server = ServerProcess::start_under(&wrapper, &data, "127.0.0.1:0", &[]).await;
    let password = server.admin_password.clone().unwrap();
    let mut admin = admin_of(&server, &password).await;

    // Each acknowledged write, with the wall-clock window it ran in.
    let mut windows: Vec<(&str, f64, f64)> = Vec::new();
    let t = wall();
    admin.add_member("0001", "Andi Pratama", "2099-12-31").await;
    windows.push(("member upsert", t, wall()));
    let t = wall();
    let code = admin.enrollment_code("PC-01").await;
    windows.push(("enrolment code", t, wall()));
    let channel = server.channel().await;
    let t = wall();
    let (pc, _) = TestStation::enroll(channel, &code).await;
    windows.push(("enrolment", t, wall()));
    let (_link, _) = pc.attach("boot-1", "").await;
    let t = wall();
    let session = lease(pc.login("0001").await);
    windows.push(("login", t, wall()));
    let t = wall();
    pc.client
        .clone()
        .logout(LogoutRequest {
            session_id: session.session_id.clone(),
        })
        .await
        .unwrap();
    windows.push(("logout", t, wall()));
    let t = wall();
    admin
        .create_staff("siti", "rahasia-123", Role::Librarian)
        .await;
    windows.push(("staff created", t, wall()));
    let t = wall();
    admin
        .client
        .set_maintenance(admin.req(SetMaintenanceRequest {
            station: "PC-01".into(),
            on: true,
        }))
        .await
        .unwrap();
    windows.push(("maintenance", t, wall()));
    // A read writes nothing: no sync inside its window (the check can fail).
    let t = wall();
    admin.stations().await;
    let read = (t, wall());

    // Stop the server (not strace) so strace writes out everything and exits.
    let pid = server.pid().unwrap();
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    let server_pid = children.split_whitespace().next().unwrap().to_owned();
    let _ = tokio::process::Command::new("kill")
        .args(["-TERM", &server_pid])
        .status()
        .await;
    assert_eq!(server.wait().await, Some(0));

    let syncs = log_syncs(&std::fs::read_to_string(&trace).unwrap());
    assert!(!syncs.is_empty(), "no fdatasync of sled's log at all");
    for (what, from, to) in &windows {
        assert!(
            syncs.iter().any(|(s, e)| s >= from && e <= to),
            "{what}: acknowledged without a completed fdatasync of sled's log in between \
             ({from:.6}..{to:.6}; syncs {syncs:?})"
        );
    }
    assert!(
        !syncs.iter().any(|(s, e)| *s >= read.0 && *e <= read.1),
        "a read caused a device sync"
    );
}

#[tokio::test]
async fn concurrent_logins_of_one_card_on_many_stations_give_exactly_one_session() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2099-12-31").await;
    let mut stations = Vec::new();
    for i in 0..24 {
        stations.push(server.enroll(&format!("PC-{i:02}")).await);
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(stations.len()));
    let tasks: Vec<_> = stations
        .into_iter()
        .map(|pc| {
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                pc.login("0001").await
            })
        })
        .collect();
    let mut leases = 0;
    for task in tasks {
        match task.await.unwrap() {
            login_response::Outcome::Lease(_) => leases += 1,
            other => assert_eq!(refusal(other), RefusalCode::InUse),
        }
    }
    assert_eq!(leases, 1);
    let sessions = admin.sessions().await;
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(server.app.store().session_count().unwrap(), 1);
    server.stop().await;
}

/// The month before the current one, "YYYY-MM", in the library's time zone.
fn previous_month() -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Makassar)
        .date_naive();
    let first = today.with_day(1).unwrap();
    let prev = first.pred_opt().unwrap();
    format!("{:04}-{:02}", prev.year(), prev.month())
}

#[tokio::test]
async fn a_backup_taken_during_a_login_storm_restores_every_acknowledged_session_and_signature() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backups = dir.path().join("backups");
    let backup_dir = format!("backup.dir={}", toml_path(&backups));
    let server = ServerProcess::start(&data, "127.0.0.1:0", &[&backup_dir]).await;
    let password = server.admin_password.clone().unwrap();
    let mut admin = admin_of(&server, &password).await;

    // A signed report (last month, which has ended).
    admin
        .create_staff("kepala", "rahasia-123", Role::SectionHead)
        .await;
    let mut head = staff_of(&server, "kepala", "rahasia-123").await;
    let month = previous_month();
    head.client
        .sign_monthly_report(head.req(SignMonthlyReportRequest {
            month: month.clone(),
            ..Default::default()
        }))
        .await
        .unwrap();
    let public_key = admin
        .client
        .report_public_key(admin.req(ReportPublicKeyRequest {}))
        .await
        .unwrap()
        .into_inner()
        .public_key;

    // A storm: 12 stations logging patrons in and out as fast as they can.
    let mut stations = Vec::new();
    for i in 0..12 {
        admin
            .add_member(&format!("{:04}", i + 1), "Patron", "2099-12-31")
            .await;
        stations.push(enroll_at(&server, &mut admin, &format!("PC-{i:02}")).await);
    }
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, f64)>::new()));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut storm = Vec::new();
    for (i, pc) in stations.into_iter().enumerate() {
        let acknowledged = acknowledged.clone();
        let stop = stop_rx.clone();
        storm.push(tokio::spawn(async move {
            let card = format!("{:04}", i + 1);
            while !*stop.borrow() {
                let l = lease(pc.login(&card).await);
                acknowledged
                    .lock()
                    .unwrap()
                    .push((l.session_id.clone(), wall()));
                pc.client
                    .clone()
                    .logout(LogoutRequest {
                        session_id: l.session_id,
                    })
                    .await
                    .unwrap();
            }
        }));
    }
    // Let the storm run, then back up in the middle of it.
    wait_for("the storm to be going", || {
        let n = acknowledged.lock().unwrap().len();
        async move { (n >= 50).then_some(()) }
    })
    .await;
    let file = dir.path().join("copy.bak");
    let began = wall();
    let (ok, out, err) = server
        .admin(&password, &["backup", "--out", file.to_str().unwrap()])
        .await;
    assert!(ok, "{err}");
    assert!(out.contains("saved to"), "{out}");
    let after_backup = acknowledged.lock().unwrap().len();
    wait_for("the storm to go on after the backup", || {
        let n = acknowledged.lock().unwrap().len();
        async move { (n >= after_backup + 20).then_some(()) }
    })
    .await;
    stop_tx.send(true).unwrap();
    for task in storm {
        task.await.unwrap();
    }
    // The server kept a copy in its backup directory too.
    let kept: Vec<_> = std::fs::read_dir(&backups).unwrap().collect();
    assert_eq!(kept.len(), 1, "{kept:?}");

    // Restore into a new directory; every session acknowledged before the
    // backup began is there, and the signed report verifies.
    let restored = dir.path().join("restored");
    let out = restore(&file, &restored).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = bilik_server::store::Store::open(&restored).unwrap();
    let before: Vec<String> = acknowledged
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(before.len() >= 50);
    for id in &before {
        assert!(
            store.session(id).unwrap().is_some(),
            "session {id} was acknowledged before the backup and is missing"
        );
    }
    let signed = store.signed_report(&month).unwrap().unwrap();
    let verified = bilik_server::report::signing::verify(&signed.pdf, Some(&public_key)).unwrap();
    assert_eq!(verified.month, month);
    // The indexes were rebuilt: no station or card is left "in use".
    assert!(store.active_sessions().unwrap().len() <= 12);
    drop(store);

    // The restored directory serves.
    let again = ServerProcess::start(&restored, "127.0.0.1:0", &[]).await;
    assert!(again.admin_password.is_none(), "the admin came back too");
    let mut admin = admin_of(&again, &password).await;
    assert_eq!(admin.stations().await.len(), 12);
}

/// A path as a TOML string value.
fn toml_path(p: &Path) -> String {
    toml::Value::String(p.display().to_string()).to_string()
}

/// `bilik-server restore FILE --data-dir DIR`.
async fn restore(file: &Path, dir: &Path) -> std::process::Output {
    within(
        tokio::process::Command::new(binary("bilik-server"))
            .arg("restore")
            .arg(file)
            .arg("--data-dir")
            .arg(dir)
            .env("RUST_BACKTRACE", "0")
            .output(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_damaged_or_foreign_backup_is_refused_and_nothing_is_written() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2099-12-31").await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.bak");
    let file = std::fs::File::create(&good).unwrap();
    server.app.store().write_backup(file).unwrap();
    let bytes = std::fs::read(&good).unwrap();

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let truncated = bytes[..bytes.len() - 10].to_vec();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("flipped.bak", flipped, "damaged"),
        ("truncated.bak", truncated, "damaged"),
        (
            "foreign.bak",
            b"PK\x03\x04 not a backup at all".to_vec(),
            "not a Bilik backup",
        ),
    ];
    for (name, content, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let target = dir.path().join(format!("{name}.restored"));
        let out = restore(&path, &target).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} was restored");
        assert!(err.contains(says), "{name}: {err}");
        assert!(err.len() < 400, "{name}: a short error, not a dump: {err}");
        assert!(!target.exists(), "{name}: something was written");
    }

    // Never over an existing store.
    let taken = dir.path().join("taken");
    std::fs::create_dir_all(&taken).unwrap();
    std::fs::write(taken.join("db"), b"x").unwrap();
    let out = restore(&good, &taken).await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The good one restores.
    let fresh = dir.path().join("fresh");
    let out = restore(&good, &fresh).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = bilik_server::store::Store::open(&fresh).unwrap();
    assert_eq!(store.member("0001").unwrap().unwrap().name, "Andi");
    assert_eq!(store.member_count().unwrap(), 1);
    server.stop().await;
}

/// A size-limited tmpfs the test mounts (root only), unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(mb: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                !bilik_tests::agent::tools_required(),
                "cannot mount a small tmpfs (needs root): required by BILIK_E2E=require"
            );
            eprintln!("SKIPPED: cannot mount a tmpfs here (not root?)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Fills the file system at `dir` until `leave_mb` MiB are free.
fn fill(dir: &Path, leave_mb: u64) -> std::path::PathBuf {
    let stat = rustix::fs::statvfs(dir).unwrap();
    let free = stat.f_bavail * stat.f_frsize;
    let filler = dir.join("filler");
    let size = free.saturating_sub(leave_mb << 20);
    let chunk = vec![0xAAu8; 1 << 20];
    let mut f = std::fs::File::create(&filler).unwrap();
    use std::io::Write;
    let mut written = 0;
    while written + chunk.len() as u64 <= size {
        if f.write_all(&chunk).is_err() {
            break;
        }
        written += chunk.len() as u64;
    }
    f.sync_all().unwrap();
    filler
}

#[tokio::test]
async fn a_nearly_full_disk_refuses_new_sessions_ends_running_ones_and_recovers() {
    let Some(disk) = SmallDisk::mount(48) else {
        return;
    };
    let data = disk.path().join("data");
    let overrides = ["server.min_free_mb=16", "backup.interval_minutes=0"];
    let mut server = ServerProcess::start(&data, "127.0.0.1:0", &overrides).await;
    let password = server.admin_password.clone().unwrap();
    let mut admin = admin_of(&server, &password).await;
    admin.add_member("0001", "Andi", "2099-12-31").await;
    admin.add_member("0002", "Budi", "2099-12-31").await;
    let pc1 = enroll_at(&server, &mut admin, "PC-01").await;
    let pc2 = enroll_at(&server, &mut admin, "PC-02").await;
    let running = lease(pc1.login("0001").await);

    let mut web = bilik_tests::web::WebClient::pinned(&server.web_url, server.trust());
    web.sign_in("admin", &password).await;
    const ALERT: &str = "Disk data server hampir penuh";
    assert!(!web.get("/").await.body.contains(ALERT));

    // Another program fills the disk to below the reserve.
    let filler = fill(disk.path(), 6);
    assert_eq!(
        refusal(pc2.login("0002").await),
        RefusalCode::ServerStorageFull
    );
    // The librarians see why, on every page.
    assert!(web.get("/").await.body.contains(ALERT));
    assert!(web.get("/health").await.body.contains(ALERT));
    // The server still answers, and the running session ends correctly.
    assert_eq!(admin.stations().await.len(), 2);
    let ended = pc1
        .client
        .clone()
        .logout(LogoutRequest {
            session_id: running.session_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(ended.ended_at_ms >= running.started_at_ms);

    // Space returns: sessions are allowed again.
    std::fs::remove_file(&filler).unwrap();
    let second = lease(pc2.login("0002").await);
    assert!(!web.get("/").await.body.contains(ALERT));

    // Nothing was corrupted: after a SIGKILL the store opens with both
    // sessions as they were acknowledged.
    server.kill9().await;
    let listen = server.listen.clone();
    drop(server);
    let server = ServerProcess::start(&data, &listen, &overrides).await;
    let mut admin = admin_of(&server, &password).await;
    let sessions = admin.sessions().await;
    let first = sessions
        .iter()
        .find(|s| s.session_id == running.session_id)
        .unwrap();
    assert_eq!(first.ended_at_ms, ended.ended_at_ms);
    assert!(sessions.iter().any(|s| s.session_id == second.session_id));
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
}

#[tokio::test]
async fn the_signing_key_is_made_at_start_and_a_malformed_one_is_an_error_not_replaced() {
    const KEY: &str = "report_signing_key";
    let server = TestServer::start().await;
    server.app.ensure_signing_key().await.unwrap();
    let made = server.app.store().meta(KEY).unwrap().unwrap();
    assert_eq!(made.len(), 32);
    // Idempotent: a second start keeps the key.
    server.app.ensure_signing_key().await.unwrap();
    assert_eq!(server.app.store().meta(KEY).unwrap().unwrap(), made);
    server
        .app
        .store()
        .set_meta(KEY, b"not a key")
        .unwrap()
        .durable()
        .await
        .unwrap();
    let err = server.app.ensure_signing_key().await.unwrap_err();
    assert!(err.to_string().contains("malformed"), "{err}");
    assert_eq!(
        server.app.store().meta(KEY).unwrap().unwrap(),
        b"not a key".to_vec(),
        "never silently replaced"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_admin_backs_up_from_the_health_page_and_sees_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let backup_dir = format!("backup.dir={}", toml_path(&backups));
    let server = TestServer::start_with(&[&backup_dir]).await;
    server
        .app
        .create_staff(
            &bilik_server::app::StaffIdentity::system(),
            "siti",
            "rahasia-123",
            Role::Librarian,
            "Siti",
            "",
        )
        .await
        .unwrap();
    let dashboard = bilik_tests::web::Dashboard::serve(&server.app).await;
    let mut web = bilik_tests::web::WebClient::new(&dashboard.url);
    web.sign_in("admin", &server.admin_password).await;
    let page = web.get("/health").await;
    assert!(page.body.contains("belum ada"), "no backup yet");
    let csrf = bilik_tests::web::csrf_of(&page.body);
    let done = web.post("/health/backup", &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let files: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    bilik_server::store::backup::verify_backup(&files[0]).unwrap();
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let page = web.get("/health").await;
    assert!(
        page.body.contains(&name),
        "the Health page names the last backup"
    );

    // A librarian has no button and cannot post it.
    let mut librarian = bilik_tests::web::WebClient::new(&dashboard.url);
    librarian.sign_in("siti", "rahasia-123").await;
    let page = librarian.get("/health").await;
    assert!(!page.body.contains("backup-now"));
    let csrf = bilik_tests::web::csrf_of(&page.body);
    let refused = librarian.post("/health/backup", &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_disk_filled_to_the_last_byte_keeps_acknowledged_writes_working_through_the_reserve() {
    let Some(disk) = SmallDisk::mount(48) else {
        return;
    };
    let data = disk.path().join("data");
    let overrides = [
        "server.min_free_mb=16",
        "server.reserve_mb=8",
        "backup.interval_minutes=0",
    ];
    let server = ServerProcess::start(&data, "127.0.0.1:0", &overrides).await;
    let reserve = disk.path().join("data/bilik-reserve");
    wait_for("the reserve to be made at start", || {
        let made = reserve.exists();
        async move { made.then_some(()) }
    })
    .await;
    let password = server.admin_password.clone().unwrap();
    let mut admin = admin_of(&server, &password).await;
    admin.add_member("0001", "Andi", "2099-12-31").await;
    let pc1 = enroll_at(&server, &mut admin, "PC-01").await;
    let running = lease(pc1.login("0001").await);

    // Something fills the partition completely.
    let filler = fill(disk.path(), 0);
    let mut pad = std::fs::OpenOptions::new()
        .append(true)
        .open(&filler)
        .unwrap();
    use std::io::Write;
    while pad.write_all(&[0u8; 4096]).is_ok() {}
    drop(pad);
    // New sessions are refused, but every other write still works: the
    // flusher released the reserve so sled has room (sled would poison
    // itself on a failed write and refuse everything until reopened).
    let pc2 = enroll_at(&server, &mut admin, "PC-02").await;
    admin.add_member("0002", "Budi", "2099-12-31").await;
    assert_eq!(
        refusal(pc2.login("0002").await),
        RefusalCode::ServerStorageFull
    );
    for i in 0..200 {
        admin
            .add_member(&format!("9{i:05}"), &"Isi ".repeat(40), "2099-12-31")
            .await;
    }
    assert!(!reserve.exists(), "the reserve was released");
    let ended = pc1
        .client
        .clone()
        .logout(LogoutRequest {
            session_id: running.session_id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .ended_at_ms;
    assert_eq!(admin.stations().await.len(), 2);
    // Space returns: sessions again, and the reserve is made again.
    std::fs::remove_file(&filler).unwrap();
    lease(pc2.login("0002").await);
    wait_for("the reserve to be made again", || {
        let made = reserve.exists();
        async move { made.then_some(()) }
    })
    .await;
    assert!(ended >= running.started_at_ms);
    let sessions = admin.sessions().await;
    assert_eq!(sessions[0].ended_at_ms, ended);
}

#[tokio::test]
async fn a_logout_racing_the_sweeper_ends_the_session_once_and_frees_station_and_card() {
    // One-minute leases, so twenty rounds stay within opening hours.
    let server = TestServer::start_with(&["session.lease_seconds=60"]).await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi", "2099-12-31").await;
    let pc = server.enroll("PC-01").await;
    let (_link, _) = pc.attach("boot-1", "").await;
    for round in 0..20 {
        let lease = lease(pc.login("0001").await);
        server.clock.advance_ms(61_000);
        let sweep = {
            let app = server.app.clone();
            tokio::spawn(async move { app.sweep().await })
        };
        let logout = pc
            .client
            .clone()
            .logout(LogoutRequest {
                session_id: lease.session_id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        sweep.await.unwrap().unwrap();
        let s = server
            .app
            .store()
            .session(&lease.session_id)
            .unwrap()
            .unwrap();
        // Whoever won, the record is ended once, at the lease end, and the
        // logout answered with that same end.
        assert_eq!(s.ended_at_ms, lease.ends_at_ms, "round {round}");
        assert_eq!(logout.ended_at_ms, s.ended_at_ms, "round {round}");
        assert!(
            [EndReason::TimeUp as i32, EndReason::Logout as i32].contains(&s.end_reason),
            "round {round}: {s:?}"
        );
        assert!(server.app.store().active_session(&pc.id).unwrap().is_none());
        assert!(
            server
                .app
                .store()
                .open_session_of_card("0001")
                .unwrap()
                .is_none()
        );
    }
    assert_eq!(server.app.store().session_count().unwrap(), 20);
    server.stop().await;
}
