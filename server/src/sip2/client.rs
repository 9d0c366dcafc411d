//! One connection to the library system: TCP (or TLS) connect, the `93`
//! login once, then requests answered in order, each with its `AY`
//! sequence number. A connection that failed in any way is dropped, never
//! reused: the next request opens a fresh one.

use super::codec::{self, CodecError, MAX_FRAME, Message};
use super::{IlsError, Settings};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a connection runs over: TCP or TLS on TCP.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> Io for T {}

/// A logged-in connection.
pub struct Connection {
    /// The byte stream.
    io: Box<dyn Io>,
    /// Bytes received and not yet consumed (at most [`MAX_FRAME`]).
    buf: Vec<u8>,
    /// The next `AY` sequence number (0-9, wrapping).
    seq: u8,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("seq", &self.seq)
            .finish()
    }
}

/// Builds the TLS client configuration from the library's CA file.
pub fn tls_connector(settings: &Settings) -> Result<tokio_rustls::TlsConnector, IlsError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(&settings.tls_ca_file).map_err(|_| IlsError::TlsSetup)?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        roots
            .add(cert.map_err(|_| IlsError::TlsSetup)?)
            .map_err(|_| IlsError::TlsSetup)?;
    }
    if roots.is_empty() {
        return Err(IlsError::TlsSetup);
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|_| IlsError::TlsSetup)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

impl Connection {
    /// Connects and logs in (when a login user is configured). The caller
    /// bounds the time.
    pub async fn open(
        settings: &Settings,
        tls: Option<&tokio_rustls::TlsConnector>,
    ) -> Result<Connection, IlsError> {
        let tcp = TcpStream::connect((settings.host.as_str(), settings.port))
            .await
            .map_err(|e| IlsError::Connect(e.kind()))?;
        let _ = tcp.set_nodelay(true);
        let io: Box<dyn Io> = match (settings.tls, tls) {
            (false, _) => Box::new(tcp),
            (true, None) => return Err(IlsError::TlsSetup),
            (true, Some(connector)) => {
                let name = rustls::pki_types::ServerName::try_from(settings.tls_name().to_owned())
                    .map_err(|_| IlsError::TlsSetup)?;
                Box::new(
                    connector
                        .connect(name, tcp)
                        .await
                        .map_err(|_| IlsError::TlsHandshake)?,
                )
            }
        };
        let mut conn = Connection {
            io,
            buf: Vec::with_capacity(512),
            seq: 0,
        };
        if !settings.login_user.is_empty() {
            let mut fields = vec![
                ("CN", settings.login_user.as_str()),
                ("CO", settings.login_password.as_str()),
            ];
            if !settings.location_code.is_empty() {
                fields.push(("CP", settings.location_code.as_str()));
            }
            let answer = conn.request("93", "00", &fields, b"94").await?;
            if answer.fixed != "1" {
                return Err(IlsError::LoginRefused);
            }
        }
        Ok(conn)
    }

    /// Sends one request and reads its answer, which must be `want`. A
    /// `96` (the library system asks for a resend) is answered once.
    pub async fn request(
        &mut self,
        command: &str,
        fixed: &str,
        fields: &[(&str, &str)],
        want: &[u8; 2],
    ) -> Result<Message, IlsError> {
        let seq = self.seq;
        self.seq = (self.seq + 1) % 10;
        let frame = codec::encode(command, fixed, fields, seq);
        for _attempt in 0..2 {
            self.io.write_all(&frame).await.map_err(io_error)?;
            self.io.flush().await.map_err(io_error)?;
            let raw = self.read_frame().await?;
            let message = codec::decode(&raw, Some(seq))?;
            if &message.command == b"96" {
                continue;
            }
            if &message.command != want {
                return Err(CodecError::Unexpected.into());
            }
            return Ok(message);
        }
        Err(IlsError::ResendLoop)
    }

    /// The next CR-terminated frame (blank lines skipped), at most
    /// [`MAX_FRAME`] bytes.
    async fn read_frame(&mut self) -> Result<Vec<u8>, IlsError> {
        loop {
            if let Some(at) = self.buf.iter().position(|b| *b == b'\r') {
                let frame: Vec<u8> = self.buf.drain(..=at).collect();
                if frame.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                return Ok(frame);
            }
            if self.buf.len() >= MAX_FRAME {
                return Err(CodecError::TooLong.into());
            }
            let mut chunk = [0u8; 1024];
            let room = (MAX_FRAME + 1 - self.buf.len()).min(chunk.len());
            let n = self.io.read(&mut chunk[..room]).await.map_err(io_error)?;
            if n == 0 {
                return Err(IlsError::Closed);
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

fn io_error(e: std::io::Error) -> IlsError {
    IlsError::Io(e.kind())
}
