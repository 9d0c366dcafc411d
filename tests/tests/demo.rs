//! `bilik-server serve --demo`: the README's station commands, run with the
//! real CLI against the real demo binary, do on its simulated stations what
//! the README says (each station reports its screen in its heartbeats, so
//! the state seen here is the station's, not the server's bookkeeping).
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::process::ServerProcess;
use bilik_tests::*;

/// Another handle on the same signed-in staff session.
fn again(staff: &Staff) -> Staff {
    Staff {
        client: staff.client.clone(),
        token: staff.token.clone(),
    }
}

/// PC-03 as the server sees it: (reported state, online, open session id).
async fn pc03(staff: &Staff) -> Option<(StationState, bool, String)> {
    let mut staff = again(staff);
    let station = staff
        .stations()
        .await
        .into_iter()
        .find(|s| s.name == "PC-03")?;
    let state = station.state();
    let session = station.session.map(|s| s.session_id).unwrap_or_default();
    Some((state, station.online, session))
}

/// Waits until PC-03 shows `state` (online) with or without an open session.
async fn wait_pc03(staff: &Staff, state: StationState, with_session: bool) -> String {
    wait_for(&format!("PC-03 {state:?}"), || async {
        match pc03(staff).await? {
            (s, true, session) if s == state && session.is_empty() != with_session => Some(session),
            _ => None,
        }
    })
    .await
}

#[tokio::test]
async fn readme_station_commands_drive_the_demo_stations() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_demo(&dir.path().join("data"), &[]).await;
    let password = server.admin_password.clone().expect("the demo prints it");
    let mut staff = Staff::sign_in(server.channel().await, "admin", &password).await;
    // The four demo stations enrol and attach on their own.
    wait_for("four demo stations online", || async {
        let online = again(&staff)
            .stations()
            .await
            .iter()
            .filter(|s| s.online)
            .count();
        (online == 4).then_some(())
    })
    .await;
    wait_pc03(&staff, StationState::Locked, false).await;

    // "station unlock PC-03 --card 0001": the station opens a session.
    let (ok, _, err) = server
        .admin(&password, &["station", "unlock", "PC-03", "--card", "0001"])
        .await;
    assert!(ok, "{err}");
    let session = wait_pc03(&staff, StationState::InSession, true).await;
    let before = staff.sessions().await;
    let ends = |all: &[SessionInfo]| {
        all.iter()
            .find(|s| s.session_id == session)
            .map(|s| s.ends_at_ms)
            .unwrap()
    };
    let first_end = ends(&before);

    // "station extend PC-03 --minutes 15" moves the end; the station stays in session.
    let (ok, _, err) = server
        .admin(
            &password,
            &["station", "extend", "PC-03", "--minutes", "15"],
        )
        .await;
    assert!(ok, "{err}");
    assert_eq!(ends(&staff.sessions().await), first_end + 15 * 60_000);
    let (ok, _, err) = server
        .admin(
            &password,
            &["station", "message", "PC-03", "Waktu hampir habis"],
        )
        .await;
    assert!(ok, "{err}");
    assert_eq!(
        pc03(&staff).await.unwrap(),
        (StationState::InSession, true, session.clone())
    );

    // "station end PC-03": the station locks (it was left "in session" before).
    let (ok, _, err) = server.admin(&password, &["station", "end", "PC-03"]).await;
    assert!(ok, "{err}");
    wait_pc03(&staff, StationState::Locked, false).await;
    let ended = staff.sessions().await;
    let ended = ended.iter().find(|s| s.session_id == session).unwrap();
    assert_eq!(ended.end_reason(), EndReason::Librarian);

    // Unlocking again works (it said "already in session" before).
    let (ok, _, err) = server
        .admin(&password, &["station", "unlock", "PC-03", "--card", "0002"])
        .await;
    assert!(ok, "{err}");
    wait_pc03(&staff, StationState::InSession, true).await;

    // "station maintenance PC-03 on" ends the session and shows maintenance; off locks.
    let (ok, _, err) = server
        .admin(&password, &["station", "maintenance", "PC-03", "on"])
        .await;
    assert!(ok, "{err}");
    wait_pc03(&staff, StationState::Maintenance, false).await;
    let (ok, _, err) = server
        .admin(&password, &["station", "maintenance", "PC-03", "off"])
        .await;
    assert!(ok, "{err}");
    wait_pc03(&staff, StationState::Locked, false).await;

    // The other stations were left alone: no simulated patron with --no-demo-patrons.
    assert!(
        staff
            .sessions()
            .await
            .iter()
            .all(|s| s.station_name == "PC-03"),
        "only PC-03 had sessions"
    );
}
