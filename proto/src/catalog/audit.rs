//! The audit log in plain words: one sentence per kind of entry, with
//! `{actor}`, `{target}` and `{detail}` filled in by [`describe`](crate::catalog::audit::describe), plus the
//! words of the audit page and of `bilik-server audit verify`.

use super::{Lang, Text};

pub mod details;

/// The sentence for an action (`None`: an action this catalogue does not
/// know yet; [`describe`] falls back to its code).
pub fn action_text(action: &str) -> Option<Text> {
    Some(match action {
        "staff.sign_in" => Text {
            id: "{actor} masuk ke Bilik",
            en: "{actor} signed in",
        },
        "alert.login_refusals" => Text {
            id: "Peringatan: banyak kartu ditolak berturut-turut di {target}; login diperlambat ({detail})",
            en: "Alert: many cards refused in a row on {target}; logins slowed down ({detail})",
        },
        "alert.pin_locked" => Text {
            id: "Peringatan: PIN kartu {target} terkunci",
            en: "Alert: the PIN of card {target} is locked",
        },
        "alert.sign_in_failures" => Text {
            id: "Peringatan: percobaan masuk petugas gagal dari {target} ({detail})",
            en: "Alert: failed staff sign-ins from {target} ({detail})",
        },
        "alert.account_throttled" => Text {
            id: "Peringatan: kata sandi akun {target} dicoba berulang kali; masuk diperlambat ({detail})",
            en: "Alert: the password of account {target} was tried repeatedly; sign-ins slowed down ({detail})",
        },
        "alert.enrol_code_failures" => Text {
            id: "Peringatan: kode pendaftaran PC yang salah dari {target} ({detail})",
            en: "Alert: wrong station enrolment codes from {target} ({detail})",
        },
        "alert.tamper" => Text {
            id: "Peringatan: {target} melaporkan percobaan membobol layar kunci ({detail})",
            en: "Alert: {target} reported an attempt to get past its lock screen ({detail})",
        },
        "alert.ended" => Text {
            id: "Rangkaian peringatan tentang {target} berakhir: {detail}",
            en: "A burst of alerts about {target} ended: {detail}",
        },
        "alert.dismiss" => Text {
            id: "{actor} menandai peringatan tentang {target} sudah ditangani",
            en: "{actor} marked the alert about {target} as dealt with",
        },
        "member.pin_locked" => Text {
            id: "PIN anggota {target} terkunci ({detail})",
            en: "The PIN of member {target} was locked ({detail})",
        },
        "member.pin_unlock" => Text {
            id: "{actor} membuka kunci PIN anggota {target}",
            en: "{actor} unlocked the PIN of member {target}",
        },
        "staff.sign_in_failed" => Text {
            id: "Percobaan masuk sebagai {target} gagal",
            en: "A sign-in as {target} failed",
        },
        "staff.sign_in_failures" => Text {
            id: "Beberapa percobaan masuk gagal: {target} ({detail})",
            en: "Several sign-ins failed: {target} ({detail})",
        },
        "staff.locked" => Text {
            id: "Akun {target} dikunci sementara ({detail})",
            en: "Account {target} was locked for a while ({detail})",
        },
        "staff.create" => Text {
            id: "{actor} membuat akun staf {target} ({detail})",
            en: "{actor} created the staff account {target} ({detail})",
        },
        "staff.password_reset" => Text {
            id: "{actor} mengganti kata sandi akun {target}",
            en: "{actor} reset the password of {target}",
        },
        "staff.disable" => Text {
            id: "{actor} menonaktifkan akun {target}",
            en: "{actor} disabled the account {target}",
        },
        "staff.enable" => Text {
            id: "{actor} mengaktifkan kembali akun {target}",
            en: "{actor} enabled the account {target} again",
        },
        "station.unlock" => Text {
            id: "{actor} membuka kunci {target} untuk {detail}",
            en: "{actor} unlocked {target} for {detail}",
        },
        "station.end" => Text {
            id: "{actor} mengakhiri sesi di {target}",
            en: "{actor} ended the session on {target}",
        },
        "station.extend" => Text {
            id: "{actor} memperpanjang sesi di {target} ({detail})",
            en: "{actor} extended the session on {target} ({detail})",
        },
        "station.message" => Text {
            id: "{actor} mengirim pesan ke {target}: \u{201c}{detail}\u{201d}",
            en: "{actor} sent a message to {target}: \u{201c}{detail}\u{201d}",
        },
        "station.maintenance" => Text {
            id: "{actor} mengubah mode pemeliharaan {target} ({detail})",
            en: "{actor} changed maintenance of {target} ({detail})",
        },
        "station.power" => Text {
            id: "{actor} memberi perintah daya ke {target} ({detail})",
            en: "{actor} sent a power command to {target} ({detail})",
        },
        "station.enroll_code" => Text {
            id: "{actor} membuat kode pendaftaran PC {target}",
            en: "{actor} made an enrolment code for {target}",
        },
        "station.enroll" => Text {
            id: "{target} didaftarkan dengan kode dari {actor} (alamat, host: {detail})",
            en: "{target} was enrolled with a code from {actor} (address, host: {detail})",
        },
        "station.reenroll" => Text {
            id: "{target} didaftarkan ulang dengan kode dari {actor} (alamat, host: {detail})",
            en: "{target} was enrolled again with a code from {actor} (address, host: {detail})",
        },
        "station.enroll_refused" => Text {
            id: "Pendaftaran {target} ditolak ({detail})",
            en: "Enrolment of {target} was refused ({detail})",
        },
        "station.enroll_code_failed" => Text {
            id: "Kode pendaftaran salah dari {target} ({detail})",
            en: "A wrong enrolment code from {target} ({detail})",
        },
        "member.save" => Text {
            id: "{actor} menyimpan data anggota {target}",
            en: "{actor} saved the member {target}",
        },
        "member.pin" => Text {
            id: "{actor} mengganti PIN anggota {target}",
            en: "{actor} changed the PIN of member {target}",
        },
        "member.status" => Text {
            id: "{actor} mengubah status anggota {target} menjadi {detail}",
            en: "{actor} set the status of member {target} to {detail}",
        },
        "member.import" => Text {
            id: "{actor} mengimpor data anggota ({detail})",
            en: "{actor} imported members ({detail})",
        },
        "member.export" => Text {
            id: "{actor} mengekspor data anggota ({detail})",
            en: "{actor} exported member data ({detail})",
        },
        "member.erase" => Text {
            id: "{actor} menghapus anggota atas permintaannya (nama samaran {target}; {detail})",
            en: "{actor} erased a member at their request (pseudonym {target}; {detail})",
        },
        "privacy.retention" => Text {
            id: "Masa simpan data pribadi: {detail}",
            en: "Personal-data retention: {detail}",
        },
        "report.sign" => Text {
            id: "{actor} menandatangani laporan bulanan {target}",
            en: "{actor} signed the monthly report {target}",
        },
        "backup.create" => Text {
            id: "{actor} membuat cadangan data ({detail})",
            en: "{actor} made a backup ({detail})",
        },
        "incident.open" => Text {
            id: "{actor} mencatat masalah pada {target}: \u{201c}{detail}\u{201d}",
            en: "{actor} reported a problem with {target}: \u{201c}{detail}\u{201d}",
        },
        "incident.resolve" => Text {
            id: "{actor} menyelesaikan masalah pada {target} ({detail})",
            en: "{actor} resolved a problem with {target} ({detail})",
        },
        "alert.offline_in_session" => Text {
            id: "Peringatan: {target} terputus saat sesi berjalan",
            en: "Alert: {target} went offline during a session",
        },
        "queue.add" => Text {
            id: "{actor} memasukkan kartu {target} ke antrean",
            en: "{actor} added card {target} to the queue",
        },
        "queue.remove" => Text {
            id: "{actor} mengeluarkan kartu {target} dari antrean",
            en: "{actor} took card {target} off the queue",
        },
        "queue.expired" => Text {
            id: "Waktu pesanan {detail} untuk kartu {target} habis",
            en: "The hold on {detail} for card {target} ran out",
        },
        "audit.rekeyed" => Text {
            id: "Log audit lama diberi kunci HMAC ({detail})",
            en: "The older audit log was keyed with HMAC ({detail})",
        },
        _ => return None,
    })
}

/// An entry as one sentence in `lang`. An action not in the catalogue is
/// shown by its code, with its target and detail.
pub fn describe(lang: Lang, actor: &str, action: &str, target: &str, detail: &str) -> String {
    let actor = if actor == "system" {
        SYSTEM.get(lang)
    } else {
        actor
    };
    let detail = details::words(lang, action, detail);
    match action_text(action) {
        Some(text) => {
            let sentence = text
                .get(lang)
                .replace("{actor}", actor)
                .replace("{target}", target)
                .replace("{detail}", &detail);
            // An empty detail leaves "()" behind: drop it.
            sentence.replace(" ()", "")
        }
        None => [actor, action, target, detail.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

/// The kinds of action the audit page filters by: (prefix, label).
pub const KINDS: [(&str, Text); 9] = [
    (
        "staff.",
        Text {
            id: "Akun staf dan masuk",
            en: "Staff accounts and sign-ins",
        },
    ),
    (
        "station.",
        Text {
            id: "PC: buka kunci, sesi, pesan, pendaftaran",
            en: "PCs: unlocks, sessions, messages, enrolment",
        },
    ),
    (
        "member.",
        Text {
            id: "Anggota: data, PIN, impor, ekspor",
            en: "Members: data, PINs, imports, exports",
        },
    ),
    (
        "report.",
        Text {
            id: "Laporan",
            en: "Reports",
        },
    ),
    (
        "incident.",
        Text {
            id: "Catatan masalah",
            en: "Problems log",
        },
    ),
    (
        "backup.",
        Text {
            id: "Cadangan data",
            en: "Backups",
        },
    ),
    (
        "audit.",
        Text {
            id: "Log audit",
            en: "Audit log",
        },
    ),
    (
        "alert.",
        Text {
            id: "Peringatan keamanan",
            en: "Security alerts",
        },
    ),
    (
        "queue.",
        Text {
            id: "Antrean",
            en: "Waiting queue",
        },
    ),
];

/// Who did what when nobody signed in did (first start, re-keying).
pub const SYSTEM: Text = Text {
    id: "Sistem",
    en: "System",
};

/// The filter: every actor / every kind.
pub const ALL: Text = Text {
    id: "Semua",
    en: "All",
};

/// Filter label: who did it.
pub const FILTER_ACTOR: Text = Text {
    id: "Pelaku",
    en: "Actor",
};

/// Filter label: the kind of action.
pub const FILTER_KIND: Text = Text {
    id: "Jenis",
    en: "Kind",
};

/// Filter label: the first day shown.
pub const FILTER_FROM: Text = Text {
    id: "Dari tanggal",
    en: "From",
};

/// Filter label: the last day shown.
pub const FILTER_TO: Text = Text {
    id: "Sampai tanggal",
    en: "To",
};

/// The filter button.
pub const FILTER: Text = Text {
    id: "Saring",
    en: "Filter",
};

/// The column with the sentence.
pub const WHAT_HAPPENED: Text = Text {
    id: "Kejadian",
    en: "What happened",
};

/// The link to older entries.
pub const OLDER: Text = Text {
    id: "Entri lebih lama",
    en: "Older entries",
};

/// No entry matches the filter.
pub const NO_ENTRIES: Text = Text {
    id: "Tidak ada entri yang cocok.",
    en: "No entries match.",
};

/// The chain holds; `{checked}` entries were checked after `{from}`.
pub const CHAIN_INTACT: Text = Text {
    id: "Rantai log audit utuh (kunci HMAC): {last} entri; {checked} entri terbaru diperiksa sejak titik periksa #{from}.",
    en: "The audit chain is intact (HMAC-keyed): {last} entries; the {checked} newest were checked since checkpoint #{from}.",
};

/// The chain is broken at `{seq}`, for `{why}`.
pub const CHAIN_BROKEN: Text = Text {
    id: "Rantai log audit RUSAK mulai entri #{seq}: {why}. Jalankan \"bilik-server audit verify\" dan periksa cadangan.",
    en: "The audit chain is BROKEN from entry #{seq}: {why}. Run \"bilik-server audit verify\" and check the backups.",
};

/// An entry shown on the page whose own MAC is wrong.
pub const ENTRY_ALTERED: Text = Text {
    id: "diubah!",
    en: "altered!",
};

/// The chain-state sentence for the audit page.
pub fn chain_intact(lang: Lang, last: u64, checked: u64, from: u64) -> String {
    CHAIN_INTACT
        .get(lang)
        .replace("{last}", &last.to_string())
        .replace("{checked}", &checked.to_string())
        .replace("{from}", &from.to_string())
}

/// The broken-chain sentence for the audit page.
pub fn chain_broken(lang: Lang, seq: u64, why: &str) -> String {
    CHAIN_BROKEN
        .get(lang)
        .replace("{seq}", &seq.to_string())
        .replace("{why}", why)
}

/// Why an entry is bad, by the store's fault name.
pub fn fault(lang: Lang, name: &str) -> &'static str {
    let text = match name {
        "no_key" => Text {
            id: "kunci audit hilang",
            en: "the audit key is missing",
        },
        "undecodable" => Text {
            id: "entri tidak dapat dibaca",
            en: "the entry cannot be read",
        },
        "missing" => Text {
            id: "entri hilang (dihapus)",
            en: "the entry is missing (removed)",
        },
        "broken_link" => Text {
            id: "entri tidak menyambung dengan entri sebelumnya",
            en: "the entry does not follow the one before it",
        },
        "bad_mac" => Text {
            id: "isi entri diubah (HMAC tidak cocok)",
            en: "the entry was changed (its HMAC does not match)",
        },
        "truncated" => Text {
            id: "log dipotong: entri terakhir dihapus",
            en: "the log was cut short: the last entries were removed",
        },
        "bad_head" => Text {
            id: "kepala rantai hilang atau diubah",
            en: "the chain head is missing or was changed",
        },
        "bad_checkpoint" => Text {
            id: "titik periksa tidak cocok dengan log",
            en: "the checkpoint does not match the log",
        },
        "report_mismatch" => Text {
            id: "laporan bulanan bertanda tangan menyebut kepala rantai lain",
            en: "a signed monthly report names another chain head",
        },
        _ => Text {
            id: "rantai rusak",
            en: "the chain is broken",
        },
    };
    text.get(lang)
}

/// Printed in a signed monthly report: the audit chain head at the month's
/// end; `{seq}` and `{mac}` are filled in by [`report_head`].
pub const REPORT_HEAD: Text = Text {
    id: "Kepala rantai log audit pada akhir bulan: entri #{seq}, HMAC {mac}",
    en: "Audit chain head at the end of the month: entry #{seq}, HMAC {mac}",
};

/// Printed when the log was empty at the month's end.
pub const REPORT_HEAD_EMPTY: Text = Text {
    id: "Log audit masih kosong pada akhir bulan.",
    en: "The audit log was still empty at the end of the month.",
};

/// The audit-head line of a signed report.
pub fn report_head(lang: Lang, seq: u64, mac: &str) -> String {
    if seq == 0 {
        return REPORT_HEAD_EMPTY.get(lang).to_owned();
    }
    REPORT_HEAD
        .get(lang)
        .replace("{seq}", &seq.to_string())
        .replace("{mac}", mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_as_sentences_in_both_languages() {
        assert_eq!(
            describe(Lang::Id, "sari", "station.unlock", "PC-03", "0001"),
            "sari membuka kunci PC-03 untuk 0001"
        );
        assert_eq!(
            describe(Lang::En, "sari", "station.end", "PC-03", ""),
            "sari ended the session on PC-03"
        );
        assert_eq!(
            describe(Lang::Id, "admin", "member.import", "", ""),
            "admin mengimpor data anggota"
        );
        assert_eq!(
            describe(Lang::En, "x", "something.new", "t", ""),
            "x · something.new · t"
        );
        for (prefix, label) in KINDS {
            assert!(prefix.ends_with('.'));
            assert_ne!(label.id, label.en);
        }
    }
}
