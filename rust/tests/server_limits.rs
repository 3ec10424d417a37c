//! A server's protective limits on real loopback sockets, driven as an owner of
//! core's `Server` and `Peer` drives them (the Godot server and the multiplayer
//! server do the same): the inbound budget, the message timeout, and the caps
//! on peers and pending handshakes with their HTTP 503 answer.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::raw::*;
use support::*;
use websocket_peer::core::{Accepted, Config, Event, Peer, ReadyState, Server, ServerConfig};

/// Everything an owner of a `Server` does in one frame: accept, poll every
/// peer, close the ones the budget check picks. Returns the ids that closed.
struct Owner {
    server: Server,
    peers: BTreeMap<i32, Peer>,
    closed: Vec<i32>,
    warnings: Vec<String>,
    echo: bool,
    /// Whether `poll` closes the peers the budget check picks.
    enforce: bool,
}

impl Owner {
    fn new(config: ServerConfig) -> Self {
        Self {
            server: server(config),
            peers: BTreeMap::new(),
            closed: Vec::new(),
            warnings: Vec::new(),
            echo: false,
            enforce: true,
        }
    }

    fn poll(&mut self) {
        let mut accepted = Vec::new();
        self.server.poll(&mut accepted);
        for Accepted { id, peer } in accepted {
            self.peers.insert(id, peer);
        }
        let mut gone = Vec::new();
        for (id, peer) in &mut self.peers {
            let events: Vec<Event> = peer.poll().collect();
            if self.echo {
                while let Some(p) = peer.take_packet() {
                    let _ = peer.send(&p.data, p.text);
                }
            }
            if events.iter().any(|e| matches!(e, Event::Closed { .. })) {
                gone.push(*id);
            }
        }
        if self.enforce && self.server.budget().is_exhausted() {
            let holders: Vec<(i32, usize)> = self
                .peers
                .iter()
                .map(|(id, p)| (*id, p.inbound_held()))
                .collect();
            let verdict = self.server.over_budget(holders);
            self.warnings.extend(verdict.warning);
            for (id, reason) in verdict.close {
                self.peers.get_mut(&id).unwrap().close_over_budget(&reason);
            }
        }
        for id in gone {
            self.peers.remove(&id);
            self.closed.push(id);
        }
    }
}

/// Sends all of `data`, polling the server while the socket is full.
fn send_all(owner: &mut Owner, raw: &mut Raw, data: &[u8]) {
    let mut sent = 0;
    pump_for(owner, "bytes to be sent", 10, |_| {
        while sent < data.len() {
            let n = raw.write_some(&data[sent..]);
            if n == 0 {
                break;
            }
            sent += n;
        }
        sent == data.len()
    });
}

fn pump_for(owner: &mut Owner, what: &str, secs: u64, mut done: impl FnMut(&mut Owner) -> bool) {
    wait_for(secs, what, || {
        owner.poll();
        done(owner).then_some(())
    });
}

/// Opens a raw client's WebSocket: sends the upgrade and waits for the 101.
fn open_raw(owner: &mut Owner) -> Raw {
    let mut raw = Raw::connect(owner.server.port());
    raw.tcp.set_nonblocking(false).unwrap();
    raw.tcp.write_all(UPGRADE.as_bytes()).unwrap();
    raw.tcp.set_nonblocking(true).unwrap();
    pump_for(owner, "the 101 answer", 5, |_| {
        raw.read();
        raw.text().contains("\r\n\r\n")
    });
    assert!(raw.text().starts_with("HTTP/1.1 101"), "{}", raw.text());
    raw
}

#[test]
fn a_full_budget_closes_the_biggest_holder_and_the_others_go_on() {
    const BUDGET: usize = 4 << 20;
    let mut owner = Owner::new(budget_of(BUDGET));
    owner.echo = true;
    let mut client = Peer::new(Config::default());
    client
        .connect(
            &format!("ws://127.0.0.1:{}/", owner.server.port()),
            &[],
            &[],
        )
        .unwrap();
    pump_for(&mut owner, "the real client", 5, |o| {
        let _: Vec<_> = client.poll().collect();
        client.ready_state() == ReadyState::Open && o.peers.len() == 1
    });

    // Two attackers announce 3 MiB messages; one sends 2.5 MiB, the other 1.8 MiB.
    let mut big = open_raw(&mut owner);
    let mut small = open_raw(&mut owner);
    let chunk = vec![0u8; 64 << 10];
    for (raw, total) in [(&mut big, 2_500_000usize), (&mut small, 1_800_000)] {
        raw.tcp.set_nonblocking(false).unwrap();
        raw.tcp.write_all(&frame_header(2, true, 3 << 20)).unwrap();
        raw.tcp.set_nonblocking(true).unwrap();
        let mut sent = 0;
        pump_for(&mut owner, "the attacker's bytes to be sent", 10, |_| {
            while sent < total {
                let n = raw.write_some(&chunk[..chunk.len().min(total - sent)]);
                if n == 0 {
                    break;
                }
                sent += n;
            }
            sent == total
        });
    }
    let mut echoes = 0;
    let mut most_held = 0;
    pump_for(&mut owner, "the biggest holder to be told why", 10, |o| {
        most_held = most_held.max(o.server.budget().held());
        let _ = client.send(b"ping", false);
        let _: Vec<_> = client.poll().collect();
        while client.take_packet().is_some() {
            echoes += 1;
        }
        big.read();
        small.read();
        big.close_frame().is_some()
    });
    let (code, reason) = big.close_frame().unwrap();
    assert_eq!(code, 1009);
    assert!(reason.contains("inbound budget"), "{reason}");
    assert!(small.close_frame().is_none(), "the smaller holder stays");
    assert!(
        most_held <= BUDGET + (64 << 10),
        "held {most_held} bytes with a budget of {BUDGET}"
    );
    assert_eq!(owner.warnings.len(), 1, "{:?}", owner.warnings);
    // The closed attacker's buffers are free at once: the rest fits again.
    assert!(owner.server.budget().held() < BUDGET);
    let before = echoes;
    pump_for(&mut owner, "echoes after the close", 5, |_| {
        let _ = client.send(b"ping", false);
        let _: Vec<_> = client.poll().collect();
        while client.take_packet().is_some() {
            echoes += 1;
        }
        echoes > before + 10
    });
    assert!(client.ready_state() == ReadyState::Open);

    drop(big);
    drop(small);
    drop(client);
    pump_for(&mut owner, "every peer to close", 10, |o| {
        o.peers.is_empty()
    });
    assert_eq!(owner.server.budget().held(), 0, "every byte given back");
    assert_eq!(owner.server.budget().open_connections(), 0);
}

#[test]
fn reading_stops_at_the_budget_until_the_owner_closes_someone() {
    const BUDGET: usize = 1 << 20;
    let mut owner = Owner::new(budget_of(BUDGET));
    owner.enforce = false;
    let mut raw = open_raw(&mut owner);
    send_all(&mut owner, &mut raw, &frame_header(2, true, 4 << 20));
    let chunk = vec![0u8; 64 << 10];
    let mut sent = 0;
    let mut last_progress = Instant::now();
    // Send until the socket takes nothing more for a while: the server stopped reading.
    pump_for(&mut owner, "the server to stop reading", 10, |_| {
        let n = raw.write_some(&chunk);
        sent += n;
        if n > 0 {
            last_progress = Instant::now();
        }
        last_progress.elapsed() > Duration::from_millis(300)
    });
    let held = owner.server.budget().held();
    assert!(sent > BUDGET, "only {sent} bytes sent");
    assert!(
        (BUDGET..BUDGET + (16 << 10)).contains(&held),
        "held {held} of a {BUDGET}-byte budget"
    );
    let peer = owner.peers.values().next().unwrap();
    assert!(peer.wants_poll(), "a starved peer asks to be polled");
    assert_eq!(peer.inbound_held(), held);
    owner.enforce = true;
    pump_for(&mut owner, "the holder to be told why", 5, |_| {
        raw.read();
        raw.close_frame().is_some()
    });
    assert_eq!(raw.close_frame().unwrap().0, 1009);
    assert_eq!(owner.server.budget().held(), 0, "its buffers freed at once");
}

#[test]
fn one_big_fragmented_message_with_pings_inside_is_counted_and_arrives_whole() {
    let mut owner = Owner::new(budget_of(8 << 20));
    let mut raw = open_raw(&mut owner);
    let fragment = vec![7u8; 1 << 20];
    for i in 0..6 {
        let op = if i == 0 { 2 } else { 0 };
        send_all(
            &mut owner,
            &mut raw,
            &frame_header(op, false, fragment.len()),
        );
        send_all(&mut owner, &mut raw, &fragment);
        send_all(&mut owner, &mut raw, &frame_header(9, true, 0));
    }
    pump_for(&mut owner, "six fragments to be held", 10, |o| {
        o.server.budget().held() >= 6 << 20
    });
    let held = owner.server.budget().held();
    assert!(
        held < (6 << 20) + (64 << 10),
        "held {held}: the pings kept the count"
    );
    send_all(&mut owner, &mut raw, &frame_header(0, true, 0));
    pump_for(&mut owner, "the message", 10, |o| {
        o.peers.values().any(|p| p.available_packets() == 1)
    });
    assert_eq!(
        owner.server.budget().held(),
        6 << 20,
        "exactly the waiting message"
    );
    let peer = owner.peers.values_mut().next().unwrap();
    assert_eq!(peer.take_packet().unwrap().data.len(), 6 << 20);
    assert_eq!(owner.server.budget().held(), 0);
}

#[test]
fn a_message_trickled_in_too_slowly_is_cut_off() {
    let mut owner = Owner::new(ServerConfig {
        message_timeout: Duration::from_millis(600),
        ..ServerConfig::default()
    });
    let mut raw = open_raw(&mut owner);
    raw.tcp.write_all(&frame_header(2, true, 1000)).unwrap();
    let started = Instant::now();
    let mut last = Instant::now();
    pump_for(&mut owner, "the trickling client to be closed", 5, |_| {
        if last.elapsed() > Duration::from_millis(100) {
            raw.write_some(b"x");
            last = Instant::now();
        }
        raw.read();
        raw.close_frame().is_some()
    });
    let (code, reason) = raw.close_frame().unwrap();
    assert_eq!(code, 1008);
    assert!(reason.contains("message_timeout"), "{reason}");
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert_eq!(
        owner.server.budget().held(),
        0,
        "the unfinished message is freed"
    );
}

#[test]
fn connections_past_the_caps_get_503_at_once_and_are_counted() {
    let mut owner = Owner::new(ServerConfig {
        max_peers: 2,
        max_pending_handshakes: 3,
        ..ServerConfig::default()
    });
    let _a = open_raw(&mut owner);
    let _b = open_raw(&mut owner);
    let mut refused: Vec<Raw> = (0..5).map(|_| Raw::connect(owner.server.port())).collect();
    pump_for(&mut owner, "five 503 answers", 5, |_| {
        refused.iter_mut().all(|r| {
            let closed = r.read();
            closed && r.text().starts_with("HTTP/1.1 503")
        })
    });
    assert!(
        refused[0].text().contains("max_peers 2"),
        "{}",
        refused[0].text()
    );
    assert_eq!(owner.server.refused_count(), 5);
    assert_eq!(owner.peers.len(), 2);

    // Silent connections fill the handshake slots; the next one is refused.
    let mut owner = Owner::new(ServerConfig {
        max_pending_handshakes: 3,
        ..ServerConfig::default()
    });
    let _silent: Vec<Raw> = (0..3).map(|_| Raw::connect(owner.server.port())).collect();
    pump_for(&mut owner, "three pending handshakes", 5, |o| {
        o.server.pending_handshakes() == 3
    });
    let mut extra = Raw::connect(owner.server.port());
    pump_for(&mut owner, "the fourth to be refused", 5, |_| {
        extra.read() && extra.text().starts_with("HTTP/1.1 503")
    });
    assert!(
        extra.text().contains("max_pending_handshakes 3"),
        "{}",
        extra.text()
    );
    assert_eq!(owner.server.refused_count(), 1);
}

#[test]
fn a_flood_past_the_caps_keeps_every_poll_short() {
    let mut owner = Owner::new(ServerConfig {
        max_peers: 1,
        ..ServerConfig::default()
    });
    let _first = open_raw(&mut owner);
    let mut flood: Vec<TcpStream> = Vec::new();
    // Within the listen backlog (128), so that no connect waits for a SYN retry.
    for _ in 0..120 {
        match TcpStream::connect(("127.0.0.1", owner.server.port())) {
            Ok(s) => flood.push(s),
            Err(_) => break,
        }
    }
    let mut slowest = Duration::ZERO;
    pump_for(&mut owner, "the whole flood to be refused", 20, |o| {
        let t = Instant::now();
        o.server.poll(&mut Vec::new());
        slowest = slowest.max(t.elapsed());
        o.server.refused_count() as usize >= flood.len()
    });
    assert_eq!(owner.server.refused_count() as usize, flood.len());
    // 64 refusals at most per poll; generous for a busy 2-core machine.
    assert!(
        slowest < Duration::from_millis(250),
        "a poll took {slowest:?}"
    );
}
