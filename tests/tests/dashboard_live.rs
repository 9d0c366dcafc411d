//! The stations page follows the desk live, in headless Chromium, without
//! a reload: a walk-in patron added to the queue elsewhere (another desk,
//! the command line) appears in the queue panel and goes again when
//! removed; a tamper report from a station appears as a security alert; a
//! station that goes offline in the middle of a session is announced (a
//! notice and the alert) as soon as its link drops. The real server
//! in-process, a real `bilik-agent --ui headless` and a station speaking
//! gRPC from the test. Screenshots go to target/test-artifacts/dashboard/.
//! Without chromium and chromium-driver the test skips loudly; with
//! `BILIK_E2E=require` it fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_server::app::StaffIdentity;
use bilik_tests::web::{Desk, SITI};

/// The selector of PC-01's card on the grid.
const CARD: &str = "#grid .station[data-name=\"PC-01\"]";

/// A script condition: the page was not reloaded (the marker set after
/// sign-in is still there).
const NOT_RELOADED: &str = "window.__bilikNoReload === 'still here'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_sees_the_queue_a_tamper_report_and_an_offline_session_live() {
    let desk = Desk::start(&[SITI]).await;
    let server = &desk.server;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    admin.add_member("0002", "Budi Santoso", "2027-12-31").await;
    let (mut agent, _) = desk.agent("PC-01").await;
    let pc2 = server.enroll("PC-02").await;
    let (mut link, _) = pc2.attach("boot-1", "").await;

    let Some(browser) = desk.browser().await else {
        return;
    };
    browser.sign_in(&SITI).await;
    browser
        .wait_js(
            "the grid with PC-01 locked",
            &format!("return document.querySelector('{CARD}[data-state=\"locked\"]') !== null"),
        )
        .await;
    browser
        .client
        .execute("window.__bilikNoReload = 'still here'; return true", vec![])
        .await
        .unwrap();
    // What a librarian is typing into the queue's form survives the live
    // updates of the list under it.
    browser.type_into("#queue input[name=card]", "000").await;

    // The queue: a walk-in added elsewhere appears, with a hold on the free
    // PC-02; removed, the list is empty again.
    server
        .app
        .queue_add(&StaffIdentity::system(), "0002")
        .await
        .unwrap();
    browser
        .wait_js(
            "Budi in the queue panel",
            &format!(
                "var q = document.getElementById('queue-list'); \
                 return {NOT_RELOADED} && q !== null \
                   && q.querySelector('tr.queue-entry[data-card=\"0002\"]') !== null \
                   && q.innerText.indexOf('Budi Santoso') >= 0"
            ),
        )
        .await;
    browser.screenshot("live-queue").await;
    server
        .app
        .queue_remove(&StaffIdentity::system(), "0002")
        .await
        .unwrap();
    browser
        .wait_js(
            "the queue panel empty again",
            &format!(
                "var q = document.getElementById('queue-list'); \
                 return {NOT_RELOADED} && q !== null && q.querySelector('tr.queue-entry') === null \
                   && q.innerText.indexOf('Tidak ada yang mengantre') >= 0"
            ),
        )
        .await;
    let typed = browser
        .client
        .execute(
            "return document.querySelector('#queue input[name=card]').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(typed, "000", "the live list replaced the form too");

    // Tampering reported by PC-02: the alert appears, naming the station.
    link.send(agent_message::Kind::Event(AgentEvent {
        event_id: "t-1".into(),
        at_ms: 0,
        kind: Some(agent_event::Kind::Tamper(Tamper {
            detail: "the lock screen was closed".into(),
        })),
    }))
    .await;
    assert_eq!(link.next_ack().await, ["t-1"]);
    browser
        .wait_js(
            "the tamper alert",
            &format!(
                "var a = document.querySelector('#alerts-live [data-alert=\"alert.tamper\"]'); \
                 return {NOT_RELOADED} && a !== null && a.innerText.indexOf('PC-02') >= 0"
            ),
        )
        .await;
    browser.screenshot("live-tamper").await;

    // PC-01 in a session loses its link: announced at once (the link's
    // end is the offline signal, well within the offline timeout).
    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-01".into(),
            who: Some(unlock_station_request::Who::Card("0001".into())),
            minutes: 0,
            purpose: String::new(),
        }))
        .await
        .unwrap();
    agent.unlocked().await;
    browser
        .wait_js(
            "PC-01 in session on the grid",
            &format!(
                "return {NOT_RELOADED} \
                   && document.querySelector('{CARD}[data-state=\"in_session\"]') !== null"
            ),
        )
        .await;
    agent.kill9().await;
    browser
        .wait_js(
            "the offline-in-session notice and alert",
            &format!(
                "var t = document.getElementById('toast'); \
                 var a = document.querySelector('#alerts-live [data-alert=\"alert.offline_in_session\"]'); \
                 return {NOT_RELOADED} && t !== null \
                   && t.innerText.indexOf('PC-01 terputus saat sesi berjalan') >= 0 \
                   && a !== null && a.innerText.indexOf('PC-01') >= 0"
            ),
        )
        .await;
    browser.screenshot("live-offline").await;

    browser.close().await;
    desk.stop().await;
}
