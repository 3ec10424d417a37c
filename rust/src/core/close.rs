//! Close codes and reasons: what may be sent, and what a closed connection reports.

use super::error::{Error, Result};

/// Longest close reason in bytes (a control frame payload is at most 125, minus the code).
pub const MAX_CLOSE_REASON: usize = 122;

/// Checks a close code and reason given by the application before anything is sent.
pub fn validate(code: i64, reason: &str) -> Result<u16> {
    if reason.len() > MAX_CLOSE_REASON {
        return Err(Error::invalid(format!(
            "close reason is {} bytes of UTF-8; it must be under 123",
            reason.len()
        )));
    }
    let allowed = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
    if !allowed {
        return Err(Error::invalid(format!(
            "close code {code} may not be sent; use 1000-1003, 1007-1014 or 3000-4999"
        )));
    }
    Ok(code as u16)
}

/// How a connection ended, as reported after it closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseStatus {
    /// The code of the close frame received, or -1 when the close was not clean.
    pub code: i32,
    /// The reason of the close frame received.
    pub reason: String,
    /// Whether close frames went both ways before the socket closed.
    pub clean: bool,
}

impl CloseStatus {
    /// A connection that ended without a complete close handshake.
    pub fn unclean() -> Self {
        Self {
            code: -1,
            reason: String::new(),
            clean: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_on_the_wire_only() {
        assert_eq!(validate(1000, "").unwrap(), 1000);
        assert_eq!(validate(4999, "bye").unwrap(), 4999);
        for bad in [999, 1004, 1005, 1006, 1015, 2999, 5000, -1] {
            assert!(validate(bad, "").is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn reason_under_123_bytes() {
        assert!(validate(1000, &"a".repeat(122)).is_ok());
        let err = validate(1000, &"a".repeat(123)).unwrap_err();
        assert!(err.reason().contains("123"));
    }
}
