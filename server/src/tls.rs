//! The server's TLS identity: its own key and self-signed certificate, made
//! at `init` / first start in `<data_dir>/tls/` (key mode 0600), or the
//! library's own certificate and key from the configuration. Clients pin
//! its SHA-256 fingerprint (see `bilik_proto::transport`), so a self-signed
//! certificate is as good as one from a CA for the agents and the CLI.

use crate::config::Config;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why the TLS identity could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The PEM files hold no usable certificate or key.
    #[error("{}: {what}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: &'static str,
    },
    /// The certificate could not be made.
    #[error("cannot make the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the certificate and key.
    #[error("the certificate and key do not make a TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server's certificate chain and key, and what clients pin.
#[derive(Debug, Clone)]
pub struct ServerIdentity {
    /// The certificate chain (PEM), leaf first.
    pub cert_pem: Vec<u8>,
    /// The private key (PEM).
    pub key_pem: Vec<u8>,
    /// SHA-256 of the leaf certificate, lower-case hex: what agents pin.
    pub fingerprint: String,
    /// Where the leaf certificate is (the CLI on this machine reads it).
    pub cert_path: PathBuf,
    /// The fingerprint of the certificate the server will switch to
    /// (`tls.next_cert_file`), announced to agents before the switch.
    pub next_fingerprint: Option<String>,
}

/// The default place of the server's own certificate.
pub fn own_cert_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tls").join("server.crt")
}

impl ServerIdentity {
    /// The configured certificate, or the server's own from the data
    /// directory (made now if missing). `None` with `tls.insecure`.
    pub fn load_or_create(config: &Config) -> Result<Option<ServerIdentity>, TlsError> {
        if config.insecure {
            return Ok(None);
        }
        let (cert_path, key_path) = if config.tls_cert_file.as_os_str().is_empty() {
            let cert = own_cert_path(&config.data_dir);
            let key = config.data_dir.join("tls").join("server.key");
            if !cert.exists() || !key.exists() {
                create_own(&cert, &key, &config.tls_names)?;
            }
            (cert, key)
        } else {
            (config.tls_cert_file.clone(), config.tls_key_file.clone())
        };
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| TlsError::Io {
                path: path.to_owned(),
                source,
            })
        };
        let cert_pem = read(&cert_path)?;
        let key_pem = read(&key_path)?;
        let leaf = CertificateDer::pem_slice_iter(&cert_pem)
            .next()
            .and_then(Result::ok)
            .ok_or(TlsError::Pem {
                path: cert_path.clone(),
                what: "no certificate in it",
            })?;
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| TlsError::Pem {
            path: key_path.clone(),
            what: "no private key in it",
        })?;
        let next_fingerprint = if config.tls_next_cert_file.as_os_str().is_empty() {
            None
        } else {
            let path = &config.tls_next_cert_file;
            let pem = read(path)?;
            let next = CertificateDer::pem_slice_iter(&pem)
                .next()
                .and_then(Result::ok)
                .ok_or(TlsError::Pem {
                    path: path.clone(),
                    what: "no certificate in it",
                })?;
            Some(bilik_proto::transport::fingerprint(next.as_ref()))
        };
        let identity = ServerIdentity {
            fingerprint: bilik_proto::transport::fingerprint(leaf.as_ref()),
            cert_pem,
            key_pem,
            cert_path,
            next_fingerprint,
        };
        // Checked now, not at the first browser.
        identity.rustls_config(vec![b"http/1.1".to_vec()])?;
        Ok(Some(identity))
    }

    /// A rustls server configuration with this identity and these ALPN protocols.
    pub fn rustls_config(&self, alpn: Vec<Vec<u8>>) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&self.cert_pem)
            .filter_map(Result::ok)
            .collect();
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem).map_err(|_| TlsError::Pem {
            path: self.cert_path.clone(),
            what: "no private key",
        })?;
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
        config.alpn_protocols = alpn;
        Ok(Arc::new(config))
    }
}

/// Makes the server's own key and self-signed certificate.
fn create_own(cert_path: &Path, key_path: &Path, extra_names: &[String]) -> Result<(), TlsError> {
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        if !host.is_empty() {
            names.push(host.to_owned());
        }
    }
    names.extend(extra_names.iter().cloned());
    names.dedup();
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Bilik server");
    // rcgen's default validity (1975..4096): the pin, not the dates, is
    // what clients check; renewal is a new pair announced to agents.
    let cert = params.self_signed(&key)?;
    let dir = cert_path.parent().unwrap_or_else(|| Path::new("."));
    crate::secrets::private_dir(dir).map_err(|source| TlsError::Io {
        path: dir.to_owned(),
        source,
    })?;
    crate::secrets::write_private(key_path, key.serialize_pem().as_bytes()).map_err(|source| {
        TlsError::Io {
            path: key_path.to_owned(),
            source,
        }
    })?;
    crate::secrets::write_private(cert_path, cert.pem().as_bytes()).map_err(|source| {
        TlsError::Io {
            path: cert_path.to_owned(),
            source,
        }
    })?;
    tracing::info!(path = %cert_path.display(), "made the server's TLS certificate");
    Ok(())
}
