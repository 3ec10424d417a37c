//! One WebSocket peer through its whole life: connecting as a client (or handed
//! over by a server), open, closing, closed. Received messages outlive the
//! connection until taken.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tungstenite::protocol::Role;

use super::close::{self, CloseStatus};
use super::config::Config;
use super::connection::{Connection, Phase};
use super::connector::Connector;
use super::error::{Error, ErrorKind, Result};
use super::event::Event;
use super::handshake::{ClientHandshake, ClientSetup, HandshakeInfo, Progress};
use super::inbox::{Inbox, Packet};
use super::proxy::ProxyUrl;
use super::request::build_request;
use super::tls;
use super::url::WsUrl;

/// The ready state, numbered as Godot 4's `WebSocketPeer.State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadyState {
    /// Connecting or handshaking.
    Connecting = 0,
    /// Open.
    Open = 1,
    /// Close handshake in progress.
    Closing = 2,
    /// Closed, or never connected.
    Closed = 3,
}

enum Stage {
    Idle,
    Resolving {
        connector: Connector,
        setup: Box<ClientSetup>,
        tls: Option<(native_tls::TlsConnector, String)>,
    },
    Handshaking(ClientHandshake),
    Open(Box<Connection>),
}

/// A client or server-side peer.
pub struct Peer {
    config: Config,
    stage: Stage,
    deadline: Option<Instant>,
    inbox: Inbox,
    events: Vec<Event>,
    last_error: String,
    status: CloseStatus,
    info: HandshakeInfo,
    requested_url: String,
}

impl Default for Peer {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl Peer {
    /// A closed peer with `config`, ready to connect.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            stage: Stage::Idle,
            deadline: None,
            inbox: Inbox::default(),
            events: Vec::new(),
            last_error: String::new(),
            status: CloseStatus::unclean(),
            info: HandshakeInfo::default(),
            requested_url: String::new(),
        }
    }

    /// A server-side peer whose handshake just completed.
    pub(crate) fn accepted(connection: Connection, info: HandshakeInfo, config: Config) -> Self {
        let mut peer = Self::new(config);
        if let Some(budget) = connection.budget() {
            peer.inbox = Inbox::with_budget(budget.clone());
        }
        peer.requested_url = info.request_path.clone();
        peer.info = info;
        peer.stage = Stage::Open(Box::new(connection));
        peer
    }

    /// The options in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes options; limits apply to an open connection at once, the rest at the next connect.
    pub fn set_config(&mut self, config: Config) {
        if let Stage::Open(conn) = &mut self.stage {
            conn.set_config(config.clone());
        }
        self.config = config;
    }

    /// Starts connecting to `url`. Checks everything that can be checked at once
    /// and returns an error then; the network work happens in [`Peer::poll`].
    pub fn connect(&mut self, url: &str, protocols: &[String], headers: &[String]) -> Result<()> {
        if !matches!(self.stage, Stage::Idle) {
            return Err(Error::new(
                ErrorKind::Busy,
                "the peer is already connected or connecting; close() it first",
            ));
        }
        let result = self.prepare(url, protocols, headers);
        if let Err(e) = &result {
            self.last_error = e.reason().to_string();
        }
        result
    }

    fn prepare(&mut self, url: &str, protocols: &[String], headers: &[String]) -> Result<()> {
        let parsed = WsUrl::parse(url)?;
        let proxy = ProxyUrl::parse(&self.config.proxy_url)?;
        let request = build_request(&parsed, protocols, headers)?;
        let tls = if parsed.secure {
            let connector =
                tls::connector(self.config.verify_tls, &self.config.trusted_certificates)?;
            let name = if self.config.tls_server_name.is_empty() {
                parsed.host.clone()
            } else {
                self.config.tls_server_name.clone()
            };
            Some((connector, name))
        } else {
            None
        };
        let deadline = Instant::now() + self.config.handshake_timeout;
        let connector = Connector::start(parsed.host.clone(), parsed.port, proxy, deadline);
        self.requested_url = url.to_string();
        self.info = HandshakeInfo::default();
        self.status = CloseStatus::unclean();
        self.last_error.clear();
        self.deadline = Some(deadline);
        self.stage = Stage::Resolving {
            connector,
            setup: Box::new(ClientSetup {
                request,
                config: self.config.websocket_config(),
            }),
            tls,
        };
        Ok(())
    }

    /// Does all pending network work and returns what happened, in order.
    pub fn poll(&mut self) -> std::vec::Drain<'_, Event> {
        self.advance();
        self.events.drain(..)
    }

    fn advance(&mut self) {
        if matches!(self.stage, Stage::Resolving { .. } | Stage::Handshaking(_))
            && self.deadline.is_some_and(|d| Instant::now() >= d)
        {
            let what = match self.stage {
                Stage::Resolving { .. } => "connecting",
                _ => "the handshake",
            };
            self.fail_connect(Error::new(
                ErrorKind::Timeout,
                format!(
                    "{what} timed out after {:.1} s (handshake_timeout)",
                    self.config.handshake_timeout.as_secs_f64()
                ),
            ));
            return;
        }
        match std::mem::replace(&mut self.stage, Stage::Idle) {
            Stage::Idle => {}
            Stage::Resolving {
                mut connector,
                setup,
                tls,
            } => match connector.try_take() {
                None => {
                    self.stage = Stage::Resolving {
                        connector,
                        setup,
                        tls,
                    }
                }
                Some(Err(e)) => self.fail_connect(e),
                Some(Ok(stream)) => {
                    let progress =
                        ClientHandshake::start(stream, self.config.no_delay, tls, *setup);
                    self.on_handshake(progress);
                }
            },
            Stage::Handshaking(handshake) => self.on_handshake(handshake.advance()),
            Stage::Open(mut conn) => {
                conn.poll(&mut self.inbox, &mut self.events);
                self.after_connection_poll(conn);
            }
        }
    }

    fn after_connection_poll(&mut self, conn: Box<Connection>) {
        if conn.phase() == Phase::Closed {
            if let Some(status) = conn.status() {
                self.status = status.clone();
            }
            if let Some(reason) = conn.failure_reason() {
                self.last_error = reason.to_string();
            }
            self.stage = Stage::Idle;
        } else {
            self.stage = Stage::Open(conn);
        }
    }

    fn on_handshake(&mut self, progress: Progress<ClientHandshake>) {
        match progress {
            Progress::Pending(h) => self.stage = Stage::Handshaking(h),
            Progress::Failed(e) => self.fail_connect(e),
            Progress::Done(ws, info) => {
                let conn = Connection::new(*ws, Role::Client, self.config.clone());
                self.events.push(Event::Connected {
                    protocol: info.protocol.clone(),
                });
                self.info = info;
                self.deadline = None;
                self.stage = Stage::Open(Box::new(conn));
                // Frames sent right behind the handshake answer are already buffered.
                self.advance();
            }
        }
    }

    fn fail_connect(&mut self, error: Error) {
        self.stage = Stage::Idle;
        self.deadline = None;
        self.last_error = error.reason().to_string();
        self.events.push(Event::ConnectFailed {
            reason: error.reason().to_string(),
        });
    }

    /// Starts the close handshake with `code` and `reason`; while connecting,
    /// gives up the attempt. Invalid arguments change nothing.
    pub fn close(&mut self, code: i64, reason: &str) -> Result<()> {
        let code = match close::validate(code, reason) {
            Ok(code) => code,
            Err(e) => {
                self.last_error = e.reason().to_string();
                return Err(e);
            }
        };
        match &mut self.stage {
            Stage::Open(conn) => conn.close(code, reason),
            Stage::Resolving { .. } | Stage::Handshaking(_) => {
                self.stage = Stage::Idle;
                self.deadline = None;
            }
            Stage::Idle => {}
        }
        Ok(())
    }

    /// Closes the socket at once, without a close handshake.
    pub fn abort(&mut self, reason: &str) {
        if let Stage::Open(conn) = &mut self.stage {
            conn.abort(reason);
            self.events.push(Event::Closed { clean: false });
            let conn = match std::mem::replace(&mut self.stage, Stage::Idle) {
                Stage::Open(conn) => conn,
                _ => unreachable!("stage was Open"),
            };
            self.after_connection_poll(conn);
        } else {
            self.stage = Stage::Idle;
        }
    }

    /// Queues a message. Fails with nothing queued unless the connection is open.
    pub fn send(&mut self, payload: &[u8], text: bool) -> Result<()> {
        let result = match &mut self.stage {
            Stage::Open(conn) => conn.send(payload, text).map(|()| {
                // Once the application has taken everything that arrived, this
                // send is likely its last reaction to it: write at once rather
                // than at the next poll. While messages still wait, replies to
                // them are batched into one write.
                if self.inbox.is_empty() {
                    conn.write_now();
                }
            }),
            Stage::Resolving { .. } | Stage::Handshaking(_) => Err(Error::new(
                ErrorKind::NotConnected,
                "the connection is not open yet; wait for connection_established",
            )),
            Stage::Idle => Err(Error::new(
                ErrorKind::NotConnected,
                "the peer is not connected",
            )),
        };
        if text && result.is_ok() {
            debug_assert!(std::str::from_utf8(payload).is_ok(), "text must be UTF-8");
        }
        if let Err(e) = &result {
            self.last_error = e.reason().to_string();
        }
        result
    }

    /// Writes what is queued to the socket now instead of at the next poll;
    /// does nothing unless the connection is open.
    pub fn flush(&mut self) {
        if let Stage::Open(conn) = &mut self.stage {
            conn.flush_now();
        }
    }

    /// Queues a message like [`Peer::send`]; when the outbound limit is in the
    /// way, writes what is queued to the socket first and tries once more.
    pub fn send_flushing(&mut self, payload: &[u8], text: bool) -> Result<()> {
        match self.send(payload, text) {
            Err(e) if e.kind() == ErrorKind::BufferFull => {
                self.flush();
                self.send(payload, text)
            }
            other => other,
        }
    }

    /// Whether received input waits unread because of `inbound_buffer_limit`,
    /// so taking a message must lead to a poll.
    pub fn input_held_back(&self) -> bool {
        match &self.stage {
            Stage::Open(conn) => conn.input_held_back(),
            _ => false,
        }
    }

    /// Takes the oldest received message.
    pub fn take_packet(&mut self) -> Option<Packet> {
        self.inbox.pop()
    }

    /// All received messages, for batch reads.
    pub fn inbox_mut(&mut self) -> &mut Inbox {
        &mut self.inbox
    }

    /// Messages waiting to be taken.
    pub fn available_packets(&self) -> usize {
        self.inbox.len()
    }

    /// The ready state.
    pub fn ready_state(&self) -> ReadyState {
        match &self.stage {
            Stage::Idle => ReadyState::Closed,
            Stage::Resolving { .. } | Stage::Handshaking(_) => ReadyState::Connecting,
            Stage::Open(conn) => match conn.phase() {
                Phase::Open => ReadyState::Open,
                Phase::Closing | Phase::Draining => ReadyState::Closing,
                Phase::Closed => ReadyState::Closed,
            },
        }
    }

    /// Bytes queued and not yet written to the socket.
    pub fn buffered_amount(&self) -> usize {
        match &self.stage {
            Stage::Open(conn) => conn.buffered_amount(),
            _ => 0,
        }
    }

    /// Sets Nagle's algorithm off (`true`) or on, now and for later connections.
    pub fn set_no_delay(&mut self, enabled: bool) {
        self.config.no_delay = enabled;
        if let Stage::Open(conn) = &mut self.stage {
            conn.set_no_delay(enabled);
        }
    }

    /// Remote address of the open connection.
    pub fn remote(&self) -> Option<SocketAddr> {
        match &self.stage {
            Stage::Open(conn) => conn.remote(),
            _ => None,
        }
        .or(self.info.remote)
        .map(|a| SocketAddr::new(a.ip().to_canonical(), a.port()))
    }

    /// How the last connection ended.
    pub fn close_status(&self) -> &CloseStatus {
        &self.status
    }

    /// The reason of the last failure, or empty.
    pub fn last_error(&self) -> &str {
        &self.last_error
    }

    /// Records a failure reason found by the caller (bad argument, …).
    pub fn set_last_error(&mut self, reason: impl Into<String>) {
        self.last_error = reason.into();
    }

    /// The negotiated subprotocol.
    pub fn selected_protocol(&self) -> &str {
        &self.info.protocol
    }

    /// Client: the URL given to `connect`; server side: the path the client requested.
    pub fn requested_url(&self) -> &str {
        &self.requested_url
    }

    /// Server side: the client's request headers as `Name: value`.
    pub fn request_headers(&self) -> &[String] {
        &self.info.request_headers
    }

    /// Server side: inbound bytes this peer holds against the server's budget,
    /// the message being received plus those not yet taken.
    pub fn inbound_held(&self) -> usize {
        let unfinished = match &self.stage {
            Stage::Open(conn) => conn.unfinished_bytes(),
            _ => 0,
        };
        unfinished + self.inbox.bytes()
    }

    /// Whether this peer needs polling although its socket may show no input
    /// (queued bytes, a failed write to report, a protocol violation to act
    /// on, a read held back by the budget, a message timeout running), so an owner that polls only peers
    /// with input must poll this one too.
    pub fn wants_poll(&self) -> bool {
        matches!(&self.stage, Stage::Open(conn) if conn.wants_poll())
    }

    /// Server side: closes this peer with 1009 because the server's inbound
    /// budget is exhausted, and drops what it holds (the message being
    /// received and the messages not yet taken) so the memory is free now.
    pub fn close_over_budget(&mut self, reason: &str) {
        if let Stage::Open(conn) = &mut self.stage {
            conn.close_for_limit(1009, reason);
        }
        self.inbox.clear();
        self.last_error = reason.to_string();
    }

    /// Round-trip time of the last heartbeat ping.
    pub fn heartbeat_rtt(&self) -> Option<Duration> {
        match &self.stage {
            Stage::Open(conn) => conn.heartbeat_rtt(),
            _ => None,
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // A peer that goes away says so instead of leaving the other side to time out.
        if let Stage::Open(conn) = &mut self.stage {
            if conn.phase() == Phase::Open {
                conn.close(1001, "going away");
                let mut events = Vec::new();
                conn.poll(&mut Inbox::default(), &mut events);
            }
            conn.abort("peer dropped");
        }
    }
}
