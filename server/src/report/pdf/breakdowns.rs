//! The breakdown tables of the monthly PDF: per station, category x
//! gender, age bands, purposes, end reasons, then per day and per hour made
//! compact (three blocks side by side).

use super::blocks::TABLE;
use super::layout::Layout;
use super::table::{Column, side_by_side};
use crate::report::model::MonthlyReport;
use crate::report::words;
use bilik_proto::catalog::Lang;
use bilik_proto::catalog::report as t;

/// The breakdown tables of the month.
pub(super) fn tables(l: &mut Layout<'_>, report: &MonthlyReport, lang: Lang) {
    let sessions = t::COL_SESSIONS.get(lang);
    let minutes = t::COL_MINUTES.get(lang);

    l.heading(t::SECTION_PER_STATION.get(lang), 40.0);
    let columns = [
        Column::text(t::COL_STATION.get(lang), 3.0),
        Column::number(sessions, 1.5),
        Column::number(minutes, 1.5),
        Column::number(t::COL_UTILISATION.get(lang), 1.8),
    ];
    let rows: Vec<Vec<String>> = report
        .per_station
        .iter()
        .map(|s| {
            vec![
                s.station.clone(),
                words::int(u64::from(s.sessions), lang),
                words::int(s.minutes, lang),
                words::dec1(s.utilisation_percent, lang),
            ]
        })
        .collect();
    l.table(&columns, &rows, TABLE, None);

    l.heading(t::SECTION_CATEGORY_GENDER.get(lang), 40.0);
    let columns = [
        Column::text(t::COL_CATEGORY.get(lang), 3.0),
        Column::number(t::COL_MALE.get(lang), 1.5),
        Column::number(t::COL_FEMALE.get(lang), 1.5),
        Column::number(t::COL_UNKNOWN_GENDER.get(lang), 1.8),
        Column::number(t::COL_TOTAL.get(lang), 1.5),
    ];
    let rows: Vec<Vec<String>> = report
        .category_gender
        .iter()
        .map(|c| {
            let total = u64::from(c.male) + u64::from(c.female) + u64::from(c.unknown);
            vec![
                c.category.clone(),
                words::int(u64::from(c.male), lang),
                words::int(u64::from(c.female), lang),
                words::int(u64::from(c.unknown), lang),
                words::int(total, lang),
            ]
        })
        .collect();
    l.table(&columns, &rows, TABLE, None);

    let count_columns = |label: &str| {
        [
            Column::text(label, 3.0),
            Column::number(sessions, 1.2),
            Column::number(minutes, 1.2),
        ]
    };
    let count_rows = |b: &words::Breakdown<'_>| -> Vec<Vec<String>> {
        b.counts
            .iter()
            .map(|c| {
                vec![
                    (b.label)(&c.label, lang),
                    words::int(u64::from(c.sessions), lang),
                    words::int(c.minutes, lang),
                ]
            })
            .collect()
    };
    for b in words::count_breakdowns(report) {
        if b.section == t::SECTION_HOURS {
            continue; // compact, with the days below
        }
        l.heading(b.section.get(lang), 40.0);
        l.table(
            &count_columns(b.column.get(lang)),
            &count_rows(&b),
            TABLE,
            None,
        );
    }

    l.heading(t::SECTION_PER_DAY.get(lang), 60.0);
    let day_columns = [
        Column::text(t::COL_DATE.get(lang), 2.0),
        Column::number(sessions, 1.1),
        Column::number(minutes, 1.1),
    ];
    let rows: Vec<Vec<String>> = report
        .per_day
        .iter()
        .map(|c| {
            vec![
                c.label.clone(),
                words::int(u64::from(c.sessions), lang),
                words::int(c.minutes, lang),
            ]
        })
        .collect();
    let (columns, rows) = side_by_side(&day_columns, &rows, 3);
    l.table(&columns, &rows, TABLE, None);

    for b in words::count_breakdowns(report) {
        if b.section != t::SECTION_HOURS {
            continue;
        }
        l.heading(b.section.get(lang), 60.0);
        let (columns, rows) = side_by_side(&count_columns(b.column.get(lang)), &count_rows(&b), 3);
        l.table(&columns, &rows, TABLE, None);
    }
}
