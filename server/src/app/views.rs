//! Records as the outside sees them (wire messages for gRPC and the dashboard).

use bilik_proto::store::v1::{MemberRecord, SessionRecord};
use bilik_proto::v1::{Lease, Member, SessionInfo};

/// A stored session as staff see it.
pub(super) fn session_info(s: &SessionRecord) -> SessionInfo {
    SessionInfo {
        session_id: s.session_id.clone(),
        station_id: s.station_id.clone(),
        station_name: s.station_name.clone(),
        card: s.card.clone(),
        patron_name: s.patron_name.clone(),
        purpose: s.purpose.clone(),
        started_at_ms: s.started_at_ms,
        ends_at_ms: s.ends_at_ms,
        ended_at_ms: s.ended_at_ms,
        end_reason: s.end_reason,
        unlocked_by: s.unlocked_by.clone(),
        guest_note: s.guest_note.clone(),
        extensions: s.extensions,
        category: s.category.clone(),
        gender: s.gender,
    }
}

/// An open session as the agent enforces it.
pub(super) fn lease(s: &SessionRecord, now_ms: i64) -> Lease {
    let minutes = ((s.ends_at_ms - s.started_at_ms).max(0) + 59_999) / 60_000;
    let minutes = u32::try_from(minutes).unwrap_or(u32::MAX);
    Lease {
        session_id: s.session_id.clone(),
        ends_at_ms: s.ends_at_ms,
        server_time_ms: now_ms,
        started_at_ms: s.started_at_ms,
        minutes,
        patron_name: if s.patron_name.is_empty() {
            bilik_proto::catalog::GUEST.id.to_owned()
        } else {
            s.patron_name.clone()
        },
        card: s.card.clone(),
    }
}

/// A stored member as staff see it (never the PIN hash).
pub(super) fn member(m: &MemberRecord) -> Member {
    Member {
        card: m.card.clone(),
        name: m.name.clone(),
        gender: m.gender,
        birth_date: m.birth_date.clone(),
        category: m.category.clone(),
        institution: m.institution.clone(),
        email: m.email.clone(),
        phone: m.phone.clone(),
        address: m.address.clone(),
        registered: m.registered.clone(),
        expires: m.expires.clone(),
        status: m.status,
        source: m.source.clone(),
        notes: m.notes.clone(),
        pin: String::new(),
        has_pin: !m.pin_hash.is_empty(),
        pin_locked: m.pin_locked_at_ms != 0,
        occupation: m.occupation.clone(),
        education: m.education.clone(),
    }
}
