//! How the admin commands print what the server sends: its wire views
//! (members, sessions, stations), one line each, times in the library's
//! time zone as the dashboard shows them.

use bilik_proto::v1::{
    EndReason, Member, MemberStatus, QueueEntry, SessionInfo, StationInfo, StationState,
};

/// The library's time zone, as the server named it at sign-in.
#[derive(Debug, Clone, Copy)]
pub(super) struct LibraryTime {
    /// The zone; `None` when the server did not name one (an older server)
    /// or named one this build does not know: times are then printed in UTC.
    zone: Option<chrono_tz::Tz>,
}

impl LibraryTime {
    /// The zone with this IANA name (UTC when empty or unknown).
    pub(super) fn named(name: &str) -> Self {
        Self {
            zone: name.parse().ok(),
        }
    }

    /// A UTC instant (Unix ms) as library-local "YYYY-MM-DD HH:MM:SS"
    /// ("...Z" when the zone is unknown); empty for an impossible instant.
    pub(super) fn format(&self, ms: i64) -> String {
        let Some(utc) = chrono::DateTime::from_timestamp_millis(ms) else {
            return String::new();
        };
        match self.zone {
            Some(zone) => utc
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            None => utc.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        }
    }
}

/// One waiting patron, one line: position, card, name, since, wait or hold.
pub(super) fn queue_entry(time: &LibraryTime, e: &QueueEntry) {
    let state = if e.held_station.is_empty() {
        format!("~{} min", e.estimated_wait_minutes)
    } else {
        format!(
            "held {} until {}",
            e.held_station,
            time.format(e.hold_until_ms)
        )
    };
    println!(
        "{}\t{}\t{}\tsince {}\t{}",
        e.position,
        e.card,
        e.patron_name,
        time.format(e.joined_at_ms),
        state
    );
}

/// One member, one line.
pub(super) fn member(m: &Member) {
    let status = MemberStatus::try_from(m.status).unwrap_or_default();
    println!(
        "{:<12} {:<30} {:<12} expires {:<10} {}",
        m.card,
        m.name,
        m.category,
        m.expires,
        status.as_str_name().trim_start_matches("MEMBER_STATUS_")
    );
}

/// One session, one line.
pub(super) fn session(time: &LibraryTime, s: &SessionInfo) {
    let reason = EndReason::try_from(s.end_reason).unwrap_or_default();
    let end = if s.ended_at_ms == 0 {
        format!("open until {}", time.format(s.ends_at_ms))
    } else {
        format!(
            "ended {} {}",
            time.format(s.ended_at_ms),
            reason.as_str_name().trim_start_matches("END_REASON_")
        )
    };
    println!(
        "{}  {:<8} {:<10} {:<24} {}  {}",
        time.format(s.started_at_ms),
        s.station_name,
        s.card,
        s.patron_name,
        end,
        s.session_id
    );
}

/// One station, one line.
pub(super) fn station(st: &StationInfo) {
    let state = StationState::try_from(st.state).unwrap_or_default();
    let who = st.session.as_ref().map_or(String::new(), |x| {
        format!("  {} ({})", x.patron_name, x.card)
    });
    println!(
        "{:<10} {:<14} {}{}",
        st.name,
        state.as_str_name().trim_start_matches("STATION_STATE_"),
        st.station_id,
        who
    );
}

#[cfg(test)]
mod tests {
    use super::LibraryTime;

    #[test]
    fn times_print_in_the_library_zone() {
        // 2026-11-25 02:00 UTC is 10:00 in Makassar (UTC+8).
        let ms = 1_795_572_000_000;
        assert_eq!(
            LibraryTime::named("Asia/Makassar").format(ms),
            "2026-11-25 10:00:00"
        );
        assert_eq!(LibraryTime::named("").format(ms), "2026-11-25 02:00:00Z");
        assert_eq!(
            LibraryTime::named("Mars/Base").format(ms),
            "2026-11-25 02:00:00Z"
        );
    }
}
