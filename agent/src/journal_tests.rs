//! Tests of the journal (kept apart so `journal.rs` reads in one sitting).
#![allow(clippy::unwrap_used)]

use super::*;
use bilik_proto::v1::{EndReason, SessionEnded, Tamper};

fn tamper(detail: &str) -> AgentEvent {
    new_event(agent_event::Kind::Tamper(Tamper {
        detail: detail.to_owned(),
    }))
}

fn ids(events: &[AgentEvent]) -> Vec<String> {
    events.iter().map(|e| e.event_id.clone()).collect()
}

fn open(dir: &Path) -> (Journal, Option<JournalDamage>) {
    Journal::open(dir).unwrap()
}

fn journal_bytes(dir: &Path) -> Vec<u8> {
    fs::read(dir.join(FILE_NAME)).unwrap()
}

/// Writes `events` to a journal in a fresh directory, returning the file's
/// bytes and the offset where the last record starts.
fn journal_with(events: &[AgentEvent]) -> (Vec<u8>, usize) {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let mut last_start = 0;
    for e in events {
        last_start = j.file_len() as usize;
        j.append(e.clone()).unwrap();
    }
    (journal_bytes(dir.path()), last_start)
}

#[test]
fn empty_directory_opens_empty() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state/nested");
    let (j, damage) = open(&state);
    assert!(damage.is_none());
    assert!(j.pending().is_empty());
    assert!(state.join(FILE_NAME).exists());
}

#[test]
fn append_ack_reopen_keeps_only_pending_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let events: Vec<AgentEvent> = (0..5).map(|i| tamper(&format!("e{i}"))).collect();
    {
        let (mut j, _) = open(dir.path());
        for e in &events {
            j.append(e.clone()).unwrap();
        }
        assert_eq!(j.pending(), events);
        let acked = j
            .ack(&[events[1].event_id.clone(), events[3].event_id.clone()])
            .unwrap();
        assert_eq!(acked, 2);
    }
    let (j, damage) = open(dir.path());
    assert!(damage.is_none());
    assert_eq!(
        ids(&j.pending()),
        ids(&[events[0].clone(), events[2].clone(), events[4].clone()])
    );
    assert_eq!(j.pending()[0], events[0], "events survive byte for byte");
}

#[test]
fn every_kind_of_event_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let events = vec![
        new_event(agent_event::Kind::SessionEnded(SessionEnded {
            session_id: "s-1".into(),
            reason: EndReason::TimeUp as i32,
            elapsed_ms: Some(3_600_000),
        })),
        new_event(agent_event::Kind::HookFailed(bilik_proto::v1::HookFailed {
            hook: "cleanup".into(),
            exit_code: 3,
            detail: "rm: permission denied".into(),
            timed_out: false,
        })),
        tamper("clock moved back 2 h"),
    ];
    {
        let (mut j, _) = open(dir.path());
        for e in &events {
            j.append(e.clone()).unwrap();
        }
    }
    assert_eq!(open(dir.path()).0.pending(), events);
}

#[test]
fn acking_everything_compacts_to_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let a = tamper("a");
    let b = tamper("b");
    j.append(a.clone()).unwrap();
    j.append(b.clone()).unwrap();
    j.ack(std::slice::from_ref(&a.event_id)).unwrap();
    assert!(j.file_len() > 0);
    j.ack(std::slice::from_ref(&b.event_id)).unwrap();
    assert_eq!(j.file_len(), 0);
    assert!(journal_bytes(dir.path()).is_empty());
    assert!(!dir.path().join(TMP_NAME).exists());
    // And it keeps working after the rewrite.
    let c = tamper("c");
    j.append(c.clone()).unwrap();
    drop(j);
    assert_eq!(open(dir.path()).0.pending(), vec![c]);
}

#[test]
fn acks_of_unknown_or_repeated_ids_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let a = tamper("a");
    j.append(a.clone()).unwrap();
    let len = j.file_len();
    assert_eq!(j.ack(&["no-such-id".into(), String::new()]).unwrap(), 0);
    assert_eq!(j.file_len(), len, "nothing written for unknown ids");
    assert_eq!(j.pending(), vec![a.clone()]);
    assert_eq!(
        j.ack(&[a.event_id.clone(), a.event_id.clone(), "x".into()])
            .unwrap(),
        1
    );
    assert_eq!(j.ack(std::slice::from_ref(&a.event_id)).unwrap(), 0);
    assert!(j.pending().is_empty());
}

#[test]
fn duplicate_appends_are_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let a = tamper("a");
    j.append(a.clone()).unwrap();
    let len = j.file_len();
    j.append(a.clone()).unwrap();
    assert_eq!(j.file_len(), len);
    assert_eq!(j.pending(), vec![a]);
}

#[test]
fn events_without_an_id_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let mut e = tamper("a");
    e.event_id.clear();
    assert!(matches!(j.append(e), Err(JournalError::MissingEventId)));
    assert_eq!(j.file_len(), 0);
}

#[test]
fn oversized_events_are_refused_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let huge = tamper(&"x".repeat(MAX_RECORD_LEN + 1));
    assert!(matches!(
        j.append(huge),
        Err(JournalError::RecordTooLarge(_))
    ));
    assert_eq!(j.file_len(), 0);
    drop(j);
    assert!(open(dir.path()).1.is_none());
}

#[test]
fn a_cut_anywhere_inside_the_last_record_is_detected_and_repaired() {
    let events: Vec<AgentEvent> = (0..3).map(|i| tamper(&format!("event {i}"))).collect();
    let (full, last_start) = journal_with(&events);
    for cut in last_start + 1..full.len() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE_NAME), &full[..cut]).unwrap();

        let (mut j, damage) = open(dir.path());
        let damage = damage.unwrap_or_else(|| panic!("cut at {cut} not detected"));
        assert_eq!(damage.kept, 2, "cut at {cut}");
        assert_eq!(damage.at_offset, last_start as u64);
        assert_eq!(damage.lost_bytes, (cut - last_start) as u64);
        assert_eq!(damage.reason, DamageReason::Truncated, "cut at {cut}");
        assert_eq!(fs::read(&damage.moved_to).unwrap(), &full[..cut]);
        assert!(
            damage
                .moved_to
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("journal.log.damaged-")
        );
        assert_eq!(j.pending(), events[..2]);
        assert_eq!(journal_bytes(dir.path()), &full[..last_start]);

        // The agent carries on: new events are kept, and the next open is clean.
        let more = tamper("after repair");
        j.append(more.clone()).unwrap();
        drop(j);
        let (j, damage) = open(dir.path());
        assert!(damage.is_none(), "cut at {cut}: {damage:?}");
        let mut want = events[..2].to_vec();
        want.push(more);
        assert_eq!(j.pending(), want);
    }
}

#[test]
fn a_cut_on_a_record_boundary_is_a_shorter_valid_journal() {
    let events: Vec<AgentEvent> = (0..3).map(|i| tamper(&format!("event {i}"))).collect();
    let (full, last_start) = journal_with(&events);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(FILE_NAME), &full[..last_start]).unwrap();
    let (j, damage) = open(dir.path());
    assert!(damage.is_none());
    assert_eq!(j.pending(), events[..2]);
}

#[test]
fn a_flipped_byte_in_the_middle_drops_that_record_and_the_rest() {
    let events: Vec<AgentEvent> = (0..3).map(|i| tamper(&format!("event {i}"))).collect();
    let (mut bytes, _) = journal_with(&events);
    let (first_only, _) = journal_with(&events[..1]);
    let second_start = first_only.len();
    bytes[second_start + HEADER_LEN + 3] ^= 0x40;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(FILE_NAME), &bytes).unwrap();
    let (j, damage) = open(dir.path());
    let damage = damage.unwrap();
    assert_eq!(damage.reason, DamageReason::BadChecksum);
    assert_eq!(damage.kept, 1);
    assert_eq!(damage.at_offset, second_start as u64);
    assert_eq!(damage.lost_bytes, (bytes.len() - second_start) as u64);
    assert_eq!(j.pending(), events[..1]);
}

#[test]
fn a_garbage_file_is_damage_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = b"this is not a journal at all, just text\n".repeat(10);
    fs::write(dir.path().join(FILE_NAME), &garbage).unwrap();
    let (mut j, damage) = open(dir.path());
    let damage = damage.unwrap();
    assert_eq!(damage.kept, 0);
    assert_eq!(damage.at_offset, 0);
    assert_eq!(damage.lost_bytes, garbage.len() as u64);
    assert!(j.pending().is_empty());
    assert_eq!(fs::read(&damage.moved_to).unwrap(), garbage);
    assert!(journal_bytes(dir.path()).is_empty());
    j.append(tamper("fine")).unwrap();
    assert!(damage.to_string().contains("kept 0 records"));
}

#[test]
fn a_zeroed_tail_is_damage_not_empty_records() {
    let events = vec![tamper("a")];
    let (mut bytes, _) = journal_with(&events);
    let good = bytes.len();
    bytes.extend(std::iter::repeat_n(0u8, 4096));
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(FILE_NAME), &bytes).unwrap();
    let (j, damage) = open(dir.path());
    let damage = damage.unwrap();
    assert_eq!(damage.reason, DamageReason::BadLength);
    assert_eq!(damage.at_offset, good as u64);
    assert_eq!(j.pending(), events);
}

#[test]
fn a_well_framed_record_of_unknown_kind_is_damage() {
    // Field 9, varint 1: valid protobuf, but no record kind we know.
    let payload = [0x48u8, 0x01];
    let len_bytes = (payload.len() as u32).to_le_bytes();
    let mut bytes = len_bytes.to_vec();
    bytes.extend(checksum(len_bytes, &payload).to_le_bytes());
    bytes.extend(payload);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(FILE_NAME), &bytes).unwrap();
    let (_, damage) = open(dir.path());
    assert_eq!(damage.unwrap().reason, DamageReason::Undecodable);
}

#[test]
fn two_damages_in_a_row_keep_both_copies() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(FILE_NAME), b"garbage one").unwrap();
    let (_, first) = open(dir.path());
    fs::write(dir.path().join(FILE_NAME), b"garbage two").unwrap();
    let (_, second) = open(dir.path());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_ne!(first.moved_to, second.moved_to);
    assert_eq!(fs::read(&first.moved_to).unwrap(), b"garbage one");
    assert_eq!(fs::read(&second.moved_to).unwrap(), b"garbage two");
}

#[test]
fn a_leftover_compaction_temp_file_is_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let a = tamper("a");
    {
        let (mut j, _) = open(dir.path());
        j.append(a.clone()).unwrap();
    }
    fs::write(dir.path().join(TMP_NAME), b"half-written compaction").unwrap();
    let (j, damage) = open(dir.path());
    assert!(damage.is_none());
    assert_eq!(j.pending(), vec![a]);
    assert!(!dir.path().join(TMP_NAME).exists());
}

#[test]
fn a_journal_of_dead_records_is_compacted_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let a = tamper("a");
    // An append then its ack, as a crash before compaction would leave it.
    let mut bytes = frame(&Record {
        kind: Some(RecordKind::Appended(a.clone())),
    })
    .unwrap();
    bytes.extend(
        frame(&Record {
            kind: Some(RecordKind::Acked(Acked {
                event_ids: vec![a.event_id.clone()],
            })),
        })
        .unwrap(),
    );
    fs::write(dir.path().join(FILE_NAME), &bytes).unwrap();
    let (j, damage) = open(dir.path());
    assert!(damage.is_none());
    assert!(j.pending().is_empty());
    assert_eq!(j.file_len(), 0);
}

#[test]
fn a_growing_file_is_compacted_past_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let detail = "d".repeat(8 * 1024);
    let mut last: Option<AgentEvent> = None;
    let mut max_len = 0;
    let mut compactions = 0;
    // Keep one event pending at all times so "all acked" never triggers:
    // only the size rule can shrink the file.
    for i in 0..300 {
        let e = tamper(&format!("{i} {detail}"));
        let before = j.file_len();
        j.append(e.clone()).unwrap();
        if let Some(prev) = last.replace(e) {
            j.ack(&[prev.event_id]).unwrap();
        }
        if j.file_len() < before {
            compactions += 1;
        }
        max_len = max_len.max(j.file_len());
    }
    assert!(compactions >= 1, "never compacted");
    assert!(
        max_len <= COMPACT_THRESHOLD + 2 * 9 * 1024,
        "grew to {max_len}"
    );
    drop(j);
    let (j, damage) = open(dir.path());
    assert!(damage.is_none());
    assert_eq!(j.pending(), vec![last.unwrap()]);
}

#[test]
fn a_file_that_is_mostly_live_is_not_rewritten_on_every_append() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = open(dir.path());
    let detail = "d".repeat(64 * 1024);
    let mut prev = 0;
    for i in 0..24 {
        j.append(tamper(&format!("{i} {detail}"))).unwrap();
        assert!(j.file_len() > prev, "rewritten although nothing was acked");
        prev = j.file_len();
    }
    assert!(j.file_len() > COMPACT_THRESHOLD);
    assert_eq!(j.pending_count(), 24);
}

#[test]
fn new_events_have_unique_ids_and_a_current_timestamp() {
    let a = tamper("a");
    let b = tamper("b");
    assert_ne!(a.event_id, b.event_id);
    assert!(uuid::Uuid::parse_str(&a.event_id).is_ok());
    let now = unix_ms_now();
    assert!((now - a.at_ms).abs() < 60_000, "{} vs {now}", a.at_ms);
}
