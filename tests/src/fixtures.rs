//! The set-ups many tests start from, made once: a patron in session on an
//! attached station, the journaled "session ended" event, a session as
//! stored or as the usage log shows it once ended; for report tests, a
//! session at a set time of a set length, the admin's identity for the use
//! cases, and a monthly report fetched over gRPC.

use bilik_proto::store::v1::SessionRecord;
use bilik_proto::v1::{
    AgentEvent, Lease, MonthlyReportRequest, ReportFile, ReportFormat, Role, SessionEnded,
    SessionInfo, StationInfo, agent_event,
};
use bilik_server::app::StaffIdentity;

use crate::{Link, Staff, TestServer, TestStation, lease, wait_for};

/// Member 0001 ("Andi", valid through 2027-01-01) in session on station
/// PC-01, which is attached as boot "boot-1": where most station tests start.
#[derive(Debug)]
pub struct InSession {
    /// The admin who added the member (to look at stations and sessions).
    pub admin: Staff,
    /// The station, enrolled.
    pub station: TestStation,
    /// The station's open link. Bind it: dropping it detaches the station
    /// (which is what some tests want, explicitly).
    pub link: Link,
    /// Andi's lease on it.
    pub lease: Lease,
}

impl TestServer {
    /// Sets up an [`InSession`] on this server.
    pub async fn in_session(&self) -> InSession {
        let mut admin = self.admin().await;
        admin.add_member("0001", "Andi", "2027-01-01").await;
        let station = self.enroll("PC-01").await;
        let (link, _) = station.attach("boot-1", "").await;
        let lease = lease(station.login("0001").await);
        InSession {
            admin,
            station,
            link,
            lease,
        }
    }

    /// The first session of the usage log that has ended, once one has.
    pub async fn ended_session(&self) -> SessionInfo {
        wait_for("a session to end on the server", || async {
            let mut admin = self.admin().await;
            admin
                .sessions()
                .await
                .into_iter()
                .find(|s| s.ended_at_ms != 0)
        })
        .await
    }

    /// Station `id` as the dashboard sees it, once `shows` holds of it
    /// (waiting up to the harness deadline, failing with `what`).
    pub async fn station_when(
        &self,
        what: &str,
        id: &str,
        shows: impl Fn(&StationInfo) -> bool,
    ) -> StationInfo {
        wait_for(what, || async {
            let view = self.app.station_view(id).await.unwrap().unwrap();
            shows(&view).then_some(view)
        })
        .await
    }

    /// The session record as stored; panics if there is none.
    pub fn stored_session(&self, session_id: &str) -> SessionRecord {
        self.app
            .store_for_tests()
            .session(session_id)
            .unwrap()
            .unwrap_or_else(|| panic!("no session {session_id}"))
    }
}

/// The journaled event an agent sends when a session ended: `reason` as
/// its number (so that tests can send unknown ones), `elapsed_ms` the
/// session's length as the agent measured it (`None`: it could not tell).
pub fn session_ended(
    event_id: &str,
    session_id: &str,
    reason: i32,
    at_ms: i64,
    elapsed_ms: Option<i64>,
) -> AgentEvent {
    AgentEvent {
        event_id: event_id.into(),
        at_ms,
        kind: Some(agent_event::Kind::SessionEnded(SessionEnded {
            session_id: session_id.to_owned(),
            reason,
            elapsed_ms,
        })),
    }
}

/// The `admin` account as the use cases take it (for calls made on `App`
/// directly).
pub fn admin_identity() -> StaffIdentity {
    StaffIdentity {
        username: "admin".into(),
        role: Role::Admin,
        expires_at_ms: i64::MAX,
    }
}

impl Staff {
    /// The monthly report for `month` ("YYYY-MM") in `format`, in the
    /// default language.
    pub async fn monthly_report(&mut self, month: &str, format: ReportFormat) -> ReportFile {
        let request = self.req(MonthlyReportRequest {
            month: month.into(),
            format: format as i32,
            lang: String::new(),
        });
        self.client
            .monthly_report(request)
            .await
            .unwrap()
            .into_inner()
    }
}

/// A session of `card` on `station` from `at` (the server's clock is set
/// there) for `minutes`, ended by the patron's logout; the clock is left at
/// its end.
pub async fn timed_session(
    server: &TestServer,
    station: &TestStation,
    card: &str,
    at: i64,
    minutes: i64,
) {
    server.clock.set_ms(at);
    let lease = lease(station.login(card).await);
    server.clock.set_ms(at + minutes * 60_000);
    station.logout(&lease.session_id).await;
}
