//! `[members] source` and the `[sip2]` section: where card validity comes
//! from, and how to reach the library system when it is SIP2.

use crate::sip2::{FieldMap, OfflinePolicy, PatronRequest, Settings};
use bilik_proto::config_toml::TomlReader;
use std::path::PathBuf;
use std::time::Duration;

/// Reads `[members]` and `[sip2]` from `table`: the member categories
/// offered on the member form, and the SIP2 settings, `Some` when the
/// source is `sip2` (then `host` and `institution_id` are required).
pub(super) fn parse(
    r: &mut TomlReader<'_>,
    table: &mut toml::Table,
) -> (Vec<String>, Option<Settings>) {
    let mut members = r.section(table, "members");
    let mut categories = Vec::new();
    if let Some(v) = members.remove("categories") {
        match v.as_array().map(|a| {
            a.iter()
                .map(|x| x.as_str().map(|s| s.trim().to_owned()))
                .collect::<Option<Vec<_>>>()
        }) {
            Some(Some(list))
                if list
                    .iter()
                    .all(|c| !c.is_empty() && c.len() <= 100 && !c.contains('\n')) =>
            {
                categories = list;
            }
            _ => r.errors.push(
                "members.categories: expected a list of texts, e.g. [\"Umum\", \"Pelajar\"]".into(),
            ),
        }
    }
    let mut use_sip2 = false;
    r.text(&mut members, "members.source", &mut use_sip2, |s| {
        match s.trim() {
            "local" => Ok(false),
            "sip2" => Ok(true),
            _ => Err("expected \"local\" or \"sip2\"".into()),
        }
    });
    r.unknown(members, "members");

    let present = table.contains_key("sip2");
    let mut t = r.section(table, "sip2");
    let mut s = Settings::default();
    let trimmed = |v: &str| Ok(v.trim().to_owned());
    r.text(&mut t, "sip2.host", &mut s.host, trimmed);
    r.uint(&mut t, "sip2.port", 1, 65_535, &mut s.port);
    r.text(
        &mut t,
        "sip2.institution_id",
        &mut s.institution_id,
        trimmed,
    );
    r.text(&mut t, "sip2.login_user", &mut s.login_user, trimmed);
    r.text(&mut t, "sip2.login_password", &mut s.login_password, |v| {
        Ok(v.to_owned())
    });
    r.text(&mut t, "sip2.location_code", &mut s.location_code, trimmed);
    r.text(
        &mut t,
        "sip2.terminal_password",
        &mut s.terminal_password,
        |v| Ok(v.to_owned()),
    );
    millis(
        r,
        &mut t,
        "sip2.connect_timeout_ms",
        50,
        60_000,
        &mut s.connect_timeout,
    );
    millis(
        r,
        &mut t,
        "sip2.request_timeout_ms",
        50,
        60_000,
        &mut s.request_timeout,
    );
    r.boolean(&mut t, "sip2.tls", &mut s.tls);
    r.text(&mut t, "sip2.tls_ca_file", &mut s.tls_ca_file, |v| {
        Ok(PathBuf::from(v.trim()))
    });
    r.text(
        &mut t,
        "sip2.tls_server_name",
        &mut s.tls_server_name,
        trimmed,
    );
    r.uint(
        &mut t,
        "sip2.max_connections",
        1,
        64,
        &mut s.max_connections,
    );
    r.text(&mut t, "sip2.request", &mut s.request, |v| match v.trim() {
        "63" | "patron_information" => Ok(PatronRequest::Information),
        "23" | "patron_status" => Ok(PatronRequest::Status),
        _ => Err("expected \"63\" (patron information) or \"23\" (patron status)".into()),
    });
    if let Some(v) = t.remove("fine_limit") {
        match v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
            Some(f) if f.is_finite() && f >= 0.0 => s.fine_limit = Some(f),
            _ => r
                .errors
                .push("sip2.fine_limit: expected an amount of 0 or more".into()),
        }
    }
    let mut offline = "refuse".to_owned();
    r.text(&mut t, "sip2.offline", &mut offline, |v| match v.trim() {
        o @ ("refuse" | "cached") => Ok(o.to_owned()),
        _ => Err("expected \"refuse\" or \"cached\"".into()),
    });
    let mut hours = 0u32;
    r.uint(&mut t, "sip2.offline_hours", 1, 24 * 31, &mut hours);
    s.offline = match (offline.as_str(), hours) {
        ("cached", 0) => {
            r.errors
                .push("sip2.offline_hours: needed with offline = \"cached\"".into());
            OfflinePolicy::Refuse
        }
        ("cached", h) => OfflinePolicy::AcceptConfirmedWithin(h),
        _ => OfflinePolicy::Refuse,
    };
    let mut b = s.breaker;
    r.uint(&mut t, "sip2.breaker_failures", 1, 100, &mut b.failures);
    millis(
        r,
        &mut t,
        "sip2.breaker_pause_ms",
        10,
        3_600_000,
        &mut b.base,
    );
    millis(
        r,
        &mut t,
        "sip2.breaker_max_pause_ms",
        10,
        3_600_000,
        &mut b.cap,
    );
    if b.cap < b.base {
        r.errors
            .push("sip2.breaker_max_pause_ms: must not be below breaker_pause_ms".into());
    }
    s.breaker = b;
    let map = &mut s.fields;
    for (key, out) in [
        ("category", &mut map.category),
        ("birth_date", &mut map.birth_date),
        ("internet", &mut map.internet),
        ("expiry", &mut map.expiry),
        ("gender", &mut map.gender),
    ] {
        r.text(&mut t, &format!("sip2.field_{key}"), out, field_id);
    }
    r.unknown(t, "sip2");

    if !use_sip2 {
        return (categories, None);
    }
    if !present || s.host.is_empty() {
        r.errors
            .push("sip2.host: needed with members.source = \"sip2\"".into());
    }
    if s.institution_id.is_empty() {
        r.errors
            .push("sip2.institution_id: needed with members.source = \"sip2\"".into());
    }
    if s.tls && s.tls_ca_file.as_os_str().is_empty() {
        r.errors
            .push("sip2.tls_ca_file: needed with sip2.tls = true".into());
    }
    (categories, Some(s))
}

/// A two-character field identifier, or empty (not sent).
fn field_id(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() || (v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphanumeric())) {
        Ok(v.to_ascii_uppercase())
    } else {
        Err("expected a two-character SIP2 field identifier like \"PC\" (or \"\")".into())
    }
}

/// A duration key in milliseconds within `min..=max`.
fn millis(
    r: &mut TomlReader<'_>,
    t: &mut toml::Table,
    path: &str,
    min: i64,
    max: i64,
    out: &mut Duration,
) {
    let mut ms = u64::try_from(out.as_millis()).unwrap_or(u64::MAX);
    r.uint(t, path, min, max, &mut ms);
    *out = Duration::from_millis(ms);
}

/// The `[members]` and `[sip2]` sections as TOML, for `--print-config`.
/// The SIP2 password is left out.
pub(super) fn to_toml(categories: &[String], sip2: Option<&Settings>) -> String {
    let q = |v: &str| toml::Value::String(v.to_owned()).to_string();
    let listed: Vec<String> = categories.iter().map(|c| q(c)).collect();
    let members = format!(
        "[members]\nsource = \"{}\"\ncategories = [{}]\n\n",
        if sip2.is_some() { "sip2" } else { "local" },
        listed.join(", ")
    );
    let Some(s) = sip2 else {
        return members;
    };
    let (offline, hours) = match s.offline {
        OfflinePolicy::Refuse => ("refuse", String::new()),
        OfflinePolicy::AcceptConfirmedWithin(h) => ("cached", format!("offline_hours = {h}\n")),
    };
    let FieldMap {
        category,
        birth_date,
        internet,
        expiry,
        gender,
    } = &s.fields;
    members
        + &format!(
            "[sip2]\nhost = {}\nport = {}\ninstitution_id = {}\nlogin_user = {}\n\
         # login_password is not printed\nlocation_code = {}\nconnect_timeout_ms = {}\nrequest_timeout_ms = {}\n\
         tls = {}\ntls_ca_file = {}\ntls_server_name = {}\nmax_connections = {}\nrequest = {}\n{}\
         offline = {}\n{}breaker_failures = {}\nbreaker_pause_ms = {}\nbreaker_max_pause_ms = {}\n\
         field_category = {}\nfield_birth_date = {}\nfield_internet = {}\nfield_expiry = {}\nfield_gender = {}\n\n",
            q(&s.host),
            s.port,
            q(&s.institution_id),
            q(&s.login_user),
            q(&s.location_code),
            s.connect_timeout.as_millis(),
            s.request_timeout.as_millis(),
            s.tls,
            q(&s.tls_ca_file.display().to_string()),
            q(&s.tls_server_name),
            s.max_connections,
            q(match s.request {
                PatronRequest::Information => "63",
                PatronRequest::Status => "23",
            }),
            s.fine_limit
                .map_or_else(String::new, |f| format!("fine_limit = {f:?}\n")),
            q(offline),
            hours,
            s.breaker.failures,
            s.breaker.base.as_millis(),
            s.breaker.cap.as_millis(),
            q(category),
            q(birth_date),
            q(internet),
            q(expiry),
            q(gender),
        )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::config::Config;
    use crate::sip2::OfflinePolicy;

    #[test]
    fn sip2_source_is_read_and_printed() {
        let text = "[members]\nsource = \"sip2\"\n[sip2]\nhost = \"ils.local\"\ninstitution_id = \"PERPUS\"\n\
                    login_user = \"bilik\"\nlogin_password = \"s3cret\"\noffline = \"cached\"\noffline_hours = 24\n\
                    fine_limit = 50000\nfield_gender = \"xs\"\n";
        let cfg = Config::parse(text, &[]).unwrap();
        let s = cfg.sip2.as_ref().unwrap();
        assert_eq!(s.host, "ils.local");
        assert_eq!(s.offline, OfflinePolicy::AcceptConfirmedWithin(24));
        assert_eq!(s.fine_limit, Some(50_000.0));
        assert_eq!(s.fields.gender, "XS");
        let printed = cfg.to_toml();
        assert!(!printed.contains("s3cret"));
        let again = Config::parse(&printed, &[]).unwrap();
        assert_eq!(again.to_toml(), printed);
        assert!(format!("{cfg:?}").find("s3cret").is_none());
    }

    #[test]
    fn every_bad_sip2_key_is_reported() {
        let text = "[members]\nsource = \"sip2\"\n[sip2]\nport = 0\noffline = \"cached\"\ntls = true\n\
                    request = \"99\"\ncolour = 1\nfield_category = \"PCX\"\n";
        let all = Config::parse(text, &[]).unwrap_err().0.join("\n");
        for needle in [
            "sip2.port",
            "sip2.offline_hours",
            "sip2.request",
            "sip2.colour",
            "sip2.field_category",
            "sip2.host",
            "sip2.institution_id",
            "sip2.tls_ca_file",
        ] {
            assert!(all.contains(needle), "{needle} missing from {all}");
        }
        let bad = Config::parse("[members]\nsource = \"koha\"\n", &[]).unwrap_err();
        assert!(bad.0[0].contains("members.source"));
        assert!(Config::parse("", &[]).unwrap().sip2.is_none());
    }
}
