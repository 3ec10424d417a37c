//! A multiplayer server facing a client that breaks the protocol: the
//! messages before the violation reach the game, and the client is closed
//! with 1002 and leaves, although it sends nothing more.

mod support;

use support::raw::*;
use support::*;
use websocket_peer::core::multiplayer::{MultiplayerEvent, MultiplayerServer, ReceivedPackets};
use websocket_peer::core::{Peer, ServerConfig};

#[test]
fn a_violation_behind_a_packet_closes_the_client_at_the_next_poll() {
    let mut server =
        MultiplayerServer::<Peer>::listen(0, "127.0.0.1", ServerConfig::default()).unwrap();
    let mut events = Vec::new();
    let (mut raw, id) = raw_client(&mut server, &mut events);
    // One write, so both frames arrive in one read: a packet, then a frame
    // with a reserved opcode (0x3).
    let mut bytes = frame_header(0x2, true, 2);
    bytes.extend_from_slice(b"hi");
    bytes.extend(frame_header(0x3, true, 0));
    assert_eq!(raw.write_some(&bytes), bytes.len());

    wait_for(
        5,
        "the packet before the violation reaches the game",
        || {
            server.poll(|p| p, &mut events);
            (server.available_packets() == 1).then_some(())
        },
    );
    assert_eq!(
        server.take_packet().map(|(from, p)| (from, p.to_vec())),
        Some((id, b"hi".to_vec()))
    );
    // The socket is silent from here on: only the held-over violation can
    // make the server act.
    wait_for(5, "the client is closed with 1002 and leaves", || {
        server.poll(|p| p, &mut events);
        raw.read();
        (raw.close_frame().is_some() && events.contains(&MultiplayerEvent::PeerDisconnected(id)))
            .then_some(())
    });
    let (code, reason) = raw.close_frame().unwrap();
    assert_eq!(code, 1002, "closed for a protocol violation: {reason}");
}
