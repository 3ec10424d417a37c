//! The HTTP upgrade request a client sends: URL, Host, subprotocols and the
//! caller's extra headers, each checked before anything goes on the wire.

use tungstenite::client::IntoClientRequest;
use tungstenite::http::{HeaderName, HeaderValue};

use super::error::{Error, Result};
use super::url::WsUrl;

/// The upgrade request for `url`, offering `protocols`, with `headers`
/// (`Name: value`); a malformed argument is refused with its reason.
pub(crate) fn build_request(
    url: &WsUrl,
    protocols: &[String],
    headers: &[String],
) -> Result<tungstenite::handshake::client::Request> {
    let mut request = url
        .to_url()
        .into_client_request()
        .map_err(|e| Error::invalid(format!("invalid URL \"{}\": {e}", url.to_url())))?;
    let map = request.headers_mut();
    map.insert(
        "Host",
        HeaderValue::from_str(&url.host_header())
            .map_err(|_| Error::invalid("host is not a valid header value"))?,
    );
    for protocol in protocols {
        let valid = !protocol.is_empty()
            && protocol
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
        if !valid {
            return Err(Error::invalid(format!(
                "subprotocol \"{protocol}\" is not a valid token"
            )));
        }
    }
    if !protocols.is_empty() {
        let joined = protocols.join(", ");
        map.insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(&joined).map_err(|_| Error::invalid("invalid subprotocols"))?,
        );
    }
    for header in headers {
        let Some((name, value)) = header.split_once(':') else {
            return Err(Error::invalid(format!(
                "header \"{header}\" is not in the form \"Name: value\""
            )));
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Error::invalid(format!("header name \"{}\" is invalid", name.trim())))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| Error::invalid(format!("header value of \"{name}\" is invalid")))?;
        map.append(name, value);
    }
    Ok(request)
}
