//! Helpers shared by the loopback tests: a polling loop with a deadline and a
//! connected client/server pair.

#![allow(dead_code)]

pub mod raw;

use std::time::{Duration, Instant};

use websocket_peer::core::{Accepted, Config, Event, Peer, ReadyState, Server, ServerConfig};

/// Polls `step` until it returns `Some`, failing the test after `secs` seconds.
pub fn wait_for<T>(secs: u64, what: &str, mut step: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = step() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Polls `peer`, dropping its events, until `step` returns `Some`; fails the
/// test after `secs` seconds.
pub fn poll_until<T>(
    peer: &mut Peer,
    secs: u64,
    what: &str,
    mut step: impl FnMut(&mut Peer) -> Option<T>,
) -> T {
    wait_for(secs, what, || {
        peer.poll().for_each(drop);
        step(peer)
    })
}

/// A server on a free loopback port.
pub fn server(config: ServerConfig) -> Server {
    Server::listen(0, "127.0.0.1", config).expect("listen")
}

/// The default server settings with an inbound budget of `bytes`.
pub fn budget_of(bytes: usize) -> ServerConfig {
    ServerConfig {
        inbound_budget: bytes,
        ..ServerConfig::default()
    }
}

/// Client and server-side peer, both open, with the events seen while connecting.
pub struct Pair {
    pub server: Server,
    pub client: Peer,
    pub client_events: Vec<Event>,
    pub remote: Peer,
    pub remote_id: i32,
}

/// Connects a client with `config` to a fresh server.
pub fn pair(config: Config) -> Pair {
    pair_with(ServerConfig::default(), config, &[])
}

/// Connects a client offering `protocols` to a server set up by `server_config`.
pub fn pair_with(server_config: ServerConfig, config: Config, protocols: &[&str]) -> Pair {
    let mut server = server(server_config);
    let mut client = Peer::new(config);
    let protocols: Vec<String> = protocols.iter().map(|p| p.to_string()).collect();
    client
        .connect(
            &format!("ws://127.0.0.1:{}/", server.port()),
            &protocols,
            &[],
        )
        .expect("connect");
    let mut client_events = Vec::new();
    let mut accepted: Vec<Accepted> = Vec::new();
    wait_for(5, "the connection to open", || {
        server.poll(&mut accepted);
        client_events.extend(client.poll());
        (client.ready_state() == ReadyState::Open && !accepted.is_empty()).then_some(())
    });
    let Accepted { id, peer } = accepted.remove(0);
    Pair {
        server,
        client,
        client_events,
        remote: peer,
        remote_id: id,
    }
}

/// Polls both peers until `done` holds, collecting their events.
pub fn pump(
    a: &mut Peer,
    b: &mut Peer,
    secs: u64,
    what: &str,
    mut done: impl FnMut(&Peer, &Peer) -> bool,
) -> (Vec<Event>, Vec<Event>) {
    let (mut ea, mut eb) = (Vec::new(), Vec::new());
    wait_for(secs, what, || {
        ea.extend(a.poll());
        eb.extend(b.poll());
        done(a, b).then_some(())
    });
    (ea, eb)
}
