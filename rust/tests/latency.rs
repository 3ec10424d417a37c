//! No message waits a poll longer than it must: a server's reply leaves at
//! once, and an idle client that skips reading its socket still sees every
//! message at its first poll after the message arrived.

mod support;

use std::time::Duration;

use support::*;
use websocket_peer::core::{Config, Peer};

/// The client sends `requests` in one frame; waits until the server-side
/// peer holds them all.
fn send_requests(p: &mut Pair, requests: &[&[u8]]) {
    for request in requests {
        p.client.send(request, false).unwrap();
    }
    p.client.poll().for_each(drop);
    poll_until(&mut p.remote, 5, "the requests", |r| {
        (r.available_packets() == requests.len()).then_some(())
    });
}

#[test]
fn a_server_reply_leaves_without_another_server_poll() {
    let mut p = pair(Config::default());
    for round in 0..50u8 {
        send_requests(&mut p, &[&[round]]);
        assert_eq!(&p.remote.take_packet().unwrap().data[..], &[round]);
        p.remote.send(&[round, round], false).unwrap();
        assert_eq!(
            p.remote.buffered_amount(),
            0,
            "round {round}: reply written by send"
        );
        // The server-side peer is not polled again: the reply must already be on its way.
        let reply = poll_until(&mut p.client, 5, "the reply", Peer::take_packet);
        assert_eq!(&reply.data[..], &[round, round]);
    }
}

#[test]
fn replies_to_several_messages_go_out_together_once_all_are_taken() {
    let mut p = pair(Config::default());
    send_requests(&mut p, &[&[0], &[1], &[2]]);
    let mut replies = 0;
    while let Some(packet) = p.remote.take_packet() {
        p.remote.send(&packet.data, false).unwrap();
        replies += 1;
        if replies < 3 {
            assert!(
                p.remote.buffered_amount() > 0,
                "reply {replies} waits for the others"
            );
        }
    }
    assert_eq!(
        p.remote.buffered_amount(),
        0,
        "the last reply wrote all three"
    );
    poll_until(&mut p.client, 5, "three replies", |c| {
        (c.available_packets() == 3).then_some(())
    });
}

#[test]
fn an_idle_client_reads_each_message_at_its_first_poll_after_it_arrived() {
    let mut p = pair(Config::default());
    for round in 0..200u32 {
        // Idle polls: the client learns its socket is empty and stops asking it.
        for _ in 0..(round % 7) {
            p.client.poll().for_each(drop);
        }
        assert_eq!(p.client.available_packets(), 0);
        p.remote.send(&round.to_le_bytes(), false).unwrap();
        p.remote.poll().for_each(drop);
        assert_eq!(p.remote.buffered_amount(), 0);
        // Loopback hands the bytes over within the sender's system call; the
        // pause only covers a busy machine's scheduling.
        std::thread::sleep(Duration::from_millis(if round % 10 == 0 { 20 } else { 0 }));
        let mut polls = 0;
        let got = poll_until(&mut p.client, 5, "the message", |c| {
            polls += 1;
            c.take_packet()
        });
        assert_eq!(&got.data[..], &round.to_le_bytes());
        if round % 10 == 0 {
            assert_eq!(
                polls, 1,
                "round {round}: the message arrived 20 ms before the poll"
            );
        }
    }
}
