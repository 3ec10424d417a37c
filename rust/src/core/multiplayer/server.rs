//! The multiplayer server: core's [`Server`] accepts and upgrades clients;
//! each one gets a random id as its first message and then carries raw
//! SceneMultiplayer packets, queued here with their sender and routed by target.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::ids::random_id;
use super::queue::{PacketQueue, ReceivedPackets, Target};
use super::wire::encode_id;
use super::{close_now, take_packets, MultiplayerEvent, PeerHandle};
use crate::core::budget::Budget;
use crate::core::error::{Error, ErrorKind, Result};
use crate::core::event::Event;
use crate::core::peer::{Peer, ReadyState};
use crate::core::server::{Accepted, Server, ServerConfig};

/// Close code for connections that arrive while new ones are refused ("try again later").
const REFUSED_CODE: i64 = 1013;

struct Client<S: PeerHandle> {
    handle: S,
    /// The id core's [`Server`] gave it, which its readiness reports use.
    server_key: i32,
}

/// A listening multiplayer server with id 1. `S` is whatever holds each
/// client's [`Peer`] (see [`PeerHandle`]).
pub struct MultiplayerServer<S: PeerHandle> {
    server: Server,
    clients: BTreeMap<i32, Client<S>>,
    /// Core server id to multiplayer id.
    by_key: HashMap<i32, i32>,
    /// Peers let go of, polled until their close handshake ends; with the id
    /// under which to report why it ended, if it did not end cleanly.
    closing: Vec<(Option<i32>, S)>,
    /// Clients that need a poll although their socket may be idle.
    due: HashSet<i32>,
    /// Clients that left during the last poll. The game learns it from their
    /// `PeerDisconnected` events one at a time, and SceneMultiplayer, handling
    /// one, still sends to the others (to tell them who left).
    just_left: HashSet<i32>,
    queue: PacketQueue,
    refusing: bool,
    max_queued_packets: usize,
    /// Events found outside `poll` (a send that had to drop a client), reported by the next poll.
    later: Vec<MultiplayerEvent>,
    accepted: Vec<Accepted>,
}

impl<S: PeerHandle> MultiplayerServer<S> {
    /// Listens on `port` (0 picks one) at `bind_address` (`"*"`: every address).
    pub fn listen(port: u16, bind_address: &str, config: ServerConfig) -> Result<Self> {
        let server = Server::listen(port, bind_address, config)?;
        let queue = PacketQueue::with_budget(server.budget().clone());
        Ok(Self {
            server,
            clients: BTreeMap::new(),
            by_key: HashMap::new(),
            closing: Vec::new(),
            due: HashSet::new(),
            just_left: HashSet::new(),
            queue,
            refusing: false,
            max_queued_packets: usize::MAX,
            later: Vec::new(),
            accepted: Vec::new(),
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// The inbound budget shared by the clients and the packet queue.
    pub fn budget(&self) -> &Budget {
        self.server.budget()
    }

    /// Connections refused because `max_peers` or `max_pending_handshakes` was reached.
    pub fn refused_count(&self) -> u64 {
        self.server.refused_count()
    }

    /// While true, clients that complete their handshake are closed at once
    /// with code 1013 instead of getting an id.
    pub fn set_refusing(&mut self, refusing: bool) {
        self.refusing = refusing;
    }

    /// Whether new clients are refused.
    pub fn is_refusing(&self) -> bool {
        self.refusing
    }

    /// Most packets kept for [`MultiplayerServer::take_packet`]; beyond it the
    /// clients' messages wait in their own inboxes (and then their sockets)
    /// instead of being dropped.
    pub fn set_max_queued_packets(&mut self, max: usize) {
        self.max_queued_packets = max.max(1);
    }

    /// Accepts clients, sends new ones their id, reads and writes every client
    /// that needs it; `wrap` turns a new client's [`Peer`] into its handle.
    pub fn poll(&mut self, mut wrap: impl FnMut(Peer) -> S, events: &mut Vec<MultiplayerEvent>) {
        events.append(&mut self.later);
        self.just_left.clear();
        let mut accepted = std::mem::take(&mut self.accepted);
        self.server.poll(&mut accepted);
        for rejection in self.server.take_rejections() {
            let reason = format!(
                "a connection was dropped before it became a client: {}",
                rejection.reason
            );
            // A flood past the caps must not flood the log: refusals are counted
            // (refused_count) and the last one kept, not each warned about.
            events.push(if rejection.over_capacity {
                MultiplayerEvent::Noted(reason)
            } else {
                MultiplayerEvent::Dropped(reason)
            });
        }
        for Accepted { id: key, mut peer } in accepted.drain(..) {
            if self.refusing {
                close_now(
                    &mut peer,
                    REFUSED_CODE,
                    "the server refuses new connections",
                );
                events.push(MultiplayerEvent::Dropped(
                    "a client was refused: refuse_new_connections is set".into(),
                ));
                continue;
            }
            let id = random_id(|id| self.clients.contains_key(&id));
            if let Err(e) = peer.send(&encode_id(id), false) {
                events.push(MultiplayerEvent::Dropped(format!(
                    "could not send peer id {id} to a new client: {}",
                    e.reason()
                )));
                continue;
            }
            self.by_key.insert(key, id);
            self.due.insert(id);
            self.clients.insert(
                id,
                Client {
                    handle: wrap(peer),
                    server_key: key,
                },
            );
            events.push(MultiplayerEvent::PeerConnected(id));
        }
        self.accepted = accepted;
        self.poll_clients(events);
        self.enforce_budget(events);
        self.closing.retain_mut(|(id, handle)| {
            handle.with_peer(|p| {
                p.poll().for_each(drop);
                if p.ready_state() != ReadyState::Closed {
                    return true;
                }
                events.extend(id.and_then(|id| why_closed(p, id)));
                false
            })
        });
    }

    fn poll_clients(&mut self, events: &mut Vec<MultiplayerEvent>) {
        let mut due = std::mem::take(&mut self.due);
        match self.server.ready_peers() {
            Some(ready) => due.extend(ready.iter().filter_map(|key| self.by_key.get(key))),
            None => due.extend(self.clients.keys()),
        }
        for (id, client) in &mut self.clients {
            if client.handle.take_wake() {
                due.insert(*id);
            }
        }
        let mut gone = Vec::new();
        for id in due {
            let Some(client) = self.clients.get_mut(&id) else {
                continue;
            };
            let room = self.max_queued_packets.saturating_sub(self.queue.len());
            let queue = &mut self.queue;
            let (open, busy, reason) = client.handle.with_peer(|p| {
                let closed = p.poll().any(|e| matches!(e, Event::Closed { .. }));
                let mut open = !closed && p.ready_state() == ReadyState::Open;
                if open {
                    let dropped = take_packets(p, id, room, queue);
                    // The packets moved out of the inbox stay charged while they wait.
                    queue.settle();
                    if let Some(reason) = dropped {
                        let reason = format!("peer {id}: {reason}");
                        return (false, false, Some(MultiplayerEvent::Dropped(reason)));
                    }
                }
                let busy = p.available_packets() > 0
                    || p.wants_poll()
                    || !p.config().heartbeat_interval.is_zero();
                open &= p.ready_state() == ReadyState::Open;
                // Why it ended is known once it has closed, maybe in a later poll.
                let reason = closed.then(|| why_closed(p, id)).flatten();
                (open, busy, reason)
            });
            if !open {
                gone.push((id, reason));
            } else if busy {
                self.due.insert(id);
            }
        }
        for (id, reason) in gone {
            if let Some(client) = self.clients.remove(&id) {
                self.by_key.remove(&client.server_key);
                let report = reason.is_none().then_some(id);
                self.closing.push((report, client.handle));
            }
            self.just_left.insert(id);
            events.extend(reason);
            events.push(MultiplayerEvent::PeerDisconnected(id));
        }
    }

    /// When the budget is full, closes the clients holding the most (in their
    /// connection and in the packet queue) with 1009 until the rest fits.
    /// They leave at once with [`MultiplayerEvent::PeerDisconnected`]; the
    /// burst is reported by one warning ([`MultiplayerEvent::Dropped`]) and
    /// each victim's reason only as a [`MultiplayerEvent::Noted`], so a flood
    /// of attackers does not flood the log.
    fn enforce_budget(&mut self, events: &mut Vec<MultiplayerEvent>) {
        if !self.server.budget().is_exhausted() {
            return;
        }
        let queued = self.queue.bytes_by_sender();
        let holders: Vec<(i32, usize)> = self
            .clients
            .iter_mut()
            .map(|(id, c)| {
                let held = c.handle.with_peer(|p| p.inbound_held());
                (*id, held + queued.get(id).copied().unwrap_or(0))
            })
            .collect();
        let verdict = self.server.over_budget(holders);
        events.extend(verdict.warning.map(MultiplayerEvent::Dropped));
        for (id, reason) in verdict.close {
            let Some(mut client) = self.clients.remove(&id) else {
                continue;
            };
            self.by_key.remove(&client.server_key);
            self.due.remove(&id);
            client.handle.with_peer(|p| p.close_over_budget(&reason));
            self.queue.remove_from(id);
            self.closing.push((None, client.handle));
            self.just_left.insert(id);
            events.push(MultiplayerEvent::Noted(format!("peer {id}: {reason}")));
            events.push(MultiplayerEvent::PeerDisconnected(id));
        }
    }

    /// Sends `data` to `target` (Godot's number: an id, 0 for all, `-id` for all
    /// but `id`). A client that cannot take it even after its queue was written
    /// to the socket (its outbound limit is reached) is disconnected, with the
    /// reason reported by the next poll: skipping one packet would break the
    /// ordered stream.
    pub fn put_packet(&mut self, target: i32, data: &[u8]) -> Result<()> {
        let target = Target::from_godot(target);
        if let Target::One(id) = target {
            if self.just_left.contains(&id) {
                // As for a leaving client: its peer_disconnected is on its way.
                return Ok(());
            }
            if !self.clients.contains_key(&id) {
                return Err(Error::new(
                    ErrorKind::DoesNotExist,
                    format!("no peer with id {id}"),
                ));
            }
        }
        let mut first_error = None;
        for (id, client) in &mut self.clients {
            if !target.includes(*id) {
                continue;
            }
            let sent = client.handle.with_peer(|p| {
                if p.ready_state() != ReadyState::Open {
                    // Leaving: its peer_disconnected comes with the next poll.
                    return Ok(());
                }
                match p.send_flushing(data, false) {
                    Err(e) if e.kind() == ErrorKind::BufferFull => {
                        let reason = format!(
                            "peer {id} cannot take more: {} bytes wait to be sent and \
                             outbound_buffer_limit is {} bytes; it is disconnected so that \
                             no packet goes missing",
                            p.buffered_amount(),
                            p.config().outbound_buffer_limit
                        );
                        let _ = p.close(1008, "outbound buffer limit reached");
                        // Reported as its disconnect, the way the built-in peer
                        // treats a send that fails: put_packet itself succeeds.
                        Err(Ok(reason))
                    }
                    Err(e) => Err(Err(e)),
                    Ok(()) => Ok(()),
                }
            });
            self.due.insert(*id);
            match sent {
                Ok(()) => {}
                Err(Ok(reason)) => self.later.push(MultiplayerEvent::Dropped(reason)),
                Err(Err(e)) => {
                    let e = Error::new(e.kind(), format!("peer {id}: {}", e.reason()));
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            // A broadcast reached everyone who could take it.
            Some(e) if matches!(target, Target::One(_)) => Err(e),
            _ => Ok(()),
        }
    }

    /// Whether a client with `id` is connected.
    pub fn has_peer(&self, id: i32) -> bool {
        self.clients.contains_key(&id)
    }

    /// The handle of client `id`.
    pub fn peer(&mut self, id: i32) -> Option<&mut S> {
        self.clients.get_mut(&id).map(|c| &mut c.handle)
    }

    /// Ids of the connected clients, in order.
    pub fn peer_ids(&self) -> impl Iterator<Item = i32> + '_ {
        self.clients.keys().copied()
    }

    /// Starts closing client `id`. With `force` it is forgotten at once and no
    /// [`MultiplayerEvent::PeerDisconnected`] follows; otherwise that event
    /// comes from the poll that sees it closing.
    pub fn disconnect_peer(&mut self, id: i32, force: bool) -> Result<()> {
        let Some(client) = self.clients.get_mut(&id) else {
            return Err(Error::new(
                ErrorKind::DoesNotExist,
                format!("no peer with id {id}"),
            ));
        };
        client
            .handle
            .with_peer(|p| p.close(1000, "disconnected by the server"))?;
        self.due.insert(id);
        if force {
            if let Some(client) = self.clients.remove(&id) {
                self.by_key.remove(&client.server_key);
                self.closing.push((None, client.handle));
            }
        }
        Ok(())
    }

    /// Closes every client (code 1001) and stops listening; no events follow.
    /// Dropping the server does the same.
    pub fn close(self) {}
}

impl<S: PeerHandle> Drop for MultiplayerServer<S> {
    fn drop(&mut self) {
        // Handles may outlive the server (a script kept `get_peer(id)`): end
        // their connections rather than leave them open and unpolled.
        for client in self.clients.values_mut() {
            client
                .handle
                .with_peer(|p| close_now(p, 1001, "server closed"));
        }
        for (_, handle) in &mut self.closing {
            handle.with_peer(|p| p.abort("server closed"));
        }
    }
}

/// Why a closed client's connection ended, if not cleanly: dropped when this
/// side refused what it sent (a close code was sent), lost when it went away.
fn why_closed(peer: &Peer, id: i32) -> Option<MultiplayerEvent> {
    let status = peer.close_status();
    if status.clean || peer.last_error().is_empty() {
        return None;
    }
    let reason = format!("peer {id}: {}", peer.last_error());
    Some(if status.code > 0 {
        MultiplayerEvent::Dropped(reason)
    } else {
        MultiplayerEvent::Lost(reason)
    })
}

impl<S: PeerHandle> ReceivedPackets for MultiplayerServer<S> {
    fn received(&self) -> &PacketQueue {
        &self.queue
    }

    fn received_mut(&mut self) -> &mut PacketQueue {
        &mut self.queue
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    use super::*;

    const UPGRADE: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";

    /// A connection the caps leave no room for is only noted (the refusals are
    /// counted), also when its request completes after the server became full;
    /// one that fails its handshake is warned about.
    #[test]
    fn refusals_at_the_caps_are_noted_and_failed_handshakes_warned_about() {
        let config = ServerConfig {
            max_peers: 1,
            ..ServerConfig::default()
        };
        let mut server = MultiplayerServer::<Peer>::listen(0, "127.0.0.1", config).unwrap();
        let port = server.port();
        let mut events = Vec::new();
        let poll_until =
            |server: &mut MultiplayerServer<Peer>,
             events: &mut Vec<MultiplayerEvent>,
             done: &dyn Fn(&MultiplayerServer<Peer>, &[MultiplayerEvent]) -> bool| {
                let deadline = Instant::now() + Duration::from_secs(5);
                while !done(server, events) {
                    assert!(Instant::now() < deadline, "timed out: {events:?}");
                    server.poll(|p| p, events);
                    std::thread::sleep(Duration::from_millis(2));
                }
            };
        // One fails its handshake while the server has room.
        let mut garbage = TcpStream::connect(("127.0.0.1", port)).unwrap();
        garbage
            .write_all(b"not an upgrade request\r\n\r\n")
            .unwrap();
        poll_until(&mut server, &mut events, &|_, e| {
            e.iter().any(|e| matches!(e, MultiplayerEvent::Dropped(_)))
        });
        // Two handshakes start while there is room for one client.
        let mut first = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut second = TcpStream::connect(("127.0.0.1", port)).unwrap();
        server.poll(|p| p, &mut events);
        first.write_all(UPGRADE).unwrap();
        poll_until(&mut server, &mut events, &|_, e| {
            e.iter()
                .any(|e| matches!(e, MultiplayerEvent::PeerConnected(_)))
        });
        // The second completes its request when the server is full; a third
        // is refused before its handshake starts.
        second.write_all(UPGRADE).unwrap();
        poll_until(&mut server, &mut events, &|s, _| s.refused_count() == 1);
        let _third = TcpStream::connect(("127.0.0.1", port)).unwrap();
        poll_until(&mut server, &mut events, &|s, _| s.refused_count() == 2);

        let noted: Vec<&String> = events
            .iter()
            .filter_map(|e| match e {
                MultiplayerEvent::Noted(r) => Some(r),
                _ => None,
            })
            .collect();
        assert_eq!(noted.len(), 2, "{events:?}");
        assert!(
            noted[0].contains("client refused: server full"),
            "{events:?}"
        );
        assert!(
            noted[1].contains("connection refused: server full"),
            "{events:?}"
        );
        let dropped = events
            .iter()
            .filter(|e| matches!(e, MultiplayerEvent::Dropped(_)))
            .count();
        assert_eq!(dropped, 1, "only the failed handshake warns: {events:?}");
    }
}
