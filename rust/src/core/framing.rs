//! Writing data frames straight into the outgoing buffer: the payload is copied
//! once, from the caller's slice into the buffer, masked on the way for clients.

/// Bytes a frame with a `len`-byte payload takes on the wire.
pub fn frame_len(len: usize, masked: bool) -> usize {
    let ext = match len {
        0..=125 => 0,
        126..=0xFFFF => 2,
        _ => 8,
    };
    2 + ext + if masked { 4 } else { 0 } + len
}

/// Appends one final data frame (`text` or binary) holding `payload` to `out`.
pub fn write_data_frame(out: &mut Vec<u8>, payload: &[u8], text: bool, mask: Option<[u8; 4]>) {
    write_frame(out, if text { 0x1 } else { 0x2 }, payload, mask);
}

/// Appends one final frame with `opcode` holding `payload` to `out`; the
/// tests build control frames with it too.
pub fn write_frame(out: &mut Vec<u8>, opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) {
    out.reserve(frame_len(payload.len(), mask.is_some()));
    out.push(0x80 | opcode);
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n @ 0..=125 => out.push(mask_bit | n as u8),
        n @ 126..=0xFFFF => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        None => out.extend_from_slice(payload),
        Some(key) => {
            out.extend_from_slice(&key);
            let start = out.len();
            out.extend_from_slice(payload);
            apply_mask(&mut out[start..], key);
        }
    }
}

/// XORs `buf` with the repeating 4-byte `key`, eight bytes at a time.
fn apply_mask(buf: &mut [u8], key: [u8; 4]) {
    let wide = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = buf.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let v = u64::from_ne_bytes(chunk.try_into().expect("chunk of 8")) ^ wide;
        chunk.copy_from_slice(&v.to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
}

/// A fresh, unpredictable masking key (RFC 6455 §5.3).
pub fn new_mask() -> [u8; 4] {
    rand::random()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_sizes_at_boundaries() {
        for (len, header) in [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)] {
            let mut out = Vec::new();
            write_data_frame(&mut out, &vec![7; len], false, None);
            assert_eq!(out.len(), header + len);
            assert_eq!(out.len(), frame_len(len, false));
        }
    }

    #[test]
    fn masking_round_trips() {
        let payload: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let key = [1, 2, 3, 250];
        let mut out = Vec::new();
        write_data_frame(&mut out, &payload, true, Some(key));
        assert_eq!(out[0], 0x81);
        assert_eq!(out[1], 0x80 | 126);
        let body = &mut out[8..];
        apply_mask(body, key);
        assert_eq!(body, &payload[..]);
    }
}
