//! The library's logo on the lock screen (`lock.logo`), under Xvfb +
//! openbox with the real server and the real `bilik-agent service`: a PNG
//! logo shows at the top left of the lock screen (counted in a
//! screenshot); the same station started again with a file that is not a
//! PNG logs a short error and shows the lock screen without a logo (never a
//! crash).
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_tests::gui::{Display, GuiAgent, GuiStation, Shot, artifacts_dir, poll};

/// The logo's colour (nowhere else on the lock screen).
const MAGENTA: [u8; 3] = [255, 0, 255];
/// The logo's size in pixels (under the lock screen's 96-point height, so
/// drawn at its own size on this 1:1 display).
const LOGO: (u32, u32) = (160, 80);

/// Writes a plain magenta PNG of [`LOGO`]'s size to `path`.
fn write_logo(path: &std::path::Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), LOGO.0, LOGO.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..LOGO.0 * LOGO.1).flat_map(|_| MAGENTA).collect();
    writer.write_image_data(&data).unwrap();
}

/// Magenta pixels in the lock screen's top-left corner (the header).
fn logo_pixels(shot: &Shot) -> usize {
    let mut n = 0;
    for y in 0..240 {
        for x in 0..480 {
            if shot.pixel(x, y) == MAGENTA {
                n += 1;
            }
        }
    }
    n
}

/// Screenshots until the lock screen shows with its form drawn; returns it.
fn locked_shot(display: &Display, name: &str, check: impl Fn(&Shot) -> bool) -> Shot {
    let path = artifacts_dir().join(name);
    let mut last = None;
    poll(name, || {
        let shot = display.screenshot(&path);
        let ok = shot.is_lock_screen() && check(&shot);
        last = Some(shot);
        ok
    });
    let shot = last.unwrap();
    shot.assert_sane();
    shot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_librarys_logo_shows_and_a_bad_file_is_left_out() {
    let Some(GuiStation {
        admin: _admin,
        state_dir: state,
        server: _server,
        dir,
    }) = GuiStation::start("gui_logo", &[], "PC-14").await
    else {
        return;
    };
    let logo = dir.path().join("logo.png");
    write_logo(&logo);
    let set = format!("lock.logo={:?}", logo.display().to_string());

    let display = Display::start();
    let agent = GuiAgent::start_with(&display, &state, &[&set]);
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    let full = (LOGO.0 * LOGO.1) as usize;
    let shot = locked_shot(&display, "logo-01-shown.png", |s| logo_pixels(s) >= full);
    assert_eq!(
        logo_pixels(&shot),
        full,
        "the logo drawn whole, at its size"
    );
    drop(agent);

    // Not a PNG: a short error in the log, the lock screen without a logo.
    std::fs::write(&logo, b"<html>not a logo</html>").unwrap();
    let agent = GuiAgent::start_with(&display, &state, &[&set]);
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    agent.wait_log("lock.logo: not a valid PNG image", 1);
    let shot = locked_shot(&display, "logo-02-bad-file.png", |_| true);
    assert_eq!(logo_pixels(&shot), 0, "no logo drawn from a bad file");
    assert!(
        !agent.log_text().contains("not a logo"),
        "the file was echoed"
    );
    assert!(!agent.log_text().contains("panicked"));
    drop(agent);
    drop(display);
}
