//! How clients reach a Bilik server: the one place where the transport is
//! set up. Links are TLS (rustls) and the server is *pinned*: a client
//! accepts only a certificate whose SHA-256 it already knows, never one
//! because some authority signed it. Plain text only when asked for
//! explicitly ([`ServerTrust::Insecure`]).
//!
//! At enrolment the agent knows no fingerprint yet; the enrolment code
//! carries a tag of it (the first 80 bits of the certificate's SHA-256),
//! so the agent can check the certificate it is shown *before* it sends
//! the code. A man in the middle would need a certificate whose SHA-256
//! starts with those 80 bits. After enrolment the agent keeps the full
//! fingerprint and accepts nothing else (or the successor the server
//! announced over the authenticated link).

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a refused certificate is told as (the agent shows this).
pub const NOT_ENROLLED_CERT: &str = "the server's certificate is not the one enrolled with";

/// Hex characters of the fingerprint tag an enrolment code carries (80 bits).
pub const CODE_TAG_LEN: usize = 20;

/// Which server certificate a client accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTrust {
    /// Plain text (`http://` only): tests, or an explicit `--insecure`.
    Insecure,
    /// TLS, accepting only certificates with one of these SHA-256
    /// fingerprints (lower-case hex): the enrolled one and an announced successor.
    Pinned(Vec<String>),
    /// TLS at enrolment: a certificate whose fingerprint starts with this
    /// tag (from the enrolment code, [`CODE_TAG_LEN`] hex characters).
    Tag(String),
}

/// Why no channel could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL and the trust do not go together (e.g. `http://` without
    /// `Insecure`, or `https://` with it).
    #[error("{0}")]
    Usage(String),
    /// tonic could not set up or reach the endpoint.
    #[error("{}", describe(.0))]
    Transport(#[from] tonic::transport::Error),
}

/// SHA-256 of a DER certificate, lower-case hex: what is pinned.
pub fn fingerprint(cert_der: &[u8]) -> String {
    hex(&Sha256::digest(cert_der))
}

/// The tag of a fingerprint an enrolment code carries (upper-case hex).
pub fn code_tag(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .take(CODE_TAG_LEN)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Characters of an enrolment code's one-time secret (the rest is the tag).
pub const CODE_SECRET_LEN: usize = 8;

/// A typed enrolment code as (secret, certificate tag): letters and digits
/// only, upper-case; the tag is empty for a code without one.
pub fn split_code(code: &str) -> (String, String) {
    let typed: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let (secret, tag) = typed.split_at(typed.len().min(CODE_SECRET_LEN));
    (secret.to_owned(), tag.to_owned())
}

/// An error and its causes on one line: tonic's own text is only
/// "transport error", the reason (a refused certificate, a refused
/// connection) is further down the chain.
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens a channel to a Bilik server at `url`, trusting only what `trust`
/// says. Every dialled socket has TCP_NODELAY (Nagle plus delayed ACKs
/// cost ~40 ms per push otherwise).
pub async fn connect(
    url: &str,
    trust: &ServerTrust,
) -> Result<tonic::transport::Channel, ConnectError> {
    connect_seeing(url, trust, None).await
}

/// [`connect`], also telling which certificate fingerprint was accepted
/// (enrolment keeps it).
pub async fn connect_seeing(
    url: &str,
    trust: &ServerTrust,
    seen: Option<Arc<Mutex<Option<String>>>>,
) -> Result<tonic::transport::Channel, ConnectError> {
    let https = url.starts_with("https://");
    // Our connector does the TLS; tonic, seeing https:// without its own TLS
    // set up, would refuse, so it is given the same address as http://.
    let dialled = match url.strip_prefix("https://") {
        Some(rest) => format!("http://{rest}"),
        None => url.to_owned(),
    };
    let endpoint = tonic::transport::Endpoint::from_shared(dialled)?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        // Notice a dead network (no reset) in ~30 s instead of a TCP timeout.
        .http2_keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(Duration::from_secs(10))
        .keep_alive_while_idle(true);
    match (https, trust) {
        (false, ServerTrust::Insecure) => Ok(endpoint.connect().await?),
        (false, _) => Err(ConnectError::Usage(format!(
            "{url} is plain text: use https:// (or --insecure, which sends passwords and \
             card numbers readable by anyone on the network)"
        ))),
        (true, ServerTrust::Insecure) => Err(ConnectError::Usage(
            "an https:// server needs a pinned certificate (its fingerprint or certificate file)"
                .into(),
        )),
        (true, trust) => {
            let connector = PinnedConnector::new(trust.clone(), seen)?;
            Ok(endpoint.connect_with_connector(connector).await?)
        }
    }
}

/// Dials TCP (no Nagle) and does the TLS handshake with a [`PinVerifier`].
#[derive(Clone)]
struct PinnedConnector {
    /// The rustls client configuration with the pinning verifier.
    tls: tokio_rustls::TlsConnector,
}

impl PinnedConnector {
    fn new(
        trust: ServerTrust,
        seen: Option<Arc<Mutex<Option<String>>>>,
    ) -> Result<PinnedConnector, ConnectError> {
        let config = pinned_client_config(trust, seen, vec![b"h2".to_vec()])?;
        Ok(PinnedConnector {
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        })
    }
}

/// A rustls client configuration that accepts only what `trust` pins
/// (e.g. for an HTTPS client of the dashboard), offering `alpn`.
pub fn pinned_client_config(
    trust: ServerTrust,
    seen: Option<Arc<Mutex<Option<String>>>>,
    alpn: Vec<Vec<u8>>,
) -> Result<rustls::ClientConfig, ConnectError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinVerifier {
        trust,
        provider: provider.clone(),
        seen,
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectError::Usage(format!("TLS set-up: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = alpn;
    Ok(config)
}

impl std::fmt::Debug for PinnedConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinnedConnector")
    }
}

impl tower::Service<http::Uri> for PinnedConnector {
    type Response = hyper_util::rt::TokioIo<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let tls = self.tls.clone();
        Box::pin(async move {
            let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
            let host = uri
                .host()
                .ok_or_else(|| bad("the URL has no host"))?
                .to_owned();
            let port = uri.port_u16().unwrap_or(50551);
            let bare = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let tcp = tokio::net::TcpStream::connect((bare.as_str(), port)).await?;
            tcp.set_nodelay(true)?;
            // The name only selects nothing here (the pin decides), but it
            // must be well-formed; an IP address is a valid server name.
            let name = ServerName::try_from(bare).map_err(|_| bad("not a host name"))?;
            let stream = tls.connect(name, tcp).await?;
            Ok(hyper_util::rt::TokioIo::new(stream))
        })
    }
}

/// Accepts exactly the pinned certificate(s), checking the handshake's
/// signatures with the server's key as usual.
#[derive(Debug)]
struct PinVerifier {
    /// What is accepted.
    trust: ServerTrust,
    /// Signature algorithms for the handshake checks.
    provider: Arc<CryptoProvider>,
    /// Where to leave the accepted fingerprint, if someone asked.
    seen: Option<Arc<Mutex<Option<String>>>>,
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fp = fingerprint(end_entity.as_ref());
        let accepted = match &self.trust {
            ServerTrust::Pinned(fps) => fps.iter().any(|p| p.eq_ignore_ascii_case(&fp)),
            ServerTrust::Tag(tag) => tag.len() == CODE_TAG_LEN && code_tag(&fp) == *tag,
            ServerTrust::Insecure => false,
        };
        if !accepted {
            return Err(rustls::Error::General(NOT_ENROLLED_CERT.into()));
        }
        if let Some(seen) = &self.seen
            && let Ok(mut seen) = seen.lock()
        {
            *seen = Some(fp);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_code_splits_into_its_secret_and_its_tag() {
        let (secret, tag) = split_code(" k7qm-3xwp-ABCD-ef01-2345-6789-abcd ");
        assert_eq!(secret, "K7QM3XWP");
        assert_eq!(tag, "ABCDEF0123456789ABCD");
        assert_eq!(split_code("K7QM-3XWP"), ("K7QM3XWP".into(), String::new()));
    }

    #[test]
    fn a_tag_is_the_fingerprints_first_80_bits() {
        let fp = fingerprint(b"certificate");
        assert_eq!(fp.len(), 64);
        let tag = code_tag(&fp);
        assert_eq!(tag.len(), CODE_TAG_LEN);
        assert!(fp.to_ascii_uppercase().starts_with(&tag));
    }

    #[tokio::test]
    async fn plain_text_needs_insecure_and_tls_needs_a_pin() {
        let pinned = ServerTrust::Pinned(vec!["00".repeat(32)]);
        let err = connect("http://127.0.0.1:1", &pinned).await.unwrap_err();
        assert!(err.to_string().contains("plain text"), "{err}");
        let err = connect("https://127.0.0.1:1", &ServerTrust::Insecure)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("pinned"), "{err}");
    }
}
