//! Every page of the dashboard in Indonesian, in headless Chromium, signed
//! in as an admin: no visible text carries an English sentence of the
//! catalogue, an internal code or an English format hint; a refused form
//! shows the refusal inside itself, in Indonesian, with everything typed
//! kept. Screenshots of each page (1366×768) go to
//! target/test-artifacts/dashboard/words-*.png. Without chromium and
//! chromium-driver the test skips loudly; with `BILIK_E2E=require` it fails.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::Role;
use bilik_tests::agent::enroll_station;
use bilik_tests::web::{Account, Browser, Desk};
use std::path::{Path, PathBuf};

/// Every visible text of the page, one entry per text node, placeholder,
/// title and button value.
const VISIBLE_TEXT: &str = r#"
var out = [];
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
var node;
while ((node = walker.nextNode())) {
  var el = node.parentElement;
  if (!el || ["SCRIPT", "STYLE", "NOSCRIPT"].indexOf(el.tagName) >= 0) { continue; }
  var shown = el.tagName === "OPTION" || el.closest("option") !== null
    || (el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null);
  var text = node.textContent.replace(/\s+/g, " ").trim();
  if (shown && text) { out.push(text); }
}
document.querySelectorAll("[placeholder],[title],[aria-label],input[type=submit],input[type=button]").forEach(function (el) {
  ["placeholder", "title", "aria-label", "value"].forEach(function (a) {
    if ((a !== "value" || el.tagName === "INPUT") && el.getAttribute(a)) { out.push(el.getAttribute(a)); }
  });
});
out.push(document.title);
return out;
"#;

/// The catalogue's source files (the one place user-facing words live).
fn catalogue_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../proto/src");
    let mut files = vec![root.join("catalog.rs")];
    let mut dirs = vec![root.join("catalog")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The audit log's action codes: the keys of the catalogue's audit
/// sentences (`"station.enroll" => Text {`).
fn audit_codes() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../proto/src/catalog/audit.rs");
    let source = std::fs::read_to_string(root).unwrap();
    let codes: Vec<String> = source
        .lines()
        .filter_map(|line| line.trim().strip_suffix("=> Text {"))
        .filter_map(|key| literal(key.trim().strip_prefix('"')?).map(|(code, _)| code))
        .collect();
    assert!(codes.len() > 20, "only {} audit codes found", codes.len());
    codes
}

/// The Rust string literal at the start of `s` (after its opening quote):
/// its value and the rest of `s`.
fn literal(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                other => out.push(other),
            },
            other => out.push(other),
        }
    }
    None
}

/// Every `Text { id: "…", en: "…" }` pair of the catalogue.
fn catalogue_pairs() -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for file in catalogue_files() {
        let source = std::fs::read_to_string(&file).unwrap();
        let mut rest = source.as_str();
        while let Some(at) = rest.find("id: \"") {
            let Some((id, after)) = literal(&rest[at + 5..]) else {
                break;
            };
            rest = after;
            let next = after.trim_start_matches([',', ' ', '\n', '\r']);
            if let Some((en, after)) = next.strip_prefix("en: \"").and_then(literal) {
                pairs.push((id, en));
                rest = after;
            }
        }
    }
    assert!(
        pairs.len() > 300,
        "only {} catalogue pairs found",
        pairs.len()
    );
    pairs
}

/// Whether `needle` occurs in `hay` as whole words.
fn contains_words(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        if !word(before) && !word(after) {
            return true;
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The English pieces no Indonesian page may show: each English sentence of
/// the catalogue (split at its `{placeholders}`), unless the piece is also
/// Indonesian (a shared word such as "PDF" or "Status").
fn english_pieces(pairs: &[(String, String)]) -> Vec<String> {
    let indonesian: Vec<&str> = pairs.iter().map(|(id, _)| id.as_str()).collect();
    let mut pieces: Vec<String> = Vec::new();
    for (id, en) in pairs {
        if id == en {
            continue;
        }
        let mut piece = String::new();
        let mut depth = 0;
        let mut flush = |piece: &mut String| {
            let p = piece
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_owned();
            piece.clear();
            let letters = p.chars().filter(|c| c.is_alphabetic()).count();
            if letters >= 4
                && !indonesian.iter().any(|i| contains_words(i, &p))
                && !pieces.contains(&p)
            {
                pieces.push(p);
            }
        };
        for c in en.chars() {
            match c {
                '{' => {
                    depth += 1;
                    flush(&mut piece);
                }
                '}' => depth -= 1,
                c if depth == 0 => piece.push(c),
                _ => {}
            }
        }
        flush(&mut piece);
    }
    pieces
}

/// What the test itself made and the dashboard shows as is.
const DATA: &[&str] = &[
    // Never translated: the product's name, the language switch's own
    // name, file formats and units.
    "Bilik",
    "English",
    "PDF",
    "XLSX",
    "CSV",
    "MB",
    // The test server's library, its default member category, the account
    // it makes at first start.
    "Perpustakaan Uji",
    "Umum",
    "Administrator",
    // What the test types.
    "andi",
    "Andi Pratama",
    "Budi Santoso",
    "Nur Aisyah",
    "M0003",
    "Rina Kepala",
    "kepala",
    "admin",
    "PC-01",
    "0812-3456",
    "expire_date",
    "member_name",
    "gender",
];

/// A SLiMS export with three bad cells on two lines: a date that is not
/// one, an empty name, a gender code SLiMS does not write.
const BAD_SLIMS_FILE: &str = concat!(
    "\"member_id\",\"member_name\",\"gender\",\"member_type_name\",\"member_email\",\"member_address\",\"postal_code\",\"inst_name\",\"is_new\",\"member_image\",\"pin\",\"member_phone\",\"member_fax\",\"member_since_date\",\"register_date\",\"expire_date\",\"birth_date\",\"member_notes\",\n",
    "\"M0001\",\"Nur Aisyah\",\"0\",\"Pelajar\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\",\"\",\"\",\"\",\"\",\"2027-02-30\",\"\",\"\",\n",
    "\"M0002\",\"\",\"Tujuh\",\"Pelajar\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\",\"\",\"\",\"\",\"\",\"2027-06-30\",\"\",\"\",\n",
);

/// A SLiMS export of one good member.
const GOOD_SLIMS_FILE: &str = concat!(
    "\"member_id\",\"member_name\",\"gender\",\"member_type_name\",\"member_email\",\"member_address\",\"postal_code\",\"inst_name\",\"is_new\",\"member_image\",\"pin\",\"member_phone\",\"member_fax\",\"member_since_date\",\"register_date\",\"expire_date\",\"birth_date\",\"member_notes\",\n",
    "\"M0003\",\"Nur Aisyah\",\"0\",\"Umum\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\",\"\",\"\",\"\",\"\",\"2027-06-30\",\"\",\"\",\n",
);

/// What no Indonesian page shows whatever the catalogue says: protobuf
/// enum names and English format hints.
const NEVER: &[&str] = &[
    "REFUSAL_CODE_",
    "ROLE_",
    "YYYY",
    "not a date",
    "has not ended",
];

/// What a page's text is checked against.
struct Words {
    /// The English pieces no Indonesian page shows ([`english_pieces`]).
    pieces: Vec<String>,
    /// Every Indonesian sentence of the catalogue as a pattern (its literal
    /// parts, split at the `{placeholders}`), and as one-part patterns the
    /// data the test itself made (names, cards, accounts, station names) or
    /// the server reports about itself (a station's host name, OS and agent
    /// version); longest first, so a sentence or a name goes before the
    /// words inside it.
    patterns: Vec<Vec<String>>,
}

impl Words {
    /// The catalogue's words and the test's data.
    fn new(pairs: &[(String, String)], data: &[String]) -> Words {
        let mut patterns: Vec<Vec<String>> = pairs
            .iter()
            .map(|(id, _)| pattern(id))
            .filter(|parts| parts.iter().any(|p| p.chars().any(char::is_alphabetic)))
            .collect();
        patterns.extend(
            data.iter()
                .filter(|d| !d.trim().is_empty())
                .map(|d| vec![d.trim().to_owned()]),
        );
        patterns
            .sort_by_key(|parts| std::cmp::Reverse(parts.iter().map(String::len).sum::<usize>()));
        patterns.dedup();
        Words {
            pieces: english_pieces(pairs),
            patterns,
        }
    }

    /// What of `text` is neither a catalogue sentence (its placeholders
    /// filled with data, numbers or other catalogue words), nor data, nor
    /// a number, date or time: empty when all of it is explained.
    fn unexplained(&self, text: &str) -> String {
        let mut rest = text.to_owned();
        // What fills a placeholder is explained on its own (recursively);
        // repeat until nothing changes.
        loop {
            let before = rest.clone();
            let gap = |g: &str| g.chars().all(filler) || self.unexplained(g).is_empty();
            for parts in &self.patterns {
                rest = replace_words(&rest, parts, &gap);
            }
            if rest == before {
                break;
            }
        }
        rest.chars()
            .filter(|&c| c != MARK)
            .collect::<String>()
            .split(|c: char| !c.is_alphabetic())
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What stands for an explained part of a text.
const MARK: char = '\u{1}';

/// A catalogue sentence's literal parts, split at its `{placeholders}`, the
/// ends trimmed (a placeholder at either end adds nothing to match).
fn pattern(sentence: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut depth = 0;
    for c in sentence.chars() {
        match c {
            '{' => {
                depth += 1;
                parts.push(String::new());
            }
            '}' => depth -= 1,
            c if depth == 0 => parts.last_mut().unwrap().push(c),
            _ => {}
        }
    }
    let mut parts: Vec<String> = parts
        .into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    while parts.first().is_some_and(String::is_empty) {
        parts.remove(0);
    }
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts
}

/// Whether `c` may fill a placeholder between a sentence's parts without
/// further checks: an explained part, a digit, a space or punctuation
/// (never a letter).
fn filler(c: char) -> bool {
    c == MARK || !c.is_alphabetic()
}

/// `text` with every whole-word occurrence of the sentence `parts` (each
/// gap between them accepted by `gap_ok`: what fills a placeholder must
/// be explained itself) replaced by [`MARK`].
fn replace_words(text: &str, parts: &[String], gap_ok: &dyn Fn(&str) -> bool) -> String {
    let Some(first) = parts.first() else {
        return text.to_owned();
    };
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::new();
    let mut from = 0;
    'search: while let Some(i) = text[from..].find(first.as_str()) {
        let start = from + i;
        let mut end = start + first.len();
        let next_from = start + first.chars().next().map_or(1, char::len_utf8);
        let starts_word = first.chars().next().is_some_and(char::is_alphanumeric);
        if starts_word && word(text[..start].chars().next_back()) {
            out.push_str(&text[from..next_from]);
            from = next_from;
            continue;
        }
        for part in &parts[1..] {
            let Some(gap) = text[end..].find(part.as_str()) else {
                out.push_str(&text[from..next_from]);
                from = next_from;
                continue 'search;
            };
            if !gap_ok(&text[end..end + gap]) {
                out.push_str(&text[from..next_from]);
                from = next_from;
                continue 'search;
            }
            end += gap + part.len();
        }
        let last = parts.last().unwrap();
        let ends_word = last.chars().next_back().is_some_and(char::is_alphanumeric);
        if ends_word && word(text[end..].chars().next()) {
            out.push_str(&text[from..next_from]);
            from = next_from;
            continue;
        }
        out.push_str(&text[from..start]);
        out.push(MARK);
        from = end;
    }
    out.push_str(&text[from..]);
    out
}

/// Checks the open page's visible text: no English piece, no code, and
/// nothing the catalogue, the test's data or a number does not explain;
/// returns the text.
async fn check_page(browser: &Browser, page: &str, words: &Words) -> Vec<String> {
    let texts: Vec<String> =
        serde_json::from_value(browser.client.execute(VISIBLE_TEXT, vec![]).await.unwrap())
            .unwrap();
    assert!(!texts.is_empty(), "{page}: no visible text");
    let mut found = Vec::new();
    for text in &texts {
        for piece in &words.pieces {
            if contains_words(text, piece) {
                found.push(format!("{text:?} has {piece:?}"));
            }
        }
        for never in NEVER {
            if text.contains(never) {
                found.push(format!("{text:?} has {never:?}"));
            }
        }
        let unexplained = words.unexplained(text);
        if !unexplained.is_empty() {
            found.push(format!(
                "{text:?} is not from the catalogue: {unexplained:?}"
            ));
        }
    }
    if !found.is_empty() {
        FOUND.lock().unwrap().push(format!(
            "{page} shows English, codes or words not in the catalogue:\n{}",
            found.join("\n")
        ));
    }
    texts
}

/// The problems [`check_page`] found, every page's, reported together at
/// the end of the walk.
static FOUND: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Fails with every problem [`check_page`] found.
fn assert_all_pages_clean() {
    let found = FOUND.lock().unwrap();
    assert!(found.is_empty(), "{}", found.join("\n\n"));
}

/// The admin who walks every page (admin pages included).
const RINA: Account = Account {
    user: "kepala",
    password: "rahasia-123",
    role: Role::Admin,
    name: "Rina Kepala",
    nip: "",
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_indonesian_and_a_bad_form_keeps_its_values() {
    let desk = Desk::start(&[RINA]).await;
    let server = &desk.server;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    let dir = tempfile::tempdir().unwrap();
    enroll_station(server, "PC-01", &dir.path().join("PC-01")).await;
    // Audit entries with details the audit page says in words: an
    // import's counts, a member's new status, maintenance on and off.
    let system = bilik_server::app::StaffIdentity::system();
    server
        .app
        .import_members(
            &system,
            bilik_proto::v1::ImportFormat::Slims,
            GOOD_SLIMS_FILE.as_bytes(),
        )
        .await
        .unwrap();
    server
        .app
        .set_member_status(&system, "M0003", bilik_proto::v1::MemberStatus::Blocked)
        .await
        .unwrap();
    for on in [true, false] {
        server
            .app
            .set_maintenance(&system, "PC-01", on)
            .await
            .unwrap();
    }
    // The test's data, the station's own report of itself, and the audit
    // log's action codes (the catalogue's keys, shown beside each entry).
    let mut data: Vec<String> = DATA.iter().map(|d| (*d).to_owned()).collect();
    for station in server.app.store_for_tests().stations().unwrap() {
        data.extend([station.hostname, station.os, station.agent_version]);
    }
    data.extend(audit_codes());
    let words = Words::new(&catalogue_pairs(), &data);
    // The check itself can fail: an English page trips it.
    assert!(
        words.pieces.iter().any(|p| p == "Usage book"),
        "{:?}",
        words.pieces
    );
    assert_eq!(words.unexplained("Buku Penggunaan"), "");
    assert_eq!(words.unexplained("Usage book"), "Usage book");
    assert_eq!(
        words.unexplained("Komputer PC-01 sedang dipakai."),
        "",
        "a placeholder filled with data"
    );
    assert!(
        words
            .unexplained("Komputer PC-01 is busy.")
            .ends_with("is busy"),
        "English around data"
    );

    let Some(browser) = desk.browser().await else {
        return;
    };
    browser.goto("/").await;
    check_page(&browser, "login", &words).await;
    browser.screenshot("words-login").await;
    browser.sign_in(&RINA).await;
    browser
        .wait_js(
            "the grid",
            "return document.querySelector('#grid .station[data-name=\"PC-01\"]') !== null",
        )
        .await;

    let pages = [
        ("/", "stations", "#grid"),
        ("/members", "members", "main"),
        ("/members?q=andi", "members-search", "#members"),
        (
            "/members/new",
            "member-new",
            "form[action=\"/members/save\"]",
        ),
        (
            "/members/card/0001",
            "member",
            "form[action=\"/members/save\"]",
        ),
        (
            "/members/import",
            "import",
            "form[action=\"/members/import\"]",
        ),
        ("/usage", "usage", "main"),
        ("/problems", "problems", "form[action=\"/problems\"]"),
        ("/reports/daily", "reports-daily", "main"),
        ("/reports/monthly", "reports-monthly", "main"),
        ("/audit", "audit", "main"),
        ("/staff", "staff", "form[action=\"/staff\"]"),
        ("/health", "health", "#health"),
        ("/no-such-page", "not-found", "main"),
    ];
    for (path, name, ready) in pages {
        browser.goto(path).await;
        browser
            .wait_js(
                &format!("{path} to show {ready}"),
                &format!("return document.querySelector('{ready}') !== null"),
            )
            .await;
        check_page(&browser, path, &words).await;
        browser.screenshot(&format!("words-{name}")).await;
    }
    // The audit page says the details in words.
    browser.goto("/audit").await;
    let audit = browser
        .wait_js(
            "the audit log",
            "var t = document.querySelector('#audit'); return t ? t.innerText : null",
        )
        .await;
    let audit = audit.as_str().unwrap();
    for said in [
        "Sistem mengimpor data anggota (1 baru, 0 diperbarui)",
        "Sistem mengubah status anggota M0003 menjadi diblokir",
        "Sistem mengubah mode pemeliharaan PC-01 (aktif)",
        "Sistem mengubah mode pemeliharaan PC-01 (nonaktif)",
    ] {
        assert!(audit.contains(said), "{said} not in:\n{audit}");
    }
    // A refused import: every problem in Indonesian, named by line and
    // column, never quoting the bad cell back.
    let bad_file = dir.path().join("anggota-salah.csv");
    std::fs::write(&bad_file, BAD_SLIMS_FILE).unwrap();
    browser.goto("/members/import").await;
    browser
        .wait_js(
            "the import form",
            "return document.querySelector('form[action=\"/members/import\"]') !== null",
        )
        .await;
    browser
        .type_into("input[type=file][name=file]", bad_file.to_str().unwrap())
        .await;
    browser
        .click("form[action=\"/members/import\"] button[type=submit]")
        .await;
    browser
        .wait_js(
            "the import's problems",
            "return document.querySelectorAll('#import-errors tbody tr').length >= 3",
        )
        .await;
    let texts = check_page(&browser, "import-refused", &words).await;
    for expected in [
        "Bukan tanggal (tulis TTTT-BB-HH).",
        "Wajib diisi, tetapi kosong.",
        "Tulis 1 (laki-laki), 0 (perempuan) atau kosongkan.",
        "expire_date",
    ] {
        assert!(texts.iter().any(|t| t == expected), "{expected}: {texts:?}");
    }
    for echoed in ["2027-02-30", "Tujuh"] {
        assert!(
            !texts.iter().any(|t| t.contains(echoed)),
            "{echoed} echoed: {texts:?}"
        );
    }
    browser.screenshot("words-import-refused").await;

    // The tripwire: the same page in English does trip the check.
    browser.goto("/lang/en").await;
    browser.goto("/usage").await;
    let texts: Vec<String> =
        serde_json::from_value(browser.client.execute(VISIBLE_TEXT, vec![]).await.unwrap())
            .unwrap();
    assert!(
        texts
            .iter()
            .any(|t| words.pieces.iter().any(|p| contains_words(t, p))),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| !words.unexplained(t).is_empty()),
        "{texts:?}"
    );
    browser.goto("/lang/id").await;

    // A bad member form: the refusal inside the form, in Indonesian, and
    // every value as typed (no reload).
    browser.goto("/members/new").await;
    browser
        .wait_js(
            "the member form",
            "return document.querySelector('form[action=\"/members/save\"]') !== null",
        )
        .await;
    browser
        .client
        .execute("window.__bilikNoReload = 'still here'; return true", vec![])
        .await
        .unwrap();
    browser.type_into("input[name=card]", "0002").await;
    browser.type_into("input[name=name]", "Budi Santoso").await;
    browser.type_into("input[name=phone]", "0812-3456").await;
    browser
        .client
        .execute(
            "document.querySelector('input[name=expires]').value = '2027-06-30'; return true",
            vec![],
        )
        .await
        .unwrap();
    browser.type_into("input[name=pin]", "12ab").await;
    browser
        .click("form[action=\"/members/save\"] button[type=submit]")
        .await;
    let error = browser
        .wait_js(
            "the refusal inside the member form",
            "var p = document.querySelector('form[action=\"/members/save\"] .form-error'); \
             return p ? p.innerText : null",
        )
        .await;
    assert_eq!(error, "Isian tidak valid: PIN: paling banyak 12 angka.");
    let kept = browser
        .client
        .execute(
            "var f = document.querySelector('form[action=\"/members/save\"]'); \
             return [window.__bilikNoReload, f.card.value, f.name.value, f.phone.value, \
                     f.expires.value, f.pin.value]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        kept,
        serde_json::json!([
            "still here",
            "0002",
            "Budi Santoso",
            "0812-3456",
            "2027-06-30",
            "12ab"
        ])
    );
    check_page(&browser, "the refused member form", &words).await;
    browser.screenshot("words-member-refused").await;
    assert!(
        server.app.get_member("0002").is_err(),
        "a refused form saved the member"
    );

    // Corrected, it saves and moves on to the member's page.
    browser
        .client
        .execute(
            "document.querySelector('input[name=pin]').value = '1234'; return true",
            vec![],
        )
        .await
        .unwrap();
    browser
        .click("form[action=\"/members/save\"] button[type=submit]")
        .await;
    browser
        .wait_js(
            "the saved member's page",
            "return location.pathname === '/members/card/0002' \
               && document.body.innerText.indexOf('Budi Santoso') >= 0",
        )
        .await;
    assert_eq!(server.app.get_member("0002").unwrap().phone, "0812-3456");

    // A bad staff form: a user name taken already, refused inside the form.
    browser.goto("/staff").await;
    browser
        .wait_js(
            "the staff form",
            "return document.querySelector('form[action=\"/staff\"]') !== null",
        )
        .await;
    browser
        .type_into("form[action=\"/staff\"] input[name=username]", "kepala")
        .await;
    browser
        .type_into(
            "form[action=\"/staff\"] input[name=password]",
            "rahasia-456",
        )
        .await;
    browser
        .click("form[action=\"/staff\"] button[type=submit]")
        .await;
    let error = browser
        .wait_js(
            "the refusal inside the staff form",
            "var p = document.querySelector('form[action=\"/staff\"] .form-error'); \
             return p ? p.innerText : null",
        )
        .await;
    assert_eq!(
        error,
        "Tidak dapat dilakukan sekarang: Akun petugas kepala sudah ada."
    );
    let kept = browser
        .client
        .execute(
            "return document.querySelector('form[action=\"/staff\"] input[name=username]').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, "kepala");
    check_page(&browser, "the refused staff form", &words).await;

    assert_all_pages_clean();
    browser.close().await;
    desk.stop().await;
}
