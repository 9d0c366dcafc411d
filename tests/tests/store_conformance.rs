//! One conformance suite for every store engine (DESIGN §3): each test
//! below is a function generic over [`Engine`], instantiated by
//! `conformance!` once per engine — sled (a temporary store) and
//! PostgreSQL (a fresh database on the harness's throwaway cluster,
//! `bilik_tests::postgres`). Both must behave the same: return values,
//! refusals, orders, counters, and the invariants under racing tasks.
#![allow(clippy::unwrap_used)]

use bilik_proto::store::v1::{
    EnrollmentCodeRecord, IncidentRecord, MemberRecord, QueueEntryRecord, QueueRecord,
    QueueWaitRecord, SessionRecord, SignedReportRecord, StaffRecord, StationRecord, WatchRecord,
    WatchSiteRecord,
};
use bilik_proto::v1::{AgentEvent, EndReason};
use bilik_server::store::postgres::PgStore;
use bilik_server::store::{Engine, SessionEnd, StartRefused, Store, StoreError};
use std::sync::Arc;

/// Tasks racing for one card, one station, one event.
const RACERS: usize = 60;
/// Connections of a PostgreSQL engine under test.
const PG_CONNECTIONS: usize = 16;

/// 2026-11-25 10:00 UTC, the suite's "now".
const T0: i64 = 1_795_600_800_000;
const MINUTE: i64 = 60_000;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sled_engine {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let store = bilik_server::store::Store::temporary().unwrap();
                    super::$name(std::sync::Arc::new(store)).await;
                }
            )*
        }
        mod postgres_engine {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(store) = super::postgres_store(stringify!($name)).await else {
                        return;
                    };
                    super::$name(std::sync::Arc::new(store)).await;
                }
            )*
        }
    };
}

conformance!(
    meta_values,
    members_write_read_and_count,
    members_search_orders_and_pages,
    stations_by_name_rename_and_maintenance,
    enrollment_codes_work_once,
    staff_accounts,
    session_start_refusals,
    sessions_update_end_and_events,
    end_many_sessions,
    session_queries_by_range_and_counters,
    signed_reports_are_frozen,
    incidents_problems_log,
    racing_for_one_card_gives_one_session,
    racing_for_one_station_gives_one_session,
    one_event_from_many_tasks_is_applied_once,
    maintenance_and_logins_race_cleanly,
    queue_and_its_log,
    watch_state_with_its_incident,
);

/// A PostgreSQL engine on a fresh database, or `None` (skipped loudly).
async fn postgres_store(test: &'static str) -> Option<PgStore> {
    let db = tokio::task::spawn_blocking(move || bilik_tests::postgres::database(test))
        .await
        .unwrap()?;
    Some(PgStore::connect(&db.url, PG_CONNECTIONS).await.unwrap())
}

/// A search's words, folded as the app folds them.
fn words(query: &str) -> Vec<String> {
    bilik_server::policy::name_words(query)
}

/// A session id whose UUIDv7 time is `ms`.
fn session_id_at(ms: i64) -> String {
    let ms = ms as u64;
    let ts =
        uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
    uuid::Uuid::new_v7(ts).to_string()
}

/// An open session of `card` on `station` started at `ms`.
fn open_session(station: &str, card: &str, ms: i64) -> SessionRecord {
    SessionRecord {
        session_id: session_id_at(ms),
        station_id: station.into(),
        card: card.into(),
        started_at_ms: ms,
        ends_at_ms: ms + 45 * MINUTE,
        ..Default::default()
    }
}

fn station(id: &str, name: &str) -> StationRecord {
    StationRecord {
        station_id: id.into(),
        name: name.into(),
        ..Default::default()
    }
}

fn member(card: &str, name: &str) -> MemberRecord {
    MemberRecord {
        card: card.into(),
        name: name.into(),
        category: "Umum".into(),
        ..Default::default()
    }
}

fn event(id: &str) -> AgentEvent {
    AgentEvent {
        event_id: id.into(),
        ..Default::default()
    }
}

/// `decide` of an ordinary end at `at`: only an open session ends.
fn end_at(at: i64) -> impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync {
    move |s| {
        (s.ended_at_ms == 0).then(|| SessionRecord {
            ended_at_ms: at,
            end_reason: EndReason::Logout as i32,
            ..s.clone()
        })
    }
}

/// Enrols stations `st_0 .. st_{n-1}` named `PC-0 ..`.
async fn stations<E: Engine>(e: &E, n: usize) {
    for i in 0..n {
        e.put_station(&station(&format!("st_{i}"), &format!("PC-{i}")))
            .await
            .unwrap();
    }
}

async fn meta_values<E: Engine>(e: Arc<E>) {
    assert_eq!(e.meta("greeting").await.unwrap(), None);
    assert!(e.create_meta("greeting", b"halo").await.unwrap());
    assert!(!e.create_meta("greeting", b"other").await.unwrap());
    assert_eq!(
        e.meta("greeting").await.unwrap().as_deref(),
        Some(&b"halo"[..])
    );
    e.set_meta("greeting", b"selamat").await.unwrap();
    assert_eq!(
        e.meta("greeting").await.unwrap().as_deref(),
        Some(&b"selamat"[..])
    );
    e.set_meta("empty", b"").await.unwrap();
    assert_eq!(e.meta("empty").await.unwrap().as_deref(), Some(&b""[..]));
    // Many first starts at once: exactly one wins.
    let wins = race(RACERS, |i| {
        let e = e.clone();
        async move {
            e.create_meta("key", format!("{i}").as_bytes())
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(wins.iter().filter(|w| **w).count(), 1);
}

async fn members_write_read_and_count<E: Engine>(e: Arc<E>) {
    assert_eq!(e.member_count().await.unwrap(), 0);
    assert!(e.member("0001").await.unwrap().is_none());
    assert!(e.put_member(&member("0001", "Ani")).await.unwrap());
    assert!(!e.put_member(&member("0001", "Ani Lestari")).await.unwrap());
    assert_eq!(e.member("0001").await.unwrap().unwrap().name, "Ani Lestari");
    assert_eq!(e.member_count().await.unwrap(), 1);
    // A batch: one existing, two new, one of them twice (the last wins).
    let batch = [
        member("0001", "Ani L."),
        member("0002", "Budi"),
        member("0003", "Citra"),
        member("0002", "Budi Santoso"),
    ];
    assert_eq!(e.put_members(&batch).await.unwrap(), (2, 2));
    assert_eq!(e.member_count().await.unwrap(), 3);
    assert_eq!(
        e.member("0002").await.unwrap().unwrap().name,
        "Budi Santoso"
    );
    assert_eq!(e.put_members(&[]).await.unwrap(), (0, 0));
    // Updates see the record as committed; no change writes nothing.
    assert!(
        e.update_member("0003", |m| {
            m.phone = "0812".into();
            true
        })
        .await
        .unwrap()
    );
    assert_eq!(e.member("0003").await.unwrap().unwrap().phone, "0812");
    assert!(!e.update_member("0003", |_| false).await.unwrap());
    assert!(!e.update_member("9999", |_| true).await.unwrap());
    assert!(e.member("9999").await.unwrap().is_none());
    assert_eq!(e.member_count().await.unwrap(), 3);
    // Concurrent read-modify-writes of one member lose nothing.
    race(20, |_| {
        let e = e.clone();
        async move {
            e.update_member("0003", |m| {
                m.updated_at_ms += 1;
                true
            })
            .await
            .unwrap()
        }
    })
    .await;
    assert_eq!(e.member("0003").await.unwrap().unwrap().updated_at_ms, 20);
}

async fn members_search_orders_and_pages<E: Engine>(e: Arc<E>) {
    let all = [
        member("1203", "dewi"),
        member("1201", "Budi"),
        member("3300", "Ani 12"),
        member("1202", "Citra"),
        member("4400", "ani"),
        member("5500", "Eko"),
    ];
    e.put_members(&all).await.unwrap();
    let names = |ms: &[MemberRecord]| ms.iter().map(|m| m.card.clone()).collect::<Vec<_>>();
    // Card hits first by card, then name hits by lower-case name.
    let (page, total) = e
        .search_members(Some("12"), &words("ani"), 0, 10)
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(names(&page), ["1201", "1202", "1203", "4400", "3300"]);
    let (page, total) = e
        .search_members(Some("12"), &words("ani"), 2, 2)
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(names(&page), ["1203", "4400"]);
    let (page, total) = e.search_members(None, &words("EKO"), 0, 10).await.unwrap();
    assert_eq!((names(&page), total), (vec!["5500".to_owned()], 1));
    let (page, total) = e.search_members(None, &[], 0, 10).await.unwrap();
    assert_eq!((page.len(), total), (0, 0));
    let (page, total) = e.search_members(Some(""), &[], 4, 10).await.unwrap();
    assert_eq!(
        (names(&page), total),
        (vec!["4400".into(), "5500".into()], 6)
    );
}

async fn stations_by_name_rename_and_maintenance<E: Engine>(e: Arc<E>) {
    assert_eq!(e.station_count().await.unwrap(), 0);
    e.put_station(&station("st_b", "PC-02")).await.unwrap();
    e.put_station(&station("st_a", "PC-01")).await.unwrap();
    e.put_station(&station("st_c", "")).await.unwrap();
    assert_eq!(e.station_count().await.unwrap(), 3);
    let ids = |v: Vec<StationRecord>| v.into_iter().map(|s| s.station_id).collect::<Vec<_>>();
    assert_eq!(ids(e.stations().await.unwrap()), ["st_a", "st_b", "st_c"]);
    assert_eq!(
        e.station_by_name(" pc-01 ")
            .await
            .unwrap()
            .unwrap()
            .station_id,
        "st_a"
    );
    assert!(e.station_by_name("").await.unwrap().is_none());
    assert!(e.station_by_name("PC-09").await.unwrap().is_none());
    // A rename: the old name stops finding it; rewriting is no new station.
    e.put_station(&station("st_a", "Lantai2-A")).await.unwrap();
    assert!(e.station_by_name("PC-01").await.unwrap().is_none());
    assert_eq!(
        e.station_by_name("LANTAI2-a")
            .await
            .unwrap()
            .unwrap()
            .station_id,
        "st_a"
    );
    assert_eq!(e.station_count().await.unwrap(), 3);
    // A name written for another station moves to it.
    e.put_station(&station("st_c", "pc-02")).await.unwrap();
    assert_eq!(
        e.station_by_name("PC-02")
            .await
            .unwrap()
            .unwrap()
            .station_id,
        "st_c"
    );
    // Maintenance on the record as committed, keeping its other fields.
    let mut with_host = station("st_b", "PC-02b");
    with_host.hostname = "lab-2".into();
    e.put_station(&with_host).await.unwrap();
    let on = e
        .set_station_maintenance("st_b", true)
        .await
        .unwrap()
        .unwrap();
    assert!(on.maintenance);
    assert_eq!(on.hostname, "lab-2");
    assert!(e.station("st_b").await.unwrap().unwrap().maintenance);
    assert!(
        !e.set_station_maintenance("st_b", false)
            .await
            .unwrap()
            .unwrap()
            .maintenance
    );
    assert!(
        e.set_station_maintenance("st_zz", true)
            .await
            .unwrap()
            .is_none()
    );
    assert!(e.station("st_zz").await.unwrap().is_none());
    assert_eq!(e.station_count().await.unwrap(), 3);
}

async fn enrollment_codes_work_once<E: Engine>(e: Arc<E>) {
    let code = EnrollmentCodeRecord {
        code_hash: "ab12".into(),
        station_name: "PC-07".into(),
        expires_at_ms: T0 + 60 * MINUTE,
        created_by: "admin".into(),
    };
    e.put_enrollment_code(&code).await.unwrap();
    assert_eq!(
        e.take_enrollment_code("ab12").await.unwrap(),
        Some(code.clone())
    );
    assert_eq!(e.take_enrollment_code("ab12").await.unwrap(), None);
    assert_eq!(e.take_enrollment_code("nope").await.unwrap(), None);
    // Stations racing for one code: one gets it.
    e.put_enrollment_code(&code).await.unwrap();
    let got = race(RACERS, |_| {
        let e = e.clone();
        async move { e.take_enrollment_code("ab12").await.unwrap() }
    })
    .await;
    assert_eq!(got.iter().filter(|g| g.is_some()).count(), 1);
}

async fn staff_accounts<E: Engine>(e: Arc<E>) {
    let admin = StaffRecord {
        username: "admin".into(),
        password_hash: "h1".into(),
        ..Default::default()
    };
    assert!(e.create_staff(&admin).await.unwrap());
    assert!(
        !e.create_staff(&StaffRecord {
            password_hash: "h2".into(),
            ..admin.clone()
        })
        .await
        .unwrap()
    );
    assert_eq!(e.staff("admin").await.unwrap().unwrap().password_hash, "h1");
    e.put_staff(&StaffRecord {
        disabled: true,
        ..admin.clone()
    })
    .await
    .unwrap();
    assert!(e.staff("admin").await.unwrap().unwrap().disabled);
    assert!(e.staff("nobody").await.unwrap().is_none());
    e.create_staff(&StaffRecord {
        username: "Budi".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let names: Vec<String> = e
        .all_staff()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.username)
        .collect();
    assert_eq!(names, ["Budi", "admin"]);
}

async fn session_start_refusals<E: Engine>(e: Arc<E>) {
    stations(&*e, 3).await;
    // Unknown station, station in maintenance.
    let s = open_session("st_9", "0001", T0);
    assert_eq!(
        e.start_session(&s).await.unwrap(),
        Err(StartRefused::Maintenance)
    );
    e.set_station_maintenance("st_2", true).await.unwrap();
    let s = open_session("st_2", "0001", T0);
    assert_eq!(
        e.start_session(&s).await.unwrap(),
        Err(StartRefused::Maintenance)
    );
    // One per station, one per card.
    let first = open_session("st_0", "0001", T0);
    assert_eq!(e.start_session(&first).await.unwrap(), Ok(()));
    let s = open_session("st_0", "0002", T0 + 1);
    assert_eq!(
        e.start_session(&s).await.unwrap(),
        Err(StartRefused::StationBusy)
    );
    let s = open_session("st_1", "0001", T0 + 1);
    assert_eq!(
        e.start_session(&s).await.unwrap(),
        Err(StartRefused::CardInUse)
    );
    // Station busy is said before card in use.
    let s = open_session("st_0", "0001", T0 + 1);
    assert_eq!(
        e.start_session(&s).await.unwrap(),
        Err(StartRefused::StationBusy)
    );
    // Guests (no card) do not collide with each other.
    let guest = open_session("st_1", "", T0 + 2);
    assert_eq!(e.start_session(&guest).await.unwrap(), Ok(()));
    e.set_station_maintenance("st_2", false).await.unwrap();
    let guest2 = open_session("st_2", "", T0 + 3);
    assert_eq!(e.start_session(&guest2).await.unwrap(), Ok(()));
    assert_eq!(e.session_count().await.unwrap(), 3);
    // Ended, the card and the station are free again.
    e.end_session(&first.session_id, end_at(T0 + MINUTE), None)
        .await
        .unwrap()
        .unwrap();
    let again = open_session("st_0", "0001", T0 + 2 * MINUTE);
    assert_eq!(e.start_session(&again).await.unwrap(), Ok(()));
    // A malformed id is an error, and writes nothing.
    let mut bad = open_session("st_9", "0005", T0);
    bad.session_id = "not-a-uuid".into();
    assert!(matches!(
        e.start_session(&bad).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(e.session_count().await.unwrap(), 4);
}

async fn sessions_update_end_and_events<E: Engine>(e: Arc<E>) {
    stations(&*e, 2).await;
    let s = open_session("st_0", "0001", T0);
    e.start_session(&s).await.unwrap().unwrap();
    let extended = e
        .update_open_session(&s.session_id, |r| {
            r.ends_at_ms += 15 * MINUTE;
            r.extensions += 1;
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(extended.extensions, 1);
    assert_eq!(e.session(&s.session_id).await.unwrap().unwrap(), extended);
    assert!(
        e.update_open_session(&session_id_at(T0), |_| ())
            .await
            .unwrap()
            .is_none()
    );
    // decide says no: nothing changes.
    assert!(
        e.end_session(&s.session_id, |_| None, None)
            .await
            .unwrap()
            .is_none()
    );
    assert!(e.active_session("st_0").await.unwrap().is_some());
    // An end by an agent event: applied once.
    let logout = event("ev-1");
    let end = || SessionEnd {
        station_id: "st_0",
        event: &logout,
        applied_at_ms: T0 + 5 * MINUTE,
    };
    let ended = e
        .end_session(&s.session_id, end_at(T0 + 5 * MINUTE), Some(end()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.ended_at_ms, T0 + 5 * MINUTE);
    assert_eq!(e.session(&s.session_id).await.unwrap().unwrap(), ended);
    assert!(
        e.end_session(&s.session_id, |r| Some(r.clone()), Some(end()))
            .await
            .unwrap()
            .is_none()
    );
    assert!(e.event_applied("st_0", "ev-1").await.unwrap());
    assert!(!e.event_applied("st_1", "ev-1").await.unwrap());
    assert!(e.active_session("st_0").await.unwrap().is_none());
    assert!(e.open_session_of_card("0001").await.unwrap().is_none());
    // An ended session is not updated, nor ended again.
    assert!(
        e.update_open_session(&s.session_id, |r| r.extensions = 9)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        e.end_session(&s.session_id, end_at(T0 + 9 * MINUTE), None)
            .await
            .unwrap()
            .is_none()
    );
    // An event for an unknown session is still applied once.
    let stray = event("ev-0");
    let stray_end = SessionEnd {
        station_id: "st_1",
        event: &stray,
        applied_at_ms: T0,
    };
    assert!(
        e.end_session(&session_id_at(T0), end_at(T0), Some(stray_end))
            .await
            .unwrap()
            .is_none()
    );
    assert!(e.event_applied("st_1", "ev-0").await.unwrap());
    // Events applied on their own.
    assert!(
        e.mark_event_applied("st_0", &event("ev-3"), T0)
            .await
            .unwrap()
    );
    assert!(
        !e.mark_event_applied("st_0", &event("ev-3"), T0)
            .await
            .unwrap()
    );
    assert!(
        e.mark_event_applied("st_0", &event("ev-2"), T0)
            .await
            .unwrap()
    );
    let ids: Vec<String> = e
        .station_events("st_0")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(ids, ["ev-1", "ev-2", "ev-3"]);
    assert!(e.station_events("st_9").await.unwrap().is_empty());
    // Malformed ids: nothing found.
    assert!(e.session("garbage").await.unwrap().is_none());
}

async fn end_many_sessions<E: Engine>(e: Arc<E>) {
    stations(&*e, 4).await;
    let sessions: Vec<SessionRecord> = (0..4)
        .map(|i| open_session(&format!("st_{i}"), &format!("000{i}"), T0 + i as i64))
        .collect();
    for s in &sessions {
        e.start_session(s).await.unwrap().unwrap();
    }
    // Three of them, one twice, one unknown, in this order.
    let ids = vec![
        sessions[2].session_id.clone(),
        sessions[0].session_id.clone(),
        session_id_at(T0 - MINUTE),
        sessions[2].session_id.clone(),
        sessions[1].session_id.clone(),
    ];
    let ended = e
        .end_sessions(&ids, end_at(T0 + 45 * MINUTE))
        .await
        .unwrap();
    let got: Vec<&str> = ended.iter().map(|s| s.station_id.as_str()).collect();
    assert_eq!(got, ["st_2", "st_0", "st_1"]);
    assert!(ended.iter().all(|s| s.ended_at_ms == T0 + 45 * MINUTE));
    let open: Vec<String> = e
        .active_sessions()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.station_id)
        .collect();
    assert_eq!(open, ["st_3"]);
    assert!(e.open_session_of_card("0002").await.unwrap().is_none());
    assert!(e.end_sessions(&ids, end_at(T0)).await.unwrap().is_empty());
    assert!(e.end_sessions(&[], end_at(T0)).await.unwrap().is_empty());
    assert!(
        e.end_sessions(&["bad".to_owned()], end_at(T0))
            .await
            .is_err()
    );
    // Closing time for many: one call.
    let more: Vec<SessionRecord> = (0..200)
        .map(|i| open_session(&format!("st_x{i}"), &format!("9{i:04}"), T0 + i))
        .collect();
    for s in &more {
        e.put_station(&station(&s.station_id, "")).await.unwrap();
        e.start_session(s).await.unwrap().unwrap();
    }
    let ids: Vec<String> = more.iter().map(|s| s.session_id.clone()).collect();
    assert_eq!(
        e.end_sessions(&ids, end_at(T0 + 45 * MINUTE))
            .await
            .unwrap()
            .len(),
        200
    );
    assert_eq!(e.active_sessions().await.unwrap().len(), 1);
}

async fn session_queries_by_range_and_counters<E: Engine>(e: Arc<E>) {
    stations(&*e, 3).await;
    let a = open_session("st_0", "0001", T0);
    let b = open_session("st_1", "0002", T0 + 10 * MINUTE);
    let c = open_session("st_2", "0001", T0 + 20 * MINUTE);
    e.start_session(&a).await.unwrap().unwrap();
    e.start_session(&b).await.unwrap().unwrap();
    let a_end = e
        .end_session(&a.session_id, end_at(T0 + 15 * MINUTE), None)
        .await
        .unwrap()
        .unwrap();
    e.start_session(&c).await.unwrap().unwrap();
    // History from elsewhere, ended; written twice, counted once.
    let mut old = open_session("st_0", "0001", T0 - 24 * 60 * MINUTE);
    old.ended_at_ms = old.started_at_ms + 30 * MINUTE;
    e.import_ended_session(&old).await.unwrap();
    e.import_ended_session(&old).await.unwrap();
    assert_eq!(e.session_count().await.unwrap(), 4);
    // Imported history is never an open session.
    assert_eq!(
        e.active_session("st_0").await.unwrap(),
        None,
        "an imported ended session is not open"
    );
    let ids = |v: Vec<SessionRecord>| v.into_iter().map(|s| s.session_id).collect::<Vec<_>>();
    assert_eq!(
        ids(e.sessions_between(T0, T0 + 20 * MINUTE).await.unwrap()),
        [a.session_id.clone(), b.session_id.clone()]
    );
    assert_eq!(
        ids(e.sessions_between(T0 + 1, T0 + 21 * MINUTE).await.unwrap()),
        [b.session_id.clone(), c.session_id.clone()]
    );
    assert_eq!(
        ids(e.sessions_between(T0 - 48 * 60 * MINUTE, T0).await.unwrap()),
        [old.session_id.clone()]
    );
    assert!(
        e.sessions_between(T0 + MINUTE, T0 + MINUTE)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        e.sessions_between(T0 + MINUTE, T0)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        e.sessions_between(i64::MIN, i64::MAX).await.unwrap().len(),
        4
    );
    // A card's history, oldest first, from a time on.
    assert_eq!(
        ids(e.card_sessions_since("0001", 0).await.unwrap()),
        [
            old.session_id.clone(),
            a.session_id.clone(),
            c.session_id.clone()
        ]
    );
    assert_eq!(
        e.card_sessions_since("0001", T0 + 1).await.unwrap(),
        vec![c.clone()]
    );
    assert!(e.card_sessions_since("", 0).await.unwrap().is_empty());
    assert!(e.card_sessions_since("000", 0).await.unwrap().is_empty());
    assert_eq!(e.session(&a.session_id).await.unwrap().unwrap(), a_end);
    // What is open, by station.
    assert_eq!(
        ids(e.active_sessions().await.unwrap()),
        [b.session_id.clone(), c.session_id.clone()]
    );
    assert_eq!(e.active_session("st_1").await.unwrap().unwrap(), b);
    assert_eq!(e.open_session_of_card("0001").await.unwrap().unwrap(), c);
    assert!(e.open_session_of_card("").await.unwrap().is_none());
}

async fn signed_reports_are_frozen<E: Engine>(e: Arc<E>) {
    let report = |month: &str, signer: &str| SignedReportRecord {
        month: month.into(),
        pdf: vec![1, 2, 3],
        signer: signer.into(),
        session_ids: vec!["s1".into()],
        ..Default::default()
    };
    assert!(e.signed_report("2026-11").await.unwrap().is_none());
    assert!(
        e.put_signed_report(&report("2026-11", "kepala"))
            .await
            .unwrap()
    );
    assert!(
        !e.put_signed_report(&report("2026-11", "mallory"))
            .await
            .unwrap()
    );
    assert_eq!(
        e.signed_report("2026-11").await.unwrap().unwrap().signer,
        "kepala"
    );
    assert!(
        e.put_signed_report(&report("2026-10", "kepala"))
            .await
            .unwrap()
    );
    let months: Vec<String> = e
        .signed_reports()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.month)
        .collect();
    assert_eq!(months, ["2026-10", "2026-11"]);
    // Two section heads signing at once: one report.
    let wins = race(RACERS, |i| {
        let e = e.clone();
        async move {
            e.put_signed_report(&report("2026-12", &format!("s{i}")))
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(wins.iter().filter(|w| **w).count(), 1);
}

async fn incidents_problems_log<E: Engine>(e: Arc<E>) {
    let incident = |ms: i64, text: &str| IncidentRecord {
        incident_id: session_id_at(ms),
        station_id: "st_0".into(),
        text: text.into(),
        opened_at_ms: ms,
        ..Default::default()
    };
    let a = incident(T0, "monitor mati");
    let b = incident(T0 + MINUTE, "keyboard rusak");
    let c = incident(T0 + 2 * MINUTE, "tidak ada internet");
    for i in [&b, &a, &c] {
        e.put_incident(i).await.unwrap();
    }
    let resolved = IncidentRecord {
        resolved_at_ms: T0 + 3 * MINUTE,
        resolution: "diganti".into(),
        ..b.clone()
    };
    e.put_incident(&resolved).await.unwrap();
    assert_eq!(e.incident(&b.incident_id).await.unwrap().unwrap(), resolved);
    assert!(e.incident("nope").await.unwrap().is_none());
    assert!(e.incident(&session_id_at(T0)).await.unwrap().is_none());
    let texts = |v: Vec<IncidentRecord>| v.into_iter().map(|i| i.text).collect::<Vec<_>>();
    assert_eq!(
        texts(e.recent_incidents(2).await.unwrap()),
        ["tidak ada internet", "keyboard rusak"]
    );
    assert_eq!(
        texts(e.open_incidents().await.unwrap()),
        ["monitor mati", "tidak ada internet"]
    );
    assert_eq!(
        texts(e.incidents_between(T0 + 1, T0 + 3 * MINUTE).await.unwrap()),
        ["keyboard rusak", "tidak ada internet"]
    );
    let mut bad = a.clone();
    bad.incident_id = "x".into();
    assert!(e.put_incident(&bad).await.is_err());
}

async fn racing_for_one_card_gives_one_session<E: Engine>(e: Arc<E>) {
    stations(&*e, RACERS).await;
    let outcomes = race(RACERS, |i| {
        let e = e.clone();
        async move {
            e.start_session(&open_session(&format!("st_{i}"), "0042", T0 + i as i64))
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .all(|o| *o == Ok(()) || *o == Err(StartRefused::CardInUse))
    );
    assert_eq!(e.active_sessions().await.unwrap().len(), 1);
    assert_eq!(e.session_count().await.unwrap(), 1);
    assert!(e.open_session_of_card("0042").await.unwrap().is_some());
}

async fn racing_for_one_station_gives_one_session<E: Engine>(e: Arc<E>) {
    stations(&*e, 1).await;
    let outcomes = race(RACERS, |i| {
        let e = e.clone();
        async move {
            e.start_session(&open_session("st_0", &format!("c{i}"), T0 + i as i64))
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .all(|o| *o == Ok(()) || *o == Err(StartRefused::StationBusy))
    );
    assert_eq!(e.active_sessions().await.unwrap().len(), 1);
    assert_eq!(e.session_count().await.unwrap(), 1);
}

async fn one_event_from_many_tasks_is_applied_once<E: Engine>(e: Arc<E>) {
    stations(&*e, 1).await;
    let s = open_session("st_0", "0001", T0);
    e.start_session(&s).await.unwrap().unwrap();
    // The same logout delivered by many tasks (reconnects): one ends it,
    // each later one sees the event applied.
    let ended = race(RACERS, |i| {
        let e = e.clone();
        let id = s.session_id.clone();
        async move {
            let logout = event("logout-1");
            let end = SessionEnd {
                station_id: "st_0",
                event: &logout,
                applied_at_ms: T0 + i as i64,
            };
            // Whatever the session is, a second application would show.
            let decide = |r: &SessionRecord| {
                Some(SessionRecord {
                    ended_at_ms: T0 + MINUTE,
                    extensions: r.extensions + 1,
                    ..r.clone()
                })
            };
            e.end_session(&id, decide, Some(end)).await.unwrap()
        }
    })
    .await;
    assert_eq!(ended.iter().filter(|o| o.is_some()).count(), 1);
    assert_eq!(
        e.session(&s.session_id).await.unwrap().unwrap().extensions,
        1
    );
    assert_eq!(e.station_events("st_0").await.unwrap().len(), 1);
    let marked = race(RACERS, |i| {
        let e = e.clone();
        async move {
            e.mark_event_applied("st_0", &event("tamper-1"), T0 + i as i64)
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(marked.iter().filter(|m| **m).count(), 1);
    assert_eq!(e.station_events("st_0").await.unwrap().len(), 2);
}

async fn maintenance_and_logins_race_cleanly<E: Engine>(e: Arc<E>) {
    // Logins race a maintenance switch on each station: whatever the
    // order, a session that started did so while the flag was off, and
    // no station gets two.
    stations(&*e, 10).await;
    let outcomes = race(RACERS, |i| {
        let e = e.clone();
        async move {
            let st = format!("st_{}", i % 10);
            if i < 10 {
                e.set_station_maintenance(&st, true).await.unwrap();
                None
            } else {
                Some(
                    e.start_session(&open_session(&st, &format!("c{i}"), T0 + i as i64))
                        .await
                        .unwrap(),
                )
            }
        }
    })
    .await;
    let started = outcomes.iter().flatten().filter(|o| o.is_ok()).count();
    assert!(started <= 10);
    assert_eq!(e.active_sessions().await.unwrap().len(), started);
    for i in 0..10 {
        assert!(
            e.station(&format!("st_{i}"))
                .await
                .unwrap()
                .unwrap()
                .maintenance
        );
    }
    // Now every station refuses.
    let late = open_session("st_0", "late", T0 + MINUTE);
    assert!(matches!(
        e.start_session(&late).await.unwrap(),
        Err(StartRefused::Maintenance | StartRefused::StationBusy)
    ));
}

async fn queue_and_its_log<E: Engine>(e: Arc<E>) {
    assert_eq!(e.queue().await.unwrap(), QueueRecord::default());
    let entry = |card: &str| QueueEntryRecord {
        card: card.into(),
        ..Default::default()
    };
    let wait = |card: &str, ended: i64| QueueWaitRecord {
        card: card.into(),
        joined_at_ms: ended - 10 * MINUTE,
        ended_at_ms: ended,
        ..Default::default()
    };
    let q = QueueRecord {
        entries: vec![entry("0002"), entry("0001")],
    };
    e.put_queue(&q, &[]).await.unwrap();
    assert_eq!(e.queue().await.unwrap(), q);
    let q2 = QueueRecord {
        entries: vec![entry("0001")],
    };
    e.put_queue(&q2, &[wait("0002", T0 + MINUTE), wait("0003", T0)])
        .await
        .unwrap();
    e.put_queue(&QueueRecord::default(), &[wait("0001", T0 + 2 * MINUTE)])
        .await
        .unwrap();
    assert!(e.queue().await.unwrap().entries.is_empty());
    let cards = |v: Vec<QueueWaitRecord>| v.into_iter().map(|w| w.card).collect::<Vec<_>>();
    assert_eq!(
        cards(e.queue_waits_between(T0, T0 + 3 * MINUTE).await.unwrap()),
        ["0003", "0002", "0001"]
    );
    assert_eq!(
        cards(
            e.queue_waits_between(T0 + 1, T0 + 2 * MINUTE)
                .await
                .unwrap()
        ),
        ["0002"]
    );
}

async fn watch_state_with_its_incident<E: Engine>(e: Arc<E>) {
    assert_eq!(e.watch_state().await.unwrap(), WatchRecord::default());
    let state = WatchRecord {
        sites: vec![WatchSiteRecord {
            name: "opac".into(),
            up: false,
            ..Default::default()
        }],
    };
    let outage = IncidentRecord {
        incident_id: session_id_at(T0),
        text: "opac tidak bisa dibuka".into(),
        watch_site: "opac".into(),
        ..Default::default()
    };
    e.put_watch_state(&state, Some(&outage)).await.unwrap();
    assert_eq!(e.watch_state().await.unwrap(), state);
    assert_eq!(e.open_incidents().await.unwrap(), vec![outage.clone()]);
    let closed = IncidentRecord {
        resolved_at_ms: T0 + MINUTE,
        ..outage.clone()
    };
    e.put_watch_state(&WatchRecord::default(), Some(&closed))
        .await
        .unwrap();
    assert!(e.open_incidents().await.unwrap().is_empty());
    assert_eq!(
        e.incident(&outage.incident_id).await.unwrap().unwrap(),
        closed
    );
    // A bad incident id: nothing written, not even the state.
    let bad = IncidentRecord {
        incident_id: "x".into(),
        ..outage
    };
    assert!(e.put_watch_state(&state, Some(&bad)).await.is_err());
    assert_eq!(e.watch_state().await.unwrap(), WatchRecord::default());
}

/// Runs `n` tasks at once (released together) and gives their results in
/// task order.
async fn race<T, F>(n: usize, task: impl Fn(usize) -> F) -> Vec<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let gate = Arc::new(tokio::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let gate = gate.clone();
            let work = task(i);
            tokio::spawn(async move {
                gate.wait().await;
                work.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

// ---- PostgreSQL only: the schema and the harness ----

/// Servers starting at once on a fresh database: each migration applied
/// once, every server opens; reopening changes nothing; a database with a
/// newer schema is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_migrations_apply_once_under_concurrent_starts() {
    let Some(db) = tokio::task::spawn_blocking(|| {
        bilik_tests::postgres::database("postgres_migrations_apply_once_under_concurrent_starts")
    })
    .await
    .unwrap() else {
        return;
    };
    let opens = race(8, |_| {
        let url = db.url.clone();
        async move { PgStore::connect(&url, 2).await.map(|_| ()) }
    })
    .await;
    assert!(opens.iter().all(Result::is_ok), "{opens:?}");
    let store = PgStore::connect(&db.url, 2).await.unwrap();
    store.set_meta("x", b"1").await.unwrap();
    let versions = psql(
        &db.name,
        "SELECT version FROM schema_migrations ORDER BY version",
    );
    let expected: Vec<String> = (1..=bilik_server::store::postgres::SCHEMA_VERSION)
        .map(|v| v.to_string())
        .collect();
    assert_eq!(versions.lines().collect::<Vec<_>>(), expected);
    // A newer server wrote version 999: this one must not touch it.
    psql(
        &db.name,
        "INSERT INTO schema_migrations (version, name) VALUES (999, 'future')",
    );
    let err = PgStore::connect(&db.url, 2).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Database(m) if m.contains("newer")),
        "{err}"
    );
}

/// The engine's error for a refused statement names the constraint, not
/// the values (no card number in a log line).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_errors_do_not_echo_values() {
    let Some(store) = postgres_store("postgres_errors_do_not_echo_values").await else {
        return;
    };
    store.put_station(&station("st_0", "PC-0")).await.unwrap();
    store.put_station(&station("st_1", "PC-1")).await.unwrap();
    let s = open_session("st_0", "8812345", T0);
    store.start_session(&s).await.unwrap().unwrap();
    // The same id on another station for another card: a key conflict,
    // reported without the id or the cards.
    let again = SessionRecord {
        station_id: "st_1".into(),
        card: "8812399".into(),
        ..s.clone()
    };
    let err = store.start_session(&again).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let err = err.to_string();
    for secret in ["8812345", "8812399", s.session_id.as_str()] {
        assert!(!err.contains(secret), "{err}");
    }
    assert_eq!(store.session_count().await.unwrap(), 1);
    // A bad address is refused without being repeated.
    let err = PgStore::connect("postgres://u:s3cr3t@127.0.0.1:notaport/db", 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(!err.contains("s3cr3t"), "{err}");
}

/// A commit is durable whatever the database's defaults say: the engine's
/// connections ask for `synchronous_commit = on`, and check they got it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_commits_are_synchronous_whatever_the_database_says() {
    let Some(db) = tokio::task::spawn_blocking(|| {
        bilik_tests::postgres::database("postgres_commits_are_synchronous")
    })
    .await
    .unwrap() else {
        return;
    };
    psql(
        &db.name,
        &format!("ALTER DATABASE {} SET synchronous_commit = off", db.name),
    );
    psql(
        &db.name,
        &format!(
            "ALTER ROLE bilik IN DATABASE {} SET synchronous_commit = off",
            db.name
        ),
    );
    let store = PgStore::connect(&db.url, 2).await.unwrap();
    store.set_meta("durable", b"yes").await.unwrap();
    assert_eq!(
        psql(&db.name, "SHOW fsync").trim(),
        "on",
        "the test cluster syncs its WAL"
    );
}

/// Runs one SQL statement on a test database as the superuser; its output.
fn psql(db: &str, sql: &str) -> String {
    let cluster = bilik_tests::postgres::cluster().unwrap();
    cluster.psql(db, sql)
}

/// Killed with SIGKILL, a test process leaves no PostgreSQL behind: the
/// watchdog stops the postmaster and removes the cluster's directory.
#[test]
fn harness_leaves_no_server_behind() {
    if std::env::var_os("BILIK_PG_CHILD").is_some() {
        return;
    }
    if bilik_tests::postgres::database("harness_leaves_no_server_behind").is_none() {
        return;
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "pg_child_holds_a_cluster",
            "--ignored",
            "--nocapture",
        ])
        .env("BILIK_PG_CHILD", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let (pid, dir) = loop {
        line.clear();
        let n = std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert!(n > 0, "the child ended before starting its cluster");
        if let Some(rest) = line.trim().strip_prefix("CLUSTER ") {
            let (pid, dir) = rest.split_once(' ').unwrap();
            break (pid.parse::<u32>().unwrap(), std::path::PathBuf::from(dir));
        }
    };
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists(), "the child's postmaster is running");
    assert!(dir.join("data").exists());
    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while proc_dir.exists() || dir.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "postmaster {pid} or {} outlived its test process",
            dir.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The child of [`harness_leaves_no_server_behind`]: starts a cluster,
/// says where, and waits to be killed.
#[test]
#[ignore = "run by harness_leaves_no_server_behind"]
fn pg_child_holds_a_cluster() {
    let cluster = bilik_tests::postgres::cluster().unwrap();
    println!(
        "CLUSTER {} {}",
        cluster.postmaster_pid,
        cluster.dir.display()
    );
    // Blocks until killed: the parent's SIGKILL is the only way out.
    let (_tx, rx) = std::sync::mpsc::channel::<()>();
    let _ = rx.recv_timeout(std::time::Duration::from_secs(120));
}

/// Both engines are `Engine`s (compile-time check of the two adapters).
#[allow(dead_code)]
fn both_engines(sled: Store, pg: PgStore) -> (impl Engine, impl Engine) {
    (sled, pg)
}
