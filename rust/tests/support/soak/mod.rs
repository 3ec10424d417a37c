//! Soak run shared by `rust/examples/soak.rs` (1000 × 1000) and the
//! `soak_small` test (100 × 100): many clients each send numbered messages
//! through one echoing server and check every echo. The server polls in its
//! own thread, the clients in the calling one, so both cores are busy.
//!
//! A message is 16 ASCII hex digits (client id, sequence number) and a
//! pattern derived from both, so a receiver can rebuild the exact bytes it
//! should have got. Sizes cover the 7-bit, 16-bit and 64-bit frame lengths;
//! every seventh message is text to check that the kind survives the echo.

#![allow(dead_code)]

mod message;
mod server;

use message::*;
// For tests/soak_small.rs; the soak example, which shares this module, uses neither.
#[allow(unused_imports)]
pub use message::{build_message, parse_header};
use server::serve;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use websocket_peer::core::{Config, Event, Packet, Peer, ReadyState, ServerConfig};

/// What to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Number of clients.
    pub clients: u32,
    /// Messages each client sends (and must get back).
    pub messages: u32,
    /// Most messages a client has in flight; keeps memory bounded.
    pub window: u32,
    /// Most connects in progress at once. Each one is a thread, and the
    /// listen backlog is 128: a larger burst could overflow it.
    pub connect_wave: u32,
    /// The run gives up (and counts what is missing as lost) after this long.
    pub time_limit: Duration,
    /// Gives up when nothing at all happened for this long.
    pub stall_limit: Duration,
    /// Prints a line every few seconds.
    pub progress: bool,
}

impl Settings {
    pub fn new(clients: u32, messages: u32, window: u32) -> Self {
        Self {
            clients,
            messages,
            window: window.max(1),
            connect_wave: 100,
            time_limit: Duration::from_secs(600),
            stall_limit: Duration::from_secs(30),
            progress: false,
        }
    }
}

/// What the server thread saw.
#[derive(Debug, Default, Clone)]
pub struct ServerReport {
    pub accepted: u64,
    pub echoed: u64,
    /// Messages that did not match their header's pattern, or whose client id
    /// changed within one connection.
    pub corrupt: u64,
    /// Messages whose sequence number was not the previous one plus one.
    pub out_of_order: u64,
    pub send_errors: u64,
    pub clean_closes: u64,
    pub unclean_closes: u64,
    pub close_requests: u64,
    /// Peers still not closed when the server stopped.
    pub left_open: u64,
    /// Handshakes the server dropped, with their reasons.
    pub rejections: Vec<String>,
}

/// The outcome of a run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub clients: u32,
    pub messages: u32,
    pub window: u32,
    pub opened: u64,
    pub connect_failures: u64,
    pub first_connect_error: String,
    /// Distinct, intact echoes received by the clients.
    pub echoed: u64,
    pub lost: u64,
    pub duplicated: u64,
    /// Echoes that arrived after one with a higher sequence number.
    pub reordered: u64,
    pub corrupt: u64,
    pub send_errors: u64,
    pub clean_closes: u64,
    pub unclean_closes: u64,
    /// Why the run ended early, if it did.
    pub aborted: Option<String>,
    pub server: ServerReport,
    pub elapsed: Duration,
    /// VmHWM of this process, in KiB.
    pub peak_rss_kib: u64,
    pub fd_limit: Option<u64>,
}

impl Report {
    /// Everything that should have been zero, summed.
    pub fn anomalies(&self) -> u64 {
        let s = &self.server;
        let expected_total = self.clients as u64 * self.messages as u64;
        self.connect_failures
            + self.lost
            + self.duplicated
            + self.reordered
            + self.corrupt
            + self.send_errors
            + self.unclean_closes
            + (self.clients as u64 - self.opened.min(self.clients as u64))
            + (self.clients as u64 - self.clean_closes.min(self.clients as u64))
            + s.corrupt
            + s.out_of_order
            + s.send_errors
            + s.unclean_closes
            + s.left_open
            + s.rejections.len() as u64
            + s.accepted.abs_diff(self.clients as u64)
            + s.echoed.abs_diff(expected_total)
            + s.clean_closes.abs_diff(self.clients as u64)
            + u64::from(self.aborted.is_some())
    }

    pub fn passed(&self) -> bool {
        self.anomalies() == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        let s = &self.server;
        writeln!(
            f,
            "clients {}  messages/client {}  window {}",
            self.clients, self.messages, self.window
        )?;
        writeln!(
            f,
            "opened {}  connect failures {}{}",
            self.opened,
            self.connect_failures,
            if self.first_connect_error.is_empty() {
                String::new()
            } else {
                format!(" (first: {})", self.first_connect_error)
            }
        )?;
        writeln!(
            f,
            "echoed {} of {}  lost {}  duplicated {}  reordered {}  corrupt {}  send errors {}",
            self.echoed,
            self.clients as u64 * self.messages as u64,
            self.lost,
            self.duplicated,
            self.reordered,
            self.corrupt,
            self.send_errors
        )?;
        writeln!(
            f,
            "server: accepted {}  echoed {}  corrupt {}  out of order {}  send errors {}  rejected handshakes {}",
            s.accepted,
            s.echoed,
            s.corrupt,
            s.out_of_order,
            s.send_errors,
            s.rejections.len()
        )?;
        if let Some(first) = s.rejections.first() {
            writeln!(f, "  first rejection: {first}")?;
        }
        writeln!(
            f,
            "closes: client clean {} unclean {}  server clean {} unclean {} close requests {} left open {}",
            self.clean_closes,
            self.unclean_closes,
            s.clean_closes,
            s.unclean_closes,
            s.close_requests,
            s.left_open
        )?;
        if let Some(why) = &self.aborted {
            writeln!(f, "ABORTED: {why}")?;
        }
        writeln!(
            f,
            "elapsed {:.2} s  {:.0} echoes/s  peak RSS {:.1} MiB (VmHWM){}",
            secs,
            self.echoed as f64 / secs.max(1e-9),
            self.peak_rss_kib as f64 / 1024.0,
            self.fd_limit
                .map(|n| format!("  fd limit {n}"))
                .unwrap_or_default()
        )?;
        write!(
            f,
            "{}",
            if self.passed() {
                "RESULT ok: 0 anomalies".to_string()
            } else {
                format!("RESULT FAILED: {} anomalies", self.anomalies())
            }
        )
    }
}

#[derive(PartialEq)]
enum Life {
    Waiting,
    Connecting,
    Open,
    Closing,
    Done,
}

struct Client {
    peer: Peer,
    id: u32,
    life: Life,
    next_send: u32,
    received: u32,
    highest: Option<u32>,
    seen: Vec<u64>,
}

impl Client {
    fn in_flight(&self) -> u32 {
        self.next_send - self.received
    }
}

/// Reads /proc/self/status for `key` (in kB).
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// The soft limit on open files, if it can be read.
pub fn fd_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Runs the soak and reports what happened. Never panics on an anomaly;
/// the caller decides (the test asserts, the example sets its exit code).
pub fn run(settings: &Settings) -> Report {
    let start = Instant::now();
    let mut report = Report {
        clients: settings.clients,
        messages: settings.messages,
        window: settings.window,
        fd_limit: fd_limit(),
        ..Report::default()
    };
    // Two sockets per client live in this process, plus the connect threads' and a few spare.
    let needed = 2 * u64::from(settings.clients) + 64;
    if let Some(limit) = report.fd_limit.filter(|&l| l < needed) {
        report.aborted = Some(format!(
            "open-file limit {limit} is below the {needed} this run needs; raise it with ulimit -n"
        ));
        return report;
    }

    // Generous: on two loaded cores a handshake may wait behind a whole round of polls.
    let config = Config {
        handshake_timeout: Duration::from_secs(20),
        ..Config::default()
    };
    let server_config = ServerConfig {
        peer: config.clone(),
        ..ServerConfig::default()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (port_tx, port_rx) = mpsc::channel();
    let server_stop = stop.clone();
    let server_thread = std::thread::Builder::new()
        .name("soak-server".into())
        .spawn(move || serve(server_config, port_tx, server_stop))
        .expect("spawn the soak server thread");
    let Ok(port) = port_rx.recv() else {
        report.aborted = Some("the server thread failed to listen".into());
        report.server = server_thread.join().unwrap_or_default();
        return report;
    };
    let url = format!("ws://127.0.0.1:{port}/soak");

    let words = (settings.messages as usize).div_ceil(64);
    let mut clients: Vec<Client> = (0..settings.clients)
        .map(|id| Client {
            peer: Peer::new(config.clone()),
            id,
            life: Life::Waiting,
            next_send: 0,
            received: 0,
            highest: None,
            seen: vec![0; words],
        })
        .collect();

    let deadline = start + settings.time_limit;
    let mut last_activity = Instant::now();
    let mut last_progress = Instant::now();
    let mut next_to_connect = 0usize;
    let mut connecting = 0u32;
    let mut done = 0u32;
    let mut events: Vec<Event> = Vec::new();
    let mut scratch = Vec::new();
    let mut message = Vec::new();
    while done < settings.clients {
        let now = Instant::now();
        if now >= deadline {
            report.aborted = Some(format!(
                "time limit of {:.0} s reached",
                settings.time_limit.as_secs_f64()
            ));
            break;
        }
        if now.duration_since(last_activity) >= settings.stall_limit {
            report.aborted = Some(format!(
                "nothing happened for {:.0} s",
                settings.stall_limit.as_secs_f64()
            ));
            break;
        }
        if settings.progress && now.duration_since(last_progress) >= Duration::from_secs(5) {
            last_progress = now;
            eprintln!(
                "  {:6.1} s: open {}, echoes {}, done {}, RSS {:.1} MiB",
                start.elapsed().as_secs_f64(),
                report.opened,
                report.echoed,
                done,
                status_kib("VmRSS:") as f64 / 1024.0
            );
        }
        while connecting < settings.connect_wave && next_to_connect < clients.len() {
            let c = &mut clients[next_to_connect];
            next_to_connect += 1;
            c.life = Life::Connecting;
            connecting += 1;
            if let Err(e) = c.peer.connect(&url, &[], &[]) {
                panic!("connect() refused a valid URL: {}", e.reason());
            }
        }

        let mut busy = false;
        for c in clients.iter_mut() {
            if matches!(c.life, Life::Waiting | Life::Done) {
                continue;
            }
            events.clear();
            events.extend(c.peer.poll());
            for event in &events {
                busy = true;
                match event {
                    Event::Connected { .. } => {
                        c.life = Life::Open;
                        connecting -= 1;
                        report.opened += 1;
                    }
                    Event::ConnectFailed { reason } => {
                        c.life = Life::Done;
                        connecting -= 1;
                        done += 1;
                        report.connect_failures += 1;
                        if report.first_connect_error.is_empty() {
                            report.first_connect_error = reason.clone();
                        }
                    }
                    Event::Closed { clean } => {
                        c.life = Life::Done;
                        done += 1;
                        if *clean {
                            report.clean_closes += 1;
                        } else {
                            report.unclean_closes += 1;
                        }
                    }
                    Event::Message | Event::CloseRequested { .. } => {}
                }
            }
            while let Some(packet) = c.peer.take_packet() {
                check_echo(c, settings.messages, &packet, &mut report, &mut scratch);
            }
            if c.life == Life::Open {
                while c.next_send < settings.messages && c.in_flight() < settings.window {
                    let text = build_message(c.id, c.next_send, &mut message);
                    match c.peer.send(&message, text) {
                        Ok(()) => c.next_send += 1,
                        Err(_) => {
                            report.send_errors += 1;
                            break;
                        }
                    }
                    busy = true;
                }
                if c.received == settings.messages && c.peer.ready_state() == ReadyState::Open {
                    let _ = c.peer.close(1000, "soak done");
                    c.life = Life::Closing;
                    busy = true;
                }
            }
        }
        if busy {
            last_activity = Instant::now();
        } else {
            std::thread::yield_now();
        }
    }

    stop.store(true, Ordering::Release);
    report.server = server_thread.join().unwrap_or_else(|_| ServerReport {
        rejections: vec!["the server thread panicked".into()],
        ..ServerReport::default()
    });
    report.lost = clients
        .iter()
        .map(|c| u64::from(settings.messages - c.received))
        .sum();
    report.elapsed = start.elapsed();
    report.peak_rss_kib = status_kib("VmHWM:");
    report
}

fn check_echo(
    c: &mut Client,
    messages: u32,
    packet: &Packet,
    report: &mut Report,
    scratch: &mut Vec<u8>,
) {
    // Someone else's message, or one nobody sent, counts as corrupt.
    let own = c.id;
    let Some((_, seq)) = verified(packet, scratch, |id, seq| id == own && seq < messages) else {
        report.corrupt += 1;
        return;
    };
    let (word, bit) = (seq as usize / 64, 1u64 << (seq % 64));
    if c.seen[word] & bit != 0 {
        report.duplicated += 1;
        return;
    }
    c.seen[word] |= bit;
    c.received += 1;
    report.echoed += 1;
    match c.highest {
        Some(h) if seq < h => report.reordered += 1,
        _ => c.highest = Some(seq),
    }
}
