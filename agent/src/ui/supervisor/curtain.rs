//! The service's curtain: a plain, full-screen, override-redirect X window
//! in the lock screen's colours, with the library's name and "this computer
//! is locked" drawn with the core protocol (no GL, no toolkit: it is on
//! screen, painted, the moment it is mapped).
//!
//! The service (which the patron cannot kill or stop) raises it whenever
//! the station is due locked and no lock screen has a verified lock: the
//! lock-screen process was killed, stopped or hung and its replacement is
//! still drawing its first frame, or a window trick is being repaired. It
//! holds the keyboard and pointer while no lock screen is connected (so
//! keys reach nothing behind it) and keeps itself on top; as soon as one is
//! connected it lets them go (the lock screen must take them itself to
//! verify its lock) and stays where it is: the lock screen raises its
//! window over it, so its first frame is seen and not drawn into a covered
//! window, and the curtain comes down from under it once the lock screen
//! has verified its lock. The lock screen is told
//! the curtain's window id so it does not lower it as an intruder.
//!
//! It runs on a thread of its own with its own connection (`DISPLAY`, and
//! `XAUTHORITY` as for any X client). Any X client can destroy another's
//! window or connection; a curtain that is gone is made again on its next
//! raise, and the lock screen's own repairs stay the lock's real guard.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::errors::ReplyOrIdError;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ConfigureWindowAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask,
    Font, Gcontext, GrabMode, GrabStatus, PropMode, StackMode, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{COPY_DEPTH_FROM_PARENT, COPY_FROM_PARENT, CURRENT_TIME, NONE};

/// The lock screen's background (`gui::lock_screen::BACKGROUND`).
const BACKGROUND: [u8; 3] = [13, 31, 56];
/// The text's colour (the tests tell the curtain by these two colours).
const TEXT: [u8; 3] = [232, 238, 246];
/// While up, it is raised again and its grab checked this often.
const KEEP_UP: Duration = Duration::from_millis(100);
/// While down, the X server is asked for a round trip this often: how
/// long ago it last answered tells the judge whether a silent lock screen
/// may just be waiting on a slow X server.
const PROBE_EVERY: Duration = Duration::from_millis(250);
/// Core fonts tried in order (the first that exists is used).
const FONTS: [&str; 4] = [
    "-misc-fixed-bold-r-normal--18-*-*-*-*-*-iso8859-1",
    "9x15bold",
    "9x15",
    "fixed",
];
/// At most this many characters per line (the core text request takes 255).
const MAX_CHARS: usize = 120;

/// What the service wants of the curtain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Want {
    /// Mapped over the screen.
    pub up: bool,
    /// Holding the keyboard and pointer: while no lock screen is
    /// connected, and until the connected one has drawn its lock (it takes
    /// them then).
    pub grab: bool,
    /// Keeping itself on top: only while no lock screen is connected.
    /// Otherwise it stays where it is, so the lock screen can put its
    /// window over it (and draw there) before the curtain comes down.
    pub top: bool,
    /// The lines of text, centred.
    pub lines: Vec<String>,
}

/// The handle the service keeps: the thread ends when it is dropped.
#[derive(Debug)]
pub(super) struct Curtain {
    /// To the curtain's thread.
    tx: mpsc::Sender<Want>,
    /// The curtain's X window id (0 until made, or when the connection is
    /// gone): sent to the lock screen, which must not lower it.
    window: Arc<AtomicU32>,
    /// The last wish sent (only changes are sent).
    last: Option<Want>,
    /// The curtain is mapped and holds the keyboard and pointer (as the X
    /// server granted): the screen is locked by the service itself.
    holding: Arc<AtomicBool>,
    /// When the X server last answered the curtain's connection: ms since
    /// `epoch`, 0 while there is no connection.
    answered: Arc<AtomicU64>,
    /// The origin of `answered`.
    epoch: Instant,
}

impl Curtain {
    /// Starts the curtain's thread; `None` (logged) when there is no X
    /// display to draw on.
    pub(super) fn start() -> Option<Curtain> {
        if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
            tracing::warn!("no DISPLAY: the service has no curtain over a missing lock screen");
            return None;
        }
        let (tx, rx) = mpsc::channel();
        let window = Arc::new(AtomicU32::new(0));
        let holding = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicU64::new(0));
        let epoch = Instant::now();
        let (id, held, answer) = (window.clone(), holding.clone(), answered.clone());
        let (ready_tx, ready) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("lock-curtain".into())
            .spawn(move || {
                let answers = Answers { at: &answer, epoch };
                run(&rx, &id, &held, &ready_tx, &answers);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the curtain's thread");
            return None;
        }
        // Its window id is wanted in the first lock screen's welcome.
        let _ = ready.recv_timeout(Duration::from_secs(2));
        Some(Curtain {
            tx,
            window,
            last: None,
            holding,
            answered,
            epoch,
        })
    }

    /// How long ago the X server last answered the curtain's connection
    /// (it asks every [`PROBE_EVERY`], or [`KEEP_UP`] while up); `None`
    /// while it has no connection.
    pub(super) fn x_lag(&self) -> Option<Duration> {
        let at = self.answered.load(Ordering::Relaxed);
        (at != 0).then(|| {
            let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
            Duration::from_millis(now.saturating_sub(at))
        })
    }

    /// Whether the curtain was asked to be up and to hold the keyboard and
    /// pointer (it may be taking them right now).
    pub(super) fn wants_grab(&self) -> bool {
        self.last.as_ref().is_some_and(|w| w.up && w.grab)
    }

    /// Whether the curtain is up and holds the keyboard and pointer.
    pub(super) fn holding(&self) -> bool {
        self.holding.load(Ordering::Relaxed)
    }

    /// The curtain's window id, 0 when there is none.
    pub(super) fn window(&self) -> u32 {
        self.window.load(Ordering::Relaxed)
    }

    /// Asks for `want` (sent only when it changed).
    pub(super) fn set(&mut self, want: Want) {
        if self.last.as_ref() == Some(&want) {
            return;
        }
        if want.up != self.last.as_ref().is_some_and(|w| w.up) {
            tracing::info!(up = want.up, grab = want.grab, "lock curtain");
        }
        if self.tx.send(want.clone()).is_ok() {
            self.last = Some(want);
        }
    }
}

/// The curtain's X resources on one connection.
struct Drawn {
    /// The connection.
    conn: RustConnection,
    /// The root window.
    root: Window,
    /// The curtain.
    window: Window,
    /// Its graphics context (text colour, font).
    gc: Gcontext,
    /// The font's character cell: width, ascent, descent.
    cell: (i16, i16, i16),
    /// The keyboard and pointer are held.
    grabbed: bool,
    /// It is mapped.
    mapped: bool,
}

/// Where the curtain's thread notes the X server's answers.
struct Answers<'a> {
    /// [`Curtain::answered`].
    at: &'a AtomicU64,
    /// [`Curtain::epoch`].
    epoch: Instant,
}

impl Answers<'_> {
    /// The X server answered just now (`ok`), or the connection is gone.
    fn note(&self, ok: bool) {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.at
            .store(if ok { now.max(1) } else { 0 }, Ordering::Relaxed);
    }
}

/// The thread: applies the service's wishes, keeps the curtain up and
/// painted while it should be, and asks the X server for a round trip now
/// and then while down.
fn run(
    rx: &mpsc::Receiver<Want>,
    id: &AtomicU32,
    holding: &AtomicBool,
    ready: &mpsc::Sender<()>,
    answers: &Answers<'_>,
) {
    let mut drawn = make(id);
    answers.note(drawn.is_some());
    let _ = ready.send(());
    let mut want = Want {
        up: false,
        grab: false,
        top: false,
        lines: Vec::new(),
    };
    loop {
        let next = rx.recv_timeout(if want.up { KEEP_UP } else { PROBE_EVERY });
        match next {
            Ok(w) => want = w,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        // Take every wish already queued: only the last counts.
        while let Ok(w) = rx.try_recv() {
            want = w;
        }
        if drawn.is_none() && want.up {
            drawn = make(id);
        }
        if let Some(d) = &mut drawn {
            let done = d.apply(&want).and_then(|()| {
                d.conn.get_input_focus()?.reply()?;
                Ok(())
            });
            answers.note(done.is_ok());
            if let Err(e) = done {
                tracing::warn!(error = %e, "the lock curtain lost its X connection");
                id.store(0, Ordering::Relaxed);
                drawn = None;
            }
        }
        let held = drawn.as_ref().is_some_and(|d| d.mapped && d.grabbed);
        holding.store(held, Ordering::Relaxed);
    }
}

/// Connects and makes the (unmapped) curtain; `None` logged.
fn make(id: &AtomicU32) -> Option<Drawn> {
    match Drawn::new() {
        Ok(d) => {
            id.store(d.window, Ordering::Relaxed);
            Some(d)
        }
        Err(e) => {
            tracing::warn!(error = %e, "no lock curtain");
            None
        }
    }
}

/// An X pixel value for `rgb` on the default colormap.
fn pixel(conn: &RustConnection, colormap: u32, rgb: [u8; 3]) -> Result<u32, ReplyOrIdError> {
    let [r, g, b] = rgb.map(|c| u16::from(c) * 257);
    Ok(conn.alloc_color(colormap, r, g, b)?.reply()?.pixel)
}

impl Drawn {
    /// Connects to `DISPLAY` and makes the curtain's window (unmapped).
    fn new() -> Result<Drawn, ReplyOrIdError> {
        let (conn, screen_num) = x11rb::connect(None).map_err(|e| {
            ReplyOrIdError::ConnectionError(x11rb::errors::ConnectionError::IoError(
                std::io::Error::other(e.to_string()),
            ))
        })?;
        let screen = &conn.setup().roots[screen_num];
        let (root, colormap) = (screen.root, screen.default_colormap);
        let (width, height) = (screen.width_in_pixels, screen.height_in_pixels);
        let background = pixel(&conn, colormap, BACKGROUND)?;
        let text = pixel(&conn, colormap, TEXT)?;
        let font = open_font(&conn)?;
        let cell = match font {
            Some(f) => {
                let q = conn.query_font(f)?.reply()?;
                (q.max_bounds.character_width, q.font_ascent, q.font_descent)
            }
            None => (6, 10, 3),
        };
        let window = conn.generate_id()?;
        conn.create_window(
            COPY_DEPTH_FROM_PARENT,
            window,
            root,
            0,
            0,
            width,
            height,
            0,
            WindowClass::INPUT_OUTPUT,
            COPY_FROM_PARENT,
            &CreateWindowAux::new()
                .background_pixel(background)
                .override_redirect(1)
                .event_mask(EventMask::EXPOSURE),
        )?;
        for (property, value) in [
            (AtomEnum::WM_NAME, &b"Bilik curtain"[..]),
            (AtomEnum::WM_CLASS, &b"bilik-curtain\0Bilik\0"[..]),
        ] {
            conn.change_property8(PropMode::REPLACE, window, property, AtomEnum::STRING, value)?;
        }
        let gc = conn.generate_id()?;
        let mut aux = CreateGCAux::new().foreground(text).background(background);
        if let Some(f) = font {
            aux = aux.font(f);
        }
        conn.create_gc(gc, window, &aux)?;
        conn.flush()?;
        Ok(Drawn {
            conn,
            root,
            window,
            gc,
            cell,
            grabbed: false,
            mapped: false,
        })
    }

    /// Makes the X state what `want` says.
    fn apply(&mut self, want: &Want) -> Result<(), ReplyOrIdError> {
        if want.up {
            if !self.mapped {
                // The root may have changed size (a monitor added).
                let root = self.conn.get_geometry(self.root)?.reply()?;
                self.conn.configure_window(
                    self.window,
                    &ConfigureWindowAux::new()
                        .x(0)
                        .y(0)
                        .width(u32::from(root.width))
                        .height(u32::from(root.height))
                        .stack_mode(StackMode::ABOVE),
                )?;
                self.conn.map_window(self.window)?;
                self.mapped = true;
            } else if want.top {
                self.conn.configure_window(
                    self.window,
                    &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE),
                )?;
            }
            // Drawn now and on each exposure (text drawn before the window
            // is viewable is lost, the exposure that follows draws it).
            self.draw(&want.lines)?;
        } else if self.mapped {
            self.conn.unmap_window(self.window)?;
            self.mapped = false;
        }
        let grab = want.up && want.grab;
        if grab && !self.grabbed {
            // Tried again on every round while wanted (another client may
            // hold it a moment).
            self.grabbed = self.grab()?;
        } else if !grab && self.grabbed {
            self.conn.ungrab_keyboard(CURRENT_TIME)?;
            self.conn.ungrab_pointer(CURRENT_TIME)?;
            self.grabbed = false;
        }
        while let Some(event) = self.conn.poll_for_event()? {
            if let Event::Expose(e) = event
                && e.count == 0
                && self.mapped
            {
                self.draw(&want.lines)?;
            }
        }
        self.conn.flush()?;
        Ok(())
    }

    /// Takes the keyboard and pointer; whether both were granted (when
    /// only one was, it is let go again: a half grab would keep the lock
    /// screen from taking the other, and is not a lock).
    fn grab(&self) -> Result<bool, ReplyOrIdError> {
        let keyboard = self
            .conn
            .grab_keyboard(
                false,
                self.window,
                CURRENT_TIME,
                GrabMode::ASYNC,
                GrabMode::ASYNC,
            )?
            .reply()?
            .status;
        let mask = EventMask::BUTTON_PRESS | EventMask::BUTTON_RELEASE;
        let pointer = self
            .conn
            .grab_pointer(
                false,
                self.window,
                mask,
                GrabMode::ASYNC,
                GrabMode::ASYNC,
                self.window,
                NONE,
                CURRENT_TIME,
            )?
            .reply()?
            .status;
        let both = keyboard == GrabStatus::SUCCESS && pointer == GrabStatus::SUCCESS;
        if !both {
            self.conn.ungrab_keyboard(CURRENT_TIME)?;
            self.conn.ungrab_pointer(CURRENT_TIME)?;
        }
        Ok(both)
    }

    /// Draws `lines` centred on the curtain.
    fn draw(&self, lines: &[String]) -> Result<(), ReplyOrIdError> {
        let geometry = self.conn.get_geometry(self.window)?.reply()?;
        let (width, height) = (i32::from(geometry.width), i32::from(geometry.height));
        let (cw, ascent, descent) = (
            i32::from(self.cell.0),
            i32::from(self.cell.1),
            i32::from(self.cell.2),
        );
        let line_height = (ascent + descent) * 2;
        let count = i32::try_from(lines.len()).unwrap_or(0);
        let top = height / 2 - line_height * count / 2;
        for (i, line) in lines.iter().enumerate() {
            let bytes = latin1(line);
            let len = i32::try_from(bytes.len()).unwrap_or(0);
            let x = (width - len * cw) / 2;
            let y = top + line_height * i32::try_from(i).unwrap_or(0) + ascent;
            let clamp = |v: i32| i16::try_from(v.max(0)).unwrap_or(i16::MAX);
            self.conn
                .image_text8(self.window, self.gc, clamp(x), clamp(y), &bytes)?;
        }
        Ok(())
    }
}

/// `text` as Latin-1 bytes for a core font (others become '?'), cut to
/// [`MAX_CHARS`].
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .take(MAX_CHARS)
        .map(|c| {
            u8::try_from(u32::from(c))
                .ok()
                .filter(|b| *b >= 0x20)
                .unwrap_or(b'?')
        })
        .collect()
}

/// Opens the first core font of [`FONTS`] the server has.
fn open_font(conn: &RustConnection) -> Result<Option<Font>, ReplyOrIdError> {
    for name in FONTS {
        let font = conn.generate_id()?;
        if conn.open_font(font, name.as_bytes())?.check().is_ok() {
            return Ok(Some(font));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_for_a_core_font_is_latin1_and_bounded() {
        assert_eq!(
            latin1("Perpustakaan Café"),
            b"Perpustakaan Caf\xe9".to_vec()
        );
        assert_eq!(latin1("日本\n"), b"???".to_vec());
        assert_eq!(latin1(&"a".repeat(500)).len(), MAX_CHARS);
    }
}
