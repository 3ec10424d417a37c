//! A WebSocket client written by hand on a TcpStream, for tests that need
//! exactly the bytes an attacker would send.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;

use websocket_peer::core::multiplayer::{MultiplayerEvent, MultiplayerServer};
use websocket_peer::core::Peer;

use super::wait_for;

pub const UPGRADE: &str =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// A client written by hand: sends exactly the frames a test wants.
pub struct Raw {
    pub tcp: TcpStream,
    pub received: Vec<u8>,
}

impl Raw {
    pub fn connect(port: u16) -> Self {
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_nonblocking(true).unwrap();
        Self {
            tcp,
            received: Vec::new(),
        }
    }

    /// Reads what arrived; returns whether the server closed the stream.
    pub fn read(&mut self) -> bool {
        let mut buf = [0u8; 65536];
        loop {
            match self.tcp.read(&mut buf) {
                Ok(0) => return true,
                Ok(n) => self.received.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
                Err(_) => return true,
            }
        }
    }

    /// Writes as much of `data` as the socket takes now.
    pub fn write_some(&mut self, data: &[u8]) -> usize {
        match self.tcp.write(data) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
            Err(e) => panic!("write failed: {e}"),
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.received).into_owned()
    }

    /// The close frame the server sent after its 101 answer, past any small
    /// frames before it (a multiplayer server's peer id): (code, reason).
    pub fn close_frame(&self) -> Option<(u16, String)> {
        let text = &self.received;
        let start = text.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let mut frame = &text[start..];
        loop {
            if frame.len() < 2 {
                return None;
            }
            let len = (frame[1] & 0x7f) as usize;
            if len >= 126 {
                return None;
            }
            let body = frame.get(2..2 + len)?;
            if frame[0] == 0x88 && len >= 2 {
                let code = u16::from_be_bytes([body[0], body[1]]);
                return Some((code, String::from_utf8_lossy(&body[2..]).into_owned()));
            }
            frame = &frame[2 + len..];
        }
    }
}

/// A masked binary frame header (zero mask key, so the payload goes as is).
pub fn frame_header(opcode: u8, fin: bool, len: usize) -> Vec<u8> {
    let mut h = vec![if fin { 0x80 } else { 0 } | opcode];
    if len < 126 {
        h.push(0x80 | len as u8);
    } else if len < 65536 {
        h.push(0x80 | 126);
        h.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        h.push(0x80 | 127);
        h.extend_from_slice(&(len as u64).to_be_bytes());
    }
    h.extend_from_slice(&[0, 0, 0, 0]);
    h
}

/// A raw client of a multiplayer server, past the upgrade, with the peer id
/// the server sent it.
pub fn raw_client(
    server: &mut MultiplayerServer<Peer>,
    events: &mut Vec<MultiplayerEvent>,
) -> (Raw, i32) {
    let mut raw = Raw::connect(server.port());
    assert_eq!(raw.write_some(UPGRADE.as_bytes()), UPGRADE.len());
    let id = wait_for(5, "the 101 answer and the peer id", || {
        server.poll(|p| p, events);
        raw.read();
        let head = raw.received.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let frame = raw.received.get(head..head + 6)?;
        assert_eq!(&frame[..2], &[0x82, 4], "a 4-byte binary id frame");
        Some(i32::from_le_bytes(frame[2..6].try_into().unwrap()))
    });
    (raw, id)
}
