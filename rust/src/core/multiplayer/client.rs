//! The multiplayer client: connects, waits for the server's id message, then
//! carries raw SceneMultiplayer packets to and from the server (id 1).

use std::time::Instant;

use super::queue::{PacketQueue, ReceivedPackets};
use super::wire::parse_id;
use super::{close_now, take_packets, MultiplayerEvent, PeerHandle, Status, SERVER_ID};
use crate::core::config::Config;
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::event::Event;
use crate::core::peer::{Peer, ReadyState};

/// A client of a multiplayer server. `S` holds its [`Peer`] (see [`PeerHandle`]).
pub struct MultiplayerClient<S: PeerHandle> {
    handle: S,
    status: Status,
    unique_id: i32,
    /// The id must have arrived by then (the connect's handshake_timeout).
    deadline: Instant,
    queue: PacketQueue,
    max_queued_packets: usize,
    /// Why this side closed the connection, reported when it has closed.
    closed_because: Option<String>,
}

impl<S: PeerHandle> MultiplayerClient<S> {
    /// Starts connecting to `url`; fails at once for a malformed URL or argument.
    /// `wrap` turns the connecting [`Peer`] into its handle.
    pub fn connect(
        url: &str,
        protocols: &[String],
        headers: &[String],
        config: Config,
        wrap: impl FnOnce(Peer) -> S,
    ) -> Result<Self> {
        let deadline = Instant::now() + config.handshake_timeout;
        let mut peer = Peer::new(config);
        peer.connect(url, protocols, headers)?;
        Ok(Self {
            handle: wrap(peer),
            status: Status::Connecting,
            unique_id: 0,
            deadline,
            queue: PacketQueue::default(),
            max_queued_packets: usize::MAX,
            closed_because: None,
        })
    }

    /// Most packets kept for [`MultiplayerClient::take_packet`]; beyond it the
    /// server's messages wait in the peer's inbox (and then its socket).
    pub fn set_max_queued_packets(&mut self, max: usize) {
        self.max_queued_packets = max.max(1);
    }

    /// The connection status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The id the server gave, or 0 before it arrived.
    pub fn unique_id(&self) -> i32 {
        self.unique_id
    }

    /// The connection's handle.
    pub fn peer(&mut self) -> &mut S {
        &mut self.handle
    }

    /// Connects, takes the id, reads and writes. Once this reports
    /// [`MultiplayerEvent::Failed`] or the server's
    /// [`MultiplayerEvent::PeerDisconnected`], the status is `Disconnected`.
    pub fn poll(&mut self, events: &mut Vec<MultiplayerEvent>) {
        if self.status == Status::Disconnected {
            return;
        }
        let room = self.max_queued_packets.saturating_sub(self.queue.len());
        let connecting = self.status == Status::Connecting;
        let deadline = self.deadline;
        let queue = &mut self.queue;
        let outcome = self.handle.with_peer(|p| {
            let mut failed = None;
            let mut closed = false;
            for event in p.poll() {
                match event {
                    Event::ConnectFailed { reason } => failed = Some(reason),
                    Event::Closed { .. } => closed = true,
                    _ => {}
                }
            }
            if let Some(reason) = failed {
                return Outcome::Failed(reason);
            }
            if connecting {
                return await_id(p, closed, deadline);
            }
            if let Some(reason) = take_packets(p, SERVER_ID, room, queue) {
                return Outcome::Lost(reason);
            }
            if closed || p.ready_state() == ReadyState::Closed {
                let status = p.close_status();
                let reason = if status.clean {
                    String::new()
                } else {
                    p.last_error().to_string()
                };
                return Outcome::Lost(reason);
            }
            Outcome::Fine
        });
        match outcome {
            Outcome::Fine => {}
            Outcome::Id(id) => {
                self.unique_id = id;
                self.status = Status::Connected;
                events.push(MultiplayerEvent::PeerConnected(SERVER_ID));
                // Packets may have come right behind the id.
                let room = self.max_queued_packets.saturating_sub(self.queue.len());
                let queue = &mut self.queue;
                if let Some(reason) = self
                    .handle
                    .with_peer(|p| take_packets(p, SERVER_ID, room, queue))
                {
                    self.status = Status::Disconnected;
                    events.push(MultiplayerEvent::Dropped(format!(
                        "the connection to the server was closed: {reason}"
                    )));
                    events.push(MultiplayerEvent::PeerDisconnected(SERVER_ID));
                }
            }
            Outcome::Failed(reason) => {
                self.status = Status::Disconnected;
                events.push(MultiplayerEvent::Failed(reason));
            }
            Outcome::Lost(reason) => {
                self.status = Status::Disconnected;
                let reason = self.closed_because.take().unwrap_or(reason);
                if !reason.is_empty() {
                    events.push(MultiplayerEvent::Dropped(format!(
                        "the connection to the server was closed: {reason}"
                    )));
                }
                events.push(MultiplayerEvent::PeerDisconnected(SERVER_ID));
            }
        }
    }

    /// Sends `data` to the server, which relays it when it is meant for others.
    pub fn put_packet(&mut self, data: &[u8]) -> Result<()> {
        if self.status != Status::Connected {
            return Err(Error::new(
                ErrorKind::NotConnected,
                "not connected to the server yet; wait for connected_to_server",
            ));
        }
        let sent = self.handle.with_peer(|p| {
            if p.ready_state() != ReadyState::Open {
                // Closing: server_disconnected comes with the next poll, as a
                // server treats a leaving client; SceneMultiplayer keeps sending
                // its synchronizers' state until then.
                return Ok(());
            }
            let sent = p.send_flushing(data, false);
            if matches!(&sent, Err(e) if e.kind() == ErrorKind::BufferFull) {
                // A skipped packet would break the ordered stream: give up the connection.
                let _ = p.close(1008, "outbound buffer limit reached");
            }
            sent
        });
        if let Err(e) = &sent {
            if e.kind() == ErrorKind::BufferFull {
                self.closed_because = Some(format!(
                    "{}; the connection is closed so that no packet goes missing",
                    e.reason()
                ));
            }
        }
        sent
    }

    /// Starts the close handshake with the server; the server's
    /// [`MultiplayerEvent::PeerDisconnected`] follows from a later poll. With
    /// `force` the connection is dropped at once and no event follows.
    pub fn disconnect(&mut self, force: bool) {
        if force {
            self.close();
            return;
        }
        let _ = self
            .handle
            .with_peer(|p| p.close(1000, "disconnected by the client"));
    }

    /// Closes the connection (code 1000); no event follows.
    pub fn close(&mut self) {
        self.handle
            .with_peer(|p| close_now(p, 1000, "client closed"));
        self.status = Status::Disconnected;
        self.queue.clear();
    }
}

impl<S: PeerHandle> Drop for MultiplayerClient<S> {
    fn drop(&mut self) {
        // The handle may outlive the client (a script kept `get_peer(1)`).
        if self.status != Status::Disconnected {
            self.close();
        }
    }
}

enum Outcome {
    Fine,
    Id(i32),
    Failed(String),
    Lost(String),
}

/// While connecting: the id if it arrived, a failure if something else did,
/// the connection ended or the time is up.
fn await_id(p: &mut Peer, closed: bool, deadline: Instant) -> Outcome {
    if p.ready_state() == ReadyState::Open {
        // Empty messages are no packets anywhere else either; skip them here too.
        while let Some(first) = p.take_packet() {
            if first.data.is_empty() && !first.text {
                continue;
            }
            return match parse_id(&first) {
                Ok(id) => Outcome::Id(id),
                Err(e) => {
                    close_now(p, 1002, "expected a 4-byte peer id");
                    Outcome::Failed(e.reason().to_string())
                }
            };
        }
    }
    if closed || p.ready_state() == ReadyState::Closed {
        let status = p.close_status();
        let detail = if status.clean {
            format!("code {}, \"{}\"", status.code, status.reason)
        } else {
            p.last_error().to_string()
        };
        return Outcome::Failed(format!(
            "the server closed the connection before sending a peer id ({detail})"
        ));
    }
    if Instant::now() >= deadline {
        close_now(p, 1000, "no peer id");
        return Outcome::Failed(
            "the connection opened but no peer id arrived within handshake_timeout; \
             is the server a Godot multiplayer server?"
                .into(),
        );
    }
    Outcome::Fine
}

impl<S: PeerHandle> ReceivedPackets for MultiplayerClient<S> {
    fn received(&self) -> &PacketQueue {
        &self.queue
    }

    fn received_mut(&mut self) -> &mut PacketQueue {
        &mut self.queue
    }
}
