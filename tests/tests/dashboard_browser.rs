//! The dashboard in headless Chromium, against the real server in-process
//! and a real `bilik-agent --ui headless`: a librarian signs in, sees the
//! live agent on the grid, unlocks it for a card and ends the session
//! without reloading the page, and finds the session in the usage book.
//! Screenshots of every section go to target/test-artifacts/dashboard/.
//! Without chromium and chromium-driver the test skips loudly; with
//! `BILIK_E2E=require` it fails instead.
#![allow(clippy::unwrap_used)]

use bilik_tests::web::{Desk, SITI};

/// The selector of a station's card on the grid.
const CARD: &str = "#grid .station[data-name=\"PC-01\"]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn librarian_unlocks_and_ends_a_live_agent_from_the_grid() {
    let desk = Desk::start(&[SITI]).await;
    let server = &desk.server;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    let (mut agent, _) = desk.agent("PC-01").await;
    let Some(browser) = desk.browser().await else {
        return;
    };

    // Sign in as a librarian: the grid shows the live agent, locked.
    browser.sign_in(&SITI).await;
    browser
        .wait_js(
            "the grid with PC-01 locked",
            &format!("return document.querySelector('{CARD}[data-state=\"locked\"]') !== null"),
        )
        .await;
    // Anything that reloads the page would drop this marker.
    browser
        .client
        .execute("window.__bilikNoReload = 'still here'; return true", vec![])
        .await
        .unwrap();
    browser.screenshot("stations-locked").await;

    // Unlock with a card and the patron's purpose: the agent starts the
    // session, the grid follows.
    browser
        .type_into(&format!("{CARD} input[name=card]"), "0001")
        .await;
    browser
        .client
        .find(fantoccini::Locator::Css(&format!(
            "{CARD} select[name=purpose]"
        )))
        .await
        .unwrap()
        .select_by_value("Belajar/Tugas")
        .await
        .unwrap();
    browser.click(&format!("{CARD} button[value=card]")).await;
    let open = agent
        .next("an unlocked screen", |v| {
            v["event"] == "state" && (v["state"] == "in_session" || v["state"] == "warning")
        })
        .await;
    assert_eq!(open.str("state"), "in_session");
    browser
        .wait_js(
            "the card to show the session without a reload",
            &format!(
                "var c = document.querySelector('{CARD}'); \
                 return window.__bilikNoReload === 'still here' && c \
                   && c.getAttribute('data-state') === 'in_session' \
                   && c.innerText.indexOf('Andi Pratama') >= 0 \
                   && c.querySelector('form[action$=\"/end\"]') !== null"
            ),
        )
        .await;
    browser.screenshot("stations").await;

    // End: the agent locks, the grid shows it locked, still no reload.
    browser
        .click(&format!("{CARD} form[action$=\"/end\"] button"))
        .await;
    agent.state("locked").await;
    browser
        .wait_js(
            "the card to show the station locked again",
            &format!(
                "var c = document.querySelector('{CARD}'); \
                 return window.__bilikNoReload === 'still here' && c \
                   && c.getAttribute('data-state') === 'locked' \
                   && c.querySelector('input[name=card]') !== null"
            ),
        )
        .await;
    // The desk is told the PC is free (a toast from the live feed), and
    // the page shows the library's time and the time to closing.
    browser
        .wait_js(
            "the session-ended notice",
            "var t = document.getElementById('toast'); \
             return t !== null && t.innerText.indexOf('PC-01: sesi selesai, komputer kosong') >= 0",
        )
        .await;
    let clock = browser
        .wait_js(
            "the clock",
            "var c = document.getElementById('clock'); return c ? c.innerText : null",
        )
        .await;
    assert!(clock.as_str().unwrap().starts_with("Pukul "), "{clock}");

    // The usage book lists the session.
    browser.goto("/usage").await;
    browser
        .wait_js(
            "the usage book to list the session",
            "var t = document.querySelector('#usage'); \
             return t && t.innerText.indexOf('0001') >= 0 && t.innerText.indexOf('Andi Pratama') >= 0 \
               && t.innerText.indexOf('PC-01') >= 0 && t.innerText.indexOf('Belajar/Tugas') >= 0",
        )
        .await;
    browser.screenshot("usage").await;

    // Members: the list, and Andi's history with the session.
    browser.goto("/members?q=Andi").await;
    browser
        .wait_js(
            "the member list",
            "var t = document.querySelector('#members'); return t && t.innerText.indexOf('Andi Pratama') >= 0",
        )
        .await;
    browser.screenshot("members").await;
    browser.goto("/members/card/0001").await;
    browser
        .wait_js(
            "the member's history",
            "var t = document.querySelector('#history'); return t && t.innerText.indexOf('PC-01') >= 0",
        )
        .await;

    // Problems: log one for PC-01, putting it in maintenance.
    browser.goto("/problems").await;
    browser
        .type_into("textarea[name=text]", "Keyboard rusak, tombol Enter macet")
        .await;
    browser.click("form[action=\"/problems\"] button").await;
    browser
        .wait_js(
            "the problem in the log",
            "var t = document.querySelector('#problems'); return t && t.innerText.indexOf('Keyboard rusak') >= 0",
        )
        .await;
    agent.state("maintenance").await;
    browser.screenshot("problems").await;

    // Reports: the daily recap and the monthly report with its charts.
    browser.goto("/reports/daily").await;
    browser
        .wait_js(
            "the daily recap",
            "var t = document.querySelector('#recap'); return t && t.innerText.indexOf('0001') >= 0",
        )
        .await;
    browser.screenshot("reports-daily").await;
    browser.goto("/reports/monthly").await;
    browser
        .wait_js(
            "the monthly charts",
            "return document.querySelectorAll('.chart svg').length === 2",
        )
        .await;
    browser.screenshot("reports-monthly").await;

    // Health, then the grid on a tablet: nothing wider than the screen.
    browser.goto("/health").await;
    browser
        .wait_js(
            "the health page",
            "return document.querySelector('#health') !== null",
        )
        .await;
    browser.screenshot("health").await;
    browser.client.set_window_size(820, 1180).await.unwrap();
    browser.goto("/").await;
    browser
        .wait_js(
            "the grid to fit a tablet",
            &format!(
                "return document.querySelector('{CARD}') !== null \
                 && document.documentElement.scrollWidth <= window.innerWidth"
            ),
        )
        .await;
    browser.screenshot("stations-tablet").await;

    // The English toggle, and back.
    browser.click("header a.lang").await;
    browser
        .wait_js(
            "the English navigation",
            "return document.querySelector('header nav').innerText.indexOf('Usage book') >= 0",
        )
        .await;
    browser.click("header a.lang").await;
    browser
        .wait_js(
            "the Indonesian navigation",
            "return document.querySelector('header nav').innerText.indexOf('Buku Penggunaan') >= 0",
        )
        .await;

    browser.close().await;
    desk.stop().await;
}
