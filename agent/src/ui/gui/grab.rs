//! The keyboard and pointer grab while the screen is locked (X11 only):
//! with it, Alt-Tab, Alt-F4, Super and Ctrl-Esc reach the lock window, which
//! ignores them, instead of the window manager.
//!
//! The grab must be made on eframe's own X connection and window (a grab
//! from a second connection steals the keys from the egui window), so the
//! handles come from [`eframe::Frame`] and libX11 is called through
//! `x11-dl`, loaded at run time. The first tries fail with
//! `GrabNotViewable` until the window is mapped: the caller retries on
//! later frames until [`Grab::try_grab`] succeeds.
#![allow(unsafe_code)]

use raw_window_handle::{HasDisplayHandle, HasWindowHandle, RawDisplayHandle, RawWindowHandle};
use x11_dl::xlib;

/// The grab's state.
#[derive(Default)]
pub struct Grab {
    /// libX11, loaded on the first try (`None` after a failed load too).
    xlib: Option<xlib::Xlib>,
    /// The load was tried and failed (Wayland, no libX11): never retry.
    unavailable: bool,
    /// eframe's display connection while grabbed (null otherwise).
    display: Option<std::ptr::NonNull<xlib::Display>>,
    /// Failed attempts so far (logged once in a while).
    attempts: u32,
}

impl std::fmt::Debug for Grab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grab")
            .field("held", &self.display.is_some())
            .field("unavailable", &self.unavailable)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Grab {
    /// Whether keyboard and pointer are grabbed (or cannot be, so retrying
    /// is pointless).
    pub fn held(&self) -> bool {
        self.display.is_some() || self.unavailable
    }

    /// Tries to grab keyboard and pointer on `frame`'s window; true when
    /// both are held (or grabbing is impossible here).
    pub fn try_grab(&mut self, frame: &eframe::Frame) -> bool {
        if self.held() {
            return true;
        }
        let (Ok(window), Ok(display)) = (frame.window_handle(), frame.display_handle()) else {
            return false;
        };
        let (RawWindowHandle::Xlib(window), RawDisplayHandle::Xlib(display)) =
            (window.as_raw(), display.as_raw())
        else {
            tracing::warn!("not an Xlib window: no keyboard grab (Wayland?)");
            self.unavailable = true;
            return true;
        };
        let Some(dpy) = display.display else {
            self.unavailable = true;
            return true;
        };
        let dpy = dpy.cast::<xlib::Display>();
        if self.xlib.is_none() {
            match xlib::Xlib::open() {
                Ok(x) => self.xlib = Some(x),
                Err(e) => {
                    tracing::warn!(error = %e, "libX11 not loadable: no keyboard grab");
                    self.unavailable = true;
                    return true;
                }
            }
        }
        let Some(x) = &self.xlib else { return false };
        let win = window.window;
        // SAFETY: `dpy` and `win` are eframe's live display connection and
        // window, borrowed from the frame during this frame on the thread
        // that runs winit's event loop (the one using that connection).
        let (kb, ptr) = unsafe {
            let kb = (x.XGrabKeyboard)(
                dpy.as_ptr(),
                win,
                xlib::True,
                xlib::GrabModeAsync,
                xlib::GrabModeAsync,
                xlib::CurrentTime,
            );
            let mask = xlib::ButtonPressMask | xlib::ButtonReleaseMask | xlib::PointerMotionMask;
            let ptr = (x.XGrabPointer)(
                dpy.as_ptr(),
                win,
                xlib::True,
                u32::try_from(mask).unwrap_or(0),
                xlib::GrabModeAsync,
                xlib::GrabModeAsync,
                win,
                0,
                xlib::CurrentTime,
            );
            (x.XFlush)(dpy.as_ptr());
            (kb, ptr)
        };
        if kb == xlib::GrabSuccess && ptr == xlib::GrabSuccess {
            tracing::info!(attempts = self.attempts + 1, "keyboard and pointer grabbed");
            self.display = Some(dpy);
            true
        } else {
            if kb == xlib::GrabSuccess || ptr == xlib::GrabSuccess {
                self.ungrab(x, dpy);
            }
            self.attempts += 1;
            if self.attempts % 20 == 1 {
                tracing::debug!(
                    keyboard = kb,
                    pointer = ptr,
                    attempts = self.attempts,
                    "grab not yet possible"
                );
            }
            false
        }
    }

    /// Lets keyboard and pointer go (a session started).
    pub fn release(&mut self) {
        if let (Some(dpy), Some(x)) = (self.display.take(), &self.xlib) {
            self.ungrab(x, dpy);
            tracing::info!("keyboard and pointer released");
        }
    }

    /// Ungrabs both on `dpy`.
    fn ungrab(&self, x: &xlib::Xlib, dpy: std::ptr::NonNull<xlib::Display>) {
        // SAFETY: `dpy` is eframe's display connection, which lives as long
        // as the window (this app is dropped before the event loop closes
        // it); ungrabbing what is not grabbed is harmless.
        unsafe {
            (x.XUngrabKeyboard)(dpy.as_ptr(), xlib::CurrentTime);
            (x.XUngrabPointer)(dpy.as_ptr(), xlib::CurrentTime);
            (x.XFlush)(dpy.as_ptr());
        }
    }
}
