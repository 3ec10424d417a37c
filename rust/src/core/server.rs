//! A listening socket that accepts clients and completes their handshakes
//! without blocking; each finished handshake becomes a [`Peer`] with a new id.

use std::io;
use std::net::TcpListener;
use std::rc::Rc;
use std::time::Instant;

use tungstenite::protocol::Role;

use super::budget::Budget;
use super::connection::Connection;
use super::error::{Error, ErrorKind, Result};
use super::handshake::{Progress, ServerHandshake, ServerSetup};
use super::peer::Peer;

mod admission;
mod config;
mod over_budget;
mod ready_sockets;

pub use admission::Rejection;
pub use config::{
    ServerConfig, DEFAULT_MAX_PEERS, DEFAULT_MAX_PENDING_HANDSHAKES, DEFAULT_MESSAGE_TIMEOUT,
};
pub use over_budget::OverBudget;
use ready_sockets::{watch_listener, Readiness};

struct Pending {
    handshake: ServerHandshake,
    deadline: Instant,
}

/// A handshake that completed during a poll.
pub struct Accepted {
    /// The new peer's id: positive, never 1, never reused by this server.
    pub id: i32,
    /// The open peer.
    pub peer: Peer,
}

/// Most connections accepted in one poll, so a flood cannot stall a frame.
const ACCEPTS_PER_POLL: usize = 256;
/// Most connections refused (accept, answer, close) in one poll; the rest wait
/// in the kernel's backlog, which drops what does not fit, so a flood costs
/// each poll a bounded number of system calls.
const REFUSALS_PER_POLL: usize = 64;

/// A listening WebSocket server.
pub struct Server {
    listener: TcpListener,
    pending: Vec<Pending>,
    setup: ServerSetup,
    config: ServerConfig,
    next_id: i32,
    rejected: Vec<Rejection>,
    /// `None` where no level-triggered poller is available: then every socket counts as ready.
    readiness: Option<Readiness>,
    /// Peers whose sockets had input at the last poll, in ascending order.
    ready: Vec<i32>,
    all_ready: bool,
    /// A peer could not be registered with the poller, so readiness is incomplete.
    unwatched: bool,
    /// Inbound bytes and open connections of every peer this server accepted.
    budget: Budget,
    /// Connections refused by `max_peers` or `max_pending_handshakes`.
    refused: u64,
    /// The budget was exceeded and has not yet fallen back under half.
    in_burst: bool,
}

impl Server {
    /// Listens on `port` (0 picks a free one) at `bind_address` (`"*"` for all
    /// IPv6 and IPv4 addresses).
    pub fn listen(port: u16, bind_address: &str, config: ServerConfig) -> Result<Self> {
        let listener = super::listener::bind(port, bind_address)?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::from_io("could not make the listener non-blocking", &e))?;
        let extra_headers = config
            .extra_headers
            .iter()
            .map(|h| match h.split_once(':') {
                Some((n, v)) => Ok((n.trim().to_string(), v.trim().to_string())),
                None => Err(Error::invalid(format!(
                    "extra header \"{h}\" is not in the form \"Name: value\""
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        let budget = Budget::new(config.inbound_budget);
        let setup = ServerSetup {
            protocols: Rc::from(config.protocols.clone()),
            extra_headers: Rc::from(extra_headers),
            config: config.peer.websocket_config(),
            capacity: Some((budget.clone(), config.max_peers)),
        };
        let mut config = config;
        config.peer.message_timeout = config.message_timeout;
        let readiness = watch_listener(&listener);
        Ok(Self {
            listener,
            pending: Vec::new(),
            setup,
            config,
            next_id: 2,
            rejected: Vec::new(),
            all_ready: readiness.is_none(),
            readiness,
            ready: Vec::new(),
            unwatched: false,
            budget,
            refused: 0,
            in_burst: false,
        })
    }

    /// The inbound budget shared by this server's peers.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The id the next accepted client will get.
    pub fn next_id(&self) -> i32 {
        self.next_id
    }

    /// Continues the ids of an earlier server, so ids stay unique across a
    /// stop and a new listen of the same owner.
    pub fn continue_ids_from(&mut self, next_id: i32) {
        self.next_id = next_id.max(2);
    }

    /// Whether the server speaks `wss://`.
    pub fn is_tls(&self) -> bool {
        self.config.tls.is_some()
    }

    /// Replaces the TLS identity of a `wss://` server: handshakes that start
    /// from now on use `acceptor`; those under way and open connections keep
    /// the one they started with. A `ws://` server cannot become `wss://`.
    pub fn replace_tls(&mut self, acceptor: native_tls::TlsAcceptor) -> Result<()> {
        match &mut self.config.tls {
            Some(current) => {
                *current = acceptor;
                Ok(())
            }
            None => Err(Error::invalid(
                "the server listens for ws:// (no TLS); a TLS identity applies from the next listen()",
            )),
        }
    }

    /// Handshakes not yet finished.
    pub fn pending_handshakes(&self) -> usize {
        self.pending.len()
    }

    /// Accepts new clients and advances handshakes; finished ones are appended to `accepted`.
    pub fn poll(&mut self, accepted: &mut Vec<Accepted>) {
        self.end_burst_when_under_half();
        let listener_ready = self.collect_ready();
        let mut refusals = 0;
        // A failed accept costs the kernel a socket allocation, so only try when one waits.
        for _ in 0..if listener_ready { ACCEPTS_PER_POLL } else { 0 } {
            if refusals == REFUSALS_PER_POLL {
                break;
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(reason) = self.over_capacity() {
                        self.refuse(stream, &reason);
                        refusals += 1;
                        continue;
                    }
                    let deadline = Instant::now() + self.config.peer.handshake_timeout;
                    let progress = ServerHandshake::start(
                        stream,
                        self.config.peer.no_delay,
                        self.config.tls.as_ref(),
                        self.setup.clone(),
                    );
                    self.on_progress(progress, deadline, accepted);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // Per-connection failures (reset before accept, fd limits) must not stop the server.
                Err(_) => break,
            }
        }
        let now = Instant::now();
        for pending in std::mem::take(&mut self.pending) {
            if now >= pending.deadline {
                let reason = format!(
                    "handshake not completed within {:.1} s",
                    self.config.peer.handshake_timeout.as_secs_f64()
                );
                self.reject(reason, false);
                continue;
            }
            let progress = pending.handshake.advance();
            self.on_progress(progress, pending.deadline, accepted);
        }
        self.forget_old_rejections();
    }

    fn on_progress(
        &mut self,
        progress: Progress<ServerHandshake>,
        deadline: Instant,
        accepted: &mut Vec<Accepted>,
    ) {
        match progress {
            Progress::Pending(handshake) => self.pending.push(Pending {
                handshake,
                deadline,
            }),
            Progress::Failed(e) => {
                // Busy: the request completed when max_peers was already reached.
                self.reject(e.reason().to_string(), e.kind() == ErrorKind::Busy)
            }
            Progress::Done(mut ws, info) => {
                ws.get_mut().set_tenant(self.budget.tenant());
                let id = self.next_id;
                self.next_id = self.next_id.checked_add(1).unwrap_or(2);
                self.watch(ws.get_mut(), id);
                let conn = Connection::new(*ws, Role::Server, self.config.peer.clone());
                let peer = Peer::accepted(conn, info, self.config.peer.clone());
                accepted.push(Accepted { id, peer });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    #[test]
    fn uncollected_rejections_stay_bounded() {
        let mut server = Server::listen(0, "127.0.0.1", ServerConfig::default()).unwrap();
        for _ in 0..100 {
            let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
            s.write_all(b"not an upgrade request\r\n\r\n").unwrap();
        }
        let mut accepted = Vec::new();
        // The connections wait in the backlog with their bytes already sent.
        for _ in 0..200 {
            server.poll(&mut accepted);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(accepted.is_empty(), "garbage became a client");
        let kept = server.take_rejections();
        assert!(!kept.is_empty(), "rejections are reported");
        assert!(kept.len() <= 64, "{} reasons kept", kept.len());
    }

    const UPGRADE: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";

    /// Polls `server` until `done` holds (or fails after 5 s), keeping what it accepts.
    fn poll_until(
        server: &mut Server,
        accepted: &mut Vec<Accepted>,
        done: impl Fn(&Server) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done(server) {
            assert!(Instant::now() < deadline, "timed out");
            server.poll(accepted);
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn refusals_at_the_caps_are_told_apart_from_failed_handshakes() {
        let config = ServerConfig {
            max_peers: 1,
            ..ServerConfig::default()
        };
        let mut server = Server::listen(0, "127.0.0.1", config).unwrap();
        let port = server.port();
        let mut accepted = Vec::new();
        // Two connections whose handshakes start while there is room for one.
        let mut first = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut second = TcpStream::connect(("127.0.0.1", port)).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.pending.len() == 2);
        first.write_all(UPGRADE).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.pending.len() == 1);
        assert_eq!(accepted.len(), 1, "the first became a peer");
        // The second completes its request when the server is full.
        second.write_all(UPGRADE).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.pending.is_empty());
        // A third is refused at once, before its handshake starts.
        let _third = TcpStream::connect(("127.0.0.1", port)).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.refused_count() == 2);
        // A fourth fails its handshake on its own account.
        accepted.clear();
        let mut fourth = TcpStream::connect(("127.0.0.1", port)).unwrap();
        fourth.write_all(b"not an upgrade request\r\n\r\n").unwrap();
        poll_until(&mut server, &mut accepted, |s| s.rejected.len() == 3);

        let rejections = server.take_rejections();
        let flags: Vec<bool> = rejections.iter().map(|r| r.over_capacity).collect();
        assert_eq!(flags, [true, true, false], "{rejections:?}");
        assert!(
            rejections[0].reason.contains("max_peers 1"),
            "{rejections:?}"
        );
        assert!(
            rejections[1].reason.starts_with("connection refused: "),
            "{rejections:?}"
        );
        assert_eq!(server.refused_count(), 2);
    }

    #[test]
    fn ids_continue_but_never_go_below_2() {
        let mut server = Server::listen(0, "127.0.0.1", ServerConfig::default()).unwrap();
        assert_eq!(server.next_id(), 2);
        server.continue_ids_from(40);
        assert_eq!(server.next_id(), 40);
        server.continue_ids_from(1);
        assert_eq!(server.next_id(), 2);
    }
}
