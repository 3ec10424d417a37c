//! The raw buffers of the packet virtuals (`_get_packet`, `_put_packet`) that
//! `PacketPeerExtension` and `MultiplayerPeerExtension` both declare. The
//! pointer and length work is done here once; each class's virtual forwards to
//! [`get_packet`] or [`put_packet`] and supplies the packets in safe Rust
//! through [`RawPackets`].

use godot::global::Error as GdError;
use godot::meta::conv::RawPtr;

/// `_get_packet`'s out-parameter for the buffer's address.
pub type OutBuffer = RawPtr<*mut RawPtr<*const u8>>;
/// `_get_packet`'s out-parameter for the buffer's size.
pub type OutSize = RawPtr<*mut i32>;
/// `_put_packet`'s buffer.
pub type InBuffer = RawPtr<*const u8>;

/// A class's side of the raw packet virtuals.
pub trait RawPackets {
    /// Takes the oldest packet and keeps it alive until the next call on this
    /// object (Godot reads it in place or copies it before then), or returns
    /// the error for Godot. The packet's length must fit an `i32`.
    fn take_packet_bytes(&mut self) -> Result<&[u8], GdError>;

    /// Sends the bytes Godot hands over.
    fn put_packet_bytes(&mut self, data: &[u8]) -> GdError;
}

/// `_get_packet`: points Godot's out-parameters at the oldest packet.
///
/// # Safety
/// The out-pointers must be valid for writes.
#[inline]
pub unsafe fn get_packet(
    peer: &mut impl RawPackets,
    r_buffer: OutBuffer,
    r_size: OutSize,
) -> GdError {
    match peer.take_packet_bytes() {
        Ok(data) => {
            debug_assert!(i32::try_from(data.len()).is_ok());
            // SAFETY: the caller guarantees writable out-pointers; the bytes
            // stay alive in `peer` until Godot's next call.
            unsafe {
                *r_buffer.ptr() = RawPtr::new(data.as_ptr());
                *r_size.ptr() = data.len() as i32;
            }
            GdError::OK
        }
        Err(e) => e,
    }
}

/// `_put_packet`: sends the `size` bytes at `buffer`.
///
/// # Safety
/// `buffer` must point to `size` readable bytes that stay valid for the call.
#[inline]
pub unsafe fn put_packet(peer: &mut impl RawPackets, buffer: InBuffer, size: i32) -> GdError {
    let len = usize::try_from(size).unwrap_or(0);
    let data = if len == 0 || buffer.ptr().is_null() {
        &[]
    } else {
        // SAFETY: the caller guarantees `size` readable bytes at `buffer`.
        unsafe { std::slice::from_raw_parts(buffer.ptr(), len) }
    };
    peer.put_packet_bytes(data)
}
