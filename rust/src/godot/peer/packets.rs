//! The `PacketPeer` side of `RustWebSocketPeer`: the raw packet virtuals that
//! `get_packet`, `put_packet`, `get_var` and `put_var` go through.

use godot::global::{push_error, Error as GdError};
use godot::prelude::*;

use super::WebSocketPeer;
use crate::core::Packet;
use crate::godot::enums::WriteMode;
use crate::godot::panic_guard;
use crate::godot::raw_buffers::RawPackets;

impl WebSocketPeer {
    /// Taking a message makes room under `inbound_buffer_limit`: if reading
    /// stopped at the limit, the owning server must poll this peer again even
    /// though its socket may show no new input.
    fn wake_after_take(&self) {
        if self.core.input_held_back() {
            self.wake_server();
        }
    }

    /// Takes the oldest message for `get_packet` (ours or `PacketPeer`'s,
    /// through the virtual), recording the outcome for `get_packet_error`.
    fn take_one(&mut self) -> Result<Packet, GdError> {
        self.wake_after_take();
        // A panic unwinding out of an engine call aborts Godot; contain it.
        let taken = panic_guard::guarded(self, "get_packet", None, |this| {
            Some(this.core.take_packet())
        });
        match taken {
            Some(Some(packet)) => {
                self.last_get_error = GdError::OK;
                self.last_was_string = packet.text;
                Ok(packet)
            }
            Some(None) => Err(self.no_packet()),
            None => Err(self.got(GdError::FAILED)),
        }
    }

    /// Records the outcome of a take for `get_packet_error`.
    fn got(&mut self, error: GdError) -> GdError {
        self.last_get_error = error;
        error
    }

    fn no_packet(&mut self) -> GdError {
        self.core.set_last_error("no packet available");
        self.got(GdError::ERR_UNAVAILABLE)
    }
}

impl RawPackets for WebSocketPeer {
    /// Hands Godot the oldest message; its buffer stays alive in `last_packet`
    /// until the next call, and Godot copies it before then.
    fn take_packet_bytes(&mut self) -> Result<&[u8], GdError> {
        let packet = self.take_one()?;
        if packet.data.len() > i32::MAX as usize {
            push_error(&[
                "RustWebSocketPeer: packet too large for PacketPeer; use get_packets()"
                    .to_variant(),
            ]);
            return Err(self.got(GdError::ERR_OUT_OF_MEMORY));
        }
        Ok(&self.last_packet.insert(packet).data)
    }

    /// Sends the buffer Godot hands over, in the current write mode.
    fn put_packet_bytes(&mut self, data: &[u8]) -> GdError {
        let text = self.write_mode == WriteMode::WRITE_MODE_TEXT;
        panic_guard::guarded(self, "put_packet", GdError::FAILED, |this| {
            this.send_bytes(data, text, "put_packet")
        })
    }
}

/// Batch receive, for high message rates: one call instead of one per message.
#[godot_api(secondary)]
impl WebSocketPeer {
    /// Takes up to [param max] waiting messages at once ([code]-1[/code]: all of
    /// them), oldest first, and returns their payloads. Much cheaper than one
    /// [method PacketPeer.get_packet] call per message at high message rates.
    /// [method were_string_packets] then tells which of them were text, and
    /// [method was_string_packet] refers to the last one returned.
    #[func]
    fn get_packets(&mut self, #[opt(default = -1)] max: i64) -> Array<PackedByteArray> {
        self.wake_after_take();
        let waiting = self.core.available_packets();
        let count = usize::try_from(max).map_or(waiting, |m| m.min(waiting));
        let mut packets: Array<PackedByteArray> = Array::new();
        let mut text = PackedByteArray::new();
        text.resize(count);
        let flags = text.as_mut_slice();
        for flag in flags.iter_mut() {
            let Some(packet) = self.core.take_packet() else {
                break;
            };
            *flag = packet.text as u8;
            // The one copy between the socket and the PackedByteArray.
            packets.push(&PackedByteArray::from(&packet.data[..]));
        }
        if let Some(&last) = flags.last() {
            self.last_was_string = last != 0;
        }
        self.last_batch_text = text;
        packets
    }

    /// For the messages the last [method get_packets] call returned, in the same
    /// order: [code]1[/code] where the message arrived as text, [code]0[/code]
    /// where it was binary.
    #[func]
    fn were_string_packets(&self) -> PackedByteArray {
        self.last_batch_text.clone()
    }
}

/// `get_packet` and `get_packet_error` of [PacketPeer], taken over: Godot's own
/// `PacketPeer.get_packet()` copies a message into its array one byte at a
/// time, about 0.3 ms per MiB here, paid on every message a game receives.
#[godot_api(secondary)]
impl WebSocketPeer {
    /// Takes the oldest waiting message and returns its payload, as
    /// [method PacketPeer.get_packet] does, copied in one block instead of byte
    /// by byte. Returns an empty array when no message waits;
    /// [method get_packet_error] then returns [constant ERR_UNAVAILABLE].
    #[func]
    fn get_packet(&mut self) -> PackedByteArray {
        match self.take_one() {
            // The one copy between the socket and the PackedByteArray.
            Ok(packet) => PackedByteArray::from(&packet.data[..]),
            Err(_) => PackedByteArray::new(),
        }
    }

    /// The [enum Error] of the last [method get_packet] or [method PacketPeer.get_var]:
    /// [constant OK], or [constant ERR_UNAVAILABLE] when no message was waiting.
    #[func]
    fn get_packet_error(&self) -> GdError {
        self.last_get_error
    }
}
