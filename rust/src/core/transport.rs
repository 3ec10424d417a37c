//! The byte pipe under a WebSocket: a TCP or TLS socket for reading, and an
//! outgoing buffer that every frame is written into before it reaches the socket.
//!
//! Writes never block and never touch the socket; [`Duplex::flush_out`] moves
//! buffered bytes to the socket as far as it accepts them. This keeps all socket
//! I/O in `poll()` and makes the outbound byte count exact.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;

use super::budget::Tenant;
use super::readiness::Poller;

/// A byte stream a WebSocket can run over. The addon's are [`TcpStream`]
/// (`ws://`) and a TLS stream over one (`wss://`); any other non-blocking
/// stream (an in-memory one, say) works the same through [`Transport::new`].
pub trait Socket: Read + Write + Send {
    /// The TCP socket under any TLS layer, if there is one.
    fn tcp(&self) -> Option<&TcpStream>;

    /// Closes both directions; errors mean it is already closed.
    fn shutdown(&mut self);

    /// Ends our direction only (TLS close_notify, then FIN); reading still works.
    fn shutdown_write(&mut self);
}

impl Socket for TcpStream {
    fn tcp(&self) -> Option<&TcpStream> {
        Some(self)
    }

    fn shutdown(&mut self) {
        let _ = TcpStream::shutdown(self, Shutdown::Both);
    }

    fn shutdown_write(&mut self) {
        let _ = TcpStream::shutdown(self, Shutdown::Write);
    }
}

impl Socket for native_tls::TlsStream<TcpStream> {
    fn tcp(&self) -> Option<&TcpStream> {
        Some(self.get_ref())
    }

    fn shutdown(&mut self) {
        let _ = native_tls::TlsStream::shutdown(self);
        let _ = self.get_ref().shutdown(Shutdown::Both);
    }

    fn shutdown_write(&mut self) {
        let _ = native_tls::TlsStream::shutdown(self);
        let _ = self.get_ref().shutdown(Shutdown::Write);
    }
}

/// No socket: stands in for one for the moment a pipe is moved between
/// WebSocket contexts (see `Connection::drop_read_state`).
struct Detached;

impl Read for Detached {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Ok(0)
    }
}

impl Write for Detached {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::NotConnected.into())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Socket for Detached {
    fn tcp(&self) -> Option<&TcpStream> {
        None
    }

    fn shutdown(&mut self) {}

    fn shutdown_write(&mut self) {}
}

/// A connected socket: plain TCP, TLS, or any other [`Socket`].
pub struct Transport {
    socket: Box<dyn Socket>,
    /// Plain TCP: the socket itself shows whether input waits, and a short
    /// read means it is empty (a TLS layer may still hold decrypted bytes).
    plain: bool,
}

impl Transport {
    /// `ws://`
    pub fn plain(stream: TcpStream) -> Self {
        Self {
            socket: Box::new(stream),
            plain: true,
        }
    }

    /// `wss://`
    pub fn tls(stream: native_tls::TlsStream<TcpStream>) -> Self {
        Self {
            socket: Box::new(stream),
            plain: false,
        }
    }

    /// Any other stream; reads and writes must not block.
    pub fn new(socket: impl Socket + 'static) -> Self {
        Self {
            socket: Box::new(socket),
            plain: false,
        }
    }

    /// Whether this is plain TCP, with no layer between us and the socket.
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// The TCP socket when nothing sits between us and it.
    pub fn plain_tcp(&self) -> Option<&TcpStream> {
        self.socket.tcp().filter(|_| self.plain)
    }

    /// The TCP socket under any TLS layer.
    pub fn tcp(&self) -> Option<&TcpStream> {
        self.socket.tcp()
    }

    /// The remote address, if the socket still knows it.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.tcp()?.peer_addr().ok()
    }

    /// Closes both directions of the socket; errors mean it is already closed.
    pub fn shutdown(&mut self) {
        self.socket.shutdown();
    }

    /// Ends our direction only (TLS close_notify, then FIN); reading still works.
    pub fn shutdown_write(&mut self) {
        self.socket.shutdown_write();
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.read(buf)
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.socket.flush()
    }
}

/// Socket reads on one side, an in-memory outgoing buffer on the other.
pub struct Duplex {
    socket: Transport,
    out: Vec<u8>,
    /// Bytes of `out` already written to the socket.
    out_sent: usize,
    /// Flushes in a row that found nothing to write.
    idle_flushes: u32,
    /// The readiness poller this socket is registered with (see [`Duplex::watch`]).
    watch: Option<Arc<Poller>>,
    /// A plain TCP read this round returned less than asked: the socket was
    /// empty then, so another read this round would only cost a system call.
    short_read: bool,
    /// Whether this round stops at a short read (see [`Duplex::begin_read_round`]).
    stop_at_short_read: bool,
    /// Server side: the account with the server's inbound budget.
    tenant: Option<Tenant>,
    /// A read was held back this round because the budget is exhausted.
    starved: bool,
}

/// Once this many sent bytes sit at the front of the buffer, they are dropped.
const COMPACT_AT: usize = 256 * 1024;
/// Flushes with nothing to write after which the buffer's allocation is released.
const RELEASE_AFTER_IDLE_FLUSHES: u32 = 64;

impl Duplex {
    /// Wraps a connected socket.
    pub fn new(socket: Transport) -> Self {
        Self {
            socket,
            out: Vec::new(),
            out_sent: 0,
            idle_flushes: 0,
            watch: None,
            short_read: false,
            stop_at_short_read: false,
            tenant: None,
            starved: false,
        }
    }

    /// A pipe that stands in for a real one while that one is moved.
    pub(crate) fn detached() -> Self {
        Self::new(Transport::new(Detached))
    }

    /// Charges what is read from now on to a server's budget.
    pub(crate) fn set_tenant(&mut self, tenant: Tenant) {
        self.tenant = Some(tenant);
    }

    /// The budget account, on a server-side pipe.
    pub(crate) fn tenant_mut(&mut self) -> Option<&mut Tenant> {
        self.tenant.as_mut()
    }

    /// The budget account, on a server-side pipe.
    pub(crate) fn tenant(&self) -> Option<&Tenant> {
        self.tenant.as_ref()
    }

    /// Whether a read was held back by the budget since the round began.
    pub fn starved(&self) -> bool {
        self.starved
    }

    /// Starts a round of reads. With `stop_at_short_read`, a read that returns
    /// less than asked ends the round: the rest is read at the next poll. A
    /// closing connection reads until the socket says so, to see the end of
    /// the stream in the same poll as the close frame before it.
    pub fn begin_read_round(&mut self, stop_at_short_read: bool) {
        self.short_read = false;
        self.stop_at_short_read = stop_at_short_read;
        self.starved = false;
    }

    /// Makes `poller` report under `key` whenever this socket has input
    /// (level-triggered), until the `Duplex` is dropped.
    pub fn watch(&mut self, poller: Arc<Poller>, key: u64) -> io::Result<()> {
        let tcp = self.watched_socket().ok_or(io::ErrorKind::Unsupported)?;
        poller.add(tcp, key)?;
        self.watch = Some(poller);
        Ok(())
    }

    fn watched_socket(&self) -> Option<&TcpStream> {
        self.socket.tcp()
    }

    /// The socket.
    pub fn socket(&self) -> &Transport {
        &self.socket
    }

    /// The socket, mutably.
    pub fn socket_mut(&mut self) -> &mut Transport {
        &mut self.socket
    }

    /// Bytes queued and not yet accepted by the socket.
    pub fn pending_out(&self) -> usize {
        self.out.len() - self.out_sent
    }

    /// The outgoing buffer, to append frames to.
    pub fn out_buffer(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    /// Writes queued bytes until the socket would block. `Ok(true)` once all are written.
    pub fn flush_out(&mut self) -> io::Result<bool> {
        while self.out_sent < self.out.len() {
            match self.socket.write(&self.out[self.out_sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.out_sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        if self.out_sent == self.out.len() {
            if self.out.is_empty() {
                self.idle_flushes = self.idle_flushes.saturating_add(1);
            } else {
                self.idle_flushes = 0;
            }
            self.out.clear();
            self.out_sent = 0;
            // Shrinking after every burst made each large message fault its pages in
            // again; the allocation is kept while traffic flows and released once idle.
            if self.idle_flushes >= RELEASE_AFTER_IDLE_FLUSHES && self.out.capacity() > 0 {
                self.out = Vec::new();
            }
            Ok(true)
        } else {
            if self.out_sent >= COMPACT_AT {
                self.out.drain(..self.out_sent);
                self.out_sent = 0;
            }
            Ok(false)
        }
    }
}

impl Drop for Duplex {
    fn drop(&mut self) {
        // Before the socket closes, so that its number can be reused safely.
        if let (Some(poller), Some(tcp)) = (&self.watch, self.watched_socket()) {
            poller.delete(tcp);
        }
    }
}

impl Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.short_read {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        if let Some(tenant) = &mut self.tenant {
            if !tenant.may_read() {
                // The bytes wait in the kernel until the owner frees budget.
                self.starved = true;
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
        let n = self.socket.read(buf)?;
        if let Some(tenant) = &mut self.tenant {
            tenant.on_read(n);
        }
        // Only plain TCP: a TLS layer may hold decrypted bytes after a short read.
        if self.stop_at_short_read && self.socket.is_plain() && n > 0 && n < buf.len() {
            self.short_read = true;
        }
        Ok(n)
    }
}

impl Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
