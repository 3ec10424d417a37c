//! `RustWebSocketServer`: listens for WebSocket clients and hands each one out
//! as a `RustWebSocketPeer`, with the Godot 3 `WebSocketServer` signals.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use godot::classes::{CryptoKey, RefCounted, X509Certificate};
use godot::global::Error as GdError;
use godot::prelude::*;

use super::accessors;
use super::convert;
use super::errors;
use super::peer::driver::{data_received_name, emit_events_on};
use super::peer::WebSocketPeer;
use super::server_common;
use super::tls_identity;

mod budget;
mod identity;

use crate::core::budget::DEFAULT_INBOUND_BUDGET;
use crate::core::server::{
    DEFAULT_MAX_PEERS, DEFAULT_MAX_PENDING_HANDSHAKES, DEFAULT_MESSAGE_TIMEOUT,
};
use crate::core::{Accepted, Config, Error, ErrorKind, Event, Server, ServerConfig};
use identity::{identity_get, identity_set};

server_common::with_server_limits! {
    /// A WebSocket server. Call [method listen], then [method poll] every frame:
    /// it accepts clients, completes their handshakes without blocking, and drives
    /// every connected peer, emitting the signals below and each peer's own.
    ///
    /// Peers are identified by ids that are positive, never 1 and never reused
    /// while the server lives; [method get_peer] returns the [RustWebSocketPeer].
    #[derive(GodotClass)]
    #[class(base = RefCounted, rename = RustWebSocketServer)]
    pub struct WebSocketServer {
        /// Address used by [method listen] when its [code]bind_address[/code] is
        /// [code]"*"[/code]: [code]"*"[/code] means every IPv6 and IPv4 address.
        #[var]
        bind_ip: GString,
        /// Private key for [code]wss://[/code]: a [CryptoKey] or the path of a PEM key file
        /// (RSA or ECDSA; PKCS#8, PKCS#1 or SEC1 [code]EC PRIVATE KEY[/code], unencrypted).
        /// Set it together with [member tls_certificate]. Setting both on a listening
        /// [code]wss://[/code] server replaces its certificate for new connections (renewal);
        /// see [member tls_certificate].
        #[var(get = get_private_key, set = set_private_key)]
        private_key: PhantomVar<Variant>,
        /// Certificate for [code]wss://[/code]: an [X509Certificate] (made with
        /// [method X509Certificate.load] or loaded as a resource) or the path of a PEM file.
        /// A chain ([code]fullchain.pem[/code]: the certificate, then its intermediates) is
        /// sent whole either way. Set it together with [member private_key].
        /// [br][br]On a listening [code]wss://[/code] server, setting a new certificate and key
        /// (or the same path again, after the files changed) makes new connections use them;
        /// connected clients stay connected. The pair is checked when set: while the key
        /// does not match the certificate the previous pair stays in use, and if it still
        /// does not at the next [method poll], the reason is reported there (an error and
        /// [method get_last_error]).
        #[var(get = get_tls_certificate, set = set_tls_certificate)]
        tls_certificate: PhantomVar<Variant>,
        /// Seconds a client may take for its (TLS and) upgrade handshake before it is dropped.
        #[var]
        handshake_timeout: f64,
        /// Extra headers ([code]"Name: value"[/code]) added to every upgrade response.
        #[var]
        extra_headers: PackedStringArray,
        /// Largest message accepted from a client, in bytes; bigger closes it with 1009.
        #[var]
        max_message_size: i64,
        /// Most bytes that may wait to be sent to one client.
        #[var]
        outbound_buffer_limit: i64,
        /// Received bytes kept unread per client before its socket is no longer read.
        #[var]
        inbound_buffer_limit: i64,
        /// Seconds of silence before a client is pinged; 0 disables the heartbeat.
        #[var]
        heartbeat_interval: f64,

        key: Variant,
        cert: Variant,
        /// Why the pair set on a listening server could not replace its identity,
        /// reported at the next poll() unless a later setter fixes the pair first.
        identity_error: Option<Error>,
        server: Option<Server>,
        /// Connections refused by earlier listens of this object.
        refused_before: u64,
        /// First id for the next listen(): ids are never reused while this object lives.
        next_id: i32,
        peers: BTreeMap<i32, Gd<WebSocketPeer>>,
        /// Each peer's wake flag (see `WebSocketPeer::wake_flag`), readable without binding it.
        wakes: HashMap<i32, Arc<AtomicBool>>,
        last_error: String,
        base: Base<RefCounted>,
    }

    limits {
        /// Most bytes all clients together may hold in this server's memory:
        /// messages still being received plus received ones not yet taken
        /// (default 256 MiB; 0: no limit). When it is full, reading pauses and the
        /// client holding the most is closed with code 1009 and a reason, its
        /// buffered data dropped; a warning is logged once per burst. Set it well
        /// above [member max_message_size] so that one big message still fits.
        /// Applies from the next [method listen].
        inbound_budget,
        /// Seconds a client may take from the first byte of a message to its last
        /// (default 30); one trickling a message in more slowly is closed with
        /// code 1008. 0 disables. Slow handshakes are cut by [member handshake_timeout].
        message_timeout,
        /// Most connected clients (default 4096; 0: no limit). Further connections
        /// are answered HTTP 503 before the upgrade (a [code]wss://[/code] server
        /// closes them) and counted in [method get_refused_count].
        max_peers,
        /// Most handshakes in progress at once (default 256; 0: no limit). Further
        /// connections are refused like those beyond [member max_peers].
        max_pending_handshakes,
    }
}

accessors::godot_api_with_accessors! {
    impl WebSocketServer {
        /// Emitted when a client completed its handshake, with its id and the chosen subprotocol.
        #[signal]
        fn client_connected(id: i64, protocol: GString);

        /// Emitted exactly once for every connected client when its connection ends, however it ends.
        #[signal]
        fn client_disconnected(id: i64, was_clean_close: bool);

        /// Emitted when a client starts the close handshake, with its code and reason.
        #[signal]
        fn client_close_request(id: i64, code: i64, reason: GString);

        /// Emitted once per message received from client [param id]; it is readable when this fires.
        #[signal]
        fn data_received(id: i64);
    }

    accessors(identity_get, identity_set) {
        [key: CryptoKey, "private_key"]: Variant =>
            /// The value of [member private_key] as it was set (key, path or null).
            get_private_key,
            /// Sets [member private_key]: a [CryptoKey], a PEM file path, or null.
            set_private_key;

        [cert: X509Certificate, "tls_certificate"]: Variant =>
            /// The value of [member tls_certificate] as it was set (certificate, path or null).
            get_tls_certificate,
            /// Sets [member tls_certificate]: an [X509Certificate], a PEM file path, or null.
            set_tls_certificate;
    }
}

#[godot_api(secondary)]
impl WebSocketServer {
    /// Starts listening on [param port] ([code]0[/code] picks a free one, see
    /// [method get_port]), offering [param protocols], on [param bind_address]
    /// ([code]"*"[/code]: all IPv6 and IPv4 addresses). Returns
    /// [constant ERR_ALREADY_IN_USE] for a port in use and
    /// [constant ERR_INVALID_PARAMETER] for a bad address, with the reason in
    /// [method get_last_error].
    #[func]
    fn listen(
        &mut self,
        port: i64,
        #[opt(default = &PackedStringArray::new())] protocols: PackedStringArray,
        #[opt(default = "*")] bind_address: GString,
    ) -> GdError {
        let result = self.start(port, &protocols, &bind_address.to_string());
        self.record("RustWebSocketServer.listen", result)
    }

    /// Closes every client with a close frame (code 1001) and stops listening.
    /// Each connected client still gets its [signal client_disconnected].
    #[func]
    fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            self.next_id = server.next_id();
            self.refused_before += server.refused_count();
        }
        // Each peer stays listed until its client_disconnected, so handlers of
        // data_received emitted by the last poll can still get_peer() it.
        let peers: Vec<(i32, Gd<WebSocketPeer>)> =
            self.peers.iter().map(|(id, p)| (*id, p.clone())).collect();
        for (id, mut peer) in peers {
            let events = {
                let mut p = peer.bind_mut();
                let _ = p.core.close(1001, "server stopped");
                let mut events = p.poll_events();
                if !events.iter().any(|e| matches!(e, Event::Closed { .. })) {
                    p.core.abort("server stopped");
                    events.extend(p.poll_events());
                    if !events.iter().any(|e| matches!(e, Event::Closed { .. })) {
                        events.push(Event::Closed { clean: false });
                    }
                }
                events
            };
            self.emit(id, &mut peer, &events);
        }
        self.peers.clear();
        self.wakes.clear();
    }

    /// Connections refused because [member max_peers] or
    /// [member max_pending_handshakes] was reached, since this object was made.
    #[func]
    fn get_refused_count(&self) -> i64 {
        let now = self.server.as_ref().map_or(0, Server::refused_count);
        (self.refused_before + now) as i64
    }

    /// Inbound bytes the clients hold now against [member inbound_budget]:
    /// messages being received plus received ones not yet taken.
    #[func]
    fn get_inbound_buffered(&self) -> i64 {
        self.server.as_ref().map_or(0, |s| s.budget().held() as i64)
    }

    /// Whether the server is listening.
    #[func]
    fn is_listening(&self) -> bool {
        self.server.is_some()
    }

    /// The port the server listens on, or 0.
    #[func]
    fn get_port(&self) -> i64 {
        self.server.as_ref().map(|s| s.port() as i64).unwrap_or(0)
    }

    /// Accepts clients, advances handshakes, and drives every peer, emitting signals.
    /// Call it every frame. Returns quickly whatever the network does.
    #[func]
    fn poll(&mut self) {
        self.report_identity_error();
        let mut accepted: Vec<Accepted> = Vec::new();
        if let Some(server) = &mut self.server {
            server.poll(&mut accepted);
        }
        let mut batch: Vec<(i32, Gd<WebSocketPeer>, Vec<Event>)> = Vec::new();
        for Accepted { id, peer } in accepted {
            let protocol = peer.selected_protocol().to_string();
            let gd = Gd::from_init_fn(|base| WebSocketPeer::with_core(base, peer));
            self.wakes.insert(id, gd.bind().wake_flag());
            self.peers.insert(id, gd.clone());
            batch.push((id, gd, vec![Event::Connected { protocol }]));
        }
        // Binding a peer is not free, and a read finds nothing on an idle socket:
        // poll only peers whose socket has input or that have something to do.
        let ready = self.server.as_ref().and_then(|s| s.ready_peers());
        for (id, peer) in &mut self.peers {
            let wake = self.wakes.get(id);
            let due = match (ready, wake) {
                (Some(ready), Some(wake)) => {
                    wake.swap(false, Ordering::Relaxed) | ready.binary_search(id).is_ok()
                }
                _ => true,
            };
            if !due {
                continue;
            }
            let (events, busy) = {
                let mut p = peer.bind_mut();
                let events = p.poll_events();
                (events, p.busy())
            };
            if let (true, Some(wake)) = (busy, wake) {
                wake.store(true, Ordering::Relaxed);
            }
            if !events.is_empty() {
                batch.push((*id, peer.clone(), events));
            }
        }
        self.enforce_budget();
        if batch.is_empty() {
            return;
        }
        // A handler may drop the last reference to this server while its method still runs.
        let keep_alive = self.to_gd();
        for (id, mut peer, events) in batch {
            self.emit(id, &mut peer, &events);
        }
        super::lifetime::release_after_call(keep_alive);
    }

    /// Whether a client with [param id] is connected.
    #[func]
    fn has_peer(&self, id: i64) -> bool {
        self.find(id).is_some()
    }

    /// The peer with [param id], or null (with an error) if there is none.
    #[func]
    fn get_peer(&mut self, id: i64) -> Option<Gd<WebSocketPeer>> {
        let peer = self.find(id).cloned();
        if peer.is_none() {
            self.unknown(id, "get_peer");
        }
        peer
    }

    /// Ids of the connected clients.
    #[func]
    fn get_peer_ids(&self) -> PackedInt32Array {
        self.peers.keys().copied().collect()
    }

    /// Starts closing client [param id] with [param code] and [param reason].
    #[func]
    fn disconnect_peer(
        &mut self,
        id: i64,
        #[opt(default = 1000)] code: i64,
        #[opt(default = "")] reason: GString,
    ) -> GdError {
        let Some(mut peer) = self.find(id).cloned() else {
            return self.unknown(id, "disconnect_peer");
        };
        let result = {
            let mut p = peer.bind_mut();
            let result = p.core.close(code, &reason.to_string());
            p.wake_server();
            result
        };
        self.record("RustWebSocketServer.disconnect_peer", result)
    }

    /// The readable reason of the last failure, or empty.
    #[func]
    fn get_last_error(&self) -> GString {
        self.last_error.as_str().into()
    }
}

server_common::peer_address_api! {
    impl WebSocketServer {
        /// The IP address of client [param id], or empty.
        get_peer_address;
        /// The remote port of client [param id], or 0.
        get_peer_port;
    }
}

#[godot_api]
impl IRefCounted for WebSocketServer {
    fn init(base: Base<RefCounted>) -> Self {
        let defaults = Config::default();
        Self {
            bind_ip: "*".into(),
            private_key: PhantomVar::default(),
            tls_certificate: PhantomVar::default(),
            key: Variant::nil(),
            cert: Variant::nil(),
            identity_error: None,
            handshake_timeout: defaults.handshake_timeout.as_secs_f64(),
            extra_headers: PackedStringArray::new(),
            max_message_size: defaults.max_message_size as i64,
            outbound_buffer_limit: defaults.outbound_buffer_limit as i64,
            inbound_buffer_limit: defaults.inbound_buffer_limit as i64,
            heartbeat_interval: 0.0,
            inbound_budget: DEFAULT_INBOUND_BUDGET as i64,
            message_timeout: DEFAULT_MESSAGE_TIMEOUT.as_secs_f64(),
            max_peers: DEFAULT_MAX_PEERS as i64,
            max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES as i64,
            refused_before: 0,
            server: None,
            next_id: 2,
            peers: BTreeMap::new(),
            wakes: HashMap::new(),
            last_error: String::new(),
            base,
        }
    }
}

impl WebSocketServer {
    fn start(
        &mut self,
        port: i64,
        protocols: &PackedStringArray,
        bind_address: &str,
    ) -> crate::core::Result<()> {
        if self.server.is_some() {
            return Err(Error::new(
                ErrorKind::Busy,
                "the server is already listening; stop() it first",
            ));
        }
        let port = u16::try_from(port)
            .map_err(|_| Error::invalid(format!("port {port} is not in 0-65535")))?;
        let bind = if bind_address == "*" {
            self.bind_ip.to_string()
        } else {
            bind_address.to_string()
        };
        let tls = tls_identity::acceptor(&self.key, &self.cert)?;
        let config = ServerConfig {
            protocols: convert::strings(protocols),
            extra_headers: convert::strings(&self.extra_headers),
            tls,
            peer: Config {
                handshake_timeout: convert::seconds(self.handshake_timeout),
                max_message_size: convert::size(self.max_message_size),
                outbound_buffer_limit: convert::size(self.outbound_buffer_limit),
                inbound_buffer_limit: convert::size(self.inbound_buffer_limit),
                heartbeat_interval: convert::seconds(self.heartbeat_interval),
                ..Config::default()
            },
            ..self.limits_config()
        };
        let mut server = Server::listen(port, &bind, config)?;
        server.continue_ids_from(self.next_id);
        self.server = Some(server);
        self.identity_error = None;
        Ok(())
    }

    /// Client `id`'s address; `None` if it has none, or (with an error naming
    /// `what`) if there is no such client.
    fn peer_remote(&mut self, id: i64, what: &str) -> Option<SocketAddr> {
        let Some(peer) = self.find(id) else {
            self.unknown(id, what);
            return None;
        };
        peer.bind().core.remote()
    }

    fn find(&self, id: i64) -> Option<&Gd<WebSocketPeer>> {
        i32::try_from(id).ok().and_then(|id| self.peers.get(&id))
    }

    fn unknown(&mut self, id: i64, what: &str) -> GdError {
        let err = Error::new(ErrorKind::DoesNotExist, format!("no peer with id {id}"));
        self.record(&format!("RustWebSocketServer.{what}"), Err(err))
    }

    fn record(&mut self, context: &str, result: crate::core::Result<()>) -> GdError {
        if let Err(e) = &result {
            self.last_error = e.reason().to_string();
        }
        errors::to_godot(context, result)
    }

    /// Emits the peer's own signals and the server's for one peer's events.
    fn emit(&mut self, id: i32, peer: &mut Gd<WebSocketPeer>, events: &[Event]) {
        let id64 = id as i64;
        for event in events {
            if let Event::Message = event {
                // The common case, once per message: one guard for both signals.
                let mut base = self.base_mut();
                emit_events_on(peer.upcast_mut(), std::slice::from_ref(event));
                base.emit_signal(&data_received_name(), &[id64.to_variant()]);
                continue;
            }
            {
                // Handlers may call back into this server; let them. The peer is
                // not bound: its signals are emitted through the object.
                let _reentrant = self.base_mut();
                emit_events_on(peer.upcast_mut(), std::slice::from_ref(event));
            }
            match event {
                Event::Connected { protocol } => self
                    .signals()
                    .client_connected()
                    .emit(id64, &GString::from(protocol.as_str())),
                Event::CloseRequested { code, reason } => self
                    .signals()
                    .client_close_request()
                    .emit(id64, *code as i64, &GString::from(reason.as_str())),
                Event::Closed { clean } => {
                    self.signals().client_disconnected().emit(id64, *clean);
                    self.peers.remove(&id);
                    self.wakes.remove(&id);
                }
                Event::Message | Event::ConnectFailed { .. } => {}
            }
        }
    }
}
