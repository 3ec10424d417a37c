//! The raw buffers of the packet virtuals (`_get_packet`, `_put_packet`) of
//! `PacketPeerExtension` and `MultiplayerPeerExtension`.

use godot::meta::conv::RawPtr;

/// The bytes Godot hands to a `put_packet` virtual.
///
/// # Safety
/// `buffer` must point to `size` readable bytes that stay valid for `'a`.
pub unsafe fn incoming<'a>(buffer: RawPtr<*const u8>, size: i32) -> &'a [u8] {
    let len = usize::try_from(size).unwrap_or(0);
    if len == 0 || buffer.ptr().is_null() {
        return &[];
    }
    // SAFETY: the caller guarantees `size` readable bytes at `buffer`.
    unsafe { std::slice::from_raw_parts(buffer.ptr(), len) }
}

/// Points a `get_packet` virtual's out-parameters at `data`, whose owner must
/// keep it alive until Godot's next call (Godot reads it in place or copies it).
///
/// # Safety
/// The out-pointers must be valid for writes; `data.len()` must fit an `i32`.
pub unsafe fn hand_out(
    data: &[u8],
    r_buffer: RawPtr<*mut RawPtr<*const u8>>,
    r_buffer_size: RawPtr<*mut i32>,
) {
    debug_assert!(i32::try_from(data.len()).is_ok());
    // SAFETY: the caller guarantees writable out-pointers.
    unsafe {
        *r_buffer.ptr() = RawPtr::new(data.as_ptr());
        *r_buffer_size.ptr() = data.len() as i32;
    }
}
