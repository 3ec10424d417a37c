//! Soak messages: 16 ASCII hex digits (client id, sequence number) and a
//! pattern derived from both, so a receiver can rebuild the exact bytes.

use websocket_peer::core::Packet;

/// Sequence numbers whose message is sent as text.
pub(super) fn is_text(seq: u32) -> bool {
    seq % 7 == 3
}

pub(super) fn payload_len(id: u32, seq: u32) -> usize {
    let mix = id.wrapping_mul(31).wrapping_add(seq) as usize;
    if seq % 250 == 249 {
        // 64-bit length field.
        65_536 + 4_000 + mix % 8
    } else if seq % 10 == 5 {
        // 16-bit length field.
        126 + mix % 2_000
    } else {
        // 7-bit length field (the header counts too: at most 125 in all).
        mix % 110
    }
}

pub(super) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Writes the exact message `id` sends as number `seq` into `out`; returns whether it is text.
pub fn build_message(id: u32, seq: u32, out: &mut Vec<u8>) -> bool {
    use std::io::Write;
    let text = is_text(seq);
    out.clear();
    write!(out, "{id:08x}{seq:08x}").expect("writing to a Vec");
    let len = payload_len(id, seq);
    let mut state = (u64::from(id) << 32) | u64::from(seq);
    while out.len() < 16 + len {
        let word = splitmix(&mut state).to_le_bytes();
        let take = (16 + len - out.len()).min(8);
        if text {
            out.extend(word[..take].iter().map(|b| b'a' + b % 26));
        } else {
            out.extend_from_slice(&word[..take]);
        }
    }
    text
}

/// The (client id, sequence number) a message claims to be.
pub fn parse_header(data: &[u8]) -> Option<(u32, u32)> {
    let head = std::str::from_utf8(data.get(..16)?).ok()?;
    let id = u32::from_str_radix(&head[..8], 16).ok()?;
    let seq = u32::from_str_radix(&head[8..], 16).ok()?;
    Some((id, seq))
}

/// The (client id, sequence number) of `packet` when `expected` accepts that
/// header and the packet is exactly the message it names; `None` for a
/// corrupt one.
pub(super) fn verified(
    packet: &Packet,
    scratch: &mut Vec<u8>,
    expected: impl FnOnce(u32, u32) -> bool,
) -> Option<(u32, u32)> {
    let (id, seq) = parse_header(&packet.data)?;
    (expected(id, seq) && intact(&packet.data, packet.text, id, seq, scratch)).then_some((id, seq))
}

/// Whether `data` (of kind `text`) is exactly the message its header names.
pub(super) fn intact(data: &[u8], text: bool, id: u32, seq: u32, scratch: &mut Vec<u8>) -> bool {
    let want_text = build_message(id, seq, scratch);
    want_text == text && scratch[..] == data[..]
}
