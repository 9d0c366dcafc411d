//! Weekly opening hours of the internet service, in library-local time.
//!
//! Written per weekday as a list of ranges, e.g. `"08:00-12:00, 13:00-16:00"`;
//! an empty string or `"closed"` closes the day; `"00:00-24:00"` is all day.

use chrono::{Datelike, NaiveTime, Timelike, Weekday};

/// Why a day's hours could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad opening hours {text:?}: {reason} (write e.g. \"08:00-16:00\" or \"closed\")")]
pub struct HoursError {
    /// The text as written in the configuration.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

/// One open period of a day, in minutes since local midnight, `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRange {
    /// First open minute.
    pub start: u32,
    /// First minute after closing.
    pub end: u32,
}

/// Open ranges for each weekday, Monday first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    /// Index 0 is Monday; each list sorted and non-overlapping.
    days: [Vec<OpenRange>; 7],
}

impl OpeningHours {
    /// Open all day, every day: the default when nothing is configured.
    pub fn always_open() -> OpeningHours {
        let all = vec![OpenRange {
            start: 0,
            end: 24 * 60,
        }];
        OpeningHours {
            days: std::array::from_fn(|_| all.clone()),
        }
    }

    /// Sets one weekday's hours from text.
    pub fn set_day(&mut self, day: Weekday, text: &str) -> Result<(), HoursError> {
        self.days[day.num_days_from_monday() as usize] = parse_day(text)?;
        Ok(())
    }

    /// The open ranges of one weekday, in order.
    pub fn ranges(&self, day: Weekday) -> &[OpenRange] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// The hours of one weekday, formatted back as text.
    pub fn day_text(&self, day: Weekday) -> String {
        let ranges = &self.days[day.num_days_from_monday() as usize];
        if ranges.is_empty() {
            return "closed".to_owned();
        }
        ranges
            .iter()
            .map(|r| format!("{}-{}", fmt_minute(r.start), fmt_minute(r.end)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Minutes from `local` until the service closes, or `None` when closed
    /// at that moment. A range ending at 24:00 continues into a next-day
    /// range starting at 00:00.
    pub fn minutes_to_closing(&self, local: chrono::NaiveDateTime) -> Option<u32> {
        let day = local.weekday();
        let minute = local.time().hour() * 60 + local.time().minute();
        let range = self.days[day.num_days_from_monday() as usize]
            .iter()
            .find(|r| r.start <= minute && minute < r.end)?;
        // Seconds already elapsed in the current minute count against the patron.
        let mut left = range.end - minute;
        if range.end == 24 * 60 {
            let next = &self.days[day.succ().num_days_from_monday() as usize];
            if let Some(first) = next.first().filter(|r| r.start == 0) {
                left += first.end;
            }
        }
        if local.time().second() > 0 {
            left = left.saturating_sub(1);
        }
        Some(left)
    }
}

fn fmt_minute(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn parse_day(text: &str) -> Result<Vec<OpenRange>, HoursError> {
    let err = |reason: &str| HoursError {
        text: text.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("closed") || trimmed == "tutup" {
        return Ok(Vec::new());
    }
    let mut ranges = Vec::new();
    for part in trimmed.split(',') {
        let (start, end) = part
            .trim()
            .split_once('-')
            .ok_or_else(|| err("a range needs a start and an end separated by '-'"))?;
        let start = parse_minute(start.trim()).ok_or_else(|| err("not a time HH:MM"))?;
        let end = parse_minute(end.trim()).ok_or_else(|| err("not a time HH:MM"))?;
        if start >= end {
            return Err(err("a range must end after it starts"));
        }
        ranges.push(OpenRange { start, end });
    }
    ranges.sort_by_key(|r| r.start);
    if ranges.windows(2).any(|w| w[0].end > w[1].start) {
        return Err(err("ranges overlap"));
    }
    Ok(ranges)
}

fn parse_minute(text: &str) -> Option<u32> {
    if text == "24:00" {
        return Some(24 * 60);
    }
    let time = NaiveTime::parse_from_str(text, "%H:%M").ok()?;
    Some(time.hour() * 60 + time.minute())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, s)
            .unwrap()
    }

    fn weekdays_8_to_16() -> OpeningHours {
        let mut hours = OpeningHours::always_open();
        for day in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu] {
            hours.set_day(day, "08:00-16:00").unwrap();
        }
        hours
            .set_day(Weekday::Fri, "08:00-11:00, 13:00-16:00")
            .unwrap();
        hours.set_day(Weekday::Sat, "closed").unwrap();
        hours.set_day(Weekday::Sun, "").unwrap();
        hours
    }

    #[test]
    fn minutes_to_closing_inside_and_outside() {
        let hours = weekdays_8_to_16();
        // 2026-11-25 is a Wednesday.
        assert_eq!(
            hours.minutes_to_closing(at(2026, 11, 25, 15, 40, 0)),
            Some(20)
        );
        assert_eq!(
            hours.minutes_to_closing(at(2026, 11, 25, 15, 40, 30)),
            Some(19)
        );
        assert_eq!(
            hours.minutes_to_closing(at(2026, 11, 25, 8, 0, 0)),
            Some(480)
        );
        assert_eq!(hours.minutes_to_closing(at(2026, 11, 25, 16, 0, 0)), None);
        assert_eq!(hours.minutes_to_closing(at(2026, 11, 25, 7, 59, 59)), None);
        // Friday's break.
        assert_eq!(hours.minutes_to_closing(at(2026, 11, 27, 12, 0, 0)), None);
        assert_eq!(
            hours.minutes_to_closing(at(2026, 11, 27, 10, 30, 0)),
            Some(30)
        );
        // Saturday closed.
        assert_eq!(hours.minutes_to_closing(at(2026, 11, 28, 10, 0, 0)), None);
    }

    #[test]
    fn always_open_runs_across_midnight() {
        let hours = OpeningHours::always_open();
        assert_eq!(
            hours.minutes_to_closing(at(2026, 11, 25, 23, 50, 0)),
            Some(10 + 24 * 60)
        );
    }

    #[test]
    fn bad_text_is_refused_with_reason() {
        let mut hours = OpeningHours::always_open();
        for bad in [
            "8-16",
            "16:00-08:00",
            "08:00",
            "08:00-12:00,11:00-13:00",
            "25:00-26:00",
        ] {
            let err = hours.set_day(Weekday::Mon, bad).unwrap_err();
            assert_eq!(err.text, bad);
        }
        hours
            .set_day(Weekday::Mon, "13:00-16:00,08:00-12:00")
            .unwrap();
        assert_eq!(hours.day_text(Weekday::Mon), "08:00-12:00, 13:00-16:00");
    }
}
