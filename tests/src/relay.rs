//! Men in the middle, for tests of what crosses the network: a relay that
//! records every byte between a client and a server, and an interceptor
//! that presents its own certificate (and would pass everything on to the
//! real server if the client accepted it).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// Relays TCP connections to `target`, recording both directions.
#[derive(Debug)]
pub struct Recorder {
    /// Where clients connect instead of the server.
    pub addr: SocketAddr,
    /// Every byte seen, both directions, in arrival order.
    pub bytes: Arc<Mutex<Vec<u8>>>,
    /// The accept loop.
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Starts relaying to `target` on a free port.
    pub async fn start(target: SocketAddr) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let record = bytes.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let record = record.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target).await else {
                        return;
                    };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    let up = pump(cr, sw, record.clone());
                    let down = pump(sr, cw, record);
                    let _ = tokio::join!(up, down);
                });
            }
        });
        Recorder { addr, bytes, task }
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
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    record: Arc<Mutex<Vec<u8>>>,
) {
    use tokio::io::AsyncReadExt;
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
    /// The accept loop.
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Interceptor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Interceptor {
    /// Intercepts connections meant for `target`, whose certificate
    /// fingerprint is `target_fingerprint`.
    pub async fn start(target: SocketAddr, target_fingerprint: &str) -> Interceptor {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
        let upstream = bilik_proto::transport::pinned_client_config(
            bilik_proto::ServerTrust::Pinned(vec![target_fingerprint.to_owned()]),
            None,
            vec![b"h2".to_vec()],
        )
        .unwrap();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(upstream));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let completed = Arc::new(Mutex::new(0));
        let count = completed.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (acceptor, connector, count) =
                    (acceptor.clone(), connector.clone(), count.clone());
                tokio::spawn(async move {
                    let Ok(client) = acceptor.accept(client).await else {
                        return;
                    };
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
                });
            }
        });
        Interceptor {
            addr,
            completed,
            task,
        }
    }
}
