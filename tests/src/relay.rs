//! Men in the middle, for tests of what crosses the network: a relay that
//! records every byte between a client and a server, and an interceptor
//! that presents its own certificate (and would pass everything on to the
//! real server if the client accepted it).

use crate::peers::TcpPeer;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// Relays TCP connections to `target`, recording both directions.
#[derive(Debug)]
pub struct Recorder {
    /// Where clients connect instead of the server.
    pub addr: SocketAddr,
    /// Every byte seen, both directions, in arrival order.
    pub bytes: Arc<Mutex<Vec<u8>>>,
    /// The accept loop (the relay ends with it).
    _peer: TcpPeer,
}

impl Recorder {
    /// Starts relaying to `target` on a free port.
    pub async fn start(target: SocketAddr) -> Recorder {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let record = bytes.clone();
        let peer = TcpPeer::start(None, move |client| {
            let record = record.clone();
            async move {
                let Ok(server) = TcpStream::connect(target).await else {
                    return;
                };
                let (cr, cw) = tokio::io::split(client);
                let (sr, sw) = server.into_split();
                let up = pump(cr, sw, record.clone());
                let down = pump(sr, cw, record);
                let _ = tokio::join!(up, down);
            }
        });
        Recorder {
            addr: peer.addr,
            bytes,
            _peer: peer,
        }
    }

    /// Whether `needle` appears anywhere in what was recorded.
    pub fn saw(&self, needle: &str) -> bool {
        let bytes = self.bytes.lock().unwrap();
        !needle.is_empty() && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    /// How many bytes were recorded.
    pub fn len(&self) -> usize {
        self.bytes.lock().unwrap().len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Copies `from` to `to`, recording what passes.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    record: Arc<Mutex<Vec<u8>>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        record.lock().unwrap().extend_from_slice(&buf[..n]);
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// Terminates TLS with a certificate of its own and relays the plain bytes
/// to the real server over TLS (pinning the real certificate itself): what
/// an attacker on the library LAN would run.
#[derive(Debug)]
pub struct Interceptor {
    /// Where victims connect.
    pub addr: SocketAddr,
    /// Connections whose TLS handshake the client completed (a pinning
    /// client never completes one).
    pub completed: Arc<Mutex<u32>>,
    /// The accept loop (the relay ends with it).
    _peer: TcpPeer,
}

impl Interceptor {
    /// Intercepts connections meant for `target`, whose certificate
    /// fingerprint is `target_fingerprint`.
    pub async fn start(target: SocketAddr, target_fingerprint: &str) -> Interceptor {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let mut server_config = crate::peers::tls_config(cert.der(), &key);
        server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
        let upstream = bilik_proto::transport::pinned_client_config(
            bilik_proto::ServerTrust::Pinned(vec![target_fingerprint.to_owned()]),
            None,
            vec![b"h2".to_vec()],
        )
        .unwrap();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(upstream));
        let completed = Arc::new(Mutex::new(0));
        let count = completed.clone();
        // The peer completes the handshake before the handler runs.
        let peer = TcpPeer::start(Some(acceptor), move |client| {
            let (connector, count) = (connector.clone(), count.clone());
            async move {
                *count.lock().unwrap() += 1;
                let Ok(tcp) = TcpStream::connect(target).await else {
                    return;
                };
                let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
                let Ok(server) = connector.connect(name, tcp).await else {
                    return;
                };
                let (mut cr, mut cw) = tokio::io::split(client);
                let (mut sr, mut sw) = tokio::io::split(server);
                let _ = tokio::join!(
                    tokio::io::copy(&mut cr, &mut sw),
                    tokio::io::copy(&mut sr, &mut cw)
                );
            }
        });
        Interceptor {
            addr: peer.addr,
            completed,
            _peer: peer,
        }
    }
}
