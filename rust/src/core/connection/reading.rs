//! The read path: whether the socket may have input, reading it into the
//! inbox within `inbound_buffer_limit`, what each message does to the
//! connection (heartbeat, close, budget bookkeeping), and how a read error
//! ends it.

use std::io;
use std::time::Instant;

use tungstenite::protocol::Role;
use tungstenite::{Bytes, Message};

use super::{Connection, Phase};
use crate::core::error::Error;
use crate::core::event::Event;
use crate::core::inbox::{Inbox, Packet};
use crate::core::input_signal::{Arrival, InputSignal};

impl Connection {
    /// Whether a read would find nothing: the last one emptied the socket and no
    /// byte arrived since. tungstenite zero-fills its whole read chunk before
    /// every read call, which made that the main cost of polling an idle peer.
    fn nothing_to_read(&mut self) -> bool {
        // Checked before deciding, so that completions never pile up unread.
        let arrival = self.input_signal.as_mut().map(InputSignal::check);
        // A round stopped by inbound_buffer_limit left input behind.
        if !self.read_drained {
            return false;
        }
        match arrival {
            Some(Arrival::Nothing) => return true,
            Some(Arrival::Maybe) => return false,
            Some(Arrival::Unavailable) => self.input_signal = None,
            None => {}
        }
        // Without the signal: right after input, more is likely, and reading at
        // once saves the peek; otherwise a one-byte peek is much cheaper than a read.
        if self.read_any {
            return false;
        }
        // Plain TCP only: a TLS layer may hold data that the socket no longer shows.
        let Some(tcp) = self.ws.get_ref().socket().plain_tcp() else {
            return false;
        };
        matches!(tcp.peek(&mut [0u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    pub(super) fn read_into(&mut self, inbox: &mut Inbox, events: &mut Vec<Event>) {
        if self.nothing_to_read() {
            return;
        }
        self.read_drained = false;
        self.read_any = false;
        let open = self.phase == Phase::Open;
        self.ws.get_mut().begin_read_round(open);
        // Always take at least one message so a single big one still gets through.
        while inbox.is_empty() || inbox.bytes() < self.config.inbound_buffer_limit {
            match self.ws.read() {
                Ok(message) => {
                    self.read_any = true;
                    self.heartbeat.heard();
                    self.on_message(message, inbox, events);
                }
                Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.read_drained = true;
                    break;
                }
                Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                // Valid messages came before the violation in this round: the
                // owner gets them and one poll to answer before the connection
                // fails, as if the bad frame had arrived a moment later.
                Err(e) if self.read_any && self.phase == Phase::Open && fails_with_close(&e) => {
                    self.deferred_failure = Some(e);
                    break;
                }
                Err(e) => {
                    self.on_read_error(e);
                    break;
                }
            }
        }
        let inbox_full = !inbox.is_empty() && inbox.bytes() >= self.config.inbound_buffer_limit;
        let duplex = self.ws.get_mut();
        let held_back = inbox_full || duplex.starved();
        if let Some(tenant) = duplex.tenant_mut() {
            tenant.settle();
            if tenant.unfinished() == 0 {
                self.message_started = None;
            } else if self.message_started.is_none() || held_back {
                // While we do not read, the sender is not the slow one.
                self.message_started = Some(Instant::now());
            }
        }
    }

    fn on_message(&mut self, message: Message, inbox: &mut Inbox, events: &mut Vec<Event>) {
        match message {
            Message::Text(text) => {
                self.count_data(text.len());
                inbox.push(Packet {
                    data: Bytes::from(text),
                    text: true,
                });
                events.push(Event::Message);
            }
            Message::Binary(data) => {
                self.count_data(data.len());
                inbox.push(Packet { data, text: false });
                events.push(Event::Message);
            }
            Message::Pong(ref payload) => {
                self.count_control(2 + payload.len());
                self.heartbeat.answered();
            }
            Message::Close(frame) => {
                let reason_len = frame.as_ref().map_or(0, |f| 2 + f.reason.len());
                self.count_control(2 + reason_len);
                let (code, reason) = match frame {
                    None => (1005, String::new()),
                    // tungstenite swaps a code that may not be sent for 1002 when the
                    // remote starts the close, but passes it through in a reply to ours.
                    Some(f) if !f.code.is_allowed() => (1002, "Protocol violation".to_string()),
                    Some(f) => (u16::from(f.code), f.reason.to_string()),
                };
                self.remote_close = Some((code, reason.clone()));
                if !self.we_closed {
                    events.push(Event::CloseRequested { code, reason });
                    self.enter(Phase::Closing);
                }
            }
            Message::Ping(payload) => self.count_control(2 + payload.len()),
            Message::Frame(_) => {}
        }
    }

    /// A data message of `payload` bytes completed (server side: budget bookkeeping).
    fn count_data(&mut self, payload: usize) {
        if let Some(tenant) = self.ws.get_mut().tenant_mut() {
            tenant.on_message(payload);
            self.message_started = None;
        }
    }

    /// A control frame with a header of `len` bytes plus payload was read.
    fn count_control(&mut self, len: usize) {
        // Frames from a client carry a 4-byte mask key.
        let mask = if self.role == Role::Server { 4 } else { 0 };
        if let Some(tenant) = self.ws.get_mut().tenant_mut() {
            tenant.on_control_frame(len + mask);
        }
    }

    pub(super) fn on_read_error(&mut self, err: tungstenite::Error) {
        use tungstenite::error::ProtocolError as P;
        use tungstenite::Error as W;
        match err {
            W::ConnectionClosed | W::AlreadyClosed => {
                let clean = self.remote_close.is_some();
                self.finish(clean);
            }
            W::Protocol(P::ResetWithoutClosingHandshake) => {
                self.fail_silently("the remote side closed the connection without a close frame");
            }
            W::Io(e) => self.fail_silently(&Error::from_io("connection lost", &e).to_string()),
            W::Tls(e) => self.fail_silently(&format!("TLS error: {e}")),
            W::Capacity(e) => self.fail_with_close(1009, &format!("{e}; see max_message_size")),
            W::Utf8(e) => {
                self.fail_with_close(1007, &format!("text message is not valid UTF-8 ({e})"))
            }
            W::Protocol(e) => self.fail_with_close(1002, &format!("protocol violation: {e}")),
            other => self.fail_with_close(1011, &format!("{other}")),
        }
    }
}

/// Whether `on_read_error` answers this error with a close frame of ours.
fn fails_with_close(err: &tungstenite::Error) -> bool {
    use tungstenite::error::ProtocolError as P;
    use tungstenite::Error as W;
    match err {
        W::Protocol(P::ResetWithoutClosingHandshake) => false,
        W::Protocol(_) | W::Capacity(_) | W::Utf8(_) => true,
        _ => false,
    }
}
