//! The `[watch]` section: the website watch's list of addresses
//! (`[[watch.site]]`) and its thresholds.

use crate::watch::{Kind, MAX_SITES, Settings, Site};
use bilik_proto::config_toml::TomlReader;
use chrono::NaiveDate;
use std::path::PathBuf;
use std::time::Duration;

/// Longest site name.
const MAX_NAME_CHARS: usize = 60;

/// Longest address.
const MAX_URL_BYTES: usize = 2000;

/// Reads `[watch]` from `table`, every bad key reported.
pub(super) fn parse(r: &mut TomlReader<'_>, table: &mut toml::Table) -> Settings {
    let mut t = r.section(table, "watch");
    let mut s = Settings::default();
    r.uint(
        &mut t,
        "watch.failures_before_outage",
        1,
        100,
        &mut s.failures_before_outage,
    );
    r.uint(&mut t, "watch.remind_days", 1, 365, &mut s.remind_days);
    match t.remove("site") {
        None => {}
        Some(toml::Value::Array(items)) if items.len() <= MAX_SITES => {
            for (i, item) in items.into_iter().enumerate() {
                let path = format!("watch.site[{}]", i + 1);
                match item {
                    toml::Value::Table(site) => {
                        if let Some(site) = parse_site(r, site, &path) {
                            if s.sites.iter().any(|other| other.name == site.name) {
                                r.errors.push(format!("{path}.name: used twice"));
                            } else {
                                s.sites.push(site);
                            }
                        }
                    }
                    _ => r
                        .errors
                        .push(format!("{path}: expected a [[watch.site]] table")),
                }
            }
        }
        Some(_) => r.errors.push(format!(
            "watch.site: expected at most {MAX_SITES} [[watch.site]] tables"
        )),
    }
    r.unknown(t, "watch");
    s
}

/// One `[[watch.site]]`; `None` (with errors pushed) when it is unusable.
fn parse_site(r: &mut TomlReader<'_>, mut t: toml::Table, path: &str) -> Option<Site> {
    let before = r.errors.len();
    let mut name = String::new();
    r.text(&mut t, &format!("{path}.name"), &mut name, |v| {
        let v = v.trim();
        if v.is_empty() || v.chars().count() > MAX_NAME_CHARS || v.chars().any(char::is_control) {
            Err(format!("expected a name of 1-{MAX_NAME_CHARS} characters"))
        } else {
            Ok(v.to_owned())
        }
    });
    if name.is_empty() && r.errors.len() == before {
        r.errors.push(format!("{path}.name: needed"));
    }
    let mut url = String::new();
    r.text(&mut t, &format!("{path}.url"), &mut url, check_url);
    if url.is_empty() && !r.errors.iter().skip(before).any(|e| e.contains(".url")) {
        r.errors.push(format!("{path}.url: needed"));
    }
    let mut kind = Kind::Website;
    r.text(&mut t, &format!("{path}.kind"), &mut kind, |v| {
        match v.trim() {
            "website" => Ok(Kind::Website),
            "opac" => Ok(Kind::Opac),
            "uplink" => Ok(Kind::Uplink),
            _ => Err("expected \"website\", \"opac\" or \"uplink\"".into()),
        }
    });
    let mut interval = 300u64;
    r.uint(
        &mut t,
        &format!("{path}.interval_seconds"),
        1,
        24 * 3600,
        &mut interval,
    );
    let mut timeout = 10_000u64;
    r.uint(
        &mut t,
        &format!("{path}.timeout_ms"),
        100,
        120_000,
        &mut timeout,
    );
    let mut ca_file = PathBuf::new();
    r.text(&mut t, &format!("{path}.ca_file"), &mut ca_file, |v| {
        Ok(PathBuf::from(v.trim()))
    });
    let mut domain_expires = None;
    r.text(
        &mut t,
        &format!("{path}.domain_expires"),
        &mut domain_expires,
        date,
    );
    let mut hosting_expires = None;
    r.text(
        &mut t,
        &format!("{path}.hosting_expires"),
        &mut hosting_expires,
        date,
    );
    r.unknown(t, path);
    if r.errors.len() != before {
        return None;
    }
    Some(Site {
        name,
        url,
        kind,
        interval: Duration::from_secs(interval),
        timeout: Duration::from_millis(timeout),
        ca_file,
        domain_expires,
        hosting_expires,
    })
}

/// An `http://` or `https://` address with a host.
fn check_url(v: &str) -> Result<String, String> {
    let v = v.trim();
    let bad = || {
        "expected an http:// or https:// address like \"https://perpustakaan.example.go.id/\""
            .to_owned()
    };
    if v.len() > MAX_URL_BYTES {
        return Err(bad());
    }
    let uri: http::Uri = v.parse().map_err(|_| bad())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.host().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(v.to_owned())
}

/// A date `YYYY-MM-DD`, or empty for none.
fn date(v: &str) -> Result<Option<NaiveDate>, String> {
    match v.trim() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| "expected a date YYYY-MM-DD".into()),
    }
}

/// The `[watch]` section as TOML, for `--print-config`.
pub(super) fn to_toml(s: &Settings) -> String {
    let q = |v: &str| toml::Value::String(v.to_owned()).to_string();
    let day =
        |d: Option<NaiveDate>| d.map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string());
    let mut out = format!(
        "[watch]\nfailures_before_outage = {}\nremind_days = {}\n\n",
        s.failures_before_outage, s.remind_days
    );
    for site in &s.sites {
        out.push_str(&format!(
            "[[watch.site]]\nname = {}\nurl = {}\nkind = {}\ninterval_seconds = {}\ntimeout_ms = {}\n\
             ca_file = {}\ndomain_expires = {}\nhosting_expires = {}\n\n",
            q(&site.name),
            q(&site.url),
            q(site.kind.as_str()),
            site.interval.as_secs(),
            site.timeout.as_millis(),
            q(&site.ca_file.display().to_string()),
            q(&day(site.domain_expires)),
            q(&day(site.hosting_expires)),
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::config::Config;
    use crate::watch::Kind;

    #[test]
    fn sites_are_read_and_printed() {
        let text = "[watch]\nremind_days = 14\n[[watch.site]]\nname = \"Situs\"\nurl = \"https://perpus.example/\"\n\
                    domain_expires = \"2027-03-01\"\n[[watch.site]]\nname = \"Internet\"\nurl = \"http://example.com/\"\n\
                    kind = \"uplink\"\ninterval_seconds = 60\ntimeout_ms = 2000\n";
        let cfg = Config::parse(text, &[]).unwrap();
        assert_eq!(cfg.watch.remind_days, 14);
        assert_eq!(cfg.watch.sites.len(), 2);
        assert_eq!(cfg.watch.sites[1].kind, Kind::Uplink);
        assert_eq!(cfg.watch.sites[1].interval.as_secs(), 60);
        assert!(cfg.watch.sites[0].domain_expires.is_some());
        let printed = cfg.to_toml();
        let again = Config::parse(&printed, &[]).unwrap();
        assert_eq!(again.watch, cfg.watch);
    }

    #[test]
    fn every_bad_watch_key_is_reported() {
        let text = "[watch]\nremind_days = 0\ncolour = 1\n[[watch.site]]\nname = \"A\"\nurl = \"ftp://x/\"\n\
                    kind = \"shop\"\ninterval_seconds = 0\ndomain_expires = \"soon\"\nsize = 2\n\
                    [[watch.site]]\nurl = \"http://b/\"\n[[watch.site]]\nname = \"C\"\nurl = \"http://c/\"\n\
                    [[watch.site]]\nname = \"C\"\nurl = \"http://d/\"\n";
        let all = Config::parse(text, &[]).unwrap_err().0.join("\n");
        for needle in [
            "watch.remind_days",
            "watch.colour",
            "watch.site[1].url",
            "watch.site[1].kind",
            "watch.site[1].interval_seconds",
            "watch.site[1].domain_expires",
            "watch.site[1].size",
            "watch.site[2].name: needed",
            "watch.site[4].name: used twice",
        ] {
            assert!(all.contains(needle), "{needle} missing from {all}");
        }
    }
}
