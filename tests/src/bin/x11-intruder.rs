//! A hostile X client for the lock-screen tests (x11rb, no unsafe code):
//!
//! - `x11-intruder cover above`: a red window over the whole screen, made
//!   "above" and full screen (EWMH), mapped, and kept until killed;
//! - `x11-intruder cover override`: the same as an override-redirect
//!   window (the window manager does not manage it);
//! - `x11-intruder unfullscreen WINDOW`: asks the window manager to take
//!   WINDOW out of full screen (`_NET_WM_STATE` remove);
//! - `x11-intruder toplevels`: prints how many children of the root are
//!   viewable (a menu that opens adds one);
//! - `x11-intruder grab`: after a line on stdin, tries to grab the keyboard
//!   every few milliseconds until it has it, prints `grabbed`, and keeps
//!   it until killed (a patron's program stealing the keyboard).
//! - `x11-intruder churn MS`: for MS milliseconds, creates, maps and
//!   destroys small windows over the screen in a tight loop, in bursts of
//!   200 ms with 400 ms pauses (top-level and override-redirect ones by
//!   turns, a few alive at a time), so windows
//!   the lock screen's repairer just saw are gone by its next request;
//!   prints how many it made.
//!
//! `cover` prints the window id once it is mapped, then stays.
#![allow(clippy::unwrap_used)]

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, CreateWindowAux, EventMask, GrabMode, GrabStatus,
    MapState, PropMode, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

fn atom(conn: &impl Connection, name: &str) -> u32 {
    conn.intern_atom(false, name.as_bytes())
        .unwrap()
        .reply()
        .unwrap()
        .atom
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (conn, screen_num) = x11rb::connect(None).unwrap();
    let screen = &conn.setup().roots[screen_num];
    let root = screen.root;
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["cover", how] => {
            let window = conn.generate_id().unwrap();
            let aux = CreateWindowAux::new()
                .background_pixel(0x00ff_0000)
                .override_redirect(u32::from(how == "override"))
                .event_mask(EventMask::STRUCTURE_NOTIFY);
            conn.create_window(
                x11rb::COPY_DEPTH_FROM_PARENT,
                window,
                root,
                0,
                0,
                screen.width_in_pixels,
                screen.height_in_pixels,
                0,
                WindowClass::INPUT_OUTPUT,
                0,
                &aux,
            )
            .unwrap();
            conn.change_property8(
                PropMode::REPLACE,
                window,
                AtomEnum::WM_NAME,
                AtomEnum::STRING,
                b"intruder",
            )
            .unwrap();
            if how == "above" {
                let state = atom(&conn, "_NET_WM_STATE");
                let above = atom(&conn, "_NET_WM_STATE_ABOVE");
                let full = atom(&conn, "_NET_WM_STATE_FULLSCREEN");
                conn.change_property32(
                    PropMode::REPLACE,
                    window,
                    state,
                    AtomEnum::ATOM,
                    &[above, full],
                )
                .unwrap();
            }
            conn.map_window(window).unwrap();
            conn.flush().unwrap();
            println!("{window}");
            loop {
                if conn.wait_for_event().is_err() {
                    return;
                }
            }
        }
        ["churn", ms] => {
            const BURST: std::time::Duration = std::time::Duration::from_millis(200);
            const PAUSE: std::time::Duration = std::time::Duration::from_millis(400);
            let end =
                std::time::Instant::now() + std::time::Duration::from_millis(ms.parse().unwrap());
            let mut alive = std::collections::VecDeque::new();
            let mut made = 0u32;
            let mut burst = std::time::Instant::now();
            while std::time::Instant::now() < end {
                if burst.elapsed() >= BURST {
                    // Between bursts, the lock screen may verify its lock
                    // again (a flood that never stops is a lock that cannot
                    // be verified: replaced, as it should be).
                    for window in alive.drain(..) {
                        conn.destroy_window(window).unwrap();
                    }
                    conn.get_input_focus().unwrap().reply().unwrap();
                    std::thread::sleep(PAUSE);
                    burst = std::time::Instant::now();
                }
                let window = conn.generate_id().unwrap();
                let aux = CreateWindowAux::new()
                    .background_pixel(0x0000_ff00)
                    .override_redirect(made % 2);
                let (x, y) = (
                    i16::try_from((made * 37) % 1000).unwrap(),
                    i16::try_from((made * 53) % 600).unwrap(),
                );
                conn.create_window(
                    x11rb::COPY_DEPTH_FROM_PARENT,
                    window,
                    root,
                    x,
                    y,
                    200,
                    150,
                    0,
                    WindowClass::INPUT_OUTPUT,
                    0,
                    &aux,
                )
                .unwrap();
                conn.map_window(window).unwrap();
                alive.push_back(window);
                if alive.len() > 4
                    && let Some(old) = alive.pop_front()
                {
                    conn.destroy_window(old).unwrap();
                }
                made += 1;
                // A round trip and a breath each time: the X server and
                // the window manager keep up (a backlog of thousands of
                // windows would only slow every client down).
                conn.get_input_focus().unwrap().reply().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            for window in alive {
                conn.destroy_window(window).unwrap();
            }
            conn.flush().unwrap();
            conn.get_input_focus().unwrap().reply().unwrap();
            println!("{made}");
        }
        ["unfullscreen", window] => {
            let window: u32 = window.parse().unwrap();
            let state = atom(&conn, "_NET_WM_STATE");
            let full = atom(&conn, "_NET_WM_STATE_FULLSCREEN");
            let event = ClientMessageEvent::new(32, window, state, [0, full, 0, 2, 0]);
            conn.send_event(
                false,
                root,
                EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
                event,
            )
            .unwrap();
            conn.flush().unwrap();
        }
        ["toplevels"] => {
            let tree = conn.query_tree(root).unwrap().reply().unwrap();
            let count = tree
                .children
                .iter()
                .filter_map(|w| conn.get_window_attributes(*w).ok()?.reply().ok())
                .filter(|a| a.map_state == MapState::VIEWABLE)
                .count();
            println!("{count}");
        }
        ["grab"] => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).unwrap();
            loop {
                let reply = conn
                    .grab_keyboard(
                        false,
                        root,
                        x11rb::CURRENT_TIME,
                        GrabMode::ASYNC,
                        GrabMode::ASYNC,
                    )
                    .unwrap()
                    .reply()
                    .unwrap();
                if reply.status == GrabStatus::SUCCESS {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            println!("grabbed");
            loop {
                if conn.wait_for_event().is_err() {
                    return;
                }
            }
        }
        _ => {
            eprintln!(
                "usage: x11-intruder cover above|override | churn MS | unfullscreen WINDOW | grab"
            );
            std::process::exit(2);
        }
    }
}
