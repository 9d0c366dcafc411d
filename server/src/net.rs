//! Bounds on connections from outside, for both listeners: at most
//! [`Limits::per_address`] open connections from one IP address (more are
//! accepted and closed at once, so they cost no file descriptor for
//! long), and an idle timeout: a connection that neither sends nor takes a
//! byte for [`Limits::idle`] is closed (a half-open or silent client, a
//! stalled TLS handshake). Header-read and handshake timeouts are set
//! where the protocol is spoken (the dashboard's HTTP server, tonic's TLS).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// The numbers (from `[limits]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections allowed from one address.
    pub per_address: usize,
    /// Open connections allowed on the listener in all, so the process
    /// keeps file descriptors for its store and the other listener (see
    /// [`connections_that_fit`]).
    pub total: usize,
    /// A connection with no traffic this long is closed.
    pub idle: Duration,
}

/// File descriptors kept back for the store, logs and backups.
const RESERVED_FDS: u64 = 128;

/// Raises the process's soft limit of open files to its hard limit (as Go
/// programs do): the default 1024 is far too few for thousands of
/// stations, and the hard limit is what the operator allowed.
pub fn raise_fd_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        if let Err(e) = setrlimit(Resource::Nofile, limit) {
            tracing::warn!(error = %e, "could not raise the open-files limit");
        }
    }
}

/// How many connections each of the two listeners may hold with the
/// process's open-files limit: half of what is left after the reserve.
pub fn connections_that_fit() -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    let files = limit.current.unwrap_or(1 << 20);
    usize::try_from(files.saturating_sub(RESERVED_FDS) / 2)
        .unwrap_or(usize::MAX)
        .max(16)
}

/// Open connections per address, shared by one listener's connections.
#[derive(Debug)]
pub struct Slots {
    /// Connections open now, by address, and in all.
    open: Mutex<(HashMap<IpAddr, usize>, usize)>,
    /// The limits applied.
    limits: Limits,
}

/// One open connection's place; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    /// Whose count to lower.
    slots: Arc<Slots>,
    /// The address counted.
    ip: IpAddr,
}

impl Slots {
    /// No connection open yet.
    pub fn new(limits: Limits) -> Arc<Slots> {
        Arc::new(Slots {
            open: Mutex::new((HashMap::new(), 0)),
            limits,
        })
    }

    /// The limits applied.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A place for a connection from `ip`, or `None` when it has its share.
    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (by_address, total) = &mut *open;
        if *total >= self.limits.total {
            return None;
        }
        let n = by_address.entry(ip).or_insert(0);
        if *n >= self.limits.per_address {
            return None;
        }
        *n += 1;
        *total += 1;
        Some(Slot {
            slots: Arc::clone(self),
            ip,
        })
    }

    /// Connections open from `ip` now.
    pub fn open_from(&self, ip: IpAddr) -> usize {
        let open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.0.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .slots
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (by_address, total) = &mut *open;
        if let Some(n) = by_address.get_mut(&self.ip) {
            *n -= 1;
            *total -= 1;
            if *n == 0 {
                by_address.remove(&self.ip);
            }
        }
    }
}

/// A connection with its slot and its idle timer.
#[derive(Debug)]
pub struct Guarded<IO> {
    /// The connection.
    inner: IO,
    /// Held while the connection is open.
    _slot: Slot,
    /// How long it may be idle.
    idle: Duration,
    /// When it will have been idle too long (moved on at every byte).
    deadline: Pin<Box<Sleep>>,
    /// The peer's address.
    peer: SocketAddr,
}

impl<IO> Guarded<IO> {
    /// `inner` from `peer`, holding `slot`.
    pub fn new(inner: IO, slot: Slot, peer: SocketAddr) -> Guarded<IO> {
        let idle = slot.slots.limits.idle;
        Guarded {
            inner,
            _slot: slot,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            peer,
        }
    }

    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The connection itself.
    pub fn get_ref(&self) -> &IO {
        &self.inner
    }

    /// Traffic: the idle time starts again.
    fn active(&mut self) {
        let next = Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }

    /// After a write: bytes written count as traffic; a write that waits
    /// fails once the connection has been idle for too long.
    fn wrote(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match written {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.active();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }

    /// While waiting: an error once idle for too long.
    fn check_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle for too long",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Guarded<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.active();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.check_idle(cx).map(Err),
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Guarded<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write(cx, data);
        this.wrote(cx, written)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Pending => this.check_idle(cx).map(Err),
            ready => ready,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.wrote(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl tonic::transport::server::Connected for Guarded<TcpStream> {
    type ConnectInfo = tonic::transport::server::TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}

/// The accepted connections of a listener that fit its limits, for tonic
/// and the dashboard (the listener closes when this is dropped): no
/// Nagle (a pushed command would wait for a delayed ACK), over-the-limit
/// connections closed at once, failed accepts (out of file descriptors)
/// waited out briefly.
#[derive(Debug)]
pub struct Incoming {
    /// The listening socket.
    listener: TcpListener,
    /// Its connections' places.
    slots: Arc<Slots>,
    /// After a failed accept (out of file descriptors): a pause first.
    pause: Option<Pin<Box<Sleep>>>,
}

/// The connections of `listener` that fit `slots`.
pub fn incoming(listener: TcpListener, slots: Arc<Slots>) -> Incoming {
    Incoming {
        listener,
        slots,
        pause: None,
    }
}

impl tokio_stream::Stream for Incoming {
    type Item = io::Result<Guarded<TcpStream>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(pause) = &mut this.pause {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.pause = None;
        }
        loop {
            match this.listener.poll_accept(cx) {
                Poll::Ready(Ok((tcp, peer))) => {
                    let Some(slot) = this.slots.take(peer.ip()) else {
                        tracing::debug!(%peer, "connection refused: too many from this address");
                        continue;
                    };
                    let _ = tcp.set_nodelay(true);
                    return Poll::Ready(Some(Ok(Guarded::new(tcp, slot, peer))));
                }
                Poll::Ready(Err(e)) => {
                    tracing::warn!(error = %e, "accept failed");
                    this.pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(50))));
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_a_closed_connection_frees_its_place() {
        let slots = Slots::new(Limits {
            per_address: 2,
            total: 3,
            idle: Duration::from_secs(1),
        });
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = slots.take(a).expect("first");
        let _second = slots.take(a).expect("second");
        assert!(slots.take(a).is_none(), "third from the same address");
        let other = slots.take(b).expect("another address is not affected");
        let c: IpAddr = [10, 0, 0, 3].into();
        assert!(slots.take(c).is_none(), "the listener's total is reached");
        drop(first);
        assert_eq!(slots.open_from(a), 1);
        assert!(slots.take(a).is_some());
        drop(other);
        assert!(slots.take(c).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_is_closed_after_the_idle_time_and_traffic_keeps_it() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let slots = Slots::new(Limits {
            per_address: 4,
            total: 4,
            idle: Duration::from_secs(30),
        });
        let (client, server) = tokio::io::duplex(64);
        let slot = slots.take([127, 0, 0, 1].into()).expect("slot");
        let mut guarded = Guarded::new(server, slot, "127.0.0.1:1".parse().expect("addr"));
        let mut client = client;
        // Traffic before the deadline keeps it open.
        tokio::time::advance(Duration::from_secs(20)).await;
        client.write_all(b"x").await.expect("write");
        let mut byte = [0u8; 1];
        guarded.read_exact(&mut byte).await.expect("read");
        // Then silence: closed when 30 s have passed since that byte.
        tokio::time::advance(Duration::from_secs(20)).await;
        let waiting = Instant::now();
        let err = guarded.read(&mut byte).await.expect_err("idle");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(waiting.elapsed(), Duration::from_secs(10));
        assert_eq!(slots.open_from([127, 0, 0, 1].into()), 1);
        drop(guarded);
        assert_eq!(slots.open_from([127, 0, 0, 1].into()), 0);
    }
}
