//! Godot's WebSocket multiplayer protocol on real loopback sockets: a
//! `MultiplayerServer` with several `MultiplayerClient`s (ids, routing by
//! target, disconnects, refusing), and clients facing servers that do not
//! speak the protocol (a bad first message, text, no id at all).

mod support;

use std::time::Duration;

use support::*;
use websocket_peer::core::multiplayer::{
    MultiplayerClient, MultiplayerEvent, MultiplayerServer, ReceivedPackets, Status, SERVER_ID,
};
use websocket_peer::core::{Accepted, Config, Peer, ServerConfig};

type Server = MultiplayerServer<Peer>;
type Client = MultiplayerClient<Peer>;

struct Game {
    server: Server,
    server_events: Vec<MultiplayerEvent>,
    clients: Vec<(Client, Vec<MultiplayerEvent>)>,
}

impl Game {
    fn new(clients: usize) -> Self {
        let server = Server::listen(0, "127.0.0.1", ServerConfig::default()).expect("listen");
        let mut game = Game {
            server,
            server_events: Vec::new(),
            clients: Vec::new(),
        };
        for _ in 0..clients {
            game.join();
        }
        game.pump("every client has its id", |g| {
            g.clients
                .iter()
                .all(|(c, _)| c.status() == Status::Connected)
        });
        game
    }

    fn join(&mut self) -> usize {
        let url = format!("ws://127.0.0.1:{}/", self.server.port());
        let client = Client::connect(&url, &[], &[], Config::default(), |p| p).expect("connect");
        self.clients.push((client, Vec::new()));
        self.clients.len() - 1
    }

    fn poll(&mut self) {
        self.server.poll(|p| p, &mut self.server_events);
        for (c, events) in &mut self.clients {
            c.poll(events);
        }
    }

    fn pump(&mut self, what: &str, mut done: impl FnMut(&Game) -> bool) {
        wait_for(10, what, || {
            self.poll();
            done(self).then_some(())
        });
    }

    fn id(&self, i: usize) -> i32 {
        self.clients[i].0.unique_id()
    }

    fn take_all(
        queue: &mut dyn FnMut() -> Option<(i32, tungstenite::Bytes)>,
    ) -> Vec<(i32, Vec<u8>)> {
        std::iter::from_fn(queue)
            .map(|(from, b)| (from, b.to_vec()))
            .collect()
    }

    fn server_packets(&mut self) -> Vec<(i32, Vec<u8>)> {
        Self::take_all(&mut || self.server.take_packet())
    }

    fn client_packets(&mut self, i: usize) -> Vec<(i32, Vec<u8>)> {
        let client = &mut self.clients[i].0;
        Self::take_all(&mut || client.take_packet())
    }
}

#[test]
fn ids_are_unique_and_agree_on_both_ends() {
    let game = Game::new(4);
    let mut ids: Vec<i32> = (0..4).map(|i| game.id(i)).collect();
    assert!(ids.iter().all(|&id| id >= 2), "{ids:?}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "ids are unique");
    assert_eq!(game.server.peer_ids().collect::<Vec<_>>(), ids);
    let connected: Vec<i32> = game
        .server_events
        .iter()
        .filter_map(|e| match e {
            MultiplayerEvent::PeerConnected(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(connected.len(), 4);
    for (c, events) in &game.clients {
        assert_eq!(events, &[MultiplayerEvent::PeerConnected(SERVER_ID)]);
        assert!(connected.contains(&c.unique_id()));
    }
}

#[test]
fn packets_go_where_their_target_says() {
    let mut game = Game::new(3);
    let (a, b, c) = (game.id(0), game.id(1), game.id(2));
    game.server.put_packet(0, b"all").unwrap();
    game.server.put_packet(-b, b"not b").unwrap();
    game.server.put_packet(c, b"only c").unwrap();
    let err = game.server.put_packet(12345, b"nobody").unwrap_err();
    assert!(
        err.reason().contains("no peer with id 12345"),
        "{}",
        err.reason()
    );
    game.pump("the server's packets", |g| {
        g.clients[0].0.available_packets() == 2 && g.clients[2].0.available_packets() == 3
    });
    // Give anything misrouted time to show up.
    for _ in 0..20 {
        game.poll();
        std::thread::sleep(Duration::from_millis(2));
    }
    let s = |m: &[u8]| (SERVER_ID, m.to_vec());
    assert_eq!(game.client_packets(0), vec![s(b"all"), s(b"not b")]);
    assert_eq!(game.client_packets(1), vec![s(b"all")]);
    assert_eq!(
        game.client_packets(2),
        vec![s(b"all"), s(b"not b"), s(b"only c")]
    );

    for (i, id) in [(0, a), (1, b), (2, c)] {
        game.clients[i]
            .0
            .put_packet(format!("from {id}").as_bytes())
            .unwrap();
    }
    game.pump("the clients' packets", |g| {
        g.server.available_packets() == 3
    });
    let mut got = game.server_packets();
    got.sort();
    let mut want: Vec<(i32, Vec<u8>)> = [a, b, c]
        .iter()
        .map(|id| (*id, format!("from {id}").into_bytes()))
        .collect();
    want.sort();
    assert_eq!(got, want, "each packet names its sender");
}

#[test]
fn a_thousand_packets_keep_their_order_and_a_big_one_arrives_whole() {
    let mut game = Game::new(1);
    for i in 0..1000u32 {
        game.clients[0].0.put_packet(&i.to_le_bytes()).unwrap();
    }
    let big: Vec<u8> = (0..5 << 20).map(|i: u32| (i % 251) as u8).collect();
    game.server.put_packet(game.id(0), &big).unwrap();
    game.pump("1000 packets and 5 MiB", |g| {
        g.server.available_packets() == 1000 && g.clients[0].0.available_packets() == 1
    });
    let order: Vec<u32> = game
        .server_packets()
        .into_iter()
        .map(|(_, b)| u32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(order, (0..1000).collect::<Vec<_>>());
    assert!(game.client_packets(0)[0].1 == big, "5 MiB payload differs");
}

#[test]
fn disconnects_from_either_side_are_reported_once() {
    let mut game = Game::new(3);
    let (a, b, c) = (game.id(0), game.id(1), game.id(2));

    game.clients[0].0.disconnect(false);
    game.pump("the server sees a leave", |g| {
        g.server_events
            .contains(&MultiplayerEvent::PeerDisconnected(a))
    });
    assert_eq!(game.clients[0].0.status(), Status::Disconnected);

    game.server.disconnect_peer(b, false).unwrap();
    game.pump("b learns it was disconnected", |g| {
        g.clients[1]
            .1
            .contains(&MultiplayerEvent::PeerDisconnected(SERVER_ID))
            && g.server_events
                .contains(&MultiplayerEvent::PeerDisconnected(b))
    });

    game.server.disconnect_peer(c, true).unwrap();
    assert!(
        !game.server.has_peer(c),
        "a forced disconnect forgets the peer at once"
    );
    game.pump("c is closed", |g| {
        g.clients[2].0.status() == Status::Disconnected
    });
    let leaves = |g: &Game, id| {
        g.server_events
            .iter()
            .filter(|e| **e == MultiplayerEvent::PeerDisconnected(id))
            .count()
    };
    assert_eq!(
        (leaves(&game, a), leaves(&game, b), leaves(&game, c)),
        (1, 1, 0)
    );
    assert!(game.server.disconnect_peer(c, false).is_err());
}

#[test]
fn a_refusing_server_closes_newcomers_with_a_reason() {
    let mut game = Game::new(1);
    game.server.set_refusing(true);
    let late = game.join();
    game.pump("the newcomer fails", |g| {
        g.clients[late].0.status() == Status::Disconnected
    });
    let reason = match &game.clients[late].1[..] {
        [MultiplayerEvent::Failed(reason)] => reason.clone(),
        other => panic!("expected one failure, got {other:?}"),
    };
    assert!(
        reason.contains("1013") && reason.contains("refuses"),
        "{reason}"
    );
    assert_eq!(game.server.peer_ids().count(), 1, "the first client stays");
    game.server.set_refusing(false);
    let later = game.join();
    game.pump("a client joins again", |g| {
        g.clients[later].0.status() == Status::Connected
    });
}

#[test]
fn a_client_sending_text_is_dropped_with_a_reason() {
    let mut game = Game::new(2);
    let bad = game.id(0);
    game.clients[0].0.peer().send(b"hello", true).unwrap();
    game.pump("the text sender is dropped", |g| {
        g.server_events
            .contains(&MultiplayerEvent::PeerDisconnected(bad))
    });
    assert!(game.server_events.iter().any(|e| matches!(e,
        MultiplayerEvent::Dropped(r) if r.contains("text message of 5 bytes"))));
    game.clients[1].0.put_packet(b"still here").unwrap();
    game.pump("the other client still plays", |g| {
        g.server.available_packets() == 1
    });
}

/// A plain WebSocket server that sends `first` (text or binary) to its client.
fn client_against(first: Option<(&[u8], bool)>, timeout: Duration) -> Vec<MultiplayerEvent> {
    let mut server = server(ServerConfig::default());
    let url = format!("ws://127.0.0.1:{}/", server.port());
    let config = Config {
        handshake_timeout: timeout,
        ..Config::default()
    };
    let mut client = Client::connect(&url, &[], &[], config, |p| p).unwrap();
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut remote: Option<Peer> = None;
    let mut events = Vec::new();
    wait_for(10, "the client gives up", || {
        server.poll(&mut accepted);
        if let Some(Accepted { mut peer, .. }) = accepted.pop() {
            if let Some((data, text)) = first {
                peer.send(data, text).unwrap();
            }
            remote = Some(peer);
        }
        if let Some(r) = &mut remote {
            r.poll().for_each(drop);
        }
        client.poll(&mut events);
        (client.status() == Status::Disconnected).then_some(())
    });
    events
}

fn failure(events: &[MultiplayerEvent]) -> String {
    match events {
        [MultiplayerEvent::Failed(reason)] => reason.clone(),
        other => panic!("expected exactly one failure, got {other:?}"),
    }
}

#[test]
fn a_server_that_sends_no_valid_id_is_refused_with_a_reason() {
    let long = Duration::from_secs(5);
    for (first, says) in [
        ((&b"\x02\0\0\0"[..], true), "text message of 4 bytes"),
        ((&b"\x02\0\0"[..], false), "binary message of 3 bytes"),
        ((&b"\x02\0\0\0\0\0"[..], false), "binary message of 6 bytes"),
        ((&1i32.to_le_bytes()[..], false), "peer id 1"),
        ((&(-5i32).to_le_bytes()[..], false), "peer id -5"),
    ] {
        let reason = failure(&client_against(Some(first), long));
        assert!(reason.contains(says), "{says}: {reason}");
    }
    let reason = failure(&client_against(None, Duration::from_millis(500)));
    assert!(reason.contains("no peer id arrived"), "{reason}");
}

#[test]
fn a_malformed_url_fails_at_once() {
    let err = Client::connect("http://x", &[], &[], Config::default(), |p| p)
        .err()
        .expect("an http:// URL is refused");
    assert!(!err.reason().is_empty());
}

#[test]
fn a_burst_beyond_the_inbound_limit_arrives_without_more_traffic() {
    // Reading pauses at the limit with the rest of the burst possibly already
    // in the receive buffer, where socket readiness no longer shows it.
    let config = ServerConfig {
        peer: Config {
            inbound_buffer_limit: 4096,
            ..Config::default()
        },
        ..ServerConfig::default()
    };
    let mut server: Server = Server::listen(0, "127.0.0.1", config).unwrap();
    let url = format!("ws://127.0.0.1:{}/", server.port());
    let mut client = Client::connect(&url, &[], &[], Config::default(), |p| p).unwrap();
    let (mut se, mut ce) = (Vec::new(), Vec::new());
    wait_for(10, "the client has its id", || {
        server.poll(|p| p, &mut se);
        client.poll(&mut ce);
        (client.status() == Status::Connected).then_some(())
    });
    for i in 0..300u32 {
        let mut packet = vec![0u8; 1000];
        packet[..4].copy_from_slice(&i.to_le_bytes());
        client.put_packet(&packet).unwrap();
    }
    client.poll(&mut ce);
    let mut got = Vec::new();
    wait_for(10, "all 300 packets", || {
        server.poll(|p| p, &mut se);
        while let Some((_, data)) = server.take_packet() {
            got.push(u32::from_le_bytes(data[..4].try_into().unwrap()));
        }
        (got.len() == 300).then_some(())
    });
    assert_eq!(got, (0..300).collect::<Vec<_>>());
}

#[test]
fn a_full_packet_queue_holds_clients_back_without_dropping() {
    let mut game = Game::new(1);
    game.server.set_max_queued_packets(10);
    for i in 0..50u32 {
        game.clients[0].0.put_packet(&i.to_le_bytes()).unwrap();
    }
    game.pump("the queue fills", |g| g.server.available_packets() == 10);
    for _ in 0..20 {
        game.poll();
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(
        game.server.available_packets(),
        10,
        "no more than the queue holds"
    );
    let mut got = Vec::new();
    wait_for(10, "every packet, as the queue is emptied", || {
        game.poll();
        while let Some((_, data)) = game.server.take_packet() {
            got.push(u32::from_le_bytes(data[..].try_into().unwrap()));
        }
        (got.len() == 50).then_some(())
    });
    assert_eq!(got, (0..50).collect::<Vec<_>>());
}
