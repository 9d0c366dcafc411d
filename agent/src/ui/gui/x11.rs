//! Every call into libX11/libXrandr the lock screen makes, loaded at run
//! time through `x11-dl`: the one module with `unsafe` code.
//!
//! Two connections are used:
//!
//! - eframe's own ([`Handles`], taken from the first frame): the keyboard
//!   and pointer grab must be made on it (a grab from another connection
//!   would take the keys away from the egui window), and the monitors are
//!   read on it by the window's thread.
//! - the repairer's own ([`Client`], opened by the repair thread): it
//!   inspects and fixes the lock window (mapped, geometry, stacking), so a
//!   window that eframe has stopped drawing is still looked after.
//!
//! winit calls `XInitThreads` before it opens its display, so eframe's
//! connection may be used from the repair thread; that thread is stopped
//! before eframe closes the display (see `repair.rs`).
//!
//! Xlib's error handler is one per process. The repairer's requests name
//! other clients' windows, which may be gone by the time X reads them (a
//! BadWindow is the normal answer then); winit's handler would hand such an
//! error to glutin if it arrived while the window thread was inside a GL
//! call, and eframe would exit. So the repairer's connection gets a handler
//! of its own ([`repairer_errors`]) that keeps its errors to itself and
//! passes every other connection's to the handler it replaced.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::os::raw::c_int;
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicPtr, Ordering};

use raw_window_handle::{HasDisplayHandle, HasWindowHandle, RawDisplayHandle, RawWindowHandle};
use x11_dl::{xlib, xrandr};

use super::monitors::{Monitor, Rect};

/// eframe's display connection and the lock window on it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Handles {
    /// eframe's `Display*`.
    display: NonNull<xlib::Display>,
    /// The lock window (the root viewport's X window).
    window: xlib::Window,
}

// SAFETY: libX11 was initialised for threads by winit (`XInitThreads`
// before `XOpenDisplay`), so the connection may be used from any thread;
// the pointer stays valid while eframe's event loop runs, and the repair
// thread (the only other user) is stopped in `on_exit`, before it closes.
unsafe impl Send for Handles {}
// SAFETY: as for `Send`: Xlib locks the connection on every call.
unsafe impl Sync for Handles {}

impl Handles {
    /// The handles of `frame`'s window; `None` when it is not an Xlib one
    /// (Wayland).
    pub(super) fn from_frame(frame: &eframe::Frame) -> Option<Handles> {
        let (Ok(window), Ok(display)) = (frame.window_handle(), frame.display_handle()) else {
            return None;
        };
        let (RawWindowHandle::Xlib(window), RawDisplayHandle::Xlib(display)) =
            (window.as_raw(), display.as_raw())
        else {
            return None;
        };
        Some(Handles {
            display: display.display?.cast::<xlib::Display>(),
            window: window.window,
        })
    }

    /// The active monitors (RandR 1.5), read on eframe's connection; empty
    /// when libXrandr cannot be loaded.
    pub(super) fn monitors(&self) -> Vec<Monitor> {
        monitors_on(self.display, self.window)
    }
}

/// The monitors of `window`'s screen on `dpy`.
fn monitors_on(dpy: NonNull<xlib::Display>, window: xlib::Window) -> Vec<Monitor> {
    let randr = match xrandr::Xrandr::open() {
        Ok(randr) => randr,
        Err(e) => {
            tracing::warn!(error = %e, "libXrandr not loadable: the lock screen covers one monitor");
            return Vec::new();
        }
    };
    let mut count = 0;
    // SAFETY: `dpy` is a live connection (eframe's or the repairer's) and
    // `window` a window id on it (an X error for a stale one is handled by
    // the process's error handler). The list libXrandr returns is read
    // within its `count` and freed once, with its own free function.
    unsafe {
        let list = (randr.XRRGetMonitors)(dpy.as_ptr(), window, xlib::True, &mut count);
        if list.is_null() {
            return Vec::new();
        }
        let len = usize::try_from(count).unwrap_or(0);
        let monitors = std::slice::from_raw_parts(list, len)
            .iter()
            .map(|m| Monitor {
                x: m.x,
                y: m.y,
                width: m.width,
                height: m.height,
                primary: m.primary != 0,
            })
            .filter(|m| m.width > 0 && m.height > 0)
            .collect();
        (randr.XRRFreeMonitors)(list);
        monitors
    }
}

/// The repairer's connection, whose X errors [`repairer_errors`] keeps to
/// itself (null until a [`Client`] is open).
static REPAIRER_DISPLAY: AtomicPtr<xlib::Display> = AtomicPtr::new(std::ptr::null_mut());

/// The error handler that was in place (winit's) when
/// [`repairer_errors`] was installed, once per process.
static PREVIOUS_HANDLER: OnceLock<Option<ErrorHandler>> = OnceLock::new();

/// An Xlib error handler (`XErrorHandler` in Xlib.h).
type ErrorHandler = unsafe extern "C" fn(*mut xlib::Display, *mut xlib::XErrorEvent) -> c_int;

/// The process's X error handler once the repairer is running: an error on
/// the repairer's own connection (a window that went away between two
/// requests) is dropped, as its requests expect; any other connection's
/// goes to the handler this one replaced.
unsafe extern "C" fn repairer_errors(
    dpy: *mut xlib::Display,
    event: *mut xlib::XErrorEvent,
) -> c_int {
    if dpy == REPAIRER_DISPLAY.load(Ordering::Acquire) {
        return 0;
    }
    match PREVIOUS_HANDLER.get().copied().flatten() {
        // SAFETY: the handler Xlib had before ours, called with the
        // arguments Xlib gave us, as Xlib would have called it.
        Some(previous) => unsafe { previous(dpy, event) },
        None => 0,
    }
}

/// Why the repairer's connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub(super) enum X11Error {
    /// libX11 is not loadable.
    #[error("libX11 not loadable: {0}")]
    Library(String),
    /// `XOpenDisplay` failed (no DISPLAY, or the server refused).
    #[error("cannot open the X display")]
    Display,
}

/// A window seen on the screen, in root coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Seen {
    /// Its id.
    pub id: u64,
    /// Where it is (border included).
    pub rect: Rect,
    /// Not managed by the window manager (menus, tooltips, tricks).
    pub override_redirect: bool,
}

/// What the repairer saw of the lock window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Observed {
    /// Mapped and all its ancestors mapped.
    pub viewable: bool,
    /// The window's rectangle in root coordinates.
    pub rect: Rect,
    /// The root window's size.
    pub screen: Rect,
    /// Viewable windows stacked above the lock window's top-level one.
    pub above: Vec<Seen>,
    /// The window manager has it in full screen (`_NET_WM_STATE`).
    pub fullscreen: bool,
}

/// The repairer's X client. See the module docs.
pub(super) struct Client {
    /// libX11.
    xlib: xlib::Xlib,
    /// The repairer's own connection.
    own: NonNull<xlib::Display>,
    /// eframe's connection and the lock window.
    eframe: Handles,
    /// The root window.
    root: xlib::Window,
    /// `_NET_WM_STATE`.
    net_wm_state: xlib::Atom,
    /// `_NET_WM_STATE_FULLSCREEN`.
    fullscreen: xlib::Atom,
    /// `_NET_WM_STATE_ABOVE`.
    above: xlib::Atom,
    /// `_NET_ACTIVE_WINDOW`.
    active: xlib::Atom,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("window", &self.eframe.window)
            .finish_non_exhaustive()
    }
}

// SAFETY: the client is used by one thread at a time (it is moved into the
// repair thread); Xlib is initialised for threads anyway.
unsafe impl Send for Client {}

impl Client {
    /// Opens the repairer's own connection (on `DISPLAY`).
    pub(super) fn open(eframe: Handles) -> Result<Client, X11Error> {
        let xlib = xlib::Xlib::open().map_err(|e| X11Error::Library(e.to_string()))?;
        // SAFETY: plain libX11 calls; a null display is checked before use,
        // the atom names are NUL-terminated C strings that outlive the call.
        unsafe {
            let own =
                NonNull::new((xlib.XOpenDisplay)(std::ptr::null())).ok_or(X11Error::Display)?;
            let atom = |name: &str| {
                let name = CString::new(name).unwrap_or_default();
                (xlib.XInternAtom)(own.as_ptr(), name.as_ptr(), xlib::False)
            };
            REPAIRER_DISPLAY.store(own.as_ptr(), Ordering::Release);
            PREVIOUS_HANDLER.get_or_init(|| (xlib.XSetErrorHandler)(Some(repairer_errors)));
            let root = (xlib.XDefaultRootWindow)(own.as_ptr());
            Ok(Client {
                net_wm_state: atom("_NET_WM_STATE"),
                fullscreen: atom("_NET_WM_STATE_FULLSCREEN"),
                above: atom("_NET_WM_STATE_ABOVE"),
                active: atom("_NET_ACTIVE_WINDOW"),
                xlib,
                own,
                eframe,
                root,
            })
        }
    }

    /// Asks the X server, on the repairer's connection, for the events
    /// that can mean the lock window needs a look: any top-level window
    /// created, mapped, unmapped, moved, resized or restacked (the root's
    /// substructure), and the lock window's own structure, visibility,
    /// properties (`_NET_WM_STATE`) and focus. Only this connection's
    /// selection changes; eframe's is its own.
    pub(super) fn watch(&self) {
        let window = xlib::StructureNotifyMask
            | xlib::VisibilityChangeMask
            | xlib::PropertyChangeMask
            | xlib::FocusChangeMask;
        // SAFETY: plain requests on the repairer's connection (a stale
        // window id only yields an X error, kept by the error handler).
        unsafe {
            (self.xlib.XSelectInput)(self.own.as_ptr(), self.root, xlib::SubstructureNotifyMask);
            (self.xlib.XSelectInput)(self.own.as_ptr(), self.eframe.window, window);
        }
        self.flush();
    }

    /// Reads every event that has arrived on the repairer's connection
    /// (without waiting, and without a round trip); how many of them may
    /// mean the lock window needs a look (its own focus coming back, the
    /// pointer entering and unrelated properties do not).
    pub(super) fn events(&self) -> usize {
        let mut count = 0;
        // SAFETY: XPending reads what has arrived without blocking;
        // XNextEvent then returns a queued event into a zeroed XEvent, read
        // through the union member its type names.
        unsafe {
            while (self.xlib.XPending)(self.own.as_ptr()) > 0 {
                let mut event: xlib::XEvent = std::mem::zeroed();
                (self.xlib.XNextEvent)(self.own.as_ptr(), &mut event);
                let relevant = match event.get_type() {
                    xlib::FocusIn | xlib::EnterNotify => false,
                    xlib::PropertyNotify => event.property.atom == self.net_wm_state,
                    _ => true,
                };
                count += usize::from(relevant);
            }
        }
        count
    }

    /// The monitors, read on the repairer's connection.
    pub(super) fn monitors(&self) -> Vec<Monitor> {
        monitors_on(self.own, self.root)
    }

    /// A window's attributes; `None` if it is gone.
    fn attributes(&self, window: xlib::Window) -> Option<xlib::XWindowAttributes> {
        // SAFETY: the out-parameter is a zeroed plain C struct that
        // XGetWindowAttributes fills; a failed call (status 0) is not read.
        unsafe {
            let mut attrs: xlib::XWindowAttributes = std::mem::zeroed();
            let ok = (self.xlib.XGetWindowAttributes)(self.own.as_ptr(), window, &mut attrs);
            (ok != 0).then_some(attrs)
        }
    }

    /// `window`'s children, bottom to top, and its parent.
    fn tree(&self, window: xlib::Window) -> Option<(xlib::Window, Vec<xlib::Window>)> {
        // SAFETY: XQueryTree fills the out-parameters; the children array
        // is copied within `count` and freed once with XFree.
        unsafe {
            let (mut root, mut parent) = (0, 0);
            let mut children: *mut xlib::Window = std::ptr::null_mut();
            let mut count = 0;
            let ok = (self.xlib.XQueryTree)(
                self.own.as_ptr(),
                window,
                &mut root,
                &mut parent,
                &mut children,
                &mut count,
            );
            if ok == 0 {
                return None;
            }
            let list = if children.is_null() {
                Vec::new()
            } else {
                let list =
                    std::slice::from_raw_parts(children, usize::try_from(count).unwrap_or(0))
                        .to_vec();
                (self.xlib.XFree)(children.cast());
                list
            };
            Some((parent, list))
        }
    }

    /// The lock window's ancestor that is a child of the root (the window
    /// manager's frame, or the window itself).
    fn top_level(&self) -> Option<xlib::Window> {
        let mut window = self.eframe.window;
        for _ in 0..16 {
            let (parent, _) = self.tree(window)?;
            if parent == self.root || parent == 0 {
                return Some(window);
            }
            window = parent;
        }
        None
    }

    /// The lock window's state now.
    pub(super) fn observe(&self) -> Option<Observed> {
        let attrs = self.attributes(self.eframe.window)?;
        let root = self.attributes(self.root)?;
        let (mut x, mut y, mut child) = (0, 0, 0);
        // SAFETY: XTranslateCoordinates fills the out-parameters.
        unsafe {
            (self.xlib.XTranslateCoordinates)(
                self.own.as_ptr(),
                self.eframe.window,
                self.root,
                0,
                0,
                &mut x,
                &mut y,
                &mut child,
            );
        }
        let rect = Rect {
            x,
            y,
            width: attrs.width,
            height: attrs.height,
        };
        let mut above = Vec::new();
        if let (Some(top), Some((_, children))) = (self.top_level(), self.tree(self.root)) {
            let mine = children.iter().position(|w| *w == top);
            for &w in children.iter().skip(mine.map_or(children.len(), |i| i + 1)) {
                let Some(a) = self.attributes(w) else {
                    continue;
                };
                if a.map_state != xlib::IsViewable || a.class != xlib::InputOutput {
                    continue;
                }
                above.push(Seen {
                    id: w,
                    rect: Rect {
                        x: a.x,
                        y: a.y,
                        width: a.width + 2 * a.border_width,
                        height: a.height + 2 * a.border_width,
                    },
                    override_redirect: a.override_redirect != 0,
                });
            }
        }
        Some(Observed {
            fullscreen: self.wm_state().contains(&self.fullscreen),
            viewable: attrs.map_state == xlib::IsViewable,
            rect,
            screen: Rect {
                x: 0,
                y: 0,
                width: root.width,
                height: root.height,
            },
            above,
        })
    }

    /// The lock window's `_NET_WM_STATE` atoms.
    fn wm_state(&self) -> Vec<xlib::Atom> {
        // SAFETY: XGetWindowProperty fills the out-parameters; the data is
        // read within `items` 32-bit items (returned as C longs) and freed
        // once with XFree.
        unsafe {
            let (mut kind, mut format, mut items, mut after) = (0, 0, 0, 0);
            let mut data: *mut u8 = std::ptr::null_mut();
            let status = (self.xlib.XGetWindowProperty)(
                self.own.as_ptr(),
                self.eframe.window,
                self.net_wm_state,
                0,
                64,
                xlib::False,
                xlib::XA_ATOM,
                &mut kind,
                &mut format,
                &mut items,
                &mut after,
                &mut data,
            );
            if status != 0 || data.is_null() {
                return Vec::new();
            }
            let atoms = if format == 32 {
                std::slice::from_raw_parts(
                    data.cast::<std::ffi::c_ulong>(),
                    usize::try_from(items).unwrap_or(0),
                )
                .to_vec()
            } else {
                Vec::new()
            };
            (self.xlib.XFree)(data.cast());
            atoms
        }
    }

    /// Sends a client message about the lock window to the root (EWMH).
    fn message(&self, kind: xlib::Atom, data: [i64; 4]) {
        // SAFETY: a zeroed XEvent filled as a ClientMessage; XSendEvent
        // copies it.
        unsafe {
            let mut event: xlib::XEvent = std::mem::zeroed();
            let mut msg = xlib::XClientMessageEvent {
                type_: xlib::ClientMessage,
                serial: 0,
                send_event: xlib::True,
                display: self.own.as_ptr(),
                window: self.eframe.window,
                message_type: kind,
                format: 32,
                data: xlib::ClientMessageData::new(),
            };
            for (i, v) in data.iter().enumerate() {
                msg.data.set_long(i, *v as std::ffi::c_long);
            }
            event.client_message = msg;
            (self.xlib.XSendEvent)(
                self.own.as_ptr(),
                self.root,
                xlib::False,
                xlib::SubstructureRedirectMask | xlib::SubstructureNotifyMask,
                &mut event,
            );
        }
    }

    /// Gives the lock window the background `rgb`: the X server fills it
    /// with that colour the moment it is mapped, resized or uncovered,
    /// before eframe draws a frame (a true-colour visual is assumed: it is
    /// what GL windows get; the alpha byte is set on a 32-bit one).
    pub(super) fn set_background(&self, rgb: [u8; 3]) {
        let Some(attrs) = self.attributes(self.eframe.window) else {
            return;
        };
        let [r, g, b] = rgb.map(std::ffi::c_ulong::from);
        let alpha: std::ffi::c_ulong = if attrs.depth == 32 { 0xff << 24 } else { 0 };
        // SAFETY: a plain request on the repairer's connection.
        unsafe {
            (self.xlib.XSetWindowBackground)(
                self.own.as_ptr(),
                self.eframe.window,
                alpha | (r << 16) | (g << 8) | b,
            );
        }
        self.flush();
    }

    /// Maps the lock window again (de-iconifies it) and asks the window
    /// manager to activate it.
    pub(super) fn map(&self) {
        // SAFETY: plain requests on the repairer's connection.
        unsafe {
            (self.xlib.XMapRaised)(self.own.as_ptr(), self.eframe.window);
        }
        // Source 2: a pager/taskbar-like request, which window managers honour.
        self.message(self.active, [2, 0, 0, 0]);
        self.flush();
    }

    /// Puts the lock window over `rect`: full screen and above (EWMH) when
    /// `ewmh_fullscreen`, and moved/resized there in any case.
    pub(super) fn cover(&self, rect: Rect, ewmh_fullscreen: bool) {
        const ADD: i64 = 1;
        if ewmh_fullscreen {
            self.message(
                self.net_wm_state,
                [ADD, self.fullscreen as i64, self.above as i64, 2],
            );
        } else {
            self.message(self.net_wm_state, [ADD, self.above as i64, 0, 2]);
        }
        // SAFETY: plain requests on the repairer's connection.
        unsafe {
            (self.xlib.XMoveResizeWindow)(
                self.own.as_ptr(),
                self.eframe.window,
                rect.x,
                rect.y,
                u32::try_from(rect.width).unwrap_or(1),
                u32::try_from(rect.height).unwrap_or(1),
            );
        }
        self.flush();
    }

    /// Raises the lock window, and lowers `intruders` below everything
    /// (override-redirect windows are not the window manager's to restack,
    /// so they are lowered directly).
    pub(super) fn raise_over(&self, intruders: &[Seen]) {
        // SAFETY: plain requests on the repairer's connection; a stale
        // window id only yields an X error, handled by the error handler.
        unsafe {
            (self.xlib.XRaiseWindow)(self.own.as_ptr(), self.eframe.window);
            for w in intruders {
                (self.xlib.XLowerWindow)(self.own.as_ptr(), w.id);
            }
            if let Some(top) = self.top_level() {
                (self.xlib.XRaiseWindow)(self.own.as_ptr(), top);
            }
        }
        self.message(self.active, [2, 0, 0, 0]);
        self.flush();
    }

    /// Puts `window` (the service's override-redirect curtain: not the
    /// window manager's to restack) directly under the lock window's
    /// top-level one, so the lock is over it and everything else under it.
    pub(super) fn tuck_under(&self, window: u64) {
        let Some(top) = self.top_level() else {
            return;
        };
        // SAFETY: a zeroed plain C struct filled for XConfigureWindow, a
        // plain request on the repairer's connection (a stale id only
        // yields an X error, handled by the error handler).
        unsafe {
            let mut changes: xlib::XWindowChanges = std::mem::zeroed();
            changes.sibling = top;
            changes.stack_mode = xlib::Below;
            (self.xlib.XConfigureWindow)(
                self.own.as_ptr(),
                window,
                u32::from(xlib::CWSibling | xlib::CWStackMode),
                &mut changes,
            );
        }
        self.flush();
    }

    /// Grabs keyboard and pointer on eframe's connection for the lock
    /// window, or confirms the grab this client already holds; the X
    /// server's answers (`GrabSuccess` is 0) for keyboard and pointer.
    pub(super) fn grab(&self) -> (i32, i32) {
        let dpy = self.eframe.display.as_ptr();
        let win = self.eframe.window;
        let mask = xlib::ButtonPressMask | xlib::ButtonReleaseMask | xlib::PointerMotionMask;
        // SAFETY: eframe's live connection (see `Handles`) and its window.
        unsafe {
            let kb = (self.xlib.XGrabKeyboard)(
                dpy,
                win,
                xlib::True,
                xlib::GrabModeAsync,
                xlib::GrabModeAsync,
                xlib::CurrentTime,
            );
            let ptr = (self.xlib.XGrabPointer)(
                dpy,
                win,
                xlib::True,
                u32::try_from(mask).unwrap_or(0),
                xlib::GrabModeAsync,
                xlib::GrabModeAsync,
                win,
                0,
                xlib::CurrentTime,
            );
            (self.xlib.XFlush)(dpy);
            (kb, ptr)
        }
    }

    /// Lets keyboard and pointer go (on eframe's connection).
    pub(super) fn ungrab(&self) {
        let dpy = self.eframe.display.as_ptr();
        // SAFETY: eframe's live connection; ungrabbing what is not grabbed
        // is harmless.
        unsafe {
            (self.xlib.XUngrabKeyboard)(dpy, xlib::CurrentTime);
            (self.xlib.XUngrabPointer)(dpy, xlib::CurrentTime);
            (self.xlib.XFlush)(dpy);
        }
    }

    /// Sends what was queued on the repairer's connection.
    fn flush(&self) {
        // SAFETY: the repairer's live connection.
        unsafe {
            (self.xlib.XFlush)(self.own.as_ptr());
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: the repairer's own connection, closed once.
        unsafe {
            (self.xlib.XCloseDisplay)(self.own.as_ptr());
        }
    }
}
