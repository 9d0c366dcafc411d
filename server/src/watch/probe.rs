//! One check of a watched site: connect, TLS (for `https://`), one GET,
//! the status and a hash of the first [`MAX_BODY_BYTES`] of the answer,
//! all within the site's timeout. Nothing the site sent is kept but the
//! status code, the hash and its certificate's expiry date.

use super::cert::{Capturing, not_after_ms};
use super::{MAX_BODY_BYTES, Site};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Why a check failed, in our words (never the site's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The name did not resolve or nothing accepted the connection.
    Unreachable,
    /// No complete answer within the timeout.
    Timeout,
    /// The TLS handshake failed for another reason than the certificate.
    Tls,
    /// The certificate is expired, not yet valid, for another name or not
    /// from a trusted CA: browsers refuse the site.
    Certificate,
    /// The site answered with an error status (4xx, 5xx).
    Status(u16),
    /// The answer was not HTTP.
    Protocol,
}

impl Failure {
    /// The stable code stored with the site's state (the catalogue has its
    /// words; a status failure keeps its number beside it).
    pub fn code(self) -> &'static str {
        match self {
            Failure::Unreachable => "unreachable",
            Failure::Timeout => "timeout",
            Failure::Tls => "tls",
            Failure::Certificate => "certificate",
            Failure::Status(_) => "status",
            Failure::Protocol => "protocol",
        }
    }
}

/// What one check saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Up, or why not.
    pub result: Result<(), Failure>,
    /// HTTP status of the answer (0: none came).
    pub status: u16,
    /// Milliseconds from connecting to the last byte read (or to the
    /// failure).
    pub response_ms: u32,
    /// SHA-256 of the answer's first [`MAX_BODY_BYTES`] (`None`: no answer).
    pub content: Option<[u8; 32]>,
    /// When the presented certificate expires, UTC ms (`None`: plain HTTP,
    /// or no certificate got as far as us).
    pub cert_expires_ms: Option<i64>,
}

/// Checks `site` once, trusting `roots` for `https://`.
pub async fn check(site: &Site, roots: Arc<rustls::RootCertStore>) -> Outcome {
    let started = Instant::now();
    let verifier = Capturing::new(roots).map(Arc::new);
    let fetched = tokio::time::timeout(site.timeout, fetch(site, verifier.clone())).await;
    let response_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    let cert_expires_ms = verifier
        .and_then(|v| v.leaf())
        .and_then(|der| not_after_ms(&der));
    let (result, status, content) = match fetched {
        Err(_) => (Err(Failure::Timeout), 0, None),
        Ok(Err(failure)) => (Err(failure), 0, None),
        Ok(Ok((status, hash))) if status >= 400 => {
            (Err(Failure::Status(status)), status, Some(hash))
        }
        Ok(Ok((status, hash))) => (Ok(()), status, Some(hash)),
    };
    Outcome {
        result,
        status,
        response_ms,
        content,
        cert_expires_ms,
    }
}

/// The status and body hash of one GET of `site.url`.
async fn fetch(site: &Site, verifier: Option<Arc<Capturing>>) -> Result<(u16, [u8; 32]), Failure> {
    let uri: http::Uri = site.url.parse().map_err(|_| Failure::Protocol)?;
    let https = uri.scheme_str() == Some("https");
    let host = uri.host().ok_or(Failure::Protocol)?.to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    // An IPv6 literal comes bracketed in the URI; the socket wants it bare.
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let tcp = TcpStream::connect((bare.as_str(), port))
        .await
        .map_err(|_| Failure::Unreachable)?;
    let _ = tcp.set_nodelay(true);
    let authority = uri
        .authority()
        .map_or_else(|| host.clone(), |a| a.as_str().to_owned());
    let path = uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    if !https {
        return get(tcp, &authority, &path).await;
    }
    let verifier = verifier.ok_or(Failure::Tls)?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|_| Failure::Tls)?
    .dangerous()
    .with_custom_certificate_verifier(verifier)
    .with_no_client_auth();
    let name = ServerName::try_from(bare).map_err(|_| Failure::Tls)?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| {
            let certificate = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .is_some_and(|r| {
                    matches!(
                        r,
                        rustls::Error::InvalidCertificate(_)
                            | rustls::Error::AlertReceived(
                                rustls::AlertDescription::BadCertificate
                            )
                    )
                });
            if certificate {
                Failure::Certificate
            } else {
                Failure::Tls
            }
        })?;
    get(tls, &authority, &path).await
}

/// One HTTP/1.1 GET over `io`: the status and the hash of the body's first
/// [`MAX_BODY_BYTES`] (the rest is not read).
async fn get<S>(io: S, authority: &str, path: &str) -> Result<(u16, [u8; 32]), Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|_| Failure::Protocol)?;
    let driver = AbortOnDrop(tokio::spawn(async move {
        let _ = conn.await;
    }));
    let request = http::Request::get(path)
        .header(http::header::HOST, authority)
        .header(
            http::header::USER_AGENT,
            concat!("bilik-watch/", env!("CARGO_PKG_VERSION")),
        )
        .header(http::header::CONNECTION, "close")
        .body(http_body_util::Empty::<hyper::body::Bytes>::new())
        .map_err(|_| Failure::Protocol)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|_| Failure::Protocol)?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut hash = Sha256::new();
    let mut read = 0usize;
    while read < MAX_BODY_BYTES {
        match body.frame().await {
            None => break,
            Some(Err(_)) => return Err(Failure::Protocol),
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    let take = data.len().min(MAX_BODY_BYTES - read);
                    hash.update(&data[..take]);
                    read += take;
                }
            }
        }
    }
    drop(driver);
    Ok((status, hash.finalize().into()))
}

/// Stops the connection task when the check is over (or timed out).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::fmt::Debug for AbortOnDrop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AbortOnDrop")
    }
}
