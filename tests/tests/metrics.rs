//! `/metrics` on its own listener, scraped and parsed by the Prometheus
//! project's Python client (its strict OpenMetrics parser), while patrons
//! log in and out over real gRPC.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::*;
use std::collections::HashMap;

/// Fetches the URL, checks the content type, parses the body with
/// `prometheus_client`'s OpenMetrics parser and prints every sample as
/// JSON: `name{label="value",...}` → value.
const SCRAPE: &str = r#"
import json, sys, urllib.request
from prometheus_client.openmetrics.parser import text_string_to_metric_families
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    ctype = r.headers.get("Content-Type", "")
    body = r.read().decode("utf-8")
if not ctype.startswith("application/openmetrics-text"):
    sys.exit("content type " + ctype)
out = {}
for family in text_string_to_metric_families(body):
    for s in family.samples:
        labels = ",".join('%s="%s"' % kv for kv in sorted(s.labels.items()))
        out[s.name + ("{" + labels + "}" if labels else "")] = s.value
print(json.dumps(out))
"#;

/// One parsed scrape.
struct Scrape(HashMap<String, f64>);

impl Scrape {
    async fn of(python: &str, url: &str) -> Scrape {
        let json = python::run(python, SCRAPE, &[url]).await;
        Scrape(serde_json::from_str(&json).unwrap())
    }

    /// A sample's value; a missing sample fails the test.
    fn get(&self, key: &str) -> f64 {
        match self.0.get(key) {
            Some(v) => *v,
            None => {
                let mut keys: Vec<_> = self.0.keys().collect();
                keys.sort();
                panic!("{key} not in the scrape: {keys:?}")
            }
        }
    }

    /// A sample's value, 0 when the series does not exist yet.
    fn or_zero(&self, key: &str) -> f64 {
        self.0.get(key).copied().unwrap_or(0.0)
    }
}

/// Scrapes until `check` holds, failing after the harness deadline.
async fn scrape_until(
    python: &str,
    url: &str,
    what: &str,
    check: impl Fn(&Scrape) -> bool,
) -> Scrape {
    wait_for(what, || async {
        let s = Scrape::of(python, url).await;
        check(&s).then_some(s)
    })
    .await
}

#[tokio::test]
async fn counters_move_as_patrons_log_in_and_out() {
    let Some(python) = python::with_module("metrics", "prometheus_client") else {
        return;
    };
    let server = TestServer::start_with(&["metrics.listen=127.0.0.1:0"]).await;
    let url = server.metrics_url.clone().unwrap();
    let mut admin = server.admin().await;
    admin
        .add_member("KTA-7301", "Andi Pratama", "2027-12-31")
        .await;
    admin
        .add_member("KTA-7302", "Sari Dewi", "2027-12-31")
        .await;

    let before = Scrape::of(&python, &url).await;
    assert_eq!(before.get("bilik_logins_total"), 0.0);
    assert_eq!(before.get("bilik_login_duration_seconds_count"), 0.0);
    assert_eq!(before.get("bilik_stations{state=\"enrolled\"}"), 0.0);
    assert_eq!(before.get("bilik_audit_chain_intact"), 1.0);
    assert_eq!(before.get("bilik_backup_last_ok"), 0.0);
    let commits_before = before.get("bilik_store_commit_duration_seconds_count");

    let pc1 = server.enroll("PC-01").await;
    let pc2 = server.enroll("PC-02").await;
    let (_link1, _) = pc1.attach("boot-1", "").await;
    let (mut link2, _) = pc2.attach("boot-2", "").await;
    let attached = scrape_until(&python, &url, "two stations attached", |s| {
        s.get("bilik_stations{state=\"attached\"}") == 2.0
    })
    .await;
    assert_eq!(attached.get("bilik_stations{state=\"enrolled\"}"), 2.0);
    assert_eq!(attached.get("bilik_stations{state=\"online\"}"), 2.0);
    assert_eq!(attached.get("bilik_stations{state=\"in_session\"}"), 0.0);

    // Two refusals with their codes, two leases.
    assert_eq!(refusal(pc1.login("9999").await), RefusalCode::UnknownCard);
    assert_eq!(
        refusal(pc1.login("bad card!").await),
        RefusalCode::InvalidCard
    );
    let first = lease(pc1.login("KTA-7301").await);
    assert_eq!(refusal(pc2.login("KTA-7301").await), RefusalCode::InUse);
    let second = lease(pc2.login("KTA-7302").await);
    let in_use = Scrape::of(&python, &url).await;
    assert_eq!(in_use.get("bilik_logins_total"), 2.0);
    assert_eq!(
        in_use.get("bilik_login_refusals_total{code=\"UNKNOWN_CARD\"}"),
        1.0
    );
    assert_eq!(
        in_use.get("bilik_login_refusals_total{code=\"INVALID_CARD\"}"),
        1.0
    );
    assert_eq!(
        in_use.get("bilik_login_refusals_total{code=\"IN_USE\"}"),
        1.0
    );
    assert_eq!(in_use.get("bilik_login_duration_seconds_count"), 5.0);
    assert_eq!(
        in_use.get("bilik_login_duration_seconds_bucket{le=\"+Inf\"}"),
        5.0
    );
    assert_eq!(in_use.get("bilik_session_starts_total{how=\"card\"}"), 2.0);
    assert_eq!(in_use.get("bilik_stations{state=\"in_session\"}"), 2.0);
    assert!(
        in_use.get("bilik_store_commit_duration_seconds_count") >= commits_before + 2.0,
        "each session start waits for a durable commit"
    );
    assert_eq!(in_use.get("bilik_sweeper_overdue_seconds"), 0.0);

    // One patron logs out over gRPC; the other's lease runs out and the
    // sweeper ends it.
    pc1.client
        .clone()
        .logout(LogoutRequest {
            session_id: first.session_id.clone(),
        })
        .await
        .unwrap();
    server
        .clock
        .advance_ms(second.ends_at_ms - server.clock_now() + 1000);
    let command::Kind::End(end) = link2.next_command().await else {
        panic!("expected the end of the session")
    };
    assert_eq!(end.session_id, second.session_id);
    let after = scrape_until(&python, &url, "both sessions ended", |s| {
        s.get("bilik_stations{state=\"in_session\"}") == 0.0
    })
    .await;
    assert_eq!(
        after.get("bilik_session_ends_total{reason=\"LOGOUT\"}"),
        1.0
    );
    assert_eq!(
        after.get("bilik_session_ends_total{reason=\"TIME_UP\"}"),
        1.0
    );
    assert_eq!(
        after.or_zero("bilik_session_ends_total{reason=\"LIBRARIAN\"}"),
        0.0
    );
    assert_eq!(after.get("bilik_logins_total"), 2.0);
    assert_eq!(after.get("bilik_audit_chain_intact"), 1.0);
    assert!(
        after.get("bilik_audit_entries") >= 2.0,
        "enrolments are audited"
    );
    assert!(after.get("bilik_sweeper_last_run_age_seconds") < 5.0);
    assert_eq!(after.get("bilik_hub_queue_depth"), 0.0);

    // Nothing personal in the text: no card, no name.
    let http = web::http_client().build().unwrap();
    let raw = http.get(&url).send().await.unwrap().text().await.unwrap();
    for secret in ["KTA-7301", "KTA-7302", "Andi", "Sari"] {
        assert!(!raw.contains(secret), "{secret} in /metrics");
    }
    // Only /metrics is served there.
    let other = url.replace("/metrics", "/health");
    assert_eq!(http.get(&other).send().await.unwrap().status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn metrics_are_off_unless_configured() {
    let server = TestServer::start().await;
    assert!(server.app.config().metrics_listen.is_none());
    assert!(server.metrics_url.is_none());
    server.stop().await;
}
