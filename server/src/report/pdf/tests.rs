//! PDF export tests. Text checks run `pdftotext` (poppler-utils); without
//! it they print a loud SKIP, unless BILIK_E2E=require, which makes a
//! missing tool a failure.

use super::*;
use crate::report::fixtures;
use std::io::Write as _;
use std::process::{Command, Stdio};

/// The text of `pdf` as pdftotext reads it (layout mode), or None when
/// pdftotext is not installed.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let child = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(_) => {
            if std::env::var("BILIK_E2E").as_deref() == Ok("require") {
                panic!("pdftotext is not installed (poppler-utils) and BILIK_E2E=require");
            }
            eprintln!(
                "!!!!! SKIP: pdftotext not found (install poppler-utils); PDF text not checked"
            );
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Collapses runs of spaces, so layout-mode columns compare as words.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn monthly_pdf_has_title_month_and_totals() {
    let report = fixtures::signed_fixture();
    let pdf = monthly(&report, Lang::Id, None).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 3_000_000, "{} bytes", pdf.len());
    if std::env::var("BILIK_KEEP_PDF").is_ok() {
        std::fs::write("/tmp/bilik-monthly.pdf", &pdf).unwrap();
    }
    let Some(text) = pdftotext(&pdf) else { return };
    let flat = squeeze(&text);
    for needle in [
        "PEMERINTAH KABUPATEN SINJAI",
        "DINAS PERPUSTAKAAN DAN KEARSIPAN",
        "Laporan Bulanan Penggunaan Fasilitas Internet",
        "Bulan: November 2026",
        "Jumlah sesi 9",
        "Jumlah anggota (berbeda) 6",
        "Jumlah menit pemakaian 320",
        "Jumlah jam pemakaian 5,3",
        "Kategori × Jenis Kelamin",
        "Jumlah sesi per hari",
        "Disiapkan oleh",
        "Mengetahui,",
        "Kepala Seksi Layanan",
        "Drs. Andi Baso Mappaturung",
        "NIP. 19750812 200003 1 004",
        "Ditandatangani secara elektronik oleh Drs. Andi Baso Mappaturung (NIP 19750812 200003 1 004) pada 2026-12-02 10:15",
        "Adendum",
        "Late Arrival",
        "Halaman 1 dari",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let pages = text.matches('\u{c}').count();
    assert!(
        text.contains(&format!("Halaman {pages} dari {pages}")),
        "{text}"
    );
}

#[test]
fn monthly_pdf_in_english() {
    let report = fixtures::fixture();
    let pdf = monthly(&report, Lang::En, None).unwrap();
    let Some(text) = pdftotext(&pdf) else { return };
    let flat = squeeze(&text);
    for needle in [
        "Monthly Report on the Use of the Internet Facility",
        "Month: November 2026",
        "Sessions 9",
        "Hours used 5.3",
        "Prepared by",
        "Head of the Service Section",
        "Page 1 of",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!flat.contains("Signed electronically"));
}

#[test]
fn daily_pdf_has_the_sessions() {
    let recap = fixtures::daily_fixture();
    let pdf = daily(&recap, Lang::Id).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if std::env::var("BILIK_KEEP_PDF").is_ok() {
        std::fs::write("/tmp/bilik-daily.pdf", &pdf).unwrap();
    }
    let Some(text) = pdftotext(&pdf) else { return };
    let flat = squeeze(&text);
    for needle in [
        "Rekapitulasi Harian Penggunaan Fasilitas Internet",
        "Tanggal: Senin, 2 November 2026",
        "Andi Saputra",
        "Siti \"Ani\" Rahma, S.Pd.",
        "0012345",
        "Waktu habis",
        "Jumlah menit pemakaian 95",
        "Disiapkan oleh",
        "Halaman 1 dari 1",
    ] {
        assert!(flat.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn same_input_same_bytes() {
    let report = fixtures::signed_fixture();
    let a = monthly(&report, Lang::Id, None).unwrap();
    // Another document in between moves printpdf's id counter.
    let _ = daily(&fixtures::daily_fixture(), Lang::Id).unwrap();
    let b = monthly(&report, Lang::Id, None).unwrap();
    assert!(a == b, "two renderings of the same report differ");

    let mut other = report.clone();
    other.totals.sessions += 1;
    assert!(monthly(&other, Lang::Id, None).unwrap() != a);
}

#[test]
fn long_month_flows_onto_more_pages() {
    let mut report = fixtures::signed_fixture();
    let row = report.addendum[0].clone();
    report.addendum = (0..120).map(|_| row.clone()).collect();
    let pdf = monthly(&report, Lang::Id, None).unwrap();
    let Some(text) = pdftotext(&pdf) else { return };
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 4, "{pages} pages");
    assert!(text.contains(&format!("Halaman {pages} dari {pages}")));
    // The signature block still comes last.
    let flat = squeeze(&text);
    assert!(flat.rfind("Kepala Seksi Layanan") > flat.rfind("Late Arrival"));
}

#[test]
fn empty_day_and_empty_month_render() {
    let mut recap = fixtures::daily_fixture();
    recap.rows.clear();
    recap.total_sessions = 0;
    let pdf = daily(&recap, Lang::Id).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    let mut report = fixtures::fixture();
    report.problems.clear();
    for c in report.per_day.iter_mut().chain(report.hours.iter_mut()) {
        c.sessions = 0;
        c.minutes = 0;
    }
    let pdf = monthly(&report, Lang::Id, None).unwrap();
    if let Some(text) = pdftotext(&pdf) {
        assert!(squeeze(&text).contains("Tidak ada masalah yang tercatat."));
    }
}

#[test]
fn signed_report_prints_place_date_preparer_and_fingerprint() {
    let report = fixtures::signed_fixture();
    let fingerprint = "ab".repeat(32);
    let with = monthly(&report, Lang::Id, Some(&fingerprint)).unwrap();
    let without = monthly(&report, Lang::Id, None).unwrap();
    // The QR code is drawn as one filled square per dark module.
    assert!(with.len() > without.len() + 2_000, "a QR code is drawn");
    let Some(text) = pdftotext(&with) else { return };
    let flat = squeeze(&text);
    assert!(flat.contains(&fingerprint), "{text}");
    assert!(flat.contains("Sinjai,"), "{text}");
    assert!(flat.contains("Hasnah, A.Md."), "{text}");
    assert!(
        flat.contains("19900101 201503 2 001"),
        "the preparer's NIP: {text}"
    );
}
