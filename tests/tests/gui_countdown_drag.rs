//! Dragging the countdown, under Xvfb + openbox with the real server and
//! the real `bilik-agent service` (`lock.countdown_corner=bottom-left`):
//! the countdown starts in its configured corner; the patron drags it by
//! its background with the mouse (xdotool) towards and past the screen's
//! right edge; it moves, and ends whole on the screen (a countdown dragged
//! partly off is put back). After the session ends, the next one's
//! countdown starts in the configured corner again, not where the last
//! patron left it.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{Display, GuiAgent, GuiStation, LockedStation, SCREEN, poll};

/// The countdown window's rectangle (x, y, width, height), once exactly one
/// "Bilik" window is mapped and it is not full screen.
fn countdown(display: &Display) -> (i32, i32, i32, i32) {
    let mut rect = (0, 0, 0, 0);
    poll("the countdown window", || {
        let windows = display.windows("^Bilik$");
        let [(size, position)] = &windows[..] else {
            return false;
        };
        let pair = |s: &str, sep: char| -> Option<(i32, i32)> {
            let (a, b) = s.split_once(sep)?;
            Some((a.parse().ok()?, b.parse().ok()?))
        };
        let (Some((w, h)), Some((x, y))) = (pair(size, 'x'), pair(position, ',')) else {
            return false;
        };
        rect = (x, y, w, h);
        (w, h) != (SCREEN.0 as i32, SCREEN.1 as i32)
    });
    rect
}

/// Whether `rect` lies whole on the screen.
fn whole_on_screen((x, y, w, h): (i32, i32, i32, i32)) -> bool {
    x >= 0 && y >= 0 && x + w <= SCREEN.0 as i32 && y + h <= SCREEN.1 as i32
}

/// Whether `rect` sits in the bottom-left corner (within `slack` pixels of
/// both edges: the window manager's frame and the margin).
fn bottom_left((x, y, _, h): (i32, i32, i32, i32), slack: i32) -> bool {
    x <= slack && SCREEN.1 as i32 - (y + h) <= slack
}

/// How often the agent's log has a line containing `needle`.
fn logged(agent: &GuiAgent, needle: &str) -> usize {
    agent.log_text().matches(needle).count()
}

/// Unlocks the station for member 1001 (a session).
async fn unlock(admin: &mut bilik_tests::Staff) {
    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-15".into(),
            who: Some(unlock_station_request::Who::Card("1001".into())),
            minutes: 0,
            purpose: "Belajar/Tugas".into(),
        }))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dragged_countdown_moves_stays_on_screen_and_the_next_session_starts_in_the_corner() {
    // Every field bound by name: what is not bound would be dropped (and
    // the server killed) at the end of this statement.
    let Some(LockedStation {
        agent,
        display,
        station:
            GuiStation {
                mut admin,
                server: _server,
                dir: _dir,
                ..
            },
    }) = GuiStation::start_locked(
        "gui_countdown_drag",
        &[],
        "PC-15",
        &["lock.countdown_corner=bottom-left"],
    )
    .await
    else {
        return;
    };

    let released = logged(&agent, "keyboard and pointer released");
    unlock(&mut admin).await;
    agent.wait_log("keyboard and pointer released", released + 1);
    // In its corner, once the window has its place (it is sized to its
    // content, and placed again each time).
    let mut start = countdown(&display);
    poll("the countdown in the bottom-left corner", || {
        start = countdown(&display);
        bottom_left(start, 40)
    });
    assert!(whole_on_screen(start), "{start:?}");

    // Drag it by its background (its empty lower right part, inside the
    // frame's margin, where no widget is) towards the top right and past the right
    // edge. egui hands the drag to the window manager, which moves the
    // window while the button is down: each step waits until the window
    // has followed the pointer (a loaded machine draws slowly).
    let (x, y, w, h) = start;
    let grip = (x + w - 40, y + h - 40);
    let pointer = |px: i32, py: i32| {
        display.xdotool(&["mousemove", &px.to_string(), &py.to_string()]);
    };
    pointer(grip.0, grip.1);
    display.xdotool(&["mousedown", "1"]);
    let mut at = grip;
    for step in 1..=12 {
        // Small moves at first (a drag starts past egui's threshold), then
        // long ones.
        let dx = if step <= 2 { 10 } else { 120 };
        at = ((at.0 + dx).min(SCREEN.0 as i32 - 2), (at.1 - 40).max(2));
        pointer(at.0, at.1);
        if step >= 3 && at.0 < SCREEN.0 as i32 - 200 {
            let want = at.0 - grip.0 + x;
            poll("the countdown following the pointer", || {
                let now = countdown(&display);
                (now.0 - want).abs() <= 40 || {
                    // Nudge: the window manager moves on motion events.
                    pointer(at.0, at.1 + 1);
                    pointer(at.0, at.1);
                    false
                }
            });
        }
    }
    display.xdotool(&["mouseup", "1"]);
    // It moved away from the corner and ends whole on the screen (put back
    // if the drag left part of it off).
    let mut moved = start;
    poll(
        "the dragged countdown moved and whole on the screen",
        || {
            moved = countdown(&display);
            moved.0 > start.0 + 200 && whole_on_screen(moved)
        },
    );
    assert!(!bottom_left(moved, 40), "{moved:?}");
    // It stays there (not snapped back to the corner by the next sizing).
    let again = countdown(&display);
    assert!(
        !bottom_left(again, 40) && whole_on_screen(again),
        "{again:?}"
    );

    // The session ends; the next patron's countdown is in the corner.
    // (Counted from here: on a starved machine the service may have
    // replaced a lock screen in between, which logs its own grab.)
    let grabbed = logged(&agent, "keyboard and pointer grabbed");
    admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: "PC-15".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("keyboard and pointer grabbed", grabbed + 1);
    let released = logged(&agent, "keyboard and pointer released");
    unlock(&mut admin).await;
    agent.wait_log("keyboard and pointer released", released + 1);
    let mut next = countdown(&display);
    poll("the next countdown in the bottom-left corner", || {
        next = countdown(&display);
        bottom_left(next, 40)
    });
    assert!(whole_on_screen(next), "{next:?}");
    drop(agent);
    drop(display);
}
