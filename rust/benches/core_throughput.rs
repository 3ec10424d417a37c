//! The ceiling: the pure-Rust core on loopback, without Godot, running the same
//! loops as `godot_project/bench/bench.gd` (client sends, server-side peer
//! receives, both polled on one thread). `cargo bench --bench core_throughput`
//! prints a table, plus `CEIL<TAB>key<TAB>value` lines that ci/bench.sh reads.
//! Pass workload keys as arguments to run only those.

use std::time::{Duration, Instant};

use websocket_peer::core::{Accepted, Config, Packet, Peer, ReadyState, Server, ServerConfig};

const SECONDS: f64 = 0.5;
const ROUNDS: usize = 5;

/// This thread's CPU time in seconds (falls back to wall time without /proc):
/// rates per CPU second do not depend on what else the machine runs.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split(' ').next()?.parse::<u64>().ok())
        .map(|ns| ns as f64 / 1e9)
        .unwrap_or_else(|| {
            static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
            START.get_or_init(Instant::now).elapsed().as_secs_f64()
        })
}

struct Pair {
    server: Server,
    client: Peer,
    remote: Peer,
}

impl Pair {
    fn open() -> Pair {
        let mut server =
            Server::listen(0, "127.0.0.1", ServerConfig::default()).expect("listen on loopback");
        let mut client = Peer::new(Config::default());
        client
            .connect(&format!("ws://127.0.0.1:{}/", server.port()), &[], &[])
            .expect("connect");
        let mut accepted: Vec<Accepted> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while client.ready_state() != ReadyState::Open || accepted.is_empty() {
            assert!(Instant::now() < deadline, "pair did not open");
            server.poll(&mut accepted);
            client.poll().for_each(drop);
            std::thread::sleep(Duration::from_micros(100));
        }
        let remote = accepted.remove(0).peer;
        Pair {
            server,
            client,
            remote,
        }
    }

    /// One frame: the client's poll, then the server-side peer's.
    fn pump(&mut self) {
        self.client.poll().for_each(drop);
        self.remote.poll().for_each(drop);
    }
}

/// Calls `frame` until `seconds` have passed; returns what the frames counted
/// per second of this thread's CPU time.
fn per_cpu_second(seconds: f64, mut frame: impl FnMut() -> u64) -> f64 {
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let cpu0 = cpu_seconds();
    let mut counted = 0u64;
    while Instant::now() < end {
        counted += frame();
    }
    counted as f64 / (cpu_seconds() - cpu0)
}

/// The client keeps `window` messages of `payload` in flight; after each
/// frame `arrived` takes the messages that completed the trip and returns
/// their count and bytes. Returns completed messages/s.
fn windowed(
    p: &mut Pair,
    payload: &[u8],
    window: u64,
    seconds: f64,
    mut arrived: impl FnMut(&mut Pair) -> (u64, usize),
) -> f64 {
    let (mut sent, mut received, mut bytes) = (0u64, 0u64, 0usize);
    let rate = per_cpu_second(seconds, || {
        while sent - received < window {
            if p.client.send(payload, false).is_err() {
                break;
            }
            sent += 1;
        }
        p.pump();
        let (messages, size) = arrived(p);
        received += messages;
        bytes += size;
        messages
    });
    assert_eq!(bytes as u64, received * payload.len() as u64, "sizes");
    rate
}

/// Count and total size of `packets`.
fn tally(packets: impl Iterator<Item = Packet>) -> (u64, usize) {
    packets.fold((0, 0), |(n, bytes), p| (n + 1, bytes + p.data.len()))
}

/// Client sends `payload`, `window` messages in flight; returns messages/s.
fn one_way(p: &mut Pair, payload: &[u8], window: u64, seconds: f64) -> f64 {
    windowed(p, payload, window, seconds, |p| {
        tally(p.remote.inbox_mut().drain())
    })
}

/// The server-side peer sends back each message it has.
fn echo_back(remote: &mut Peer) {
    while let Some(packet) = remote.take_packet() {
        remote.send(&packet.data, false).unwrap();
    }
}

/// One message bounces between the two; returns round trips/s.
fn ping_pong(p: &mut Pair, payload: &[u8], seconds: f64) -> f64 {
    p.client.send(payload, false).unwrap();
    per_cpu_second(seconds, || {
        p.pump();
        echo_back(&mut p.remote);
        let mut trips = 0;
        while p.client.take_packet().is_some() {
            trips += 1;
            p.client.send(payload, false).unwrap();
        }
        trips
    })
}

/// Client sends `payload` with `window` in flight; the server-side peer sends
/// each message back; returns echoes received by the client per second.
fn echo(p: &mut Pair, payload: &[u8], window: u64, seconds: f64) -> f64 {
    windowed(p, payload, window, seconds, |p| {
        echo_back(&mut p.remote);
        tally(std::iter::from_fn(|| p.client.take_packet()))
    })
}

/// Background load only ever slows a round down, so the best is the least disturbed.
fn best(v: Vec<f64>) -> f64 {
    v.into_iter().fold(f64::MIN, f64::max)
}

fn measure(f: impl Fn(&mut Pair) -> f64) -> f64 {
    best(
        (0..ROUNDS)
            .map(|_| {
                let mut p = Pair::open();
                let v = f(&mut p);
                drop(p.server);
                v
            })
            .collect(),
    )
}

fn main() {
    // `cargo bench` passes `--bench`; everything else selects workloads.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |k: &str| only.is_empty() || only.iter().any(|o| o == k);
    let small = vec![0x5au8; 64];
    let large = vec![0xa5u8; 1 << 20];
    let mib = (1u64 << 20) as f64;
    let mut rows: Vec<(&str, &str, f64)> = Vec::new();
    if want("small_w64") {
        let v = measure(|p| one_way(p, &small, 64, SECONDS));
        rows.push(("small_w64", "messages/s (64 B, W=64)", v));
    }
    if want("large_w4") {
        let v = measure(|p| one_way(p, &large, 4, SECONDS)) * large.len() as f64 / mib;
        rows.push(("large_w4", "MiB/s (1 MiB, W=4)", v));
    }
    if want("ping_pong") {
        let v = measure(|p| ping_pong(p, &small, SECONDS));
        rows.push(("ping_pong", "round trips/s (64 B, W=1)", v));
    }
    for (key, what, window) in [
        ("echo_1m_w1", "MiB/s echoed (1 MiB, W=1)", 1),
        ("echo_1m_w4", "MiB/s echoed (1 MiB, W=4)", 4),
    ] {
        if want(key) {
            let v = measure(|p| echo(p, &large, window, SECONDS)) * large.len() as f64 / mib;
            rows.push((key, what, v));
        }
    }
    println!("| core workload | value |");
    println!("|---|---:|");
    for (_, what, v) in &rows {
        println!("| {what} | {v:.0} |");
    }
    for (key, _, v) in &rows {
        println!("CEIL\t{key}\t{v:.3}");
    }
}
