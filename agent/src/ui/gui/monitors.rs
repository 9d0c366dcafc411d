//! The monitors of the station (X11, RandR 1.5), so that the locked screen
//! covers every one of them: the lock window on the main monitor, a plain
//! cover window on each of the others.
//!
//! winit's full screen covers only the monitor a window is on, and winit
//! sees CRTCs, not the monitors RandR reports; so the monitors come from
//! libXrandr's `XRRGetMonitors` (in `x11.rs`).

/// One monitor: its rectangle in the screen, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Monitor {
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
pub(super) fn split(monitors: &[Monitor]) -> Option<(Monitor, Vec<Monitor>)> {
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

/// A rectangle of the screen, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
}

impl Rect {
    /// Whether the two overlap by at least one pixel.
    pub(super) fn intersects(&self, other: &Rect) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

impl Monitor {
    /// Its rectangle.
    pub(super) fn rect(&self) -> Rect {
        Rect {
            x: self.x,
            y: self.y,
            width: self.width,
            height: self.height,
        }
    }
}

/// Where the lock window must be: the main monitor when there are several,
/// else the whole `screen`; and whether that is plain full screen.
pub(super) fn lock_rect(monitors: &[Monitor], screen: Rect) -> (Rect, bool) {
    match split(monitors) {
        Some((main, _)) => (main.rect(), false),
        None => (screen, true),
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
    fn the_lock_rect_is_the_screen_or_the_main_monitor() {
        let screen = Rect {
            x: 0,
            y: 0,
            width: 2048,
            height: 768,
        };
        assert_eq!(lock_rect(&[], screen), (screen, true));
        let (rect, full) = lock_rect(&[monitor(0, 0, false), monitor(1024, 0, true)], screen);
        assert_eq!((rect, full), (monitor(1024, 0, true).rect(), false));
        assert!(rect.intersects(&screen));
        assert!(!rect.intersects(&monitor(0, 0, false).rect()));
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
