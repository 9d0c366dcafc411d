//! The kiosk files shipped in `docs/kiosk/` say what `docs/kiosk-linux.md`
//! promises: the service is a system unit run as root that restarts
//! always (the patron's account cannot stop or signal it: see
//! `gui_patron_user.rs`), the station configuration is one the real agent
//! accepts, the X server cannot be left for a console or killed from the
//! keyboard, and openbox has no key bindings and no menus.
#![allow(clippy::unwrap_used)]

use bilik_tests::process::binary;
use bilik_tests::unit_file::ServiceSection;
use std::path::PathBuf;

fn kiosk(file: &str) -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/kiosk")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

#[test]
fn the_service_is_roots_and_restarts_always() {
    let (_, unit) = kiosk("bilik-agent.service");
    let service = ServiceSection::parse(&unit);
    let get = |k: &str| service.get(k);
    assert_eq!(get("Restart"), Some("always"));
    assert_eq!(get("User"), None, "the service runs as root");
    assert!(get("ExecStart").unwrap().contains("bilik-agent service"));
    assert_eq!(get("StateDirectoryMode"), Some("0700"));
    assert_eq!(get("RuntimeDirectory"), Some("bilik-agent"));
    assert!(unit.contains("WantedBy=graphical.target"));
}

#[test]
fn the_station_configuration_is_accepted_by_the_agent() {
    let (path, _) = kiosk("agent.toml");
    let out = std::process::Command::new(binary("bilik-agent"))
        .args(["--config", path.to_str().unwrap(), "--print-config"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "ui = \"gui\"",
        "socket = \"/run/bilik-agent/ui.sock\"",
        "\"runuser\", \"-u\", \"patron\"",
        "\"loginctl\", \"terminate-user\", \"patron\"",
        "restore_ms = 2000",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn no_console_switch_no_zap_no_window_manager_keys_or_menus() {
    let (_, xorg) = kiosk("10-bilik-kiosk.conf");
    assert!(xorg.contains("Option \"DontVTSwitch\" \"true\""));
    assert!(xorg.contains("Option \"DontZap\" \"true\""));
    let (_, rc) = kiosk("rc.xml");
    assert!(rc.contains("<keyboard></keyboard>"));
    assert!(!rc.contains("<keybind"), "a key binding");
    for action in ["ShowMenu", "Iconify", "Close", "Execute", "Move", "Resize"] {
        assert!(
            !rc.contains(&format!("\"{action}\"")),
            "openbox action {action}"
        );
    }
    assert!(rc.contains("<titleLayout>L</titleLayout>"));
    let (_, lightdm) = kiosk("50-bilik.conf");
    assert!(lightdm.contains("autologin-user=patron"));
    assert!(lightdm.contains("autologin-session=bilik-kiosk"));
    let (_, session) = kiosk("bilik-kiosk.desktop");
    assert!(session.contains("Exec=/usr/local/lib/bilik/kiosk-session"));
}
