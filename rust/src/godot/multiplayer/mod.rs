//! `RustWebSocketMultiplayerPeer`: a drop-in for Godot 4's
//! `WebSocketMultiplayerPeer` over the core's multiplayer protocol.

mod handle;
mod tls;

use std::net::SocketAddr;

use godot::classes::{MultiplayerPeerExtension, TlsOptions};
use godot::global::{push_error, push_warning, Error as GdError};
use godot::prelude::*;
use tungstenite::Bytes;

use super::convert;
use super::errors;
use super::panic_guard::ContainsPanics;
use super::peer::WebSocketPeer;
use super::server_common;
use crate::core::multiplayer::{
    MultiplayerClient, MultiplayerEvent, MultiplayerServer, PeerHandle, Status, SERVER_ID,
};
use crate::core::{Config, Error, ErrorKind, ServerConfig};
use handle::GdPeer;

const CLASS: &str = "RustWebSocketMultiplayerPeer";

enum Role {
    None,
    Server(Box<MultiplayerServer<GdPeer>>),
    Client(MultiplayerClient<GdPeer>),
}

server_common::with_server_limits! {
    /// A [MultiplayerPeer] over WebSocket for Godot's high-level multiplayer
    /// ([SceneMultiplayer]: RPCs, [MultiplayerSpawner], [MultiplayerSynchronizer]),
    /// a drop-in for Godot 4's [WebSocketMultiplayerPeer]: code written for it runs
    /// when only the class name changes, and the two interoperate on the wire, so
    /// a Web export using the built-in class joins a server running this one, and
    /// the other way round.
    ///
    /// Call [method create_server] or [method create_client], then assign it to
    /// [member MultiplayerAPI.multiplayer_peer]; SceneMultiplayer polls it every
    /// frame. Unlike the built-in, messages are not capped at 64 KiB (up to
    /// [member max_message_size]), a malformed URL fails at once, and every failure
    /// has a readable reason in [method get_last_error].
    ///
    /// WebSocket is one ordered, reliable stream: every packet is delivered in order
    /// on channel 0 whatever transfer mode or channel an RPC asks for.
    #[derive(GodotClass)]
    #[class(tool, base = MultiplayerPeerExtension, rename = RustWebSocketMultiplayerPeer)]
    pub struct WebSocketMultiplayerPeer {
        /// Subprotocols a client offers and a server accepts; a client asking only
        /// for others is refused. Empty: none.
        #[var]
        supported_protocols: PackedStringArray,
        /// Extra headers ([code]"Name: value"[/code]): a client sends them with its
        /// upgrade request, a server adds them to its upgrade response.
        #[var]
        handshake_headers: PackedStringArray,
        /// Seconds a client has to connect and receive its peer id, and a server's
        /// client to complete its (TLS and) upgrade handshake, before it is dropped.
        #[var(get = get_handshake_timeout, set = set_handshake_timeout)]
        handshake_timeout: f64,
        /// Bytes of received messages one connection may hold unread before its
        /// socket is no longer read in that poll (TCP then slows the sender down).
        /// It does not cap a message's size: a larger one still arrives whole.
        #[var]
        inbound_buffer_size: i64,
        /// Kept for compatibility with the built-in peer, where it caps the size of
        /// every message. Here it caps nothing and has no effect: messages go up to
        /// [member max_message_size] and [member outbound_buffer_limit] bounds the
        /// bytes waiting to be sent.
        #[var]
        outbound_buffer_size: i64,
        /// Most received packets kept for SceneMultiplayer to take. Beyond it the
        /// connections are not read until some are taken, so nothing is dropped.
        #[var]
        max_queued_packets: i64,
        /// Largest message accepted, in bytes; a bigger one closes its connection
        /// with code 1009. Default 64 MiB.
        #[var]
        max_message_size: i64,
        /// Most bytes that may wait to be sent to one connection; a packet that
        /// does not fit even after writing to the socket closes the connection
        /// (with a reason), since one packet skipped would break the ordered
        /// stream. Default 64 MiB.
        #[var]
        outbound_buffer_limit: i64,
        /// Seconds of silence after which a ping is sent; a connection that does not
        /// answer within the same time again is closed. [code]0[/code] disables it.
        #[var]
        heartbeat_interval: f64,
        /// Client: [code]http://[user:password@]host:port[/code] of an HTTP CONNECT
        /// proxy, or empty for a direct connection.
        #[var]
        proxy_url: GString,
        /// Server: more headers ([code]"Name: value"[/code]) for the upgrade
        /// response, after [member handshake_headers].
        #[var]
        extra_headers: PackedStringArray,

        role: Role,
        target_peer: i32,
        transfer_mode: godot::classes::multiplayer_peer::TransferMode,
        transfer_channel: i32,
        refusing: bool,
        /// The packet handed to Godot by `get_packet`; its buffer must outlive the call.
        last_packet: Option<Bytes>,
        last_error: String,
        /// Connections refused by servers this object ran before the current one.
        refused_before: u64,
        base: Base<MultiplayerPeerExtension>,
    }

    limits {
        /// Server: most bytes all clients together may hold in this server's
        /// memory: messages still being received, received ones not yet taken, and
        /// packets waiting for SceneMultiplayer (default 256 MiB; 0: no limit). When
        /// it is full, reading pauses and the clients holding the most are closed
        /// with code 1009 and a reason, their data dropped, and leave with
        /// [signal MultiplayerPeer.peer_disconnected]; one warning is logged per
        /// burst. Keep it at least twice [member max_message_size].
        inbound_budget,
        /// Server: seconds a client may take from the first byte of a message to
        /// its last (default 30); one trickling a message in more slowly is closed
        /// with code 1008. 0 disables it.
        message_timeout,
        /// Server: most connected clients (default 4096; 0: no limit). Further
        /// connections are answered HTTP 503 before the upgrade (a
        /// [code]wss://[/code] server closes them) and counted in
        /// [method get_refused_count].
        max_peers,
        /// Server: most handshakes in progress at once (default 256; 0: no limit);
        /// further connections are refused like those past [member max_peers].
        max_pending_handshakes,
    }
}

// After the class: the engine virtuals' impl needs the macros its derive defines.
mod virtuals;

#[godot_api]
impl WebSocketMultiplayerPeer {
    /// Starts a server on [param port] ([code]0[/code] picks a free one, see
    /// [method get_port]) at [param bind_address] ([code]"*"[/code]: every IPv6
    /// and IPv4 address), with [code]wss://[/code] when [param tls_server_options]
    /// is [method TLSOptions.server]. The peer has id 1 and is
    /// [constant MultiplayerPeer.CONNECTION_CONNECTED] at once.
    #[func]
    fn create_server(
        &mut self,
        port: i64,
        #[opt(default = "*")] bind_address: GString,
        #[opt(default = tls::TlsArg(None))] tls_server_options: tls::TlsArg,
    ) -> GdError {
        let result = self.start_server(port, &bind_address.to_string(), tls_server_options.0);
        self.record("create_server", result)
    }

    /// Connects to a [code]ws://[/code] or [code]wss://[/code] server, with
    /// [param tls_client_options] from [method TLSOptions.client] or
    /// [method TLSOptions.client_unsafe] for [code]wss://[/code]. A malformed URL
    /// returns an error at once and the status stays
    /// [constant MultiplayerPeer.CONNECTION_DISCONNECTED]; otherwise it is
    /// [constant MultiplayerPeer.CONNECTION_CONNECTING] until the server's id
    /// arrives, then [constant MultiplayerPeer.CONNECTION_CONNECTED] with
    /// [signal MultiplayerPeer.peer_connected] for peer 1. Never blocks.
    #[func]
    fn create_client(
        &mut self,
        url: GString,
        #[opt(default = tls::TlsArg(None))] tls_client_options: tls::TlsArg,
    ) -> GdError {
        let result = self.start_client(&url.to_string(), tls_client_options.0);
        self.record("create_client", result)
    }

    /// The [RustWebSocketPeer] of peer [param peer_id] (on a client, 1 is the
    /// server), or null with an error if there is none. It is the live
    /// connection: its state, address and settings are the connection's. Its
    /// packets belong to this multiplayer peer, and its signals are not emitted.
    #[func]
    fn get_peer(&mut self, peer_id: i64) -> Option<Gd<WebSocketPeer>> {
        let found = self.handle(peer_id).map(|h| h.gd.clone());
        if found.is_none() {
            self.unknown(peer_id, "get_peer");
        }
        found
    }

    /// The port a server listens on (useful after [code]create_server(0)[/code]), or 0.
    #[func]
    fn get_port(&self) -> i64 {
        match &self.role {
            Role::Server(s) => s.port() as i64,
            _ => 0,
        }
    }

    /// Server: connections refused because [member max_peers] or
    /// [member max_pending_handshakes] was reached, since this object was made.
    #[func]
    fn get_refused_count(&self) -> i64 {
        let now = match &self.role {
            Role::Server(s) => s.refused_count(),
            _ => 0,
        };
        (self.refused_before + now) as i64
    }

    /// Server: inbound bytes held now against [member inbound_budget]:
    /// messages being received, received ones not yet taken, and packets
    /// waiting for SceneMultiplayer.
    #[func]
    fn get_inbound_buffered(&self) -> i64 {
        match &self.role {
            Role::Server(s) => s.budget().held() as i64,
            _ => 0,
        }
    }

    /// The readable reason of the last failure, or empty: a refused, unresolved,
    /// timed-out or TLS-rejected connection, a server that is not a multiplayer
    /// server, a dropped client.
    #[func]
    fn get_last_error(&self) -> GString {
        self.last_error.as_str().into()
    }

    /// The value of [member handshake_timeout], in seconds.
    #[func]
    fn get_handshake_timeout(&self) -> f64 {
        self.handshake_timeout
    }

    /// Sets [member handshake_timeout]; it must be more than 0.
    #[func]
    fn set_handshake_timeout(&mut self, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            let err = Error::invalid(format!(
                "handshake_timeout must be more than 0, not {value}"
            ));
            self.record("set_handshake_timeout", Err(err));
            return;
        }
        self.handshake_timeout = value;
    }
}

server_common::peer_address_api! {
    impl WebSocketMultiplayerPeer {
        /// The IP address of peer [param id], or empty.
        get_peer_address;
        /// The remote port of peer [param id], or 0.
        get_peer_port;
    }
}

impl WebSocketMultiplayerPeer {
    fn status(&self) -> Status {
        match &self.role {
            Role::None => Status::Disconnected,
            Role::Server(_) => Status::Connected,
            Role::Client(c) => c.status(),
        }
    }

    fn ensure_idle(&self) -> crate::core::Result<()> {
        if self.status() != Status::Disconnected {
            return Err(Error::new(
                ErrorKind::Busy,
                "the peer is already a server or a client; close() it first",
            ));
        }
        Ok(())
    }

    fn peer_config(&self) -> Config {
        Config {
            handshake_timeout: convert::seconds(self.handshake_timeout),
            max_message_size: convert::size(self.max_message_size),
            outbound_buffer_limit: convert::size(self.outbound_buffer_limit),
            inbound_buffer_limit: convert::size(self.inbound_buffer_size),
            heartbeat_interval: convert::seconds(self.heartbeat_interval),
            proxy_url: self.proxy_url.to_string(),
            ..Config::default()
        }
    }

    fn start_server(
        &mut self,
        port: i64,
        bind_address: &str,
        tls: Option<Gd<TlsOptions>>,
    ) -> crate::core::Result<()> {
        self.ensure_idle()?;
        let port = u16::try_from(port)
            .map_err(|_| Error::invalid(format!("port {port} is not in 0-65535")))?;
        let tls = tls.as_ref().map(tls::server_acceptor).transpose()?;
        let mut extra_headers = convert::strings(&self.handshake_headers);
        extra_headers.extend(convert::strings(&self.extra_headers));
        let config = ServerConfig {
            protocols: convert::strings(&self.supported_protocols),
            extra_headers,
            tls,
            peer: self.peer_config(),
            ..self.limits_config()
        };
        let mut server = MultiplayerServer::listen(port, bind_address, config)?;
        server.set_refusing(self.refusing);
        server.set_max_queued_packets(convert::size(self.max_queued_packets));
        self.reset(Role::Server(Box::new(server)));
        Ok(())
    }

    fn start_client(&mut self, url: &str, tls: Option<Gd<TlsOptions>>) -> crate::core::Result<()> {
        self.ensure_idle()?;
        let mut config = self.peer_config();
        if let Some(options) = &tls {
            tls::apply_client(options, &mut config)?;
        }
        let mut client = MultiplayerClient::connect(
            url,
            &convert::strings(&self.supported_protocols),
            &convert::strings(&self.handshake_headers),
            config,
            GdPeer::new,
        )?;
        client.set_max_queued_packets(convert::size(self.max_queued_packets));
        self.reset(Role::Client(client));
        Ok(())
    }

    fn reset(&mut self, role: Role) {
        self.role = role;
        self.target_peer = 0;
        self.last_error.clear();
    }

    fn handle(&mut self, id: i64) -> Option<&mut GdPeer> {
        let id = i32::try_from(id).ok()?;
        match &mut self.role {
            Role::Server(s) => s.peer(id),
            Role::Client(c) if id == SERVER_ID && c.status() != Status::Disconnected => {
                Some(c.peer())
            }
            _ => None,
        }
    }

    /// Peer `id`'s address; `None` if it has none, or (with an error naming
    /// `what`) if there is no such peer.
    fn peer_remote(&mut self, id: i64, what: &str) -> Option<SocketAddr> {
        let found = self.handle(id).map(|h| h.with_peer(|p| p.remote()));
        if found.is_none() {
            self.unknown(id, what);
        }
        found.flatten()
    }

    fn unknown(&mut self, id: i64, what: &str) -> GdError {
        let err = Error::new(ErrorKind::DoesNotExist, format!("no peer with id {id}"));
        self.record(what, Err(err))
    }

    fn record(&mut self, what: &str, result: crate::core::Result<()>) -> GdError {
        if let Err(e) = &result {
            self.last_error = e.reason().to_string();
        }
        errors::to_godot(&format!("{CLASS}.{what}"), result)
    }

    /// Polls the role; returns what the signals and messages must report.
    fn poll_role(&mut self, events: &mut Vec<MultiplayerEvent>) {
        // Godot copied (or finished with) the last packet before polling again.
        self.last_packet = None;
        match &mut self.role {
            Role::None => {}
            Role::Server(s) => s.poll(GdPeer::new, events),
            Role::Client(c) => c.poll(events),
        }
    }

    /// Emits `events` with the object unbound, so that SceneMultiplayer can call
    /// back into it from its handlers (it sends from inside `peer_connected`).
    fn emit(&mut self, events: Vec<MultiplayerEvent>) {
        for event in events {
            match event {
                MultiplayerEvent::PeerConnected(id) => {
                    self.base_mut()
                        .emit_signal("peer_connected", &[(id as i64).to_variant()]);
                }
                MultiplayerEvent::PeerDisconnected(id) => {
                    self.base_mut()
                        .emit_signal("peer_disconnected", &[(id as i64).to_variant()]);
                }
                MultiplayerEvent::Failed(reason) => {
                    push_error(&[format!("{CLASS}: {reason}").to_variant()]);
                    self.last_error = reason;
                }
                MultiplayerEvent::Lost(reason) | MultiplayerEvent::Noted(reason) => {
                    self.last_error = reason
                }
                MultiplayerEvent::Dropped(reason) => {
                    push_warning(&[format!("{CLASS}: {reason}").to_variant()]);
                    self.last_error = reason;
                }
            }
        }
    }
}

impl ContainsPanics for WebSocketMultiplayerPeer {
    /// After a panic the state cannot be trusted: drop every connection and say so.
    fn contain_panic(&mut self, what: &str) {
        let reason = format!("internal error (Rust panic) in {what}; every connection was closed");
        push_error(&[format!("{CLASS}: {reason}").to_variant()]);
        self.last_error = reason;
        // Dropping the handles without running more of the code that panicked.
        self.role = Role::None;
        self.last_packet = None;
    }
}
