//! Helpers for the lock-screen tests: an Xvfb display with openbox on a
//! free display number, the real `bilik-agent --ui gui` on it, xdotool,
//! and screenshots (`import -window root`) decoded and checked.

use crate::agent::{enroll, tools_required};
use crate::process::{ServerProcess, binary};
use crate::{DEADLINE, Staff};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The tools the lock-screen tests need, with their Debian packages.
pub const TOOLS: [(&str, &str); 5] = [
    ("Xvfb", "xvfb"),
    ("xdotool", "xdotool"),
    ("openbox", "openbox"),
    ("import", "imagemagick"),
    ("xrandr", "x11-xserver-utils"),
];

/// The lock screen's background colour (`lock_screen::BACKGROUND`).
pub const LOCK_BACKGROUND: [u8; 3] = [13, 31, 56];

/// The screen size of the test display.
pub const SCREEN: (u32, u32) = (1280, 800);

/// The missing tools' package names.
pub fn missing_tools() -> Vec<&'static str> {
    TOOLS
        .iter()
        .filter(|(tool, _)| {
            !std::env::var_os("PATH").is_some_and(|paths| {
                std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file())
            })
        })
        .map(|(_, package)| *package)
        .collect()
}

/// Whether `test` must skip: the X tools are missing (said loudly). With
/// `BILIK_E2E=require` a missing tool fails the test instead.
pub fn skip_without_tools(test: &str) -> bool {
    let missing = missing_tools();
    if missing.is_empty() {
        return false;
    }
    let packages: Vec<&str> = TOOLS.iter().map(|(_, package)| *package).collect();
    let msg = format!(
        "{test}: missing Debian packages {missing:?} (apt-get install {} libgl1-mesa-dri)",
        packages.join(" ")
    );
    assert!(!tools_required(), "BILIK_E2E=require: {msg}");
    eprintln!("\n*** SKIPPED {msg} ***\n");
    true
}

/// The real server process with an enrolled station, for a lock-screen test.
#[derive(Debug)]
pub struct GuiStation {
    /// The server (killed when dropped).
    pub server: ServerProcess,
    /// Holds the server's data and the agent's state (removed when dropped).
    pub dir: tempfile::TempDir,
    /// Signed in as the admin.
    pub admin: Staff,
    /// The agent's state directory, enrolled.
    pub state_dir: PathBuf,
}

impl GuiStation {
    /// For the lock-screen test `test`: `None` when it must skip (see
    /// [`skip_without_tools`]); else starts the server in a fresh directory
    /// with config `overrides`, signs in as the admin, adds member 1001
    /// (valid until 2099) and enrols `station`.
    pub async fn start(test: &str, overrides: &[&str], station: &str) -> Option<GuiStation> {
        if skip_without_tools(test) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", overrides).await;
        let password = server.admin_password.clone().unwrap();
        let mut admin = Staff::sign_in(server.channel().await, "admin", &password).await;
        admin.add_member("1001", "Andi Pratama", "2099-12-31").await;
        let code = admin.enrollment_code(station).await;
        let state_dir = dir.path().join("agent");
        let (ok, out, err) = enroll(&server.url, &code, &state_dir).await;
        assert!(ok, "{out}{err}");
        Some(GuiStation {
            server,
            dir,
            admin,
            state_dir,
        })
    }
}

/// A station locked on screen: the real server with an enrolled station
/// (see [`GuiStation::start`]), a display and the real agent on it, the
/// lock screen up. Dropped in field order: the agent, then the display,
/// then the server.
#[derive(Debug)]
pub struct LockedStation {
    /// The agent (`bilik-agent service`) on [`LockedStation::display`].
    pub agent: GuiAgent,
    /// The display the lock screen is on.
    pub display: Display,
    /// The server, its admin and the agent's state.
    pub station: GuiStation,
}

impl GuiStation {
    /// [`GuiStation::start`], then a [`Display`] and the agent on it with
    /// `--set` overrides `sets`, waiting until the station is locked: the
    /// link up, the keyboard and pointer grabbed, and the lock screen on a
    /// screenshot (`<test>-00-locked.png`). `None` when the test must skip.
    pub async fn start_locked(
        test: &str,
        overrides: &[&str],
        station: &str,
        sets: &[&str],
    ) -> Option<LockedStation> {
        GuiStation::start_locked_env(test, overrides, station, sets, &[]).await
    }

    /// [`GuiStation::start_locked`] with environment variables `env` for
    /// the agent (see [`GuiAgent::start_env`]).
    pub async fn start_locked_env(
        test: &str,
        overrides: &[&str],
        station: &str,
        sets: &[&str],
        env: &[(&str, &str)],
    ) -> Option<LockedStation> {
        let station = GuiStation::start(test, overrides, station).await?;
        let display = Display::start();
        let agent = GuiAgent::start_env(&display, &station.state_dir, sets, env);
        agent.wait_log("link up", 1);
        agent.wait_log("keyboard and pointer grabbed", 1);
        display.wait_lock_visible(&format!("{test}-00-locked.png"), Instant::now());
        Some(LockedStation {
            agent,
            display,
            station,
        })
    }
}

/// Polls `check` (blocking) until true; panics with `what` after [`DEADLINE`].
pub fn poll(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A virtual X display with a window manager (killed when dropped).
#[derive(Debug)]
pub struct Display {
    /// `:N`.
    pub name: String,
    /// Xvfb.
    xvfb: Child,
    /// Xvfb's stdout, kept open (a closed pipe would kill it with SIGPIPE
    /// if it ever wrote there again).
    _xvfb_stdout: std::io::BufReader<std::process::ChildStdout>,
    /// openbox.
    wm: Child,
}

impl Display {
    /// Starts Xvfb ([`SCREEN`], one monitor) on a free display, then openbox.
    pub fn start() -> Display {
        Display::start_with(SCREEN, &[])
    }

    /// Starts Xvfb with a screen of `size` split into `monitors` (RandR
    /// monitors `(x, y, width, height)`, as a station with several screens
    /// shows them; none: one monitor), then openbox.
    pub fn start_with(size: (u32, u32), monitors: &[(i32, i32, u32, u32)]) -> Display {
        Display::start_full(size, monitors, None)
    }

    /// Starts Xvfb ([`SCREEN`]) with openbox on the kiosk configuration
    /// `rc` (`docs/kiosk/rc.xml`).
    pub fn start_kiosk(rc: &Path) -> Display {
        Display::start_full(SCREEN, &[], Some(rc))
    }

    /// Starts Xvfb with `size` split into `monitors`, then openbox (with
    /// its configuration file `rc`, or its default one).
    fn start_full(
        size: (u32, u32),
        monitors: &[(i32, i32, u32, u32)],
        rc: Option<&Path>,
    ) -> Display {
        let screen = format!("{}x{}x24", size.0, size.1);
        // -displayfd 1: Xvfb picks a free display number itself and writes
        // it to its stdout once it accepts connections (no race with another
        // test picking the same number).
        // -noreset: without it the server resets whenever its last client
        // leaves (each xdotool or xrandr run), which drops the RandR
        // monitors set below.
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                &screen,
                "-nolisten",
                "tcp",
                "-noreset",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = std::io::BufReader::new(xvfb.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        let n: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb gave no display number: {line:?}"));
        let name = format!(":{n}");
        for (i, &(x, y, w, h)) in monitors.iter().enumerate() {
            // The first takes Xvfb's one output; the others have none.
            let output = if i == 0 { "screen" } else { "none" };
            let geometry = format!("{w}/300x{h}/200+{x}+{y}");
            let status = Command::new("xrandr")
                .env("DISPLAY", &name)
                .args(["--setmonitor", &format!("bilik-{i}"), &geometry, output])
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "xrandr --setmonitor {geometry} failed");
        }
        let mut wm = Command::new("openbox");
        if let Some(rc) = rc {
            wm.arg("--config-file").arg(rc);
        }
        let wm = wm
            .env("DISPLAY", &name)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let display = Display {
            name,
            xvfb,
            _xvfb_stdout: stdout,
            wm,
        };
        // openbox manages the screen once it publishes its desktops (EWMH).
        poll("openbox", || {
            Command::new("xdotool")
                .env("DISPLAY", &display.name)
                .args(["get_num_desktops"])
                .stderr(Stdio::null())
                .output()
                .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
        });
        display
    }

    /// Runs xdotool with `args`; returns (success, trimmed stdout).
    pub fn xdotool(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new("xdotool")
            .env("DISPLAY", &self.name)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        )
    }

    /// Presses `keys` one at a time, each once the window has shown the one
    /// before: after each press, screenshots until the screen's `rows` x
    /// `cols` differ from before it. egui moves the focus once per frame,
    /// so keys that arrive within one frame (a loaded machine) would lose
    /// their order; every key here must change what that region shows.
    pub fn press_seen(
        &self,
        keys: &[&str],
        rows: std::ops::Range<u32>,
        cols: std::ops::Range<u32>,
    ) {
        // One file per test binary: GUI tests run side by side must not
        // read each other's half-written screenshot.
        let path = artifacts_dir().join(format!("{}-last-key.png", test_name()));
        for key in keys {
            let before = self.screenshot(&path);
            self.xdotool(&["key", key]);
            poll(&format!("the screen to show the key {key}"), || {
                self.screenshot(&path)
                    .region_difference(&before, rows.clone(), cols.clone())
                    > 0.0
            });
        }
    }

    /// Geometry "WxH" and position "X,Y" of every window whose name
    /// matches `pattern` and is mapped.
    pub fn windows(&self, pattern: &str) -> Vec<(String, String)> {
        let (_, ids) = self.xdotool(&["search", "--onlyvisible", "--name", pattern]);
        ids.lines()
            .filter_map(|id| self.geometry(id.trim()))
            .collect()
    }

    /// A window's geometry "WxH" and position "X,Y".
    fn geometry(&self, id: &str) -> Option<(String, String)> {
        let (ok, text) = self.xdotool(&["getwindowgeometry", id]);
        if !ok {
            return None;
        }
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(key))
                .map(|v| v.split_whitespace().next().unwrap_or_default().to_owned())
        };
        Some((field("Geometry: ")?, field("Position: ")?))
    }

    /// The active window's geometry "WxH" and position "X,Y", if any.
    pub fn active_geometry(&self) -> Option<(String, String)> {
        let (ok, id) = self.xdotool(&["getactivewindow"]);
        if !ok || id.is_empty() {
            return None;
        }
        self.geometry(&id)
    }

    /// Saves the whole screen as PNG at `path` and returns it decoded.
    pub fn screenshot(&self, path: &Path) -> Shot {
        self.capture(path);
        Shot::load(path)
    }

    /// Saves the whole screen as PNG at `path`: written under a name of
    /// this process's own, then renamed (a reader, or another test process
    /// writing the same name, never sees half a file).
    fn capture(&self, path: &Path) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let partial = path.with_extension(format!("{}.partial.png", std::process::id()));
        let status = Command::new("import")
            .env("DISPLAY", &self.name)
            .args(["-window", "root"])
            .arg(&partial)
            .status()
            .unwrap();
        assert!(status.success(), "import failed for {}", path.display());
        std::fs::rename(&partial, path).unwrap();
    }
}

impl Covered {
    /// Prints the BENCH lines of attack `name` (see BENCHMARKS.md):
    /// `covered_ms`, `lock_back_ms` and `uncovered_after`.
    pub fn print(&self, name: &str) {
        println!(
            "BENCH attack={name} covered_ms={}",
            self.covered.as_millis()
        );
        println!("BENCH attack={name} lock_back_ms={}", self.lock.as_millis());
        println!(
            "BENCH attack={name} uncovered_after={}",
            self.uncovered_after
        );
    }
}

impl Display {
    /// Screenshots into `name` (under [`artifacts_dir`]) until the lock
    /// screen shows; how long from `since` until that screenshot was taken
    /// (its decoding and checking, slow in a debug build, not counted).
    pub fn wait_lock_visible(&self, name: &str, since: Instant) -> std::time::Duration {
        let path = artifacts_dir().join(name);
        let mut taken = since;
        poll(&format!("the lock screen on screen ({name})"), || {
            self.capture(&path);
            taken = Instant::now();
            Shot::load(&path).is_lock_screen()
        });
        taken.saturating_duration_since(since)
    }

    /// The X id of the lock window (the one named "Bilik").
    pub fn lock_window(&self) -> String {
        let mut id = String::new();
        poll("the lock window", || {
            let (ok, out) = self.xdotool(&["search", "--onlyvisible", "--name", "^Bilik$"]);
            id = out.lines().next().unwrap_or_default().trim().to_owned();
            ok && !id.is_empty()
        });
        id
    }

    /// Runs `x11-intruder churn MS` to its end: windows created, mapped
    /// and destroyed in a tight loop for `ms` milliseconds; how many.
    pub fn churn(&self, ms: u64) -> u32 {
        let out = std::process::Command::new(binary("x11-intruder"))
            .args(["churn", &ms.to_string()])
            .env("DISPLAY", &self.name)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// Starts the hostile X client (`x11-intruder cover HOW`: "above" or
    /// "override"): a red full-screen window; killed when dropped.
    pub fn intruder(&self, how: &str) -> Intruder {
        let mut child = Command::new(binary("x11-intruder"))
            .args(["cover", how])
            .env("DISPLAY", &self.name)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert!(
            !line.trim().is_empty(),
            "the intruder did not map its window"
        );
        Intruder { child }
    }

    /// How many children of the root window are viewable (a window
    /// manager's menu that opens adds one).
    pub fn viewable_toplevels(&self) -> usize {
        let out = Command::new(binary("x11-intruder"))
            .arg("toplevels")
            .env("DISPLAY", &self.name)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// Asks the window manager to take `window` out of full screen.
    pub fn unfullscreen(&self, window: &str) {
        let status = Command::new(binary("x11-intruder"))
            .args(["unfullscreen", window])
            .env("DISPLAY", &self.name)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// A hostile window on the display (killed when dropped).
#[derive(Debug)]
pub struct Intruder {
    /// The `x11-intruder` process.
    child: Child,
}

impl Drop for Intruder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tamper reports the server holds, from its monthly report (JSON) of
/// this month and the months either side of today (the library's time
/// zone may be a day off UTC): each `station: detail`.
pub async fn tamper_reports(admin: &mut crate::Staff) -> Vec<String> {
    use bilik_proto::v1::{MonthlyReportRequest, ReportFormat};
    let now = chrono::Utc::now();
    let mut months: Vec<String> = [-1, 0, 1]
        .iter()
        .map(|d| {
            (now + chrono::Duration::days(*d))
                .format("%Y-%m")
                .to_string()
        })
        .collect();
    months.dedup();
    let mut found = Vec::new();
    for month in months {
        let Ok(report) = admin
            .client
            .monthly_report(admin.req(MonthlyReportRequest {
                month,
                format: ReportFormat::Json as i32,
                lang: String::new(),
            }))
            .await
        else {
            continue;
        };
        let json: serde_json::Value =
            serde_json::from_slice(&report.into_inner().content).unwrap_or_default();
        for p in json["problems"].as_array().into_iter().flatten() {
            if p["kind"] == "tamper" {
                found.push(format!(
                    "{}: {}",
                    p["station"].as_str().unwrap_or_default(),
                    p["detail"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    found
}

/// Waits until the server holds a tamper report containing `needle`.
pub async fn wait_tamper(admin: &mut crate::Staff, needle: &str) -> String {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let reports = tamper_reports(admin).await;
        if let Some(r) = reports.iter().find(|r| r.contains(needle)) {
            return r.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no tamper report with {needle:?} on the server: {reports:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.wm.kill();
        let _ = self.xvfb.kill();
        let _ = self.wm.wait();
        let _ = self.xvfb.wait();
    }
}

/// A decoded screenshot (RGB8).
#[derive(Debug, Clone)]
pub struct Shot {
    /// Where it is saved.
    pub path: PathBuf,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGB bytes, row by row.
    pub rgb: Vec<u8>,
}

impl Shot {
    /// Decodes a PNG (RGB or RGBA, 8 bits).
    pub fn load(path: &Path) -> Shot {
        let mut decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        let rgb = buf[..info.buffer_size()]
            .chunks(channels)
            .flat_map(|p| {
                if channels >= 3 {
                    [p[0], p[1], p[2]]
                } else {
                    [p[0], p[0], p[0]]
                }
            })
            .collect();
        Shot {
            path: path.to_owned(),
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    /// How many distinct colours (capped at 1000): 1 is a blank frame.
    pub fn colours(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        for p in self.rgb.chunks(3) {
            seen.insert((p[0], p[1], p[2]));
            if seen.len() >= 1000 {
                break;
            }
        }
        seen.len()
    }

    /// Share of pixels (0..=1) that differ from `other`'s.
    pub fn difference(&self, other: &Shot) -> f64 {
        if self.rgb.len() != other.rgb.len() {
            return 1.0;
        }
        let differ = self
            .rgb
            .chunks(3)
            .zip(other.rgb.chunks(3))
            .filter(|(a, b)| a != b)
            .count();
        differ as f64 / (self.rgb.len() / 3).max(1) as f64
    }

    /// Share of pixels (0..=1) in rows `rows` and columns `cols` that
    /// differ from `other`'s.
    pub fn region_difference(
        &self,
        other: &Shot,
        rows: std::ops::Range<u32>,
        cols: std::ops::Range<u32>,
    ) -> f64 {
        if (self.width, self.height) != (other.width, other.height) {
            return 1.0;
        }
        let mut differ = 0usize;
        let mut total = 0usize;
        for y in rows.clone().filter(|y| *y < self.height) {
            for x in cols.clone().filter(|x| *x < self.width) {
                let i = 3 * (y * self.width + x) as usize;
                total += 1;
                if self.rgb[i..i + 3] != other.rgb[i..i + 3] {
                    differ += 1;
                }
            }
        }
        differ as f64 / total.max(1) as f64
    }

    /// How many distinct colours (capped at 1000) in rows `rows` and
    /// columns `cols`.
    pub fn region_colours(&self, rows: std::ops::Range<u32>, cols: std::ops::Range<u32>) -> usize {
        let mut seen = std::collections::HashSet::new();
        for y in rows.filter(|y| *y < self.height) {
            for x in cols.clone().filter(|x| *x < self.width) {
                seen.insert(self.pixel(x, y));
                if seen.len() >= 1000 {
                    return seen.len();
                }
            }
        }
        seen.len()
    }

    /// The colour at (`x`, `y`).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = 3 * (y * self.width + x) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Share of pixels (0..=1) of the left half that differ from the pixel
    /// at the same place in the right half.
    pub fn halves_difference(&self) -> f64 {
        let half = self.width / 2;
        let mut differ = 0usize;
        for y in 0..self.height {
            for x in 0..half {
                if self.pixel(x, y) != self.pixel(x + half, y) {
                    differ += 1;
                }
            }
        }
        differ as f64 / (half * self.height).max(1) as f64
    }

    /// Whether this is the lock screen: not blank, and its background in
    /// all four corners (a desktop, a window over it or a lock window out
    /// of shape shows something else there).
    pub fn is_lock_screen(&self) -> bool {
        let (w, h) = (self.width, self.height);
        let corners = [(4, 4), (w - 5, 4), (4, h - 5), (w - 5, h - 5)];
        corners
            .iter()
            .all(|&(x, y)| self.pixel(x, y) == LOCK_BACKGROUND)
            && self.colours() > 8
    }

    /// Checks it is the screen's size and not a blank frame.
    pub fn assert_sane(&self) {
        assert_eq!((self.width, self.height), SCREEN, "{}", self.path.display());
        assert!(self.colours() > 8, "{} looks blank", self.path.display());
    }
}

/// The running test binary's name without cargo's hash (`gui_countdown`),
/// naming its files under [`artifacts_dir`].
fn test_name() -> String {
    let stem = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    stem.split('-').next().unwrap_or("gui").to_owned()
}

/// Where the screenshots go: `target/test-artifacts/gui/`.
pub fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> -> target/
    let target = exe.ancestors().nth(3).unwrap().to_owned();
    target.join("test-artifacts").join("gui")
}

/// A running `bilik-agent --ui gui` on a display (killed when dropped).
#[derive(Debug)]
pub struct GuiAgent {
    /// The process.
    pub child: Child,
    /// Its stderr (tracing logs).
    pub log: PathBuf,
}

impl GuiAgent {
    /// Starts the agent on `state_dir` with the GUI on `display`.
    pub fn start(display: &Display, state_dir: &Path) -> GuiAgent {
        GuiAgent::start_with(display, state_dir, &[])
    }

    /// Starts the agent (`bilik-agent service`: the service and its
    /// lock-screen process) on `state_dir` with the GUI on `display` and
    /// `--set` overrides `sets` (e.g. `lock.restore_ms=1500`).
    pub fn start_with(display: &Display, state_dir: &Path, sets: &[&str]) -> GuiAgent {
        GuiAgent::start_env(display, state_dir, sets, &[])
    }

    /// [`GuiAgent::start_with`], with environment variables `env` added
    /// (the service passes them on to its lock-screen processes: test
    /// knobs such as `BILIK_UI_TEST_BUSY_MS`).
    pub fn start_env(
        display: &Display,
        state_dir: &Path,
        sets: &[&str],
        env: &[(&str, &str)],
    ) -> GuiAgent {
        let log = state_dir.with_extension("gui.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(binary("bilik-agent"));
        command
            .args(["service", "--state-dir"])
            .arg(state_dir)
            .args(crate::agent::FAST_BACKOFF);
        for set in sets {
            command.args(["--set", set]);
        }
        let child = command
            .envs(env.iter().copied())
            .env("DISPLAY", &display.name)
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("RUST_LOG", "info,bilik_agent=debug")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap();
        GuiAgent { child, log }
    }

    /// The pid of the lock-screen process that connected last.
    pub fn ui_pid(&self) -> u32 {
        let log = self.log_text();
        let line = log
            .lines()
            .rev()
            .find(|l| l.contains("lock screen connected pid="))
            .unwrap_or_else(|| panic!("no lock screen connected yet:\n{log}"));
        line.rsplit("pid=").next().unwrap().trim().parse().unwrap()
    }

    /// The pid of the warm standby lock screen that connected last, if any.
    pub fn standby_pid(&self) -> Option<u32> {
        self.log_text()
            .lines()
            .rev()
            .find(|l| l.contains("lock screen standing by pid="))
            .and_then(|l| l.rsplit("pid=").next()?.trim().parse().ok())
    }

    /// Waits until a lock-screen process other than `old` has connected;
    /// returns its pid.
    pub fn wait_new_ui(&self, old: u32) -> u32 {
        let mut pid = old;
        poll("a new lock-screen process", || {
            pid = self
                .log_text()
                .lines()
                .rev()
                .find(|l| l.contains("lock screen connected pid="))
                .and_then(|l| l.rsplit("pid=").next()?.trim().parse().ok())
                .unwrap_or(old);
            pid != old
        });
        pid
    }

    /// The log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log has a line containing `needle` `count` times.
    pub fn wait_log(&self, needle: &str, count: usize) {
        let deadline = Instant::now() + DEADLINE;
        while self.log_text().matches(needle).count() < count {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?} in the agent log:\n{}",
                self.log_text()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for GuiAgent {
    /// Kills the agent and keeps its log beside the screenshots
    /// (`<test>.log`), for a failure's post-mortem.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let test = test_name();
        let dir = artifacts_dir();
        if std::fs::create_dir_all(&dir).is_ok() {
            let _ = std::fs::copy(&self.log, dir.join(format!("{test}.log")));
        }
    }
}

/// The text colour of the service's curtain (`supervisor::curtain::TEXT`).
pub const CURTAIN_TEXT: [u8; 3] = [232, 238, 246];

impl Shot {
    /// Whether this is the service's curtain (or the lock window's bare
    /// background before eframe's frame): every pixel the lock's background
    /// or the curtain's text, so nothing of a desktop or a window shows.
    /// Every second pixel of every second row is looked at (a debug build
    /// is slow with a whole screen, and no window is that thin).
    pub fn is_curtain(&self) -> bool {
        (0..self.height).step_by(2).all(|y| {
            (0..self.width).step_by(2).all(|x| {
                let p = self.pixel(x, y);
                p == LOCK_BACKGROUND || p == CURTAIN_TEXT
            })
        })
    }

    /// Whether nothing but the lock shows: the curtain, or the lock screen.
    pub fn shows_only_the_lock(&self) -> bool {
        self.is_curtain() || self.is_lock_screen()
    }
}

/// What [`Display::wait_covered`] saw after an attack.
#[derive(Debug, Clone, Copy)]
pub struct Covered {
    /// Until the first screenshot showing nothing but the lock (the lock
    /// screen or the curtain).
    pub covered: std::time::Duration,
    /// Until the first screenshot showing the lock screen itself.
    pub lock: std::time::Duration,
    /// Screenshots between those two that showed something else (each
    /// kept as `<name>.uncovered-<n>.png`).
    pub uncovered_after: usize,
}

impl Display {
    /// Screenshots into `name` (under [`artifacts_dir`]) until the lock
    /// screen itself shows, noting when the first one showed nothing but
    /// the lock (lock screen or curtain) and whether any after that showed
    /// something else; times counted from `since` to when each screenshot
    /// was taken. A thread takes them back to back while this one decodes
    /// and judges them, so the slow decoding in a debug build does not
    /// space them out.
    pub fn wait_covered(&self, name: &str, since: Instant) -> Covered {
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (tx, rx) = std::sync::mpsc::channel();
        let taker = {
            let (stop, display, name, dir) = (
                stop.clone(),
                self.name.clone(),
                name.to_owned(),
                dir.clone(),
            );
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let path = dir.join(format!("{name}.{n}.png"));
                    let ok = Command::new("import")
                        .env("DISPLAY", &display)
                        .args(["-window", "root"])
                        .arg(&path)
                        .status()
                        .is_ok_and(|s| s.success());
                    let taken = Instant::now().saturating_duration_since(since);
                    if !ok || tx.send((path, taken)).is_err() {
                        break;
                    }
                }
            })
        };
        let mut seen = Covered {
            covered: std::time::Duration::ZERO,
            lock: std::time::Duration::ZERO,
            uncovered_after: 0,
        };
        let mut covered = false;
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (path, taken) = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("timed out waiting for the lock screen ({name})"));
            let shot = Shot::load(&path);
            let curtain = shot.is_curtain();
            let lock = !curtain && shot.is_lock_screen();
            if curtain || lock {
                if !covered {
                    covered = true;
                    seen.covered = taken;
                }
            } else if covered {
                seen.uncovered_after += 1;
                let keep = dir.join(format!("{name}.uncovered-{}.png", seen.uncovered_after));
                let _ = std::fs::copy(&path, keep);
            }
            if lock {
                seen.lock = taken;
                let _ = std::fs::copy(&path, dir.join(name));
                break;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(rx);
        let _ = taker.join();
        // The numbered shots are scratch: the one that showed the lock
        // is kept as `name`, and the uncovered ones apart.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if let Some(rest) = file.strip_prefix(&format!("{name}."))
                    && rest.trim_end_matches(".png").parse::<u32>().is_ok()
                {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        seen
    }
}
