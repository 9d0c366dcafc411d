//! Test peers: the third-party ones written in Python (`tests/peers/`, run
//! with [`crate::python::interpreter`]), and [`TcpPeer`], the accept loop
//! under the small hand-made ones (a misbehaving library system, a web
//! site, a relay). A test whose interpreter or package is missing skips
//! loudly, and fails with `BILIK_E2E=require` (see [`crate::python`]).

use crate::DEADLINE;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::process::{Child, Command};

/// One accepted connection as a handler gets it: plain TCP, or the TLS
/// stream over it.
pub trait Conn: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Conn for T {}

/// What a [`TcpPeer`] does with each connection.
type Handler = Arc<dyn Fn(Box<dyn Conn>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A hand-made TCP peer on 127.0.0.1: an accept loop handing every
/// connection (after a TLS handshake, with a TLS acceptor) to its handler.
/// Stopping it (or dropping it) closes the port and drops its connections;
/// it can listen again on the same port.
pub struct TcpPeer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Kept to listen again after a stop.
    handler: Handler,
    /// Terminates TLS before the handler, for a peer that speaks TLS.
    tls: Option<tokio_rustls::TlsAcceptor>,
    /// The accept loop, owning the connections (aborted: all of them end).
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for TcpPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpPeer")
            .field("addr", &self.addr)
            .field("tls", &self.tls.is_some())
            .field("listening", &self.task.is_some())
            .finish()
    }
}

impl TcpPeer {
    /// Listens on a free port, running `handle` for every connection
    /// (TLS-terminated first with `tls`).
    pub fn start<F, Fut>(tls: Option<tokio_rustls::TlsAcceptor>, handle: F) -> TcpPeer
    where
        F: Fn(Box<dyn Conn>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut peer = TcpPeer {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            handler: Arc::new(move |conn| Box::pin(handle(conn))),
            tls,
            task: None,
        };
        peer.resume();
        peer
    }

    /// Listens again, on the same port after the first time (the address
    /// reused, so a port just closed can be taken again at once).
    pub fn resume(&mut self) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(self.addr).unwrap();
        let listener = socket.listen(64).unwrap();
        self.addr = listener.local_addr().unwrap();
        let (handler, tls) = (self.handler.clone(), self.tls.clone());
        self.task = Some(tokio::spawn(async move {
            // The connections die with the accept loop.
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                let (handler, tls) = (handler.clone(), tls.clone());
                conns.spawn(async move {
                    match tls {
                        Some(tls) => {
                            if let Ok(stream) = tls.accept(tcp).await {
                                handler(Box::new(stream)).await;
                            }
                        }
                        None => handler(Box::new(tcp)).await,
                    }
                });
                // Finished connections are not kept.
                while conns.try_join_next().is_some() {}
            }
        }));
    }

    /// Closes the port (connections are refused) and ends every connection.
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for TcpPeer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// A TLS server configuration presenting `cert` (signed for `key`), ring
/// as the provider, no client certificates: what a test peer speaking TLS
/// needs (wrap it in a `tokio_rustls::TlsAcceptor`).
pub fn tls_config(
    cert: &rustls::pki_types::CertificateDer<'static>,
    key: &rcgen::KeyPair,
) -> rustls::ServerConfig {
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap()
}

/// [`tls_config`] as an acceptor for [`TcpPeer::start`].
pub fn tls_acceptor(
    cert: &rustls::pki_types::CertificateDer<'static>,
    key: &rcgen::KeyPair,
) -> tokio_rustls::TlsAcceptor {
    tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(cert, key)))
}

/// The path of a peer script.
fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("peers")
        .join(name)
}

/// `tests/peers/sip2_ils.py`: pysip2's SIP2 server with the test patrons
/// (see the script for who is who). Killed when dropped.
#[derive(Debug)]
pub struct Sip2Ils {
    /// The port it listens on.
    pub port: u16,
    /// `93` logins it answered.
    pub logins: Arc<AtomicU32>,
    /// The process.
    child: Child,
}

impl Sip2Ils {
    /// Starts it on `port` (0: any free one) and waits until it listens.
    pub async fn start(port: u16) -> Sip2Ils {
        let mut child = Command::new(crate::python::interpreter())
            .arg(script("sip2_ils.py"))
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SIP2 peer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = tokio::time::timeout(DEADLINE, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(p) = line.strip_prefix("LISTENING ") {
                    return p.trim().parse::<u16>().unwrap();
                }
            }
            panic!("the SIP2 peer exited before listening");
        })
        .await
        .expect("the SIP2 peer did not listen in time");
        let logins = Arc::new(AtomicU32::new(0));
        let counter = logins.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("LOGIN 1") {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Sip2Ils {
            port,
            logins,
            child,
        }
    }

    /// Kills it (SIGKILL: the library system vanishes mid-run).
    pub async fn stop(&mut self) {
        let _ = self.child.kill().await;
    }

    /// The server overrides that make a Bilik server ask this peer.
    pub fn overrides(&self) -> Vec<String> {
        sip2_overrides(self.port)
    }
}

/// Overrides for a server asking a SIP2 peer on `port` of 127.0.0.1 as
/// `bilik`/`rahasia`, with the tests' short timeouts and a fine limit of 50000.
pub fn sip2_overrides(port: u16) -> Vec<String> {
    [
        "members.source=sip2".to_owned(),
        "sip2.host=127.0.0.1".to_owned(),
        format!("sip2.port={port}"),
        "sip2.institution_id=UJI".to_owned(),
        "sip2.login_user=bilik".to_owned(),
        "sip2.login_password=rahasia".to_owned(),
        "sip2.fine_limit=50000".to_owned(),
        "sip2.field_gender=XS".to_owned(),
        "sip2.request_timeout_ms=800".to_owned(),
        "sip2.connect_timeout_ms=500".to_owned(),
        "sip2.breaker_failures=2".to_owned(),
        "sip2.breaker_pause_ms=200".to_owned(),
        "sip2.breaker_max_pause_ms=400".to_owned(),
    ]
    .to_vec()
}
