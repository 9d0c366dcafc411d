//! The website watch (the library's website procedure, SOP 07): what is
//! watched ([`Site`], from `[watch]` in the configuration) and one check of
//! it ([`probe`]). The schedule, the state kept between checks, the
//! problems-log entries and the reminders are use cases in
//! [`crate::app`]; this module only talks to the watched site.
//!
//! A watched site is a peer like any other from outside: its answer is
//! read with a time limit ([`Site::timeout`]) and a size limit
//! ([`MAX_BODY_BYTES`]), only hashed, and never shown or logged.

pub(crate) mod cert;
pub mod probe;

use chrono::NaiveDate;
use std::path::PathBuf;
use std::time::Duration;

/// Most bytes of a watched page that are read (and hashed) per check: a
/// page larger than this is judged by its first MiB.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Most sites one configuration may watch.
pub const MAX_SITES: usize = 50;

/// What a watched address is, which decides what is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The library's website: up, response time, content change, expiry.
    Website,
    /// The online catalogue: up, response time, expiry (its pages change
    /// with every search, so content is not compared).
    Opac,
    /// An address outside the library that shows the internet link works
    /// (as the stations reach it through the same uplink): up and response
    /// time only.
    Uplink,
}

impl Kind {
    /// The word the configuration uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Website => "website",
            Kind::Opac => "opac",
            Kind::Uplink => "uplink",
        }
    }

    /// Whether a change of the page's content is tracked ("last changed").
    pub fn tracks_content(self) -> bool {
        self == Kind::Website
    }
}

/// One watched address (`[[watch.site]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// What staff read on the Health page and in the problems log; unique.
    pub name: String,
    /// The `http://` or `https://` address fetched with GET (no redirects
    /// followed: a redirect answers, so the site is up).
    pub url: String,
    /// What is checked (see [`Kind`]).
    pub kind: Kind,
    /// Time between two checks.
    pub interval: Duration,
    /// Longest one check may take, from connecting to the last byte read:
    /// a site that answers slower is down.
    pub timeout: Duration,
    /// A CA certificate (PEM) trusted beside the system's roots, for a
    /// site with a certificate of the library's own CA; empty: none.
    pub ca_file: PathBuf,
    /// When the domain registration ends, entered by hand (there is no
    /// WHOIS here); `None`: not tracked.
    pub domain_expires: Option<NaiveDate>,
    /// When the hosting contract ends, entered by hand; `None`: not tracked.
    pub hosting_expires: Option<NaiveDate>,
}

/// The `[watch]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Every watched address, in the order of the configuration.
    pub sites: Vec<Site>,
    /// Consecutive failed checks that make an outage (and open a problem);
    /// one failure alone is a blip.
    pub failures_before_outage: u32,
    /// Days before a certificate, domain or hosting expiry that the Health
    /// page starts reminding of the renewal.
    pub remind_days: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            sites: Vec::new(),
            failures_before_outage: 3,
            remind_days: 30,
        }
    }
}
