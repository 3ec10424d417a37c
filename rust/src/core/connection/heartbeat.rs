//! The heartbeat: with `heartbeat_interval` set, a ping goes out after an
//! interval without input, and a ping unanswered for another interval fails
//! the connection.

use std::time::{Duration, Instant};

use tungstenite::{Bytes, Message};

use super::{Connection, Phase};

/// Heartbeat bookkeeping.
#[derive(Debug, Default)]
pub(super) struct Heartbeat {
    last_heard: Option<Instant>,
    ping_sent: Option<Instant>,
    rtt: Option<Duration>,
}

impl Heartbeat {
    /// A connection that just opened counts as heard from.
    pub(super) fn starting_now() -> Self {
        Self {
            last_heard: Some(Instant::now()),
            ..Self::default()
        }
    }

    /// A message arrived: the remote side is alive.
    pub(super) fn heard(&mut self) {
        self.last_heard = Some(Instant::now());
    }

    /// A pong arrived: it answers the ping in flight, if one is.
    pub(super) fn answered(&mut self) {
        if let Some(sent) = self.ping_sent.take() {
            self.rtt = Some(sent.elapsed());
        }
    }

    /// Round-trip time of the last answered ping.
    pub(super) fn rtt(&self) -> Option<Duration> {
        self.rtt
    }
}

impl Connection {
    /// Sends a heartbeat ping when one is due, or fails the connection when
    /// the last one went unanswered for an interval.
    pub(super) fn check_heartbeat(&mut self, now: Instant) {
        let interval = self.config.heartbeat_interval;
        if self.phase != Phase::Open || interval.is_zero() {
            return;
        }
        if let Some(sent) = self.heartbeat.ping_sent {
            if now.duration_since(sent) >= interval {
                self.fail_silently(&format!(
                    "no answer to a heartbeat ping within {:.1} s",
                    interval.as_secs_f64()
                ));
            }
        } else if self
            .heartbeat
            .last_heard
            .is_none_or(|t| now.duration_since(t) >= interval)
        {
            self.heartbeat.ping_sent = Some(now);
            if self.ws.write(Message::Ping(Bytes::new())).is_ok() {
                let _ = self.ws.flush();
                let _ = self.ws.get_mut().flush_out();
            }
        }
    }
}
