//! The close handshake from either side: code and reason arrive, each side
//! sees exactly one Closed event, and unread messages stay readable.

mod support;

use support::*;
use websocket_peer::core::{Config, Event, ReadyState};

fn closed_events(events: &[Event]) -> Vec<&Event> {
    events
        .iter()
        .filter(|e| matches!(e, Event::Closed { .. }))
        .collect()
}

#[test]
fn client_starts_close() {
    let mut p = pair(Config::default());
    p.client.send(b"last words", false).unwrap();
    p.client.close(4000, "client done").unwrap();
    assert_eq!(p.client.ready_state(), ReadyState::Closing);
    let (ce, se) = pump(&mut p.client, &mut p.remote, 5, "both closed", |a, b| {
        a.ready_state() == ReadyState::Closed && b.ready_state() == ReadyState::Closed
    });
    assert!(se.contains(&Event::CloseRequested {
        code: 4000,
        reason: "client done".into()
    }));
    assert!(!ce.iter().any(|e| matches!(e, Event::CloseRequested { .. })));
    assert_eq!(closed_events(&ce), [&Event::Closed { clean: true }]);
    assert_eq!(closed_events(&se), [&Event::Closed { clean: true }]);
    assert_eq!(p.remote.close_status().code, 4000);
    assert_eq!(p.client.close_status().code, 4000);
    assert_eq!(p.client.close_status().reason, "client done");
    // Received before the close, still readable after it.
    assert_eq!(p.remote.take_packet().unwrap().data, &b"last words"[..]);
}

#[test]
fn server_starts_close() {
    let mut p = pair(Config::default());
    p.remote.close(1001, "server going away").unwrap();
    let (ce, se) = pump(&mut p.client, &mut p.remote, 5, "both closed", |a, b| {
        a.ready_state() == ReadyState::Closed && b.ready_state() == ReadyState::Closed
    });
    assert!(ce.contains(&Event::CloseRequested {
        code: 1001,
        reason: "server going away".into()
    }));
    assert_eq!(closed_events(&ce), [&Event::Closed { clean: true }]);
    assert_eq!(closed_events(&se), [&Event::Closed { clean: true }]);
    assert_eq!(p.client.close_status().code, 1001);
}

#[test]
fn dropped_peer_is_seen_as_going_away() {
    let mut p = pair(Config::default());
    drop(p.client);
    let mut events = Vec::new();
    wait_for(5, "server side closed", || {
        events.extend(p.remote.poll());
        (p.remote.ready_state() == ReadyState::Closed).then_some(())
    });
    assert!(events.contains(&Event::CloseRequested {
        code: 1001,
        reason: "going away".into()
    }));
    assert_eq!(closed_events(&events).len(), 1);
}

#[test]
fn invalid_close_arguments_change_nothing() {
    let mut p = pair(Config::default());
    assert!(p.client.close(1005, "").is_err());
    assert!(p.client.close(1000, &"x".repeat(123)).is_err());
    assert_eq!(p.client.ready_state(), ReadyState::Open);
    assert!(p.client.last_error().contains("123"));
}
