//! Godot 4's high-level multiplayer protocol over WebSocket, as its built-in
//! `WebSocketMultiplayerPeer` speaks it: the server gives every client a random
//! id and sends it as the first message (one binary frame of 4 bytes, a
//! little-endian int32); every later binary message is one raw SceneMultiplayer
//! packet. This module holds the id handshake, the queue of received packets
//! and the routing by target peer, over [`Server`](super::Server) and
//! [`Peer`](super::Peer); the Godot class only adapts it.

mod client;
mod ids;
mod queue;
mod server;
mod wire;

pub use client::MultiplayerClient;
pub use ids::random_id;
pub use queue::{PacketQueue, ReceivedPackets, Target};
pub use server::MultiplayerServer;
pub use wire::{encode_id, parse_id};

use super::peer::Peer;

/// The server's peer id, on the server and as seen by every client.
pub const SERVER_ID: i32 = 1;

/// Connection status, numbered as Godot's `MultiplayerPeer.ConnectionStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not connected, or closed.
    Disconnected = 0,
    /// A client waiting for its connection and its id.
    Connecting = 1,
    /// A listening server, or a client that has its id.
    Connected = 2,
}

/// What happened during a poll, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultiplayerEvent {
    /// A peer joined: on a server a client that got its id, on a client the server (1).
    PeerConnected(i32),
    /// A connected peer left.
    PeerDisconnected(i32),
    /// This client's own connection failed or was refused; it is disconnected now.
    Failed(String),
    /// A server dropped a client, or a connection that never became one, for
    /// this reason: it broke the protocol, sent too much or took too long.
    Dropped(String),
    /// A client's connection ended without a close handshake (it went away, as
    /// browsers and Godot's built-in peer do when closed): worth knowing, not a fault.
    Lost(String),
    /// A server closed a client for a reason already reported once for many
    /// (the inbound budget's burst warning): worth keeping, not repeating.
    Noted(String),
}

/// Access to a connection's [`Peer`] wherever its owner keeps it: the core
/// tests own peers directly, the Godot class keeps them inside the
/// `RustWebSocketPeer` objects that `get_peer(id)` hands out.
pub trait PeerHandle {
    /// Runs `f` on the peer.
    fn with_peer<R>(&mut self, f: impl FnOnce(&mut Peer) -> R) -> R;

    /// Whether someone else used the peer since the last call (sent, closed or
    /// changed a setting), so it needs a poll although its socket may be idle.
    fn take_wake(&mut self) -> bool {
        false
    }
}

impl PeerHandle for Peer {
    fn with_peer<R>(&mut self, f: impl FnOnce(&mut Peer) -> R) -> R {
        f(self)
    }
}

/// Closes `peer` with `code` and `reason`, gives the close frame one chance to
/// leave, then drops the socket: for connections let go without waiting for
/// the close handshake.
fn close_now(peer: &mut Peer, code: i64, reason: &str) {
    let _ = peer.close(code, reason);
    peer.poll().for_each(drop);
    peer.abort(reason);
    peer.poll().for_each(drop);
}

/// Moves up to `room` of `peer`'s received messages into `queue`. Empty
/// messages carry no packet and are skipped, as Godot does. A text message is
/// no SceneMultiplayer packet (the protocol is binary): the connection is
/// closed with code 1003 and the reason returned.
fn take_packets(peer: &mut Peer, id: i32, room: usize, queue: &mut PacketQueue) -> Option<String> {
    for _ in 0..room {
        match peer.take_packet() {
            Some(packet) if packet.text => {
                close_now(peer, 1003, "text messages are not multiplayer packets");
                return Some(format!(
                    "a text message of {} bytes arrived; multiplayer packets are binary",
                    packet.data.len()
                ));
            }
            Some(packet) if packet.data.is_empty() => {}
            Some(packet) => queue.push_to_charge((id, packet.data)),
            None => break,
        }
    }
    None
}
