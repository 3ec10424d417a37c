//! The bodies of the engine virtuals: packets in and out, poll, close. Each
//! runs under `catch_unwind`, because a panic unwinding into the engine aborts
//! Godot.

use godot::classes::multiplayer_peer::{ConnectionStatus, TransferMode};
use godot::classes::{IMultiplayerPeerExtension, MultiplayerPeerExtension};
use godot::global::Error as GdError;
use godot::prelude::*;

use super::{Role, WebSocketMultiplayerPeer};
use crate::core::budget::DEFAULT_INBOUND_BUDGET;
use crate::core::multiplayer::SERVER_ID;
use crate::core::multiplayer::{ReceivedPackets, Status};
use crate::core::server::{
    DEFAULT_MAX_PEERS, DEFAULT_MAX_PENDING_HANDSHAKES, DEFAULT_MESSAGE_TIMEOUT,
};
use crate::core::Config;
use crate::core::{Error, ErrorKind};
use crate::godot::panic_guard;
use crate::godot::raw_buffers::{self, InBuffer, OutBuffer, OutSize, RawPackets};

impl WebSocketMultiplayerPeer {
    /// Runs `f`, containing a panic: the connections are dropped and `default` returned.
    pub(super) fn guarded<R>(
        &mut self,
        what: &str,
        default: R,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        panic_guard::guarded(self, what, default, f)
    }

    pub(super) fn poll_and_emit(&mut self) {
        let mut events = Vec::new();
        self.guarded("poll", (), |this| {
            #[cfg(feature = "test-hooks")]
            test_hooks::maybe_panic();
            this.poll_role(&mut events)
        });
        if events.is_empty() {
            return;
        }
        // A handler may drop the last reference to this peer while poll() still runs.
        let keep_alive = self.to_gd();
        self.emit(events);
        crate::godot::lifetime::release_after_call(keep_alive);
    }

    pub(super) fn available_packets(&self) -> i32 {
        let n = match &self.role {
            Role::None => 0,
            Role::Server(s) => s.available_packets(),
            Role::Client(c) => c.available_packets(),
        };
        n.min(i32::MAX as usize) as i32
    }

    pub(super) fn front_peer(&self) -> i32 {
        match &self.role {
            Role::None => None,
            Role::Server(s) => s.front_peer(),
            Role::Client(c) => c.front_peer(),
        }
        .unwrap_or(0)
    }

    pub(super) fn close_role(&mut self) {
        match std::mem::replace(&mut self.role, Role::None) {
            Role::None => {}
            Role::Server(s) => {
                self.refused_before += s.refused_count();
                s.close()
            }
            Role::Client(mut c) => c.close(),
        }
        self.target_peer = 0;
    }

    pub(super) fn disconnect_one(&mut self, peer: i32, force: bool) {
        let result = match &mut self.role {
            Role::Server(s) => s.disconnect_peer(peer, force),
            Role::Client(c) if peer == SERVER_ID => {
                c.disconnect(force);
                Ok(())
            }
            _ => Err(Error::new(
                ErrorKind::DoesNotExist,
                format!("no peer with id {peer}"),
            )),
        };
        if force && matches!(self.role, Role::Client(_)) && result.is_ok() {
            self.role = Role::None;
        }
        self.record("disconnect_peer", result);
    }
}

impl RawPackets for WebSocketMultiplayerPeer {
    /// Hands Godot the oldest packet; its buffer stays alive in `last_packet`
    /// until the next `get_packet` or `poll` (SceneMultiplayer reads it in place).
    fn take_packet_bytes(&mut self) -> Result<&[u8], GdError> {
        let taken = self.guarded("get_packet", None, |this| match &mut this.role {
            Role::None => None,
            Role::Server(s) => s.take_packet(),
            Role::Client(c) => c.take_packet(),
        });
        let Some((_, data)) = taken else {
            return Err(self.record(
                "get_packet",
                Err(Error::new(ErrorKind::DoesNotExist, "no packet available")),
            ));
        };
        if i32::try_from(data.len()).is_err() {
            return Err(self.record(
                "get_packet",
                Err(Error::new(
                    ErrorKind::BufferFull,
                    "packet larger than 2 GiB",
                )),
            ));
        }
        Ok(&self.last_packet.insert(data)[..])
    }

    /// Sends the buffer Godot hands over to the target peer (a client sends
    /// everything to the server, which relays).
    fn put_packet_bytes(&mut self, data: &[u8]) -> GdError {
        let target = self.target_peer;
        let result = self.guarded(
            "put_packet",
            Err(Error::new(ErrorKind::Io, "internal error")),
            |this| match &mut this.role {
                Role::None => Err(Error::new(
                    ErrorKind::NotConnected,
                    "not a server or client; call create_server() or create_client() first",
                )),
                Role::Server(s) => s.put_packet(target, data),
                Role::Client(c) => c.put_packet(data),
            },
        );
        self.record("put_packet", result)
    }
}

#[godot_api]
impl IMultiplayerPeerExtension for WebSocketMultiplayerPeer {
    fn init(base: Base<MultiplayerPeerExtension>) -> Self {
        let defaults = Config::default();
        Self {
            supported_protocols: PackedStringArray::new(),
            handshake_headers: PackedStringArray::new(),
            handshake_timeout: 3.0,
            inbound_buffer_size: 65535,
            outbound_buffer_size: 65535,
            max_queued_packets: 4096,
            max_message_size: defaults.max_message_size as i64,
            outbound_buffer_limit: defaults.outbound_buffer_limit as i64,
            heartbeat_interval: 0.0,
            proxy_url: GString::new(),
            extra_headers: PackedStringArray::new(),
            inbound_budget: DEFAULT_INBOUND_BUDGET as i64,
            message_timeout: DEFAULT_MESSAGE_TIMEOUT.as_secs_f64(),
            max_peers: DEFAULT_MAX_PEERS as i64,
            max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES as i64,
            refused_before: 0,
            role: Role::None,
            target_peer: 0,
            transfer_mode: TransferMode::RELIABLE,
            transfer_channel: 0,
            refusing: false,
            last_packet: None,
            last_error: String::new(),
            base,
        }
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
        self.available_packets()
    }

    fn get_max_packet_size(&self) -> i32 {
        self.max_message_size.clamp(0, i32::MAX as i64) as i32
    }

    fn get_packet_channel(&self) -> i32 {
        0
    }

    fn get_packet_mode(&self) -> TransferMode {
        TransferMode::RELIABLE
    }

    fn set_transfer_channel(&mut self, channel: i32) {
        self.transfer_channel = channel;
    }

    fn get_transfer_channel(&self) -> i32 {
        self.transfer_channel
    }

    fn set_transfer_mode(&mut self, mode: TransferMode) {
        self.transfer_mode = mode;
    }

    fn get_transfer_mode(&self) -> TransferMode {
        self.transfer_mode
    }

    fn set_target_peer(&mut self, peer: i32) {
        self.target_peer = peer;
    }

    fn get_packet_peer(&self) -> i32 {
        self.front_peer()
    }

    fn is_server(&self) -> bool {
        matches!(self.role, Role::Server(_))
    }

    fn poll(&mut self) {
        self.poll_and_emit();
    }

    fn close(&mut self) {
        self.guarded("close", (), |this| this.close_role());
    }

    fn disconnect_peer(&mut self, peer: i32, force: bool) {
        self.guarded("disconnect_peer", (), |this| {
            this.disconnect_one(peer, force)
        });
    }

    fn get_unique_id(&self) -> i32 {
        match &self.role {
            Role::None => 0,
            Role::Server(_) => SERVER_ID,
            Role::Client(c) => c.unique_id(),
        }
    }

    fn set_refuse_new_connections(&mut self, enable: bool) {
        self.refusing = enable;
        if let Role::Server(s) = &mut self.role {
            s.set_refusing(enable);
        }
    }

    fn is_refusing_new_connections(&self) -> bool {
        self.refusing
    }

    fn is_server_relay_supported(&self) -> bool {
        true
    }

    fn get_connection_status(&self) -> ConnectionStatus {
        match self.status() {
            Status::Disconnected => ConnectionStatus::DISCONNECTED,
            Status::Connecting => ConnectionStatus::CONNECTING,
            Status::Connected => ConnectionStatus::CONNECTED,
        }
    }
}

#[cfg(feature = "test-hooks")]
mod test_hooks {
    use std::cell::Cell;

    use godot::prelude::*;

    use super::WebSocketMultiplayerPeer;

    thread_local! {
        static PANIC_NEXT_POLL: Cell<bool> = const { Cell::new(false) };
    }

    pub(super) fn maybe_panic() {
        if PANIC_NEXT_POLL.with(|p| p.replace(false)) {
            panic!("injected panic in poll()");
        }
    }

    #[godot_api(secondary)]
    impl WebSocketMultiplayerPeer {
        /// Test builds only: the next poll on this thread panics inside the
        /// engine virtual, to prove the panic is contained.
        #[func]
        fn _test_inject_panic(&mut self) {
            PANIC_NEXT_POLL.with(|p| p.set(true));
        }
    }
}
