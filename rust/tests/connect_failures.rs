//! Failed connects end in Closed with exactly one ConnectFailed event and a
//! reason; bad URLs are refused at once.

mod support;

use std::net::TcpListener;

use support::*;
use websocket_peer::core::{Config, ErrorKind, Event, Peer, ReadyState};

fn failure_of(peer: &mut Peer) -> Vec<Event> {
    let mut events = Vec::new();
    wait_for(10, "the connect to fail", || {
        events.extend(peer.poll());
        (peer.ready_state() == ReadyState::Closed).then_some(())
    });
    events
}

#[test]
fn refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut peer = Peer::default();
    peer.connect(&format!("ws://127.0.0.1:{port}"), &[], &[])
        .unwrap();
    assert_eq!(peer.ready_state(), ReadyState::Connecting);
    let events = failure_of(&mut peer);
    assert_eq!(events.len(), 1, "{events:?}");
    let Event::ConnectFailed { reason } = &events[0] else {
        panic!("{events:?}")
    };
    assert!(reason.contains("refused"), "{reason}");
    assert_eq!(peer.last_error(), reason);
}

#[test]
fn silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut peer = Peer::new(Config {
        handshake_timeout: std::time::Duration::from_millis(300),
        ..Config::default()
    });
    peer.connect(&format!("ws://127.0.0.1:{port}"), &[], &[])
        .unwrap();
    let events = failure_of(&mut peer);
    let Event::ConnectFailed { reason } = &events[0] else {
        panic!("{events:?}")
    };
    assert!(reason.contains("timed out"), "{reason}");
}

#[test]
fn malformed_url_is_refused_at_once() {
    let mut peer = Peer::default();
    let err = peer.connect("ws://[::1", &[], &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert_eq!(peer.ready_state(), ReadyState::Closed);
    assert!(peer.poll().next().is_none());
}
