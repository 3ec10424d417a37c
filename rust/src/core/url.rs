//! Parsing and checking of `ws://` / `wss://` URLs, with a precise reason for each refusal.

use super::error::{Error, Result};

/// A WebSocket URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `true` for `wss://`.
    pub secure: bool,
    /// Host name or IP address, without IPv6 brackets.
    pub host: String,
    /// Port, the scheme's default when the URL names none.
    pub port: u16,
    /// Path and query sent in the request line, at least `/`.
    pub resource: String,
}

impl WsUrl {
    /// Parses `url`, refusing anything a connection could not be made from.
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| Err(Error::invalid(format!("invalid URL \"{url}\": {why}")));
        if url.is_empty() {
            return bad("it is empty");
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("it contains whitespace or control characters");
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return bad("expected ws://host[:port][/path] or wss://…");
        };
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "ws" => false,
            "wss" => true,
            other => return bad(&format!("scheme \"{other}\" is not ws or wss")),
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (authority, resource) = match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'?' => (&rest[..i], format!("/{}", &rest[i..])),
            Some(i) => (&rest[..i], rest[i..].to_string()),
            None => (rest, "/".to_string()),
        };
        if authority.contains('@') {
            return bad("user information in a WebSocket URL is not supported; send an Authorization header");
        }
        let default_port = if secure { 443 } else { 80 };
        let (host, port) = match split_host_port(authority, default_port) {
            Ok(split) => split,
            Err(why) => return bad(&why),
        };
        if !host.is_ascii() {
            return bad("the host is not ASCII; write an internationalised name in its punycode (xn--) form");
        }
        if !host.contains(':')
            && !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        {
            return bad(&format!("\"{host}\" is not a valid host name"));
        }
        Ok(Self {
            secure,
            host: host.to_string(),
            port,
            resource,
        })
    }

    /// The value of the `Host` header: brackets around IPv6, port only when not the default.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = if self.secure { 443 } else { 80 };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// The URL rebuilt in canonical form.
    pub fn to_url(&self) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{host}:{}{}", self.port, self.resource)
    }
}

/// Splits `host[:port]` or `[IPv6][:port]` into the host (without brackets)
/// and the port, `default_port` when none is named; the error says what is
/// wrong. Shared by WebSocket and proxy URLs.
pub(crate) fn split_host_port(
    authority: &str,
    default_port: u16,
) -> std::result::Result<(&str, u16), String> {
    let (host, port_text) = if let Some(inner) = authority.strip_prefix('[') {
        let Some(end) = inner.find(']') else {
            return Err("IPv6 address is missing its closing ']'".into());
        };
        let host = &inner[..end];
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("\"{host}\" is not an IPv6 address"));
        }
        let after = &inner[end + 1..];
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return Err("unexpected text after the IPv6 address".into()),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    let port = match port_text {
        None => default_port,
        Some(text) => match text.parse::<u32>() {
            Ok(p) if (1..=65535).contains(&p) => p as u16,
            _ => return Err(format!("port \"{text}\" is not a number from 1 to 65535")),
        },
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_usual_forms() {
        let u = WsUrl::parse("ws://127.0.0.1:8080/chat?room=1").unwrap();
        assert_eq!(
            (u.secure, u.host.as_str(), u.port),
            (false, "127.0.0.1", 8080)
        );
        assert_eq!(u.resource, "/chat?room=1");
        let u = WsUrl::parse("WSS://example.com").unwrap();
        assert_eq!((u.secure, u.port, u.resource.as_str()), (true, 443, "/"));
        let u = WsUrl::parse("ws://[::1]:9000").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 9000));
        assert_eq!(u.host_header(), "[::1]:9000");
        let u = WsUrl::parse("ws://h?x=1").unwrap();
        assert_eq!(u.resource, "/?x=1");
    }

    #[test]
    fn refuses_malformed() {
        for url in [
            "",
            "http://x",
            "ws://",
            "ws://h:99999",
            "ws://h:0",
            "ws://[::1",
            "ws://a b",
            " ws://h",
            "ws://hé.com",
            "ws://h:port",
            "ws:/h",
            "ws://u:p@h",
        ] {
            let err = WsUrl::parse(url).expect_err(url);
            assert!(
                err.reason().contains("invalid URL"),
                "{url}: {}",
                err.reason()
            );
        }
    }
}
