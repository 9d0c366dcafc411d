//! The monitors of the station (X11, RandR 1.5), so that the locked screen
//! covers every one of them: the lock window on the main monitor, a plain
//! cover window on each of the others.
//!
//! winit's full screen covers only the monitor a window is on, and winit
//! sees CRTCs, not the monitors RandR reports; so the monitors come from
//! libXrandr's `XRRGetMonitors` on eframe's own connection, loaded at run
//! time through `x11-dl` like the grab.
#![allow(unsafe_code)]

use raw_window_handle::{HasDisplayHandle, HasWindowHandle, RawDisplayHandle, RawWindowHandle};
use x11_dl::{xlib, xrandr};

/// One monitor: its rectangle in the screen, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Monitor {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
    /// RandR's primary monitor (where the lock window goes).
    pub primary: bool,
}

/// Where the locked screen goes when there are several monitors: the lock
/// window's monitor (the primary one, else the top-left one) and the others,
/// which get covers. `None` with one monitor or none known: the lock
/// window's plain full screen covers it all.
pub fn split(monitors: &[Monitor]) -> Option<(Monitor, Vec<Monitor>)> {
    if monitors.len() < 2 {
        return None;
    }
    let main = monitors
        .iter()
        .find(|m| m.primary)
        .or_else(|| monitors.iter().min_by_key(|m| (m.y, m.x)))
        .copied()?;
    let others = monitors.iter().filter(|m| **m != main).copied().collect();
    Some((main, others))
}

/// The active monitors of the screen of `frame`'s window; empty when that is
/// not an X11 window or libXrandr cannot be loaded.
pub fn list(frame: &eframe::Frame) -> Vec<Monitor> {
    let (Ok(window), Ok(display)) = (frame.window_handle(), frame.display_handle()) else {
        return Vec::new();
    };
    let (RawWindowHandle::Xlib(window), RawDisplayHandle::Xlib(display)) =
        (window.as_raw(), display.as_raw())
    else {
        return Vec::new();
    };
    let Some(dpy) = display.display else {
        return Vec::new();
    };
    let randr = match xrandr::Xrandr::open() {
        Ok(randr) => randr,
        Err(e) => {
            tracing::warn!(error = %e, "libXrandr not loadable: the lock screen covers one monitor");
            return Vec::new();
        }
    };
    let mut count = 0;
    // SAFETY: `dpy` and `window` are eframe's live display connection and
    // window, borrowed from the frame on the thread that runs winit's event
    // loop. The list libXrandr returns is read within its `count` and freed
    // once, with its own free function.
    unsafe {
        let list = (randr.XRRGetMonitors)(
            dpy.as_ptr().cast::<xlib::Display>(),
            window.window,
            xlib::True,
            &mut count,
        );
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn monitor(x: i32, y: i32, primary: bool) -> Monitor {
        Monitor {
            x,
            y,
            width: 1024,
            height: 768,
            primary,
        }
    }

    #[test]
    fn one_monitor_needs_no_cover() {
        assert_eq!(split(&[]), None);
        assert_eq!(split(&[monitor(0, 0, false)]), None);
    }

    #[test]
    fn the_primary_monitor_gets_the_lock_window() {
        let (main, others) = split(&[monitor(0, 0, false), monitor(1024, 0, true)]).unwrap();
        assert_eq!(main, monitor(1024, 0, true));
        assert_eq!(others, [monitor(0, 0, false)]);
    }

    #[test]
    fn without_a_primary_the_top_left_one_does() {
        let monitors = [
            monitor(1024, 0, false),
            monitor(0, 768, false),
            monitor(0, 0, false),
        ];
        let (main, others) = split(&monitors).unwrap();
        assert_eq!(main, monitor(0, 0, false));
        assert_eq!(others, [monitor(1024, 0, false), monitor(0, 768, false)]);
    }
}
