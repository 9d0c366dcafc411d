//! The dashboard over TLS: for each accepted connection, the first byte
//! decides. A TLS handshake goes on to rustls (bounded by a timeout); a
//! plain-HTTP request gets a redirect to the `https://` address and is
//! closed, never served in plain text.

use crate::net::Guarded;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

/// Longest a client may take to complete the TLS handshake (or to send a
/// plain-HTTP request head before it is redirected).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest plain-HTTP request head read before redirecting.
const MAX_PLAIN_HEAD: usize = 4096;

/// TLS for a client that starts with a handshake; a redirect for one that
/// speaks plain HTTP; nothing for one that is too slow.
pub(super) async fn handshake(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: Guarded<TcpStream>,
    local: SocketAddr,
) -> Option<TlsStream<Guarded<TcpStream>>> {
    tokio::time::timeout(HANDSHAKE_TIMEOUT, async move {
        let mut first = [0u8; 1];
        let n = tcp.get_ref().peek(&mut first).await.ok()?;
        // A TLS record of type "handshake" starts with 0x16.
        if n == 1 && first[0] == 0x16 {
            return acceptor.accept(tcp).await.ok();
        }
        redirect_plain(tcp, local).await;
        None
    })
    .await
    .ok()
    .flatten()
}

/// Answers a plain-HTTP request with a redirect to the same path over https.
async fn redirect_plain(mut tcp: Guarded<TcpStream>, local: SocketAddr) {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    while head.len() < MAX_PLAIN_HEAD && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match tcp.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .filter(|p| p.len() <= 1024 && p.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("/");
    let host = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("host").then(|| value.trim())
        })
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| local.to_string());
    let body = "Use https:// for the Bilik dashboard.\n";
    let response = format!(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: https://{host}{path}\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tcp.write_all(response.as_bytes()).await;
    let _ = tcp.shutdown().await;
}
