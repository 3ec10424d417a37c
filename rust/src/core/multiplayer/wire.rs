//! The id handshake's one message: the client's id as 4 bytes, little-endian.

use crate::core::error::{Error, ErrorKind, Result};
use crate::core::inbox::Packet;

/// The first message a server sends to a client: its id.
pub fn encode_id(id: i32) -> [u8; 4] {
    id.to_le_bytes()
}

/// Reads the id from the first message a server sent, or says why it is not one.
pub fn parse_id(first: &Packet) -> Result<i32> {
    let not_multiplayer = |what: String| {
        Error::new(
            ErrorKind::Protocol,
            format!(
                "the server is not a Godot multiplayer server: its first message was {what}, \
                 not a 4-byte binary peer id"
            ),
        )
    };
    if first.text {
        return Err(not_multiplayer(format!(
            "a text message of {} bytes",
            first.data.len()
        )));
    }
    let Ok(bytes) = <[u8; 4]>::try_from(&first.data[..]) else {
        return Err(not_multiplayer(format!(
            "a binary message of {} bytes",
            first.data.len()
        )));
    };
    let id = i32::from_le_bytes(bytes);
    if id < 2 {
        return Err(Error::new(
            ErrorKind::Protocol,
            format!("the server sent peer id {id}; a client's id must be 2 or more"),
        ));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tungstenite::Bytes;

    fn packet(data: &[u8], text: bool) -> Packet {
        Packet {
            data: Bytes::copy_from_slice(data),
            text,
        }
    }

    #[test]
    fn ids_round_trip_little_endian() {
        assert_eq!(encode_id(0x0102_0304), [4, 3, 2, 1]);
        for id in [2, 77, i32::MAX] {
            assert_eq!(parse_id(&packet(&encode_id(id), false)).unwrap(), id);
        }
    }

    #[test]
    fn anything_but_a_valid_id_is_refused_with_a_reason() {
        for (data, text, says) in [
            (&[2u8, 0, 0, 0][..], true, "text message"),
            (&[2, 0, 0][..], false, "binary message of 3 bytes"),
            (&[2, 0, 0, 0, 0][..], false, "binary message of 5 bytes"),
            (&[1, 0, 0, 0][..], false, "peer id 1"),
            (&[0, 0, 0, 0][..], false, "peer id 0"),
            (&[0xff, 0xff, 0xff, 0xff][..], false, "peer id -1"),
        ] {
            let err = parse_id(&packet(data, text)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Protocol);
            assert!(err.reason().contains(says), "{says}: {}", err.reason());
        }
    }
}
