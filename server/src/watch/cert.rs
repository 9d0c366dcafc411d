//! The certificate side of a check: which roots a watched site's
//! certificate must chain to, and the certificate's expiry, read even when
//! it does not verify (an expired or untrusted certificate is exactly what
//! the Health page must name).

use rustls::DigitallySignedStruct;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The roots the system trusts (read once per watch start), with a
/// site's own CA added when it names one.
pub(crate) fn roots(system: &[CertificateDer<'static>], ca_file: &Path) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    let (_added, _ignored) = roots.add_parsable_certificates(system.iter().cloned());
    if !ca_file.as_os_str().is_empty() {
        match std::fs::read(ca_file) {
            Ok(pem) => {
                let own = CertificateDer::pem_slice_iter(&pem).filter_map(Result::ok);
                let (added, _) = roots.add_parsable_certificates(own);
                if added == 0 {
                    tracing::error!(file = %ca_file.display(), "watch: no certificate in the CA file");
                }
            }
            Err(e) => {
                tracing::error!(file = %ca_file.display(), error = %e, "watch: cannot read the CA file")
            }
        }
    }
    roots
}

/// The certificates the system trusts (`/etc/ssl/certs` and the like);
/// none when they cannot be read (then only a site's own CA works).
pub(crate) fn system_roots() -> Vec<CertificateDer<'static>> {
    let found = rustls_native_certs::load_native_certs();
    if found.certs.is_empty() {
        tracing::warn!("watch: no system CA certificates found");
    }
    found.certs
}

/// UTC ms at which a DER certificate stops being valid; `None` when it
/// does not parse.
pub(crate) fn not_after_ms(der: &[u8]) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    cert.validity().not_after.timestamp().checked_mul(1000)
}

/// The standard verifier, keeping the end-entity certificate it was shown
/// (one per connection).
#[derive(Debug)]
pub(crate) struct Capturing {
    /// Does the real checking (chain, name, validity).
    inner: Arc<WebPkiServerVerifier>,
    /// The certificate the server presented, once it has.
    leaf: Mutex<Option<CertificateDer<'static>>>,
}

impl Capturing {
    /// A capturing verifier over `roots`.
    pub(crate) fn new(roots: Arc<rustls::RootCertStore>) -> Option<Capturing> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .ok()?;
        Some(Capturing {
            inner,
            leaf: Mutex::new(None),
        })
    }

    /// The certificate the server presented, if the handshake got that far.
    pub(crate) fn leaf(&self) -> Option<CertificateDer<'static>> {
        self.leaf.lock().ok().and_then(|l| l.clone())
    }
}

impl ServerCertVerifier for Capturing {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut leaf) = self.leaf.lock() {
            *leaf = Some(end_entity.clone().into_owned());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
