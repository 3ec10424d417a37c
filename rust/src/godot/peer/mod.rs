//! `RustWebSocketPeer`: one WebSocket connection, usable as a client or handed
//! out by `RustWebSocketServer`, with the Godot 3 `WebSocketPeer` API.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use godot::classes::{IPacketPeerExtension, PacketPeerExtension};
use godot::global::{push_error, push_warning, Error as GdError};
use godot::prelude::*;

use super::accessors;
use super::convert;
use super::enums::{State, WriteMode};
use super::errors;
use super::raw_buffers::{self, InBuffer, OutBuffer, OutSize};
use crate::core::{Packet, Peer, ReadyState};

mod config_properties;
use config_properties::{config_get, config_set};
pub(crate) mod driver;
mod packets;

/// A WebSocket connection with the Godot 3 [code]WebSocketPeer[/code] API.
///
/// As a client: set the properties, call [method connect_to_url], then call
/// [method poll] every frame. All network work happens inside [method poll], and
/// every signal is emitted from there. A peer returned by
/// [method RustWebSocketServer.get_peer] behaves the same and is polled by its server.
///
/// Messages are read with [method PacketPeer.get_packet] (or [method get_var]);
/// [method was_string_packet] tells whether the last one was text. Messages that
/// arrived before the connection closed stay readable until taken.
///
/// Constants: [enum WriteMode] is [code]WRITE_MODE_TEXT[/code] (0, text frames,
/// valid UTF-8 only) or [code]WRITE_MODE_BINARY[/code] (1, any bytes, the default).
/// [enum State], from [method get_ready_state], is [code]STATE_CONNECTING[/code] (0),
/// [code]STATE_OPEN[/code] (1), [code]STATE_CLOSING[/code] (2) or
/// [code]STATE_CLOSED[/code] (3), as in Godot 4's [code]WebSocketPeer[/code].
#[derive(GodotClass)]
#[class(tool, base = PacketPeerExtension, rename = RustWebSocketPeer)]
pub struct WebSocketPeer {
    /// Whether a [code]wss://[/code] server's certificate and host name are checked.
    /// Turning it off connects to any server and warns once.
    #[var(get = get_verify_tls, set = set_verify_tls)]
    verify_tls: PhantomVar<bool>,
    /// An extra trusted certificate for [code]wss://[/code]: an [X509Certificate] or
    /// the path of a PEM file. Lets a self-signed server pass verification.
    #[var(get = get_trusted_certificate, set = set_trusted_certificate)]
    trusted_certificate: PhantomVar<Variant>,
    /// Seconds allowed for DNS, TCP, TLS and the HTTP upgrade together, and for
    /// the close handshake.
    #[var(get = get_handshake_timeout, set = set_handshake_timeout)]
    handshake_timeout: PhantomVar<f64>,
    /// Largest message accepted, in bytes; a bigger one closes the connection with
    /// code 1009. Default 64 MiB.
    #[var(get = get_max_message_size, set = set_max_message_size)]
    max_message_size: PhantomVar<i64>,
    /// Most bytes that may wait to be sent; [method send] and [method PacketPeer.put_packet]
    /// return [constant ERR_OUT_OF_MEMORY] beyond it, queueing nothing. Default 64 MiB.
    #[var(get = get_outbound_buffer_limit, set = set_outbound_buffer_limit)]
    outbound_buffer_limit: PhantomVar<i64>,
    /// Received bytes kept unread before the peer stops reading the socket, so a
    /// fast sender is slowed down instead of messages being dropped. Default 64 MiB.
    #[var(get = get_inbound_buffer_limit, set = set_inbound_buffer_limit)]
    inbound_buffer_limit: PhantomVar<i64>,
    /// Seconds of silence after which a ping is sent; a peer that does not answer
    /// within the same time again is closed. [code]0[/code] disables it.
    #[var(get = get_heartbeat_interval, set = set_heartbeat_interval)]
    heartbeat_interval: PhantomVar<f64>,
    /// [code]http://[user:password@]host:port[/code] of an HTTP CONNECT proxy
    /// for [method connect_to_url], or empty for a direct connection.
    #[var(get = get_proxy_url, set = set_proxy_url)]
    proxy_url: PhantomVar<GString>,

    pub(crate) core: Peer,
    write_mode: WriteMode,
    trusted: Variant,
    /// The packet handed to Godot by `get_packet`; its buffer must outlive the call.
    last_packet: Option<Packet>,
    last_was_string: bool,
    /// What the last `get_packet` returned, for `get_packet_error`.
    last_get_error: GdError,
    /// Text flags of the messages the last `get_packets` returned.
    last_batch_text: PackedByteArray,
    warned_insecure: bool,
    /// Set by a test-only hook to prove a panic in `poll()` is contained.
    panic_on_next_poll: bool,
    /// Tells an owning server that this peer needs a poll although its socket
    /// may have no input: something was queued, taken or changed since.
    wake: Arc<AtomicBool>,
    base: Base<PacketPeerExtension>,
}

#[godot_api]
impl IPacketPeerExtension for WebSocketPeer {
    fn init(base: Base<PacketPeerExtension>) -> Self {
        Self::with_core(base, Peer::default())
    }

    unsafe fn get_packet_rawptr(&mut self, r_buffer: OutBuffer, r_size: OutSize) -> GdError {
        // SAFETY: Godot passes valid out-pointers.
        unsafe { raw_buffers::get_packet(self, r_buffer, r_size) }
    }

    unsafe fn put_packet_rawptr(&mut self, p_buffer: InBuffer, p_size: i32) -> GdError {
        // SAFETY: Godot passes a buffer of `p_size` bytes, valid for this call.
        unsafe { raw_buffers::put_packet(self, p_buffer, p_size) }
    }

    fn get_available_packet_count(&self) -> i32 {
        self.core.available_packets().min(i32::MAX as usize) as i32
    }

    fn get_max_packet_size(&self) -> i32 {
        self.core.config().max_message_size.min(i32::MAX as usize) as i32
    }
}

accessors::godot_api_with_accessors! {
    impl WebSocketPeer {
        /// Emitted when the handshake completes, with the subprotocol the server chose
        /// (empty when none).
        #[signal]
        fn connection_established(protocol: GString);

        /// Emitted once when a connection attempt fails, with the reason; the peer is
        /// [constant STATE_CLOSED] afterwards.
        #[signal]
        fn connection_error(reason: GString);

        /// Emitted once per message that arrived; the message is readable when it fires.
        #[signal]
        fn data_received();

        /// Emitted when the remote side starts the close handshake, with its code and reason.
        #[signal]
        fn server_close_request(code: i64, reason: GString);

        /// Emitted exactly once when an open connection has closed, however it ended.
        #[signal]
        fn connection_closed(was_clean_close: bool);

        /// The value of [member trusted_certificate] as it was set (certificate, path or null).
        #[func]
        fn get_trusted_certificate(&self) -> Variant {
            self.trusted.clone()
        }

        /// Sets [member trusted_certificate]: an [X509Certificate], a PEM file path, or null to clear it.
        #[func]
        fn set_trusted_certificate(&mut self, value: Variant) {
            self.store_trusted_certificate(value);
        }
    }

    accessors(config_get, config_set) {
        [verify_tls]: bool =>
            /// The value of [member verify_tls].
            get_verify_tls,
            /// Sets [member verify_tls]; applies to the next [method connect_to_url].
            set_verify_tls;

        [handshake_timeout]: f64 =>
            /// The value of [member handshake_timeout], in seconds.
            get_handshake_timeout,
            /// Sets [member handshake_timeout], in seconds.
            set_handshake_timeout;

        [max_message_size]: i64 =>
            /// The value of [member max_message_size], in bytes.
            get_max_message_size,
            /// Sets [member max_message_size], in bytes; applies to an open connection at once.
            set_max_message_size;

        [outbound_buffer_limit]: i64 =>
            /// The value of [member outbound_buffer_limit], in bytes.
            get_outbound_buffer_limit,
            /// Sets [member outbound_buffer_limit], in bytes; applies to an open connection at once.
            set_outbound_buffer_limit;

        [inbound_buffer_limit]: i64 =>
            /// The value of [member inbound_buffer_limit], in bytes.
            get_inbound_buffer_limit,
            /// Sets [member inbound_buffer_limit], in bytes; applies to an open connection at once.
            set_inbound_buffer_limit;

        [heartbeat_interval]: f64 =>
            /// The value of [member heartbeat_interval], in seconds.
            get_heartbeat_interval,
            /// Sets [member heartbeat_interval], in seconds; [code]0[/code] disables the heartbeat.
            set_heartbeat_interval;

        [proxy_url]: GString =>
            /// The value of [member proxy_url].
            get_proxy_url,
            /// Sets [member proxy_url]; applies to the next [method connect_to_url].
            set_proxy_url;
    }
}

#[godot_api(secondary)]
impl WebSocketPeer {
    /// Connects to a [code]ws://[/code] or [code]wss://[/code] URL, offering
    /// [param protocols] and sending [param headers] ([code]"Name: value"[/code]).
    /// Returns an error at once for a malformed URL or argument; otherwise [constant OK],
    /// and the outcome arrives as [signal connection_established] or
    /// [signal connection_error] from [method poll]. Never blocks.
    #[func]
    fn connect_to_url(
        &mut self,
        url: GString,
        #[opt(default = &PackedStringArray::new())] protocols: PackedStringArray,
        #[opt(default = &PackedStringArray::new())] headers: PackedStringArray,
    ) -> GdError {
        let protocols = convert::strings(&protocols);
        let headers = convert::strings(&headers);
        if url.to_string().to_ascii_lowercase().starts_with("wss://")
            && !self.core.config().verify_tls
            && !self.warned_insecure
        {
            self.warned_insecure = true;
            push_warning(&[
                "RustWebSocketPeer: verify_tls is false; the server's certificate is not checked"
                    .to_variant(),
            ]);
        }
        let result = self.core.connect(&url.to_string(), &protocols, &headers);
        errors::to_godot("RustWebSocketPeer.connect_to_url", result)
    }

    /// Does all pending network work: connects, reads, writes, and emits the signals
    /// for what happened. Call it every frame. Returns quickly whatever the network does.
    #[func]
    pub fn poll(&mut self) {
        let events = self.poll_events();
        if events.is_empty() {
            return;
        }
        // Handlers may call back into this peer: emit through the base. They may
        // also drop the last reference to it while this method still runs.
        let mut base = self.base_mut();
        let keep_alive = base.clone();
        driver::emit_events_on(base.upcast_mut(), &events);
        drop(base);
        super::lifetime::release_after_call(keep_alive);
    }

    /// Starts the close handshake with [param code] and [param reason] (UTF-8, under
    /// 123 bytes). Keep calling [method poll] until [signal connection_closed].
    /// An invalid code (see RFC 6455 §7.4) or reason returns
    /// [constant ERR_INVALID_PARAMETER] and changes nothing.
    #[func]
    fn close(
        &mut self,
        #[opt(default = 1000)] code: i64,
        #[opt(default = "")] reason: GString,
    ) -> GdError {
        self.wake_server();
        let result = self.core.close(code, &reason.to_string());
        errors::to_godot("RustWebSocketPeer.close", result)
    }

    /// Sends [param data] as one message, binary or text by [param mode]. Text must be
    /// valid UTF-8. Returns an error, queueing nothing, unless the connection is open
    /// and the message fits [member outbound_buffer_limit]. The message is written at
    /// the next [method poll]; on a server's peer, once every received message has
    /// been taken, it is written at once (never blocking), so a reply does not wait
    /// for the server's next poll.
    #[func]
    fn send(
        &mut self,
        data: PackedByteArray,
        #[opt(default = WriteMode::WRITE_MODE_BINARY)] mode: WriteMode,
    ) -> GdError {
        self.send_bytes(data.as_slice(), mode == WriteMode::WRITE_MODE_TEXT, "send")
    }

    /// Sends [param text] as one text message.
    #[func]
    fn send_text(&mut self, text: GString) -> GdError {
        let text = text.to_string();
        self.send_bytes(text.as_bytes(), true, "send_text")
    }

    /// The connection state, a [enum State] value.
    #[func]
    fn get_ready_state(&self) -> State {
        State(self.core.ready_state() as i64)
    }

    /// Whether the connection is open.
    #[func]
    fn is_connected_to_host(&self) -> bool {
        self.core.ready_state() == ReadyState::Open
    }

    /// The IP address of the remote side, or empty when not connected.
    #[func]
    fn get_connected_host(&self) -> GString {
        convert::host(self.core.remote())
    }

    /// The port of the remote side, or 0 when not connected.
    #[func]
    fn get_connected_port(&self) -> i64 {
        convert::port(self.core.remote())
    }

    /// Bytes queued and not yet written to the socket.
    #[func]
    fn get_current_outbound_buffered_amount(&self) -> i64 {
        self.core.buffered_amount() as i64
    }

    /// The [enum WriteMode] used by [method PacketPeer.put_packet] and [method PacketPeer.put_var].
    #[func]
    fn get_write_mode(&self) -> WriteMode {
        self.write_mode
    }

    /// Sets the [enum WriteMode] used by [method PacketPeer.put_packet] and [method PacketPeer.put_var].
    #[func]
    fn set_write_mode(&mut self, mode: WriteMode) {
        if !mode.is_valid() {
            let reason = format!(
                "write mode {} is neither WRITE_MODE_TEXT (0) nor WRITE_MODE_BINARY (1)",
                mode.0
            );
            push_error(&[format!("RustWebSocketPeer.set_write_mode: {reason}").to_variant()]);
            self.core.set_last_error(reason);
            return;
        }
        self.write_mode = mode;
    }

    /// Turns Nagle's algorithm off ([code]true[/code], the default) or on.
    #[func]
    fn set_no_delay(&mut self, enabled: bool) {
        self.core.set_no_delay(enabled);
    }

    /// Whether the last message taken with [method PacketPeer.get_packet] or
    /// [method PacketPeer.get_var] arrived as text.
    #[func]
    fn was_string_packet(&self) -> bool {
        self.last_was_string
    }

    /// The close code received from the remote side, or -1 when the connection did
    /// not close cleanly.
    #[func]
    fn get_close_code(&self) -> i64 {
        self.core.close_status().code as i64
    }

    /// The close reason received from the remote side.
    #[func]
    fn get_close_reason(&self) -> GString {
        self.core.close_status().reason.as_str().into()
    }

    /// The subprotocol agreed in the handshake, or empty.
    #[func]
    fn get_selected_protocol(&self) -> GString {
        self.core.selected_protocol().into()
    }

    /// Client: the URL given to [method connect_to_url]. On a server's peer: the path
    /// and query the client requested.
    #[func]
    fn get_requested_url(&self) -> GString {
        self.core.requested_url().into()
    }

    /// On a server's peer: the client's request headers as [code]"Name: value"[/code].
    #[func]
    fn get_request_headers(&self) -> PackedStringArray {
        convert::packed_strings(self.core.request_headers())
    }

    /// Round-trip time in seconds of the last answered heartbeat ping, or -1.
    #[func]
    fn get_heartbeat_rtt(&self) -> f64 {
        self.core
            .heartbeat_rtt()
            .map(|d| d.as_secs_f64())
            .unwrap_or(-1.0)
    }

    /// The readable reason of the last failure, or empty.
    #[func]
    fn get_last_error(&self) -> GString {
        self.core.last_error().into()
    }
}
