//! The server's configuration: one TOML file, every key overridable with
//! `--set section.key=value`, defaults that run out of the box. The file is
//! read as a whole and every bad or unknown key is reported at once.

mod sip2;
mod watch;

use crate::hours::OpeningHours;
use bilik_proto::config_toml::{TomlReader, read_with_overrides};
use chrono::Weekday;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything wrong with a configuration, one line each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration:\n  {}", .0.join("\n  "))]
pub struct ConfigErrors(pub Vec<String>);

/// The effective configuration of a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the gRPC services listen.
    pub listen: SocketAddr,
    /// Where the web dashboard listens (a second listener, plain HTTP/1.1
    /// for browsers); `None` ("off"): no dashboard.
    pub web_listen: Option<SocketAddr>,
    /// Where the embedded store lives.
    pub data_dir: PathBuf,
    /// Shown on lock screens and reports.
    pub library_name: String,
    /// The town the library is in, for the place-and-date line above the
    /// signatures ("Sinjai, 2 November 2026"); empty: the date alone.
    pub library_place: String,
    /// Decides where days and months begin and end.
    pub time_zone: chrono_tz::Tz,
    /// Length of a normal session (the procedure says 45).
    pub session_minutes: u32,
    /// Seconds, overriding `session_minutes` when non-zero: short leases
    /// for tests and demos that run on the real clock.
    pub lease_seconds: u32,
    /// When the station warns before the end.
    pub warning_minutes: Vec<u32>,
    /// Most minutes per card per day; `None`: no limit.
    pub daily_allowance_minutes: Option<u32>,
    /// Whether every card login needs the member's PIN.
    pub pin_required: bool,
    /// Version of the house rules; a login must carry the version the patron ticked.
    pub rules_version: String,
    /// The house rules shown on the lock screen (Indonesian).
    pub rules_text: String,
    /// The same rules in English, for a patron who switches the lock screen
    /// to English. Empty when the library wrote its own `rules_text` and no
    /// translation: the lock screen then shows that text, never the default
    /// rules of another library.
    pub rules_text_en: String,
    /// Purposes of use offered on the lock screen.
    pub purposes: Vec<String>,
    /// When the internet service is open.
    pub hours: OpeningHours,
    /// How often agents send a heartbeat.
    pub heartbeat_seconds: u32,
    /// Missed heartbeats before a station is shown offline.
    pub offline_after_missed: u32,
    /// How long a new enrolment code stays valid.
    pub enrollment_code_minutes: u32,
    /// Letterhead lines of reports, top to bottom.
    pub letterhead: Vec<String>,
    /// The section head printed in the signature block until someone signs.
    pub section_head_name: String,
    /// Their NIP.
    pub section_head_nip: String,
    /// Upper bounds (inclusive) of the age bands in reports; the last band
    /// is open-ended: [12, 18, 25, 45, 59] gives 0-12 ... 46-59, 60+.
    pub age_bands: Vec<u32>,
    /// How often the server closes overdue leases and marks silent stations
    /// offline. Tests shorten it.
    pub sweep_interval_ms: u64,
    /// Free space (MiB) the data directory's file system must keep: below
    /// it new sessions are refused (and the dashboard raises an alert)
    /// while sled can still write the ends of running ones.
    pub min_free_mb: u64,
    /// Size (MiB) of the reserve file kept in the data directory and
    /// released when the disk fills to the last bytes, so sled can still
    /// write (0: none). Should be below `min_free_mb`.
    pub reserve_mb: u64,
    /// Plain text on both listeners instead of TLS: tests, or a deliberate
    /// `--insecure`. Loudly logged; never the default.
    pub insecure: bool,
    /// A certificate (PEM) the library provides, e.g. from its own CA; empty:
    /// the server's own, made at first start in `<data_dir>/tls/`.
    pub tls_cert_file: PathBuf,
    /// Its private key (PEM); set with `tls_cert_file`.
    pub tls_key_file: PathBuf,
    /// The certificate the server will switch to (renewal): its fingerprint
    /// is announced to every agent over the pinned link, so they accept it
    /// once `tls_cert_file` names it. Empty: none.
    pub tls_next_cert_file: PathBuf,
    /// Extra host names and addresses for the server's own certificate
    /// (browsers on the LAN check them; pinned clients do not need them).
    pub tls_names: Vec<String>,
    /// Where scheduled and dashboard backups are written.
    pub backup_dir: PathBuf,
    /// Minutes between scheduled backups; 0: none (on demand only).
    pub backup_interval_minutes: u32,
    /// How many scheduled backups to keep in `backup_dir` (oldest go first).
    pub backup_keep: u32,
    /// Open connections one IP address may hold on each listener; more
    /// are closed at once. A library behind one NAT address needs one per
    /// station plus a few.
    pub connections_per_address: usize,
    /// Seconds a connection may carry no traffic before it is closed.
    pub idle_timeout_seconds: u64,
    /// Where card validity comes from: `None` ("local"), Bilik's own
    /// members; `Some`: the library system over SIP2, with its settings.
    pub sip2: Option<crate::sip2::Settings>,
    /// Member categories always offered on the member form, besides those
    /// imports and the library system brought (`[members] categories`).
    pub member_categories: Vec<String>,
    /// Where `/metrics` listens (plain HTTP, no sign-in: loopback or a
    /// monitoring network); `None` ("off", the default): no listener, so
    /// several servers on one machine (tests, a demo) never fight over a
    /// port. The packaged configuration turns it on at 127.0.0.1:9750.
    pub metrics_listen: Option<SocketAddr>,
    /// Days an ended session keeps the patron's card, name and exact age
    /// (UU 27/2022: only as long as the library decides); older rows are
    /// pseudonymised by the daily job. 0 (the default): kept, no job.
    pub retention_days: u32,
    /// `[queue] hold_minutes`: how long a freed station is held for the
    /// next patron of the waiting queue before it passes to the one after.
    pub queue_hold_minutes: u32,
    /// `[watch]`: the library's website, OPAC and uplink the server checks
    /// on a schedule (SOP 07); no sites: nothing is checked.
    pub watch: crate::watch::Settings,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 50551)),
            web_listen: Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir: PathBuf::from("bilik-data"),
            library_name: "Perpustakaan Daerah".to_owned(),
            library_place: String::new(),
            time_zone: chrono_tz::Asia::Makassar,
            session_minutes: 45,
            queue_hold_minutes: 5,
            lease_seconds: 0,
            warning_minutes: vec![5, 1],
            daily_allowance_minutes: None,
            pin_required: false,
            rules_version: "1".to_owned(),
            rules_text: bilik_proto::catalog::DEFAULT_RULES.id.to_owned(),
            rules_text_en: bilik_proto::catalog::DEFAULT_RULES.en.to_owned(),
            purposes: bilik_proto::catalog::DEFAULT_PURPOSES
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
            hours: OpeningHours::always_open(),
            heartbeat_seconds: 15,
            offline_after_missed: 3,
            enrollment_code_minutes: 60,
            sweep_interval_ms: 1000,
            letterhead: vec![
                "PEMERINTAH KABUPATEN".to_owned(),
                "DINAS PERPUSTAKAAN DAN KEARSIPAN".to_owned(),
            ],
            section_head_name: String::new(),
            section_head_nip: String::new(),
            age_bands: vec![12, 18, 25, 45, 59],
            insecure: false,
            tls_cert_file: PathBuf::new(),
            tls_key_file: PathBuf::new(),
            tls_next_cert_file: PathBuf::new(),
            tls_names: Vec::new(),
            min_free_mb: 256,
            reserve_mb: 64,
            backup_dir: PathBuf::from("bilik-backups"),
            backup_interval_minutes: 24 * 60,
            backup_keep: 14,
            connections_per_address: 256,
            idle_timeout_seconds: 60,
            sip2: None,
            member_categories: Vec::new(),
            metrics_listen: None,
            retention_days: 0,
            watch: crate::watch::Settings::default(),
        }
    }
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

impl Config {
    /// Reads a TOML text, then applies `overrides` (`section.key=value`, the
    /// value in TOML syntax or a bare string). Every problem is reported.
    pub fn parse(text: &str, overrides: &[String]) -> Result<Config, ConfigErrors> {
        let mut errors = Vec::new();
        let mut table =
            read_with_overrides(text, overrides, &mut errors).map_err(|e| ConfigErrors(vec![e]))?;
        let mut cfg = Config::default();
        let mut r = TomlReader {
            errors: &mut errors,
        };
        let mut server = r.section(&mut table, "server");
        r.text(&mut server, "server.listen", &mut cfg.listen, |s| {
            s.parse()
                .map_err(|_| "not an address like 127.0.0.1:50551".into())
        });
        r.text(&mut server, "server.web_listen", &mut cfg.web_listen, |s| {
            address_or_off(s, "127.0.0.1:8080")
        });
        r.text(&mut server, "server.data_dir", &mut cfg.data_dir, |s| {
            Ok(PathBuf::from(s))
        });
        r.uint(
            &mut server,
            "server.sweep_interval_ms",
            10,
            60_000,
            &mut cfg.sweep_interval_ms,
        );
        r.uint(
            &mut server,
            "server.min_free_mb",
            0,
            1 << 20,
            &mut cfg.min_free_mb,
        );
        r.uint(
            &mut server,
            "server.reserve_mb",
            0,
            1 << 16,
            &mut cfg.reserve_mb,
        );
        r.unknown(server, "server");

        let mut tls = r.section(&mut table, "tls");
        r.boolean(&mut tls, "tls.insecure", &mut cfg.insecure);
        r.text(&mut tls, "tls.cert_file", &mut cfg.tls_cert_file, |s| {
            Ok(PathBuf::from(s.trim()))
        });
        r.text(&mut tls, "tls.key_file", &mut cfg.tls_key_file, |s| {
            Ok(PathBuf::from(s.trim()))
        });
        r.text(
            &mut tls,
            "tls.next_cert_file",
            &mut cfg.tls_next_cert_file,
            |s| Ok(PathBuf::from(s.trim())),
        );
        if let Some(v) = tls.remove("names") {
            match v.as_array().map(|a| {
                a.iter()
                    .map(|x| x.as_str().map(|s| s.trim().to_owned()))
                    .collect::<Option<Vec<_>>>()
            }) {
                Some(Some(list)) if list.iter().all(|n| !n.is_empty() && n.len() <= 253) => {
                    cfg.tls_names = list
                }
                _ => r
                    .errors
                    .push("tls.names: expected a list of host names or addresses".into()),
            }
        }
        if cfg.tls_cert_file.as_os_str().is_empty() != cfg.tls_key_file.as_os_str().is_empty() {
            r.errors
                .push("tls.cert_file and tls.key_file: give both or neither".into());
        }
        r.unknown(tls, "tls");

        let mut backup = r.section(&mut table, "backup");
        r.text(&mut backup, "backup.dir", &mut cfg.backup_dir, |s| {
            nonempty(s).map(PathBuf::from)
        });
        r.uint(
            &mut backup,
            "backup.interval_minutes",
            0,
            31 * 24 * 60,
            &mut cfg.backup_interval_minutes,
        );
        r.uint(&mut backup, "backup.keep", 1, 10_000, &mut cfg.backup_keep);
        r.unknown(backup, "backup");

        let mut limits = r.section(&mut table, "limits");
        r.uint(
            &mut limits,
            "limits.connections_per_address",
            1,
            1_000_000,
            &mut cfg.connections_per_address,
        );
        r.uint(
            &mut limits,
            "limits.idle_timeout_seconds",
            5,
            24 * 3600,
            &mut cfg.idle_timeout_seconds,
        );
        r.unknown(limits, "limits");

        let mut metrics = r.section(&mut table, "metrics");
        r.text(
            &mut metrics,
            "metrics.listen",
            &mut cfg.metrics_listen,
            |s| address_or_off(s, "127.0.0.1:9750"),
        );
        r.unknown(metrics, "metrics");

        let mut privacy = r.section(&mut table, "privacy");
        r.uint(
            &mut privacy,
            "privacy.retention_days",
            0,
            100 * 366,
            &mut cfg.retention_days,
        );
        r.unknown(privacy, "privacy");

        let mut library = r.section(&mut table, "library");
        r.text(
            &mut library,
            "library.name",
            &mut cfg.library_name,
            nonempty,
        );
        r.text(&mut library, "library.place", &mut cfg.library_place, |s| {
            Ok(s.to_owned())
        });
        r.text(&mut library, "library.time_zone", &mut cfg.time_zone, |s| {
            s.parse()
                .map_err(|_| "not an IANA time zone like Asia/Makassar".into())
        });
        r.unknown(library, "library");

        let mut session = r.section(&mut table, "session");
        r.uint(
            &mut session,
            "session.minutes",
            1,
            24 * 60,
            &mut cfg.session_minutes,
        );
        r.uint(
            &mut session,
            "session.lease_seconds",
            0,
            24 * 3600,
            &mut cfg.lease_seconds,
        );
        let mut allowance = 0u32;
        r.uint(
            &mut session,
            "session.daily_allowance_minutes",
            0,
            24 * 60,
            &mut allowance,
        );
        cfg.daily_allowance_minutes = (allowance > 0).then_some(allowance);
        r.boolean(&mut session, "session.pin_required", &mut cfg.pin_required);
        r.text(
            &mut session,
            "session.rules_version",
            &mut cfg.rules_version,
            nonempty,
        );
        r.text(
            &mut session,
            "session.rules_text",
            &mut cfg.rules_text,
            nonempty,
        );
        if !session.contains_key("rules_text_en")
            && cfg.rules_text != bilik_proto::catalog::DEFAULT_RULES.id
        {
            cfg.rules_text_en.clear();
        }
        r.text(
            &mut session,
            "session.rules_text_en",
            &mut cfg.rules_text_en,
            |s| Ok(s.trim().to_owned()),
        );
        if let Some(v) = session.remove("warning_minutes") {
            match v
                .as_array()
                .map(|a| a.iter().map(|x| x.as_integer()).collect::<Option<Vec<_>>>())
            {
                Some(Some(list)) if list.iter().all(|m| (1..=60).contains(m)) => {
                    cfg.warning_minutes = list.into_iter().map(|m| m as u32).collect();
                }
                _ => r.errors.push(
                    "session.warning_minutes: expected a list of minutes 1..=60, e.g. [5, 1]"
                        .into(),
                ),
            }
        }
        if let Some(v) = session.remove("purposes") {
            match v.as_array().map(|a| {
                a.iter()
                    .map(|x| x.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            }) {
                Some(Some(list))
                    if !list.is_empty() && list.iter().all(|p| !p.trim().is_empty()) =>
                {
                    cfg.purposes = list
                }
                _ => r
                    .errors
                    .push("session.purposes: expected a non-empty list of texts".into()),
            }
        }
        r.unknown(session, "session");

        let mut queue = r.section(&mut table, "queue");
        r.uint(
            &mut queue,
            "queue.hold_minutes",
            1,
            60,
            &mut cfg.queue_hold_minutes,
        );
        r.unknown(queue, "queue");

        let mut hours = r.section(&mut table, "hours");
        for (key, day) in DAYS {
            if let Some(v) = hours.remove(key) {
                match v.as_str() {
                    Some(text) => {
                        if let Err(e) = cfg.hours.set_day(day, text) {
                            r.errors.push(format!("hours.{key}: {e}"));
                        }
                    }
                    None => r
                        .errors
                        .push(format!("hours.{key}: expected a text like \"08:00-16:00\"")),
                }
            }
        }
        r.unknown(hours, "hours");

        let mut report = r.section(&mut table, "report");
        r.text(
            &mut report,
            "report.section_head_name",
            &mut cfg.section_head_name,
            |s| Ok(s.to_owned()),
        );
        r.text(
            &mut report,
            "report.section_head_nip",
            &mut cfg.section_head_nip,
            |s| Ok(s.to_owned()),
        );
        if let Some(v) = report.remove("letterhead") {
            match v.as_array().map(|a| {
                a.iter()
                    .map(|x| x.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            }) {
                Some(Some(list)) => cfg.letterhead = list,
                _ => r
                    .errors
                    .push("report.letterhead: expected a list of texts".into()),
            }
        }
        if let Some(v) = report.remove("age_bands") {
            let list = v
                .as_array()
                .map(|a| a.iter().map(|x| x.as_integer()).collect::<Option<Vec<_>>>());
            match list {
                Some(Some(list))
                    if !list.is_empty()
                        && list.windows(2).all(|w| w[0] < w[1])
                        && list.iter().all(|n| (0..=150).contains(n)) =>
                {
                    cfg.age_bands = list.into_iter().map(|n| n as u32).collect();
                }
                _ => r.errors.push(
                    "report.age_bands: expected increasing ages, e.g. [12, 18, 25, 45, 59]".into(),
                ),
            }
        }
        r.unknown(report, "report");

        let mut stations = r.section(&mut table, "stations");
        r.uint(
            &mut stations,
            "stations.heartbeat_seconds",
            1,
            600,
            &mut cfg.heartbeat_seconds,
        );
        r.uint(
            &mut stations,
            "stations.offline_after_missed",
            1,
            100,
            &mut cfg.offline_after_missed,
        );
        r.uint(
            &mut stations,
            "stations.enrollment_code_minutes",
            1,
            7 * 24 * 60,
            &mut cfg.enrollment_code_minutes,
        );
        r.unknown(stations, "stations");

        (cfg.member_categories, cfg.sip2) = sip2::parse(&mut r, &mut table);
        cfg.watch = watch::parse(&mut r, &mut table);

        r.unknown_sections(table);
        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The effective configuration as TOML, for `--print-config`.
    pub fn to_toml(&self) -> String {
        let list = |items: &[String]| {
            items
                .iter()
                .map(|p| toml_str(p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let warnings: Vec<String> = self.warning_minutes.iter().map(u32::to_string).collect();
        let mut out = format!(
            "[server]\nlisten = {}\nweb_listen = {}\ndata_dir = {}\nsweep_interval_ms = {}\nmin_free_mb = {}\nreserve_mb = {}\n\n\
             [tls]\ninsecure = {}\ncert_file = {}\nkey_file = {}\nnext_cert_file = {}\nnames = [{}]\n\n\
             [backup]\ndir = {}\ninterval_minutes = {}\nkeep = {}\n\n\
             [limits]\nconnections_per_address = {}\nidle_timeout_seconds = {}\n\n\
             [metrics]\nlisten = {}\n\n\
             [privacy]\nretention_days = {}\n\n\
             [library]\nname = {}\nplace = {}\ntime_zone = {}\n\n\
             [session]\nminutes = {}\nlease_seconds = {}\nwarning_minutes = [{}]\ndaily_allowance_minutes = {}\n\
             pin_required = {}\nrules_version = {}\nrules_text = {}\nrules_text_en = {}\npurposes = [{}]\n\n\
             [report]\nletterhead = [{}]\nsection_head_name = {}\nsection_head_nip = {}\nage_bands = [{}]\n\n\
             [stations]\nheartbeat_seconds = {}\noffline_after_missed = {}\nenrollment_code_minutes = {}\n\n\
             [queue]\nhold_minutes = {}\n\n\
             [hours]\n",
            toml_str(&self.listen.to_string()),
            toml_str(
                &self
                    .web_listen
                    .map_or_else(|| "off".to_owned(), |a| a.to_string())
            ),
            toml_str(&self.data_dir.display().to_string()),
            self.sweep_interval_ms,
            self.min_free_mb,
            self.reserve_mb,
            self.insecure,
            toml_str(&self.tls_cert_file.display().to_string()),
            toml_str(&self.tls_key_file.display().to_string()),
            toml_str(&self.tls_next_cert_file.display().to_string()),
            list(&self.tls_names),
            toml_str(&self.backup_dir.display().to_string()),
            self.backup_interval_minutes,
            self.backup_keep,
            self.connections_per_address,
            self.idle_timeout_seconds,
            toml_str(
                &self
                    .metrics_listen
                    .map_or_else(|| "off".to_owned(), |a| a.to_string())
            ),
            self.retention_days,
            toml_str(&self.library_name),
            toml_str(&self.library_place),
            toml_str(self.time_zone.name()),
            self.session_minutes,
            self.lease_seconds,
            warnings.join(", "),
            self.daily_allowance_minutes.unwrap_or(0),
            self.pin_required,
            toml_str(&self.rules_version),
            toml_str(&self.rules_text),
            toml_str(&self.rules_text_en),
            list(&self.purposes),
            list(&self.letterhead),
            toml_str(&self.section_head_name),
            toml_str(&self.section_head_nip),
            self.age_bands
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            self.heartbeat_seconds,
            self.offline_after_missed,
            self.enrollment_code_minutes,
            self.queue_hold_minutes,
        );
        for (key, day) in DAYS {
            out.push_str(&format!(
                "{key} = {}\n",
                toml_str(&self.hours.day_text(day))
            ));
        }
        out.push('\n');
        out.push_str(&sip2::to_toml(&self.member_categories, self.sip2.as_ref()));
        out.push_str(&watch::to_toml(&self.watch));
        out
    }

    /// The connection limits of both listeners.
    pub fn connection_limits(&self) -> crate::net::Limits {
        crate::net::Limits {
            per_address: self.connections_per_address,
            total: crate::net::connections_that_fit(),
            idle: std::time::Duration::from_secs(self.idle_timeout_seconds),
        }
    }

    /// Length of a lease of `minutes`, in ms (shortened by `lease_seconds`).
    pub fn lease_ms(&self, minutes: u32) -> i64 {
        let ms = i64::from(minutes) * 60_000;
        match self.lease_seconds {
            0 => ms,
            s => ms.min(i64::from(s) * 1000),
        }
    }

    /// Milliseconds without a heartbeat after which a station is offline.
    pub fn offline_after_ms(&self) -> i64 {
        i64::from(self.heartbeat_seconds) * 1000 * i64::from(self.offline_after_missed)
    }
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A listening address, or `None` for "off" (or empty).
fn address_or_off(s: &str, example: &str) -> Result<Option<SocketAddr>, String> {
    match s.trim() {
        "off" | "" => Ok(None),
        addr => addr
            .parse()
            .map(Some)
            .map_err(|_| format!("not an address like {example} (or \"off\")")),
    }
}

fn nonempty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(s.to_owned())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let cfg = Config::parse("", &[]).unwrap();
        assert_eq!(cfg.session_minutes, 45);
        assert_eq!(cfg.time_zone, chrono_tz::Asia::Makassar);
    }

    #[test]
    fn english_rules_follow_the_library_text() {
        let default = Config::parse("", &[]).unwrap();
        assert_eq!(
            default.rules_text_en,
            bilik_proto::catalog::DEFAULT_RULES.en
        );
        // Own rules without a translation: no English text, so English
        // mode shows the library's own rules, not the default ones.
        let own = Config::parse("[session]\nrules_text = \"Dilarang makan.\"\n", &[]).unwrap();
        assert_eq!(own.rules_text, "Dilarang makan.");
        assert_eq!(own.rules_text_en, "");
        let both = Config::parse(
            "[session]\nrules_text = \"Dilarang makan.\"\nrules_text_en = \"No food.\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(both.rules_text_en, "No food.");
        let printed = Config::parse(&both.to_toml(), &[]).unwrap();
        assert_eq!(printed.rules_text_en, "No food.");
    }

    #[test]
    fn every_bad_key_is_reported() {
        let text = "[session]\nminutes = 0\nwarning_minutes = \"5\"\ncolour = 1\n[hours]\nmon = \"8-16\"\n[oops]\n";
        let err = Config::parse(text, &["library.time_zone=Mars/Base".into()]).unwrap_err();
        let all = err.0.join("\n");
        for needle in [
            "session.minutes",
            "session.warning_minutes",
            "session.colour",
            "hours.mon",
            "oops",
            "library.time_zone",
        ] {
            assert!(all.contains(needle), "{needle} missing from {all}");
        }
        assert_eq!(err.0.len(), 6, "{all}");
    }

    #[test]
    fn overrides_and_print_round_trip() {
        let cfg = Config::parse(
            "[hours]\nmon = \"08:00-16:00\"\n",
            &[
                "session.minutes=30".into(),
                "library.name=Perpustakaan Kota".into(),
            ],
        )
        .unwrap();
        assert_eq!(cfg.session_minutes, 30);
        assert_eq!(cfg.library_name, "Perpustakaan Kota");
        let again = Config::parse(&cfg.to_toml(), &[]).unwrap();
        assert_eq!(again.to_toml(), cfg.to_toml());
        assert_eq!(again.hours, cfg.hours);
    }
}
