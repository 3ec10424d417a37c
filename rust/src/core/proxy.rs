//! HTTP CONNECT proxy URLs: `http://[user:password@]host:port`.

use super::error::{Error, Result};
use super::url::split_host_port;

/// A parsed proxy address with optional Basic credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    /// Proxy host name or address, without IPv6 brackets.
    pub host: String,
    /// Proxy port (8080 when the URL names none).
    pub port: u16,
    /// `user:password` for Basic authentication, already percent-decoded.
    pub credentials: Option<String>,
}

impl ProxyUrl {
    /// Parses a proxy URL; an empty string means no proxy.
    pub fn parse(url: &str) -> Result<Option<Self>> {
        if url.is_empty() {
            return Ok(None);
        }
        let bad = |why: &str| {
            Err(Error::invalid(format!(
                "invalid proxy_url \"{url}\": {why}"
            )))
        };
        let Some(rest) = url.strip_prefix("http://") else {
            return bad("expected http://[user:password@]host:port");
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (credentials, hostport) = match authority.rsplit_once('@') {
            Some((user, hp)) => (Some(percent_decode(user)), hp),
            None => (None, authority),
        };
        let (host, port) = match split_host_port(hostport, 8080) {
            Ok(split) => split,
            Err(why) => return bad(&why),
        };
        Ok(Some(Self {
            host: host.to_string(),
            port,
            credentials,
        }))
    }

    /// The CONNECT request for a tunnel to `host:port`.
    pub fn connect_request(&self, host: &str, port: u16) -> String {
        let target = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(creds) = &self.credentials {
            req.push_str("Proxy-Authorization: Basic ");
            req.push_str(&data_encoding::BASE64.encode(creds.as_bytes()));
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        req
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| (b as char).to_digit(16);
    while i < bytes.len() {
        // Decode byte-wise: slicing the str could split a multi-byte character.
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_auth() {
        assert_eq!(ProxyUrl::parse("").unwrap(), None);
        let p = ProxyUrl::parse("http://127.0.0.1:3128").unwrap().unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.credentials),
            ("127.0.0.1", 3128, None)
        );
        let p = ProxyUrl::parse("http://u%40x:p%3Aw@proxy:8000")
            .unwrap()
            .unwrap();
        assert_eq!(p.credentials.as_deref(), Some("u@x:p:w"));
        let req = p.connect_request("::1", 9);
        assert!(req.starts_with("CONNECT [::1]:9 HTTP/1.1\r\n"));
        assert!(req.contains("Proxy-Authorization: Basic dUB4OnA6dw==\r\n"));
    }

    #[test]
    fn percent_decoding_keeps_other_characters() {
        assert_eq!(percent_decode("a%é%zz%aé%4"), "a%é%zz%aé%4");
        assert_eq!(percent_decode("%c3%a9:%41"), "é:A");
    }

    #[test]
    fn refuses_other_schemes() {
        assert!(ProxyUrl::parse("socks5://h:1").is_err());
        assert!(ProxyUrl::parse("http://h:x").is_err());
    }
}
