//! The fuzz harness's entry point (`fuzzing::feed`) on hand-made inputs:
//! proves it drives our real read path in both roles, so a quiet fuzzer run
//! means something, and pins the outcomes the fuzzer cannot judge by itself.

use websocket_peer::core::{framing, Event};
use websocket_peer::fuzzing::{feed, Outcome, Side};

const SYNTH: u8 = 0x10;
const HANG_UP: u8 = 0x80;
const BIG_READS: u8 = 0x0f;
const FAST: u8 = 0x3f;
/// Reads of 4 bytes: tungstenite refuses a handshake that arrives in more
/// than 64 reads averaging under 128 bytes, so 1-byte reads never open.
const SMALL_READS: u8 = 0x02;

fn frame(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut f = Vec::new();
    framing::write_frame(&mut f, opcode, payload, mask);
    f
}

fn input(flags: u8, pace: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![flags, pace];
    for p in parts {
        v.extend_from_slice(p);
    }
    v
}

const MASK: Option<[u8; 4]> = Some([1, 2, 3, 4]);

/// `side` past a synthesized handshake, reading `frames` in big reads, then
/// the remote hangs up.
fn frames_then_hang_up(side: Side, frames: &[Vec<u8>]) -> Outcome {
    feed(side, &input(SYNTH | HANG_UP | BIG_READS, FAST, frames))
}

#[test]
fn server_reads_text_then_clean_close() {
    let close = [&1000u16.to_be_bytes()[..], b"bye"].concat();
    let out = frames_then_hang_up(
        Side::Server,
        &[frame(1, b"hello", MASK), frame(8, &close, MASK)],
    );
    assert!(out.opened);
    assert_eq!(out.packets.len(), 1);
    assert!(out.packets[0].text);
    assert_eq!(out.packets[0].data, &b"hello"[..]);
    assert!(out.events.contains(&Event::CloseRequested {
        code: 1000,
        reason: "bye".into()
    }));
    assert_eq!(out.events.last(), Some(&Event::Closed { clean: true }));
    assert_eq!(out.close_code, Some(1000));
    assert!(
        out.written > 0,
        "the 101 answer and the close reply were written"
    );
}

#[test]
fn server_parses_a_real_request_in_small_pieces() {
    let request = b"GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        .to_vec();
    // Four bytes arriving per poll. (Frames right behind the request would be
    // refused as junk: a client must wait for the 101 before sending.)
    let out = feed(
        Side::Server,
        &input(SMALL_READS, 0, std::slice::from_ref(&request)),
    );
    assert!(out.opened);
    assert!(out.written > 100, "the 101 answer was written");
    // One byte per read looks like a slowloris to tungstenite: refused, not opened.
    let out = feed(Side::Server, &input(0, 0, &[request]));
    assert!(!out.opened);
    assert!(out.events.is_empty());
}

#[test]
fn client_reads_frames_split_in_small_pieces() {
    let data = input(
        SYNTH | HANG_UP | SMALL_READS,
        0,
        &[frame(2, &[1, 2, 3], None), frame(1, "ünï".as_bytes(), None)],
    );
    let out = feed(Side::Client, &data);
    assert!(out.opened);
    assert_eq!(out.packets.len(), 2);
    assert_eq!(out.packets[0].data, &[1u8, 2, 3][..]);
    assert_eq!(out.packets[1].data, "ünï".as_bytes());
    // A hang-up without a close frame is an unclean end.
    assert_eq!(out.events.last(), Some(&Event::Closed { clean: false }));
    assert_eq!(out.close_code, Some(-1));
}

#[test]
fn violations_close_with_their_codes() {
    // An unmasked frame from a client.
    let out = frames_then_hang_up(Side::Server, &[frame(2, b"x", None)]);
    assert_eq!(out.close_code, Some(1002));
    // Text that is not UTF-8.
    let out = frames_then_hang_up(Side::Client, &[frame(1, &[0xff, 0xfe], None)]);
    assert_eq!(out.close_code, Some(1007));
    // A frame over the harness's 64 KiB max_message_size.
    let out = frames_then_hang_up(Side::Client, &[frame(2, &vec![0; 70_000], None)]);
    assert_eq!(out.close_code, Some(1009));
    assert!(out.packets.is_empty());
}

#[test]
fn garbage_instead_of_a_handshake_never_opens() {
    for side in [Side::Client, Side::Server] {
        let out = feed(
            side,
            &input(
                HANG_UP | BIG_READS,
                FAST,
                &[b"SSH-2.0-OpenSSH\r\n\r\n".to_vec()],
            ),
        );
        assert!(!out.opened);
        assert!(out.events.is_empty());
    }
    // Inputs too short to hold the control bytes are fine too.
    for data in [&[][..], &[0xff][..]] {
        feed(Side::Client, data);
        feed(Side::Server, data);
    }
}

#[test]
fn forbidden_code_in_a_close_reply_reads_as_1002() {
    // Found by the fuzzer: we close first, the remote answers with code 976
    // (or 1006, which must never be sent); the app got that code as a clean close.
    const CLOSE_MIDWAY: u8 = 0x40;
    for code in [976u16, 1006, 1015, 5000] {
        let close = frame(8, &code.to_be_bytes(), MASK);
        let out = feed(
            Side::Server,
            &input(SYNTH | CLOSE_MIDWAY | BIG_READS, FAST, &[close]),
        );
        assert_eq!(out.close_code, Some(1002), "reply with {code}");
        assert!(!out
            .events
            .iter()
            .any(|e| matches!(e, Event::CloseRequested { .. })));
    }
}
