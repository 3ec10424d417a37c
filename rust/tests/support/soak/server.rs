//! The soak's echo server: polls in its own thread, echoes every message and
//! checks each client's sequence on the way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use websocket_peer::core::{Accepted, Event, Packet, Peer, Server, ServerConfig};

use super::message::*;
use super::ServerReport;

struct ServedPeer {
    peer: Peer,
    /// Learned from the first message.
    client: Option<u32>,
    next_seq: u32,
}

pub(super) fn serve(
    config: ServerConfig,
    port_tx: mpsc::Sender<u16>,
    stop: Arc<AtomicBool>,
) -> ServerReport {
    let mut server = Server::listen(0, "127.0.0.1", config).expect("soak server listens");
    port_tx
        .send(server.port())
        .expect("soak caller waits for the port");
    let mut report = ServerReport::default();
    let mut peers: Vec<ServedPeer> = Vec::new();
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut scratch = Vec::new();
    let mut stop_seen: Option<Instant> = None;
    loop {
        if stop_seen.is_none() && stop.load(Ordering::Acquire) {
            stop_seen = Some(Instant::now());
        }
        // Once the clients are done, give the last closes a moment, then give up.
        if let Some(t) = stop_seen {
            if peers.is_empty() || t.elapsed() > Duration::from_secs(5) {
                break;
            }
        }
        let mut busy = false;
        server.poll(&mut accepted);
        report
            .rejections
            .extend(server.take_rejections().into_iter().map(|r| r.reason));
        for a in accepted.drain(..) {
            report.accepted += 1;
            busy = true;
            peers.push(ServedPeer {
                peer: a.peer,
                client: None,
                next_seq: 0,
            });
        }
        peers.retain_mut(|sp| {
            events.clear();
            events.extend(sp.peer.poll());
            let mut closed = false;
            for event in &events {
                busy = true;
                match event {
                    Event::Closed { clean } => {
                        closed = true;
                        if *clean {
                            report.clean_closes += 1;
                        } else {
                            report.unclean_closes += 1;
                        }
                    }
                    Event::CloseRequested { .. } => report.close_requests += 1,
                    Event::Message | Event::Connected { .. } | Event::ConnectFailed { .. } => {}
                }
            }
            while let Some(packet) = sp.peer.take_packet() {
                check_at_server(sp, &packet, &mut report, &mut scratch);
                // Echo even a broken message: the client's own check counts it too.
                match sp.peer.send(&packet.data, packet.text) {
                    Ok(()) => report.echoed += 1,
                    Err(_) => report.send_errors += 1,
                }
            }
            !closed
        });
        if !busy {
            std::thread::yield_now();
        }
    }
    report.left_open = peers.len() as u64;
    report
}

fn check_at_server(
    sp: &mut ServedPeer,
    packet: &Packet,
    report: &mut ServerReport,
    scratch: &mut Vec<u8>,
) {
    let client = &mut sp.client;
    let Some((_, seq)) = verified(packet, scratch, |id, _| *client.get_or_insert(id) == id) else {
        report.corrupt += 1;
        return;
    };
    if seq != sp.next_seq {
        report.out_of_order += 1;
    }
    sp.next_seq = seq.wrapping_add(1);
}
