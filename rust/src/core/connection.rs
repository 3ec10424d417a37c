//! An open WebSocket connection: reads into the inbox, writes frames, runs the
//! close handshake and the heartbeat. Every method returns without waiting.
//! Reading is in `reading`, ending the connection in `closing`, the heartbeat
//! in `heartbeat` and the `message_timeout` check in `message_timeout`.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tungstenite::protocol::Role;
use tungstenite::WebSocket;

use super::close::CloseStatus;
use super::config::Config;
use super::error::{Error, ErrorKind, Result};
use super::event::Event;
use super::framing;
use super::inbox::Inbox;
use super::input_signal::InputSignal;
use super::transport::Duplex;

mod closing;
mod heartbeat;
mod message_timeout;
mod reading;

use closing::Linger;
use heartbeat::Heartbeat;

/// Where an open connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Messages flow both ways.
    Open,
    /// A close frame was sent or received; waiting for the other side.
    Closing,
    /// Nothing more is read; the last queued bytes are being written.
    Draining,
    /// The socket is closed.
    Closed,
}

/// An open connection over a socket.
pub struct Connection {
    /// Client side, plain TCP: tells without a system call whether input may
    /// have arrived (see `nothing_to_read`). Declared before `ws` so that the
    /// kernel's poll request on the socket ends before the socket closes.
    input_signal: Option<InputSignal>,
    ws: WebSocket<Duplex>,
    role: Role,
    phase: Phase,
    deadline: Option<Instant>,
    config: Config,
    we_closed: bool,
    remote_close: Option<(u16, String)>,
    failure: Option<(i32, String)>,
    status: Option<CloseStatus>,
    heartbeat: Heartbeat,
    remote: Option<SocketAddr>,
    linger: Linger,
    /// The last read found the socket empty (see `nothing_to_read`).
    read_drained: bool,
    /// The last round of reads took at least one message.
    read_any: bool,
    /// When the first bytes of the message now being received arrived.
    message_started: Option<Instant>,
    /// A protocol violation found behind messages of the same read round,
    /// acted on at the next poll (see `read_into`).
    deferred_failure: Option<tungstenite::Error>,
    /// A write made by `send` outside `poll` failed; the next poll reports it.
    send_failure: Option<io::Error>,
    /// `write_now` wrote to the socket since the last poll.
    sent_since_poll: bool,
}

impl Connection {
    /// Wraps a WebSocket whose handshake completed.
    pub(crate) fn new(ws: WebSocket<Duplex>, role: Role, config: Config) -> Self {
        let remote = ws.get_ref().socket().peer_addr();
        // A server learns its peers' readiness from its own epoll set.
        let input_signal = match (role, ws.get_ref().socket().plain_tcp()) {
            (Role::Client, Some(tcp)) => InputSignal::new(tcp),
            _ => None,
        };
        Self {
            input_signal,
            ws,
            role,
            phase: Phase::Open,
            deadline: None,
            config,
            we_closed: false,
            remote_close: None,
            failure: None,
            status: None,
            heartbeat: Heartbeat::starting_now(),
            remote,
            linger: Linger::Off,
            read_drained: false,
            read_any: false,
            message_started: None,
            deferred_failure: None,
            send_failure: None,
            sent_since_poll: false,
        }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// How the connection ended, once it has.
    pub fn status(&self) -> Option<&CloseStatus> {
        self.status.as_ref()
    }

    /// The remote address.
    pub fn remote(&self) -> Option<SocketAddr> {
        self.remote
    }

    /// Bytes queued and not yet written to the socket.
    pub fn buffered_amount(&self) -> usize {
        self.ws.get_ref().pending_out()
    }

    /// Round-trip time of the last answered heartbeat ping.
    pub fn heartbeat_rtt(&self) -> Option<Duration> {
        self.heartbeat.rtt()
    }

    /// Server side: bytes of messages still being received, held by tungstenite.
    pub fn unfinished_bytes(&self) -> usize {
        self.ws.get_ref().tenant().map_or(0, |t| t.unfinished())
    }

    /// Server side: the budget this connection's reads are charged to.
    pub fn budget(&self) -> Option<&super::budget::Budget> {
        self.ws.get_ref().tenant().map(|t| t.budget())
    }

    /// Whether the connection needs polling although its socket may show no
    /// input: queued bytes, a failed write from [`Connection::send`] to
    /// report, a protocol violation held over from the last read (see
    /// `read_into`), a read held back by the budget, or a message timeout
    /// running.
    pub fn wants_poll(&self) -> bool {
        self.buffered_amount() > 0
            || self.send_failure.is_some()
            || self.deferred_failure.is_some()
            || self.ws.get_ref().starved()
            || (self.message_started.is_some() && !self.config.message_timeout.is_zero())
    }

    /// Sets Nagle's algorithm off (`true`) or on.
    pub fn set_no_delay(&mut self, enabled: bool) {
        self.config.no_delay = enabled;
        if let Some(tcp) = self.ws.get_ref().socket().tcp() {
            let _ = tcp.set_nodelay(enabled);
        }
    }

    /// Replaces the limits (new values apply from the next message on).
    pub fn set_config(&mut self, config: Config) {
        let ws_config = config.websocket_config();
        self.ws.set_config(|c| *c = ws_config);
        self.config = config;
    }

    /// Queues one data message. Fails, queueing nothing, when the connection is
    /// not open or the outbound limit would be exceeded.
    pub fn send(&mut self, payload: &[u8], text: bool) -> Result<()> {
        if self.phase != Phase::Open {
            return Err(Error::new(
                ErrorKind::NotConnected,
                "the connection is closing; nothing more can be sent",
            ));
        }
        let masked = self.role == Role::Client;
        let needed = framing::frame_len(payload.len(), masked);
        let queued = self.buffered_amount();
        if queued + needed > self.config.outbound_buffer_limit {
            let reason = if needed > self.config.outbound_buffer_limit {
                format!(
                    "message of {} bytes is larger than outbound_buffer_limit ({} bytes)",
                    payload.len(),
                    self.config.outbound_buffer_limit
                )
            } else {
                format!(
                    "outbound buffer full: {queued} bytes wait to be sent, limit is {} bytes; poll() and retry",
                    self.config.outbound_buffer_limit
                )
            };
            return Err(Error::new(ErrorKind::BufferFull, reason));
        }
        let mask = masked.then(framing::new_mask);
        framing::write_data_frame(self.ws.get_mut().out_buffer(), payload, text, mask);
        Ok(())
    }

    /// Writes queued bytes to the socket now rather than at the next poll, for a
    /// sender whose burst would not fit the outbound limit. A failure shows at
    /// the next poll.
    pub fn flush_now(&mut self) {
        if self.phase != Phase::Open || self.send_failure.is_some() {
            return;
        }
        if let Err(e) = self.ws.get_mut().flush_out() {
            self.send_failure = Some(e);
        }
    }

    /// Server side: writes the queued frames now instead of at the next poll,
    /// once per poll. A server's peers are polled together by the server's
    /// poll, so a reply made after it would wait for the next one (a frame in
    /// a game); written now, the client can read it a whole poll earlier, and
    /// that poll has nothing left to write. A client's own poll usually
    /// follows its sends in the same frame, so there this would only split a
    /// burst into two writes (measured: 100 clients echoing, 3.1x the built-in
    /// peer's rate with clients writing at poll, 2.5x with them writing here).
    /// The socket never blocks; what it does not take stays queued, and a
    /// failure is reported by the next poll.
    pub fn write_now(&mut self) {
        if self.role != Role::Server || self.sent_since_poll {
            return;
        }
        self.sent_since_poll = true;
        self.flush_now();
    }

    /// Whether the last read round left complete input unread (stopped by
    /// `inbound_buffer_limit`): then taking a message must lead to a poll.
    pub fn input_held_back(&self) -> bool {
        !self.read_drained
    }

    /// Reads what arrived into `inbox`, writes what is queued and advances timers.
    pub fn poll(&mut self, inbox: &mut Inbox, events: &mut Vec<Event>) {
        if self.phase == Phase::Closed {
            return;
        }
        if let Some(err) = self.deferred_failure.take() {
            // The messages before the violation were handed out at the last
            // poll, and what the owner sent in reply is queued ahead of the close.
            self.on_read_error(err);
        } else if matches!(self.phase, Phase::Open | Phase::Closing) {
            self.read_into(inbox, events);
        }
        if self.linger == Linger::Discarding {
            self.discard_input();
        } else if self.phase != Phase::Closed {
            self.write_out();
        }
        self.check_timers();
        if self.phase == Phase::Closed {
            events.push(Event::Closed {
                clean: self.status.as_ref().is_some_and(|s| s.clean),
            });
        }
    }

    /// The reason the connection failed, if it did.
    pub fn failure_reason(&self) -> Option<&str> {
        self.failure.as_ref().map(|(_, r)| r.as_str())
    }

    fn write_out(&mut self) {
        self.sent_since_poll = false;
        if let Some(e) = self.send_failure.take() {
            self.fail_silently(&Error::from_io("connection lost", &e).to_string());
            return;
        }
        // Moves pongs and close replies that tungstenite queued into the outgoing buffer.
        match self.ws.flush() {
            Ok(()) => {}
            Err(tungstenite::Error::ConnectionClosed) => {
                // Server side: both close frames are exchanged; send the reply, then close.
                let clean = self.remote_close.is_some();
                self.finish(clean);
            }
            Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => {}
        }
        match self.ws.get_mut().flush_out() {
            Ok(true) if self.phase == Phase::Draining && self.linger == Linger::AfterFlush => {
                self.ws.get_mut().socket_mut().shutdown_write();
                self.linger = Linger::Discarding;
                self.discard_input();
            }
            Ok(true) if self.phase == Phase::Draining => self.shut(self.status_clean()),
            Ok(_) => {}
            Err(e) => self.fail_silently(&Error::from_io("connection lost", &e).to_string()),
        }
    }

    fn check_timers(&mut self) {
        let now = Instant::now();
        if self.close_deadline_passed(now) || self.message_timed_out(now) {
            return;
        }
        self.check_heartbeat(now);
    }
}
