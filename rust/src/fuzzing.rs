//! Entry point for the fuzzer (`fuzz/`) and its seed tests: runs our own
//! handshake, [`Connection`] and [`Peer`] code over an in-memory pipe (a
//! [`Socket`] of its own) instead of a TCP socket, so arbitrary bytes can play
//! the remote side at millions of runs per hour. Only built with the `fuzzing`
//! feature, outside `core`: nothing in the addon uses or carries it.
//!
//! [`feed`] checks the promises the rest of the code relies on and panics
//! when one is broken, so the fuzzer reports it like a crash.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::Arc;

use parking_lot::Mutex;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::protocol::Role;

use crate::core::config::Config;
use crate::core::connection::Connection;
use crate::core::event::Event;
use crate::core::handshake::{
    ClientHandshake, ClientSetup, Progress, ServerHandshake, ServerSetup,
};
use crate::core::inbox::Packet;
use crate::core::peer::{Peer, ReadyState};
use crate::core::transport::{Socket, Transport};

/// The RFC 6455 sample key, so a synthesized answer can carry the right accept value.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const CLIENT_REQUEST: &[u8] = b"GET /fuzz HTTP/1.1\r\nHost: fuzz.invalid\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const SERVER_RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/// Small limits so the fuzzer reaches the oversize and backpressure paths.
const MAX_MESSAGE: usize = 64 * 1024;
const INBOUND_LIMIT: usize = 1024;
/// Polls allowed after the input ends for the connection to settle, beyond one per input byte.
const SETTLE_POLLS: usize = 32;

#[derive(Default)]
struct PipeState {
    input: VecDeque<u8>,
    /// Most bytes one read returns, to split frames at every possible point.
    read_chunk: usize,
    /// The remote side hung up: reads past the input return end of stream.
    eof: bool,
    /// Bytes a write may still take before it would block; `None` is unlimited.
    write_room: Option<usize>,
    written: usize,
    shut_down: bool,
}

/// An in-memory socket whose far end is the fuzz input. Clones share it, so
/// the harness keeps one handle while the connection owns another.
#[derive(Clone, Default)]
pub struct Pipe(Arc<Mutex<PipeState>>);

impl Pipe {
    fn arrive(&self, bytes: &[u8]) {
        self.0.lock().input.extend(bytes);
    }
}

impl Socket for Pipe {
    fn tcp(&self) -> Option<&std::net::TcpStream> {
        None
    }

    /// Closing our side of a socket keeps a `TcpStream` valid; reads then see end of stream.
    fn shutdown(&mut self) {
        self.0.lock().shut_down = true;
    }

    /// Half-closing is not modelled: the remote's bytes are all in the input already.
    fn shutdown_write(&mut self) {}
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut s = self.0.lock();
        if s.shut_down {
            return Ok(0);
        }
        if s.input.is_empty() {
            return if s.eof {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        }
        let n = buf.len().min(s.read_chunk).min(s.input.len());
        for (dst, src) in buf.iter_mut().zip(s.input.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut s = self.0.lock();
        if s.shut_down {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let n = match s.write_room {
            Some(0) if !buf.is_empty() => return Err(io::ErrorKind::WouldBlock.into()),
            Some(room) => {
                let n = buf.len().min(room);
                s.write_room = Some(room - n);
                n
            }
            None => buf.len(),
        };
        s.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Which end of the connection our code plays; the input is the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// We connected; the input is the server's answer and frames.
    Client,
    /// We accepted; the input is the client's request and frames.
    Server,
}

/// What one run saw, for the fuzz target and for tests of this harness.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The handshake completed.
    pub opened: bool,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// Every message received, in order.
    pub packets: Vec<Packet>,
    /// Close code reported once closed (-1 when unclean), if it closed.
    pub close_code: Option<i32>,
    /// Whether the close was clean, if it closed.
    pub clean: Option<bool>,
    /// Bytes our side wrote to the pipe.
    pub written: usize,
}

/// Runs our `side` against `data` as the remote's bytes.
///
/// `data[0]` picks the conditions: bits 0-3 the most bytes per read
/// (2^n), bit 4 prepends a valid handshake so the rest is frames, bit 5
/// lets each write take only 64 bytes per poll, bit 6 makes us start a
/// close half way, bit 7 ends the input with a hang-up. `data[1]`: bits 0-5
/// the bytes arriving between polls (4 × (n + 1)), bit 6 makes us send a
/// message at every poll, bit 7 leaves received messages untaken until the
/// end (backpressure).
pub fn feed(side: Side, data: &[u8]) -> Outcome {
    let (flags, pace, input) = match data {
        [f, p, rest @ ..] => (*f, *p, rest),
        [f] => (*f, 0, &[][..]),
        [] => (0, 0, &[][..]),
    };
    let pipe = Pipe::default();
    {
        let mut s = pipe.0.lock();
        s.read_chunk = 1 << (flags & 0x0f);
        s.write_room = (flags & 0x20 != 0).then_some(64);
    }
    if flags & 0x10 != 0 {
        pipe.arrive(match side {
            Side::Client => SERVER_RESPONSE,
            Side::Server => CLIENT_REQUEST,
        });
    }
    let close_midway = flags & 0x40 != 0;
    let hang_up = flags & 0x80 != 0;
    let step = 4 * (usize::from(pace & 0x3f) + 1);
    let send_each_poll = pace & 0x40 != 0;
    let defer_take = pace & 0x80 != 0;

    let config = fuzz_config();
    let mut run = Run {
        pipe: pipe.clone(),
        config: config.clone(),
        outcome: Outcome::default(),
        peer: None,
        closed_seen: false,
    };
    let mut pending = match start(side, &pipe, &config) {
        Step::Pending(h) => Some(h),
        Step::Failed => return run.finish(),
        Step::Done(peer) => run.open(peer),
    };
    let mut chunks = input.chunks(step);
    let half = input.len() / 2;
    let mut delivered = 0;
    let mut close_sent = false;
    // Once the input is all delivered, keep polling while anything moves: a
    // handshake or a full inbox may hold unread bytes. Each poll reads at
    // least one byte or message, so the bound is never what ends a good run.
    let mut settling = 0;
    let mut idle = 0;
    loop {
        let before = run.progress_mark();
        let more = chunks.next();
        if let Some(chunk) = more {
            pipe.arrive(chunk);
            delivered += chunk.len();
        } else if hang_up {
            pipe.0.lock().eof = true;
        }
        run.refill_room();
        if let Some(h) = pending.take() {
            match h.advance(&config) {
                Step::Pending(h) => pending = Some(h),
                Step::Failed => break,
                Step::Done(peer) => pending = run.open(peer),
            }
        }
        if run.peer.is_some() {
            if send_each_poll && more.is_some() {
                run.send(delivered);
            }
            if close_midway && !close_sent && delivered >= half {
                close_sent = true;
                let _ = run.peer_mut().close(1000, "fuzz");
            }
            run.poll(!defer_take || more.is_none());
            if run.closed_seen {
                break;
            }
        }
        if more.is_none() {
            idle = if run.progress_mark() == before {
                idle + 1
            } else {
                0
            };
            settling += 1;
            if idle >= 4 || settling > SETTLE_POLLS + input.len() {
                break;
            }
        }
    }
    // With every message taken and room to write, a hang-up must end the connection.
    if hang_up && flags & 0x20 == 0 && run.peer.is_some() {
        assert!(
            run.closed_seen,
            "still {:?} after the remote hung up",
            run.peer_mut().ready_state()
        );
    }
    run.finish()
}

enum Step {
    Pending(Handshake),
    Failed,
    Done(Box<Peer>),
}

enum Handshake {
    Client(ClientHandshake),
    Server(ServerHandshake),
}

fn fuzz_config() -> Config {
    Config {
        max_message_size: MAX_MESSAGE,
        inbound_buffer_limit: INBOUND_LIMIT,
        ..Config::default()
    }
}

fn start(side: Side, pipe: &Pipe, config: &Config) -> Step {
    let transport = Transport::new(pipe.clone());
    match side {
        Side::Client => {
            let mut request = "ws://fuzz.invalid/fuzz"
                .into_client_request()
                .expect("a valid URL");
            request
                .headers_mut()
                .insert("Sec-WebSocket-Key", HeaderValue::from_static(KEY));
            let setup = ClientSetup {
                request,
                config: config.websocket_config(),
            };
            client_step(ClientHandshake::upgrade(transport, setup), config)
        }
        Side::Server => {
            let setup = ServerSetup {
                protocols: vec!["chat".to_string()].into(),
                extra_headers: vec![("X-Fuzz".to_string(), "1".to_string())].into(),
                config: config.websocket_config(),
                capacity: None,
            };
            server_step(ServerHandshake::upgrade(transport, setup), config)
        }
    }
}

fn client_step(progress: Progress<ClientHandshake>, config: &Config) -> Step {
    step(progress, Role::Client, Handshake::Client, config)
}

fn server_step(progress: Progress<ServerHandshake>, config: &Config) -> Step {
    step(progress, Role::Server, Handshake::Server, config)
}

/// Where a handshake of either side stands after one step.
fn step<H>(
    progress: Progress<H>,
    role: Role,
    pending: fn(H) -> Handshake,
    config: &Config,
) -> Step {
    match progress {
        Progress::Pending(h) => Step::Pending(pending(h)),
        Progress::Failed(_) => Step::Failed,
        Progress::Done(ws, info) => Step::Done(Box::new(Peer::accepted(
            Connection::new(*ws, role, config.clone()),
            info,
            config.clone(),
        ))),
    }
}

impl Handshake {
    fn advance(self, config: &Config) -> Step {
        match self {
            Handshake::Client(h) => client_step(h.advance(), config),
            Handshake::Server(h) => server_step(h.advance(), config),
        }
    }
}

struct Run {
    pipe: Pipe,
    config: Config,
    outcome: Outcome,
    peer: Option<Box<Peer>>,
    closed_seen: bool,
}

impl Run {
    fn open(&mut self, peer: Box<Peer>) -> Option<Handshake> {
        self.outcome.opened = true;
        self.peer = Some(peer);
        None
    }

    /// Changes whenever a poll read, wrote or reported something.
    fn progress_mark(&self) -> (usize, usize, usize, usize) {
        let s = self.pipe.0.lock();
        (
            s.input.len(),
            s.written,
            self.outcome.events.len(),
            self.outcome.packets.len(),
        )
    }

    fn peer_mut(&mut self) -> &mut Peer {
        self.peer.as_mut().expect("the handshake completed")
    }

    fn refill_room(&self) {
        let mut s = self.pipe.0.lock();
        if s.write_room.is_some() {
            s.write_room = Some(64);
        }
    }

    fn send(&mut self, n: usize) {
        let open = self.peer_mut().ready_state() == ReadyState::Open;
        let text = n.is_multiple_of(2);
        let result = self.peer_mut().send(format!("msg {n}").as_bytes(), text);
        // Sending works exactly while the connection is open (the limit is far off).
        assert_eq!(result.is_ok(), open, "send while {open}: {result:?}");
    }

    fn poll(&mut self, take: bool) {
        let events: Vec<Event> = self.peer_mut().poll().collect();
        for event in events {
            assert!(!self.closed_seen, "{event:?} after Closed");
            match &event {
                Event::Closed { clean } => {
                    self.closed_seen = true;
                    let status = self.peer_mut().close_status().clone();
                    assert_eq!(status.clean, *clean, "status {status:?} vs event");
                    assert!(
                        status.code == -1 || status.code >= 1000,
                        "close code {}",
                        status.code
                    );
                    self.outcome.close_code = Some(status.code);
                    self.outcome.clean = Some(*clean);
                }
                Event::CloseRequested { reason, .. } => {
                    assert!(
                        !self
                            .outcome
                            .events
                            .iter()
                            .any(|e| matches!(e, Event::CloseRequested { .. })),
                        "a second CloseRequested"
                    );
                    assert!(
                        reason.len() <= 123,
                        "close reason of {} bytes",
                        reason.len()
                    );
                }
                Event::Message => {}
                Event::Connected { .. } | Event::ConnectFailed { .. } => {
                    panic!("{event:?} from an open connection")
                }
            }
            self.outcome.events.push(event);
        }
        if self.closed_seen {
            assert_eq!(self.peer_mut().ready_state(), ReadyState::Closed);
        }
        if take {
            while let Some(packet) = self.peer_mut().take_packet() {
                self.check_packet(&packet);
                self.outcome.packets.push(packet);
            }
        }
    }

    fn check_packet(&self, packet: &Packet) {
        assert!(
            packet.data.len() <= self.config.max_message_size,
            "message of {} bytes over the limit",
            packet.data.len()
        );
        if packet.text {
            assert!(std::str::from_utf8(&packet.data).is_ok(), "text not UTF-8");
        }
    }

    fn finish(mut self) -> Outcome {
        if let Some(mut peer) = self.peer.take() {
            while let Some(packet) = peer.take_packet() {
                self.check_packet(&packet);
                self.outcome.packets.push(packet);
            }
            // Dropping an open peer sends its going-away close; that must not panic either.
            drop(peer);
        }
        let messages = self
            .outcome
            .events
            .iter()
            .filter(|e| **e == Event::Message)
            .count();
        assert_eq!(
            messages,
            self.outcome.packets.len(),
            "one Message event per message"
        );
        self.outcome.written = self.pipe.0.lock().written;
        self.outcome
    }
}
