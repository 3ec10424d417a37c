//! Messages of every size class cross a real loopback connection intact, in
//! order, with their text/binary kind, in both directions.

mod support;

use support::*;
use websocket_peer::core::{Config, Event};

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn binary_sizes_both_ways() {
    let mut p = pair(Config::default());
    assert!(matches!(p.client_events[0], Event::Connected { .. }));
    for (i, len) in [0usize, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]
        .into_iter()
        .enumerate()
    {
        let data = pattern(len, i as u8);
        p.client.send(&data, false).unwrap();
        p.remote.send(&data, false).unwrap();
        pump(&mut p.client, &mut p.remote, 20, "both messages", |a, b| {
            a.available_packets() == 1 && b.available_packets() == 1
        });
        for peer in [&mut p.client, &mut p.remote] {
            let got = peer.take_packet().unwrap();
            assert!(!got.text);
            assert_eq!(got.data.len(), len);
            assert!(got.data == data[..], "payload of {len} bytes differs");
        }
    }
}

#[test]
fn text_keeps_its_kind_and_order() {
    let mut p = pair(Config::default());
    for i in 0..100 {
        p.client
            .send(format!("msg {i} ✓").as_bytes(), i % 2 == 0)
            .unwrap();
    }
    let (_, events) = pump(&mut p.client, &mut p.remote, 5, "100 messages", |_, b| {
        b.available_packets() == 100
    });
    assert_eq!(events.iter().filter(|e| **e == Event::Message).count(), 100);
    for i in 0..100 {
        let got = p.remote.take_packet().unwrap();
        assert_eq!(got.text, i % 2 == 0);
        assert_eq!(got.data, format!("msg {i} ✓").as_bytes());
    }
}
