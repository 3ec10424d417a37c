//! How `RustWebSocketPeer` drives its core peer: polling with panics contained,
//! emitting signals, sending, and waking the server that owns it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use godot::classes::{FileAccess, PacketPeerExtension, X509Certificate};
use godot::global::{push_error, Error as GdError};
use godot::prelude::*;

use super::WebSocketPeer;
use crate::core::{Event, Peer, ReadyState};
use crate::godot::enums::WriteMode;
use crate::godot::panic_guard::{self, ContainsPanics};
use crate::godot::{convert, errors};

impl WebSocketPeer {
    /// A peer object around an existing core peer (used by the server).
    pub(crate) fn with_core(base: Base<PacketPeerExtension>, core: Peer) -> Self {
        Self {
            verify_tls: PhantomVar::default(),
            trusted_certificate: PhantomVar::default(),
            handshake_timeout: PhantomVar::default(),
            max_message_size: PhantomVar::default(),
            outbound_buffer_limit: PhantomVar::default(),
            inbound_buffer_limit: PhantomVar::default(),
            heartbeat_interval: PhantomVar::default(),
            proxy_url: PhantomVar::default(),
            core,
            write_mode: WriteMode::WRITE_MODE_BINARY,
            trusted: Variant::nil(),
            last_packet: None,
            last_was_string: false,
            last_get_error: GdError::OK,
            last_batch_text: PackedByteArray::new(),
            warned_insecure: false,
            panic_on_next_poll: false,
            wake: Arc::new(AtomicBool::new(true)),
            base,
        }
    }

    /// The flag a server reads to decide whether this peer needs a poll.
    pub(crate) fn wake_flag(&self) -> Arc<AtomicBool> {
        self.wake.clone()
    }

    /// Whether this peer needs polling even when its socket has no input:
    /// it has bytes to write, a close in progress, a protocol violation to
    /// answer, a heartbeat to keep, a message timeout running or a read held
    /// back by the budget.
    pub(crate) fn busy(&self) -> bool {
        self.core.ready_state() != ReadyState::Open
            || !self.core.config().heartbeat_interval.is_zero()
            || self.core.wants_poll()
    }

    /// Makes an owning server poll this peer at its next poll.
    pub(crate) fn wake_server(&self) {
        self.wake.store(true, Ordering::Relaxed);
    }

    /// Polls the core without emitting anything (the server emits afterwards).
    pub(crate) fn poll_events(&mut self) -> Vec<Event> {
        // Godot copied the last packet when get_packet returned. Holding it any
        // longer keeps tungstenite from reusing its receive buffer, so a large
        // message would cost a fresh allocation (and page faults) every time.
        self.last_packet = None;
        let was_open = self.core.ready_state() != ReadyState::Closed;
        let inject = std::mem::take(&mut self.panic_on_next_poll);
        let polled = panic_guard::guarded(self, "poll", None, |this| {
            if inject {
                panic!("injected panic in poll()");
            }
            Some(this.core.poll().collect())
        });
        // A contained panic closed the connection: say so if it was open.
        polled.unwrap_or_else(|| {
            if was_open {
                vec![Event::Closed { clean: false }]
            } else {
                Vec::new()
            }
        })
    }

    pub(super) fn send_bytes(&mut self, data: &[u8], text: bool, what: &str) -> GdError {
        if text && std::str::from_utf8(data).is_err() {
            let reason =
                "WRITE_MODE_TEXT needs valid UTF-8; send binary data with WRITE_MODE_BINARY";
            self.core.set_last_error(reason);
            push_error(&[format!("RustWebSocketPeer.{what}: {reason}").to_variant()]);
            return GdError::ERR_INVALID_PARAMETER;
        }
        let result = self.core.send(data, text);
        // A frame the socket took at once needs no poll; a server's next poll
        // would otherwise bind this peer and read its empty socket for nothing.
        if self.core.wants_poll() {
            self.wake_server();
        }
        match result {
            Ok(()) => GdError::OK,
            Err(e) => errors::to_godot(&format!("RustWebSocketPeer.{what}"), Err(e)),
        }
    }

    /// Stores a new `trusted_certificate`: an `X509Certificate`, a PEM file
    /// path, or null to clear it; anything else is reported and changes nothing.
    pub(super) fn store_trusted_certificate(&mut self, value: Variant) {
        let pem = if value.is_nil() {
            Some(Vec::new())
        } else if let Ok(cert) = value.try_to::<Gd<X509Certificate>>() {
            Some(convert::certificate_pem(&cert))
        } else if let Ok(path) = value.try_to::<GString>() {
            let bytes = FileAccess::get_file_as_bytes(&path);
            if bytes.is_empty() {
                self.report_property_error(format!(
                    "trusted_certificate: could not read a certificate from \"{path}\""
                ));
                None
            } else {
                Some(bytes.to_vec())
            }
        } else {
            self.report_property_error(
                "trusted_certificate must be an X509Certificate or a PEM file path".into(),
            );
            None
        };
        if let Some(pem) = pem {
            self.trusted = value;
            self.update_config(|c| {
                c.trusted_certificates = if pem.is_empty() { vec![] } else { vec![pem] }
            });
        }
    }

    pub(super) fn update_config(&mut self, change: impl FnOnce(&mut crate::core::Config)) {
        let mut config = self.core.config().clone();
        change(&mut config);
        self.core.set_config(config);
        self.wake_server();
    }

    pub(super) fn report_property_error(&mut self, reason: String) {
        push_error(&[format!("RustWebSocketPeer: {reason}").to_variant()]);
        self.core.set_last_error(reason);
    }
}

impl ContainsPanics for WebSocketPeer {
    /// After a panic the peer's state cannot be trusted: close it and say so.
    fn contain_panic(&mut self, what: &str) {
        let reason = format!("internal error (Rust panic) in {what}; the connection was closed");
        push_error(&[format!("RustWebSocketPeer: {reason}").to_variant()]);
        self.wake_server();
        self.core.abort(&reason);
        self.core.set_last_error(reason);
    }
}

#[cfg(feature = "test-hooks")]
#[godot_api(secondary)]
impl WebSocketPeer {
    /// Test builds only: panics inside Rust, to prove panics are contained.
    #[func]
    fn _test_panic(&mut self) {
        panic!("deliberate panic from _test_panic()");
    }

    /// Test builds only: the next [method poll] panics inside the engine code.
    #[func]
    fn _test_inject_panic(&mut self) {
        self.wake_server();
        self.panic_on_next_poll = true;
    }
}

/// Emits the peer signals for `events` on `peer`, an unbound peer or the base
/// of a peer whose method runs, so that handlers can call back into it.
pub(crate) fn emit_events_on(peer: &mut Object, events: &[Event]) {
    for event in events {
        let (name, args) = signal_of(event);
        peer.emit_signal(&name, &args);
    }
}

/// `"data_received"` as a StringName, made once per thread: the typed-signal
/// path builds it from text on every emission, a measurable part of receiving
/// a small message. Never dropped, so no destructor runs after the engine is gone.
/// The peer signal that reports `event`, and its arguments.
fn signal_of(event: &Event) -> (StringName, Vec<Variant>) {
    match event {
        // Once per message: no allocation for the name or the arguments.
        Event::Message => (data_received_name(), Vec::new()),
        Event::Connected { protocol } => (
            StringName::from("connection_established"),
            vec![GString::from(protocol.as_str()).to_variant()],
        ),
        Event::ConnectFailed { reason } => (
            StringName::from("connection_error"),
            vec![GString::from(reason.as_str()).to_variant()],
        ),
        Event::CloseRequested { code, reason } => (
            StringName::from("server_close_request"),
            vec![
                (*code as i64).to_variant(),
                GString::from(reason.as_str()).to_variant(),
            ],
        ),
        Event::Closed { clean } => (
            StringName::from("connection_closed"),
            vec![clean.to_variant()],
        ),
    }
}

pub(crate) fn data_received_name() -> StringName {
    thread_local! {
        static NAME: std::mem::ManuallyDrop<StringName> =
            std::mem::ManuallyDrop::new(StringName::from("data_received"));
    }
    NAME.with(|name| StringName::clone(name))
}
