//! A public multiplayer server's limits on real loopback sockets: the packets
//! waiting for the game count against the inbound budget until taken, the
//! clients holding the most (in their connection or in that queue) are closed
//! with 1009 and leave with one warning per burst, and a message trickled in
//! too slowly is cut off although its socket falls silent.

mod support;

use std::time::{Duration, Instant};

use support::raw::*;
use support::*;
use websocket_peer::core::multiplayer::{
    MultiplayerClient, MultiplayerEvent, MultiplayerServer, ReceivedPackets, Status,
};
use websocket_peer::core::{Config, Peer, ServerConfig};

type Server = MultiplayerServer<Peer>;
type Client = MultiplayerClient<Peer>;

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

fn listen(config: ServerConfig) -> Server {
    Server::listen(0, "127.0.0.1", config).expect("listen")
}

fn connect(server: &mut Server, events: &mut Vec<MultiplayerEvent>) -> Client {
    let url = format!("ws://127.0.0.1:{}/", server.port());
    let mut client = Client::connect(&url, &[], &[], Config::default(), |p| p).unwrap();
    poll_both_until(
        server,
        events,
        &mut client,
        "the client has its id",
        |_, c| c.status() == Status::Connected,
    );
    client
}

/// A server with an inbound budget of `bytes` and one client connected to
/// it, with the client's id.
fn budget_and_client(bytes: usize) -> (Server, Vec<MultiplayerEvent>, Client, i32) {
    let mut events = Vec::new();
    let mut server = listen(budget_of(bytes));
    let client = connect(&mut server, &mut events);
    let id = server.peer_ids().next().unwrap();
    (server, events, client, id)
}

/// Polls the server and `client` until `done` holds. The client's own events
/// are dropped: these tests judge the server.
fn poll_both_until(
    server: &mut Server,
    events: &mut Vec<MultiplayerEvent>,
    client: &mut Client,
    what: &str,
    done: impl Fn(&Server, &Client) -> bool,
) {
    wait_for(10, what, || {
        server.poll(|p| p, events);
        client.poll(&mut Vec::new());
        done(server, client).then_some(())
    });
}

/// Sends `count` complete packets of `size` bytes from `client` and waits
/// until all of them wait in the server's queue for the game.
fn queue_packets(
    server: &mut Server,
    events: &mut Vec<MultiplayerEvent>,
    client: &mut Client,
    count: usize,
    size: usize,
) {
    let packet = vec![7u8; size];
    for _ in 0..count {
        client.put_packet(&packet).unwrap();
    }
    poll_both_until(server, events, client, "the packets queued", |s, _| {
        s.available_packets() == count
    });
}

/// Sends what the socket takes of `data` from `sent` on, polling the server;
/// stops when it is all sent or nothing more went for a while.
fn send_stalling(
    server: &mut Server,
    events: &mut Vec<MultiplayerEvent>,
    raw: &mut Raw,
    data: &[u8],
) {
    let mut sent = 0;
    let mut last_progress = Instant::now();
    while sent < data.len() && last_progress.elapsed() < Duration::from_millis(500) {
        let n = raw.write_some(&data[sent..]);
        if n > 0 {
            sent += n;
            last_progress = Instant::now();
        }
        server.poll(|p| p, events);
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn count(events: &[MultiplayerEvent], pattern: impl Fn(&MultiplayerEvent) -> bool) -> usize {
    events.iter().filter(|e| pattern(e)).count()
}

fn budget_warnings(events: &[MultiplayerEvent]) -> usize {
    count(
        events,
        |e| matches!(e, MultiplayerEvent::Dropped(w) if w.contains("inbound budget")),
    )
}

fn disconnected(events: &[MultiplayerEvent], id: i32) -> usize {
    count(events, |e| *e == MultiplayerEvent::PeerDisconnected(id))
}

#[test]
fn packets_waiting_for_the_game_stay_in_the_budget_until_taken() {
    let (mut server, mut events, mut client, _) = budget_and_client(8 * MIB);
    queue_packets(&mut server, &mut events, &mut client, 10, 100 * KIB);
    let held = server.budget().held();
    assert!(
        (1000 * KIB..1000 * KIB + 64 * KIB).contains(&held),
        "the queued 1000 KiB are held: {held}"
    );
    while server.take_packet().is_some() {}
    server.poll(|p| p, &mut events);
    assert_eq!(server.budget().held(), 0, "taken packets are given back");
}

#[test]
fn a_full_budget_closes_the_biggest_holders_with_one_warning_and_the_game_goes_on() {
    let (mut server, mut events, mut real, real_id) = budget_and_client(MIB);
    let mut attackers: Vec<(Raw, i32)> = (0..3)
        .map(|_| raw_client(&mut server, &mut events))
        .collect();
    // Each announces a 1 MiB message and sends 400 KiB of it, all at once:
    // 1.2 MiB in all, so one closed is enough.
    let mut message = frame_header(2, true, MIB);
    message.resize(message.len() + 400 * KIB, 0);
    let mut sent = vec![0; attackers.len()];
    let mut last_progress = Instant::now();
    while last_progress.elapsed() < Duration::from_millis(500) {
        for ((raw, _), sent) in attackers.iter_mut().zip(&mut sent) {
            let end = (*sent + 16 * KIB).min(message.len());
            let n = raw.write_some(&message[*sent..end]);
            if n > 0 {
                *sent += n;
                last_progress = Instant::now();
            }
        }
        server.poll(|p| p, &mut events);
        std::thread::sleep(Duration::from_micros(200));
    }
    let (mut echoes, mut real_events) = (0, Vec::new());
    wait_for(
        10,
        "the biggest holders closed, the real client served",
        || {
            server.poll(|p| p, &mut events);
            real.put_packet(b"ping").unwrap();
            real.poll(&mut real_events);
            while let Some((from, _)) = server.take_packet() {
                assert_eq!(from, real_id, "only the real client's packets arrive");
                server.put_packet(from, b"pong").unwrap();
            }
            while real.take_packet().is_some() {
                echoes += 1;
            }
            for (raw, _) in &mut attackers {
                raw.read();
            }
            let closed = attackers
                .iter()
                .filter(|(r, _)| r.close_frame().is_some())
                .count();
            (closed >= 1 && echoes >= 20).then_some(())
        },
    );
    let victims: Vec<&(Raw, i32)> = attackers
        .iter()
        .filter(|(r, _)| r.close_frame().is_some())
        .collect();
    assert!(
        victims.len() < attackers.len(),
        "the attackers that fit stay"
    );
    for (raw, id) in &victims {
        let (code, reason) = raw.close_frame().unwrap();
        assert_eq!(code, 1009);
        assert!(reason.contains("inbound budget"), "{reason}");
        assert_eq!(disconnected(&events, *id), 1, "peer {id} left once");
        assert!(!server.has_peer(*id));
        let noted = count(
            &events,
            |e| matches!(e, MultiplayerEvent::Noted(r) if r.starts_with(&format!("peer {id}:"))),
        );
        assert_eq!(noted, 1, "the reason of peer {id} is kept");
    }
    assert_eq!(
        budget_warnings(&events),
        1,
        "one warning for the burst: {events:?}"
    );
    let others = count(&events, |e| matches!(e, MultiplayerEvent::Dropped(_)));
    assert_eq!(others, 1, "no warning per victim: {events:?}");
    assert!(
        server.budget().held() <= MIB,
        "{} held",
        server.budget().held()
    );
    assert_eq!(real.status(), Status::Connected);
    assert_eq!(disconnected(&events, real_id), 0);
}

#[test]
fn a_client_whose_packets_wait_in_the_queue_is_the_biggest_holder() {
    let (mut server, mut events, mut hoarder, hoarder_id) = budget_and_client(MIB);
    // 1000 KiB of complete packets the game does not take yet: under the budget.
    queue_packets(&mut server, &mut events, &mut hoarder, 5, 200 * KIB);
    assert_eq!(budget_warnings(&events), 0);
    // Another client's unfinished 100 KiB tip the budget over.
    let (mut raw, raw_id) = raw_client(&mut server, &mut events);
    let mut message = frame_header(2, true, 200 * KIB);
    message.resize(message.len() + 100 * KIB, 0);
    send_stalling(&mut server, &mut events, &mut raw, &message);
    wait_for(5, "the hoarder closed", || {
        server.poll(|p| p, &mut events);
        (disconnected(&events, hoarder_id) == 1).then_some(())
    });
    assert_eq!(budget_warnings(&events), 1);
    assert_eq!(
        server.available_packets(),
        0,
        "its waiting packets are dropped"
    );
    assert!(server.has_peer(raw_id), "the smaller holder stays");
    assert!(
        server.budget().held() < MIB / 2,
        "{} held",
        server.budget().held()
    );
    poll_both_until(
        &mut server,
        &mut events,
        &mut hoarder,
        "the hoarder's close frame",
        |_, h| h.status() == Status::Disconnected,
    );
}

#[test]
fn a_message_trickled_in_too_slowly_is_cut_off_though_its_socket_falls_silent() {
    let mut events = Vec::new();
    let mut server = listen(ServerConfig {
        message_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    });
    let (mut raw, id) = raw_client(&mut server, &mut events);
    let mut start = frame_header(2, true, 1000);
    start.push(0);
    assert_eq!(raw.write_some(&start), start.len());
    // Nothing more arrives: only the running timeout can make the server look again.
    let begun = Instant::now();
    let (code, reason) = wait_for(5, "the close frame", || {
        server.poll(|p| p, &mut events);
        raw.read();
        raw.close_frame()
    });
    assert_eq!(code, 1008);
    assert!(reason.contains("message_timeout"), "{reason}");
    assert!(begun.elapsed() >= Duration::from_millis(400));
    wait_for(5, "peer_disconnected", || {
        server.poll(|p| p, &mut events);
        (disconnected(&events, id) == 1).then_some(())
    });
}

#[test]
fn clients_that_leave_in_one_poll_may_be_sent_to_until_the_next() {
    // Victims of one burst, or clients that vanish together, leave in one poll;
    // SceneMultiplayer handling the first one's departure tells the others.
    let mut events = Vec::new();
    let mut server = listen(ServerConfig::default());
    let (a, a_id) = raw_client(&mut server, &mut events);
    let (b, b_id) = raw_client(&mut server, &mut events);
    drop((a, b));
    std::thread::sleep(Duration::from_millis(100));
    events.clear();
    server.poll(|p| p, &mut events);
    assert_eq!(disconnected(&events, a_id), 1, "{events:?}");
    assert_eq!(disconnected(&events, b_id), 1, "{events:?}");
    server
        .put_packet(a_id, b"who left")
        .expect("a packet for a client just gone");
    server
        .put_packet(b_id, b"who left")
        .expect("a packet for a client just gone");
    server.poll(|p| p, &mut events);
    let err = server.put_packet(a_id, b"later").unwrap_err();
    assert!(err.reason().contains("no peer"), "{}", err.reason());
}
