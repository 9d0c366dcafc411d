//! The library system (ILS: Koha, Evergreen, ...) over SIP2, for libraries
//! whose card validity lives there (`[members] source = "sip2"`).
//!
//! - [`codec`]: messages on the wire (checksums, sequence numbers, dates).
//! - [`patron`]: what a patron response says, through the field mapping.
//! - [`client`]: one connection, logged in once with `93`.
//! - [`pool`]: the connections a server keeps, the per-request time bound
//!   and the [`breaker`] in front of them.
//!
//! The validity rule itself is [`crate::policy::ils_refusal`].

pub mod breaker;
pub mod client;
pub mod codec;
pub mod patron;
pub mod pool;

pub use patron::{FieldMap, Patron};
pub use pool::Ils;

use std::path::PathBuf;
use std::time::Duration;

/// Which request asks about a patron.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatronRequest {
    /// `63` Patron Information (Koha sends its extensions only here).
    Information,
    /// `23` Patron Status, for systems without `63`.
    Status,
}

/// What the server does when the library system cannot be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflinePolicy {
    /// Refuse every card login ("library system unreachable").
    Refuse,
    /// Accept a card the library system confirmed valid within this many
    /// hours (its PIN checked against the one it confirmed); refuse others.
    AcceptConfirmedWithin(u32),
}

/// The `[sip2]` configuration.
#[derive(Clone, PartialEq)]
pub struct Settings {
    /// The library system's SIP2 host name or address.
    pub host: String,
    /// Its SIP2 port (Koha's default is 6001).
    pub port: u16,
    /// `AO`: the institution the library system knows this library as.
    pub institution_id: String,
    /// `CN`: the SIP2 login user; empty: no `93` login (some systems
    /// authenticate by address).
    pub login_user: String,
    /// `CO`: its password. Never printed or logged.
    pub login_password: String,
    /// `CP`: the location code sent with the login; empty: none.
    pub location_code: String,
    /// `AC`: the terminal password sent with patron requests; empty: none.
    pub terminal_password: String,
    /// Longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest a card login waits for the library system in total
    /// (connection, login and the patron request): the patron's bound.
    pub request_timeout: Duration,
    /// Whether the connection is TLS.
    pub tls: bool,
    /// The CA certificate(s), PEM, that sign the library system's
    /// certificate; needed with `tls`.
    pub tls_ca_file: PathBuf,
    /// The name its certificate is checked against; empty: `host`.
    pub tls_server_name: String,
    /// Connections kept open to the library system (and the most requests
    /// in flight at once).
    pub max_connections: usize,
    /// `63` or `23`.
    pub request: PatronRequest,
    /// Which fields carry category, birth date, internet privilege, expiry
    /// and gender.
    pub fields: FieldMap,
    /// Fines above this (in the library system's currency units) refuse a
    /// login; `None`: fines do not matter.
    pub fine_limit: Option<f64>,
    /// What happens while the library system is unreachable.
    pub offline: OfflinePolicy,
    /// When the circuit breaker opens and for how long.
    pub breaker: breaker::BreakerConfig,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("request", &self.request)
            .field("offline", &self.offline)
            .finish_non_exhaustive()
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            host: String::new(),
            port: 6001,
            institution_id: String::new(),
            login_user: String::new(),
            login_password: String::new(),
            location_code: String::new(),
            terminal_password: String::new(),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(3),
            tls: false,
            tls_ca_file: PathBuf::new(),
            tls_server_name: String::new(),
            max_connections: 4,
            request: PatronRequest::Information,
            fields: FieldMap::default(),
            fine_limit: None,
            offline: OfflinePolicy::Refuse,
            breaker: breaker::BreakerConfig {
                failures: 3,
                base: Duration::from_secs(5),
                cap: Duration::from_secs(60),
            },
        }
    }
}

impl Settings {
    /// The name the library system's certificate must carry.
    pub fn tls_name(&self) -> &str {
        if self.tls_server_name.is_empty() {
            &self.host
        } else {
            &self.tls_server_name
        }
    }
}

/// Why the library system gave no usable answer. Every one of them means
/// "unreachable" to a patron; the kind is logged (it holds no patron data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IlsError {
    /// The TCP connection failed.
    #[error("cannot connect to the library system: {0}")]
    Connect(std::io::ErrorKind),
    /// The TLS configuration (CA file) is unusable.
    #[error("the SIP2 TLS settings (tls_ca_file, tls_server_name) are unusable")]
    TlsSetup,
    /// The TLS handshake failed (wrong certificate, not TLS).
    #[error("the TLS handshake with the library system failed")]
    TlsHandshake,
    /// Reading or writing failed.
    #[error("the connection to the library system failed: {0}")]
    Io(std::io::ErrorKind),
    /// The library system closed the connection.
    #[error("the library system closed the connection")]
    Closed,
    /// The `93` login was refused (wrong SIP2 user or password).
    #[error("the library system refused the SIP2 login")]
    LoginRefused,
    /// It kept asking for a resend.
    #[error("the library system kept asking for a resend")]
    ResendLoop,
    /// Its answer was not understood.
    #[error(transparent)]
    Codec(#[from] codec::CodecError),
    /// No answer within the request timeout.
    #[error("the library system did not answer in time")]
    Timeout,
    /// The circuit breaker is open: recent requests failed.
    #[error("the library system failed recently; not asked again yet")]
    BreakerOpen,
}
