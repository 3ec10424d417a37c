//! The opening handshakes, driven without blocking: optional TLS first, then the
//! HTTP upgrade. Each `advance` call does what the socket allows and returns.

use std::cell::RefCell;
use std::net::{SocketAddr, TcpStream};
use std::rc::Rc;

use tungstenite::handshake::client::{ClientHandshake as WsClient, Request};
use tungstenite::handshake::server::{
    Callback, ErrorResponse, Request as ServerRequest, Response as ServerResponse,
    ServerHandshake as WsServer,
};
use tungstenite::handshake::{HandshakeError, MidHandshake};
use tungstenite::http::{HeaderName, HeaderValue, StatusCode};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::WebSocket;

use super::error::{Error, ErrorKind, Result};
use super::transport::{Duplex, Transport};

/// What one step of a TLS handshake (client or server) gives.
type TlsResult =
    std::result::Result<native_tls::TlsStream<TcpStream>, native_tls::HandshakeError<TcpStream>>;

/// Where a handshake stands after one step.
pub enum Progress<H> {
    /// Still waiting on the socket; call `advance` again later.
    Pending(H),
    /// The connection is open.
    Done(Box<WebSocket<Duplex>>, HandshakeInfo),
    /// The handshake failed for the given reason.
    Failed(Error),
}

/// What the handshake negotiated and, on the server, what the client asked for.
#[derive(Debug, Clone, Default)]
pub struct HandshakeInfo {
    /// The subprotocol both sides agreed on, or empty.
    pub protocol: String,
    /// Server side: the path and query the client requested.
    pub request_path: String,
    /// Server side: the client's request headers as `Name: value`.
    pub request_headers: Vec<String>,
    /// The remote socket address.
    pub remote: Option<SocketAddr>,
}

fn prepare(stream: &TcpStream, no_delay: bool) -> Result<()> {
    stream
        .set_nonblocking(true)
        .map_err(|e| Error::from_io("could not make the socket non-blocking", &e))?;
    // Not every socket type supports it; a failure only costs latency.
    let _ = stream.set_nodelay(no_delay);
    Ok(())
}

/// Client side of the handshake.
pub enum ClientHandshake {
    /// TLS negotiation in progress; the upgrade request waits.
    Tls(
        native_tls::MidHandshakeTlsStream<TcpStream>,
        Box<ClientSetup>,
    ),
    /// HTTP upgrade in progress.
    Upgrade(Box<MidHandshake<WsClient<Duplex>>>),
}

/// Everything the upgrade request needs once the transport is ready.
pub struct ClientSetup {
    /// The request to send.
    pub request: Request,
    /// Limits for the resulting connection.
    pub config: WebSocketConfig,
}

impl ClientHandshake {
    /// Starts on a connected socket; `tls` holds the connector and the server name for `wss://`.
    pub fn start(
        stream: TcpStream,
        no_delay: bool,
        tls: Option<(native_tls::TlsConnector, String)>,
        setup: ClientSetup,
    ) -> Progress<Self> {
        match (prepare(&stream, no_delay), tls) {
            (Err(e), _) => Progress::Failed(e),
            (Ok(()), None) => Self::upgrade(Transport::plain(stream), setup),
            (Ok(()), Some((connector, host))) => {
                Self::tls_step(connector.connect(&host, stream), setup)
            }
        }
    }

    /// Does whatever the socket allows now.
    pub fn advance(self) -> Progress<Self> {
        match self {
            ClientHandshake::Tls(mid, setup) => Self::tls_step(mid.handshake(), *setup),
            ClientHandshake::Upgrade(mid) => {
                let plain = mid.get_ref().get_ref().socket().is_plain();
                Self::upgrade_step(mid.handshake(), plain)
            }
        }
    }

    fn tls_step(result: TlsResult, setup: ClientSetup) -> Progress<Self> {
        match result {
            Ok(tls) => Self::upgrade(Transport::tls(tls), setup),
            Err(native_tls::HandshakeError::WouldBlock(mid)) => {
                Progress::Pending(ClientHandshake::Tls(mid, Box::new(setup)))
            }
            Err(native_tls::HandshakeError::Failure(e)) => {
                let detail = e.to_string();
                let hint = if looks_like_plain_server(&detail) {
                    "; if the server does not speak TLS, connect with ws://"
                } else {
                    ""
                };
                Progress::Failed(Error::new(
                    ErrorKind::Tls,
                    format!("TLS handshake failed: {detail}{hint}"),
                ))
            }
        }
    }

    pub(crate) fn upgrade(transport: Transport, setup: ClientSetup) -> Progress<Self> {
        let plain = transport.is_plain();
        match WsClient::start(Duplex::new(transport), setup.request, Some(setup.config)) {
            Ok(mid) => Self::upgrade_step(mid.handshake(), plain),
            Err(e) => Progress::Failed(client_error(e, plain)),
        }
    }

    fn upgrade_step(
        result: std::result::Result<
            (WebSocket<Duplex>, tungstenite::handshake::client::Response),
            HandshakeError<WsClient<Duplex>>,
        >,
        plain: bool,
    ) -> Progress<Self> {
        match result {
            Ok((ws, response)) => {
                let protocol = response
                    .headers()
                    .get("Sec-WebSocket-Protocol")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let remote = ws.get_ref().socket().peer_addr();
                let info = HandshakeInfo {
                    protocol,
                    remote,
                    ..HandshakeInfo::default()
                };
                Progress::Done(Box::new(ws), info)
            }
            Err(HandshakeError::Interrupted(mut mid)) => {
                match mid.get_mut().get_mut().flush_out() {
                    Ok(_) => Progress::Pending(ClientHandshake::Upgrade(Box::new(mid))),
                    Err(e) => Progress::Failed(Error::from_io("sending the upgrade request", &e)),
                }
            }
            Err(HandshakeError::Failure(e)) => Progress::Failed(client_error(e, plain)),
        }
    }
}

/// Whether a client TLS failure reads like a server that answered without TLS:
/// it hung up on the hello or sent bytes that are no TLS record.
fn looks_like_plain_server(detail: &str) -> bool {
    let detail = detail.to_ascii_lowercase();
    [
        "unexpected eof",
        "wrong version number",
        "packet length too long",
    ]
    .iter()
    .any(|sign| detail.contains(sign))
}

/// The start of a refusal's body, as one line of readable text, or empty.
fn body_excerpt(body: Option<&[u8]>) -> String {
    const MOST: usize = 200;
    let Some(body) = body else {
        return String::new();
    };
    let text: String = String::from_utf8_lossy(body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() <= MOST {
        text
    } else {
        text.chars().take(MOST).chain("…".chars()).collect()
    }
}

/// Turns a client handshake failure into a reason a person can act on; `plain`
/// tells whether the socket speaks without TLS, which explains a server hanging up.
fn client_error(e: tungstenite::Error, plain: bool) -> Error {
    use tungstenite::error::{ProtocolError as P, SubProtocolError as S};
    use tungstenite::Error as W;
    const TLS_HINT: &str = "; if the server expects TLS, connect with wss://";
    let hint = if plain { TLS_HINT } else { "" };
    let (kind, reason) = match e {
        W::Http(response) => {
            // Servers say why they refuse in the body (ours does for subprotocols).
            let why = body_excerpt(response.body().as_deref());
            let mut reason = format!(
                "server answered HTTP {} instead of switching to WebSocket",
                response.status()
            );
            if !why.is_empty() {
                reason.push_str(": ");
                reason.push_str(&why);
            }
            (ErrorKind::Protocol, reason)
        }
        W::Protocol(P::SecWebSocketAcceptKeyMismatch) => (
            ErrorKind::Protocol,
            "server sent a wrong Sec-WebSocket-Accept key".to_string(),
        ),
        W::Protocol(P::SecWebSocketSubProtocolError(S::NoSubProtocol)) => (
            ErrorKind::Protocol,
            "server accepted none of the requested subprotocols".to_string(),
        ),
        W::Protocol(P::SecWebSocketSubProtocolError(S::InvalidSubProtocol)) => (
            ErrorKind::Protocol,
            "server chose a subprotocol that was not requested".to_string(),
        ),
        W::Protocol(P::SecWebSocketSubProtocolError(S::ServerSentSubProtocolNoneRequested)) => (
            ErrorKind::Protocol,
            "server chose a subprotocol although none was requested".to_string(),
        ),
        W::Protocol(P::HandshakeIncomplete) => (
            ErrorKind::Protocol,
            format!("server closed the connection during the WebSocket handshake{hint}"),
        ),
        W::Protocol(P::HttparseError(e)) => (
            ErrorKind::Protocol,
            format!("server did not answer with HTTP ({e}){hint}"),
        ),
        W::Io(e) => {
            let err = Error::from_io("WebSocket handshake", &e);
            let hung_up = matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof
            );
            if !hung_up || !plain {
                return err;
            }
            return Error::new(err.kind(), format!("{}{hint}", err.reason()));
        }
        other => (
            ErrorKind::Protocol,
            format!("WebSocket handshake failed: {other}"),
        ),
    };
    Error::new(kind, reason)
}

/// What a server needs to answer upgrade requests.
#[derive(Clone, Default)]
pub struct ServerSetup {
    /// Subprotocols the server speaks, in order of preference of the client.
    pub protocols: Rc<[String]>,
    /// Extra response headers as `(name, value)`.
    pub extra_headers: Rc<[(String, String)]>,
    /// Limits for accepted connections.
    pub config: WebSocketConfig,
    /// The server's budget (which counts its open connections) and `max_peers`
    /// (0: no limit): a request completed when the server is full gets a 503.
    pub capacity: Option<(super::budget::Budget, usize)>,
}

/// What the upgrade callback saw and decided, read back once the answer is sent.
#[derive(Default)]
pub struct Negotiation {
    info: HandshakeInfo,
    /// Why the request is refused; the answer is then an HTTP error, not a 101.
    refusal: Option<String>,
    /// The refusal is for lack of room (`max_peers`), not for the request.
    full: bool,
}

type Negotiated = Rc<RefCell<Negotiation>>;

/// Picks the subprotocol, adds extra headers and records the request.
pub struct Negotiator {
    setup: ServerSetup,
    info: Negotiated,
}

impl Callback for Negotiator {
    fn on_request(
        self,
        request: &ServerRequest,
        mut response: ServerResponse,
    ) -> std::result::Result<ServerResponse, ErrorResponse> {
        let mut negotiation = self.info.borrow_mut();
        let Negotiation {
            info,
            refusal,
            full,
        } = &mut *negotiation;
        info.request_path = request.uri().to_string();
        info.request_headers = request
            .headers()
            .iter()
            .map(|(k, v)| format!("{}: {}", k.as_str(), String::from_utf8_lossy(v.as_bytes())))
            .collect();
        if let Some((budget, max_peers)) = &self.setup.capacity {
            if let Some(reason) = budget.peers_full(*max_peers) {
                let response = refusal_response(StatusCode::SERVICE_UNAVAILABLE, &reason);
                *refusal = Some(reason);
                *full = true;
                return Ok(response);
            }
        }
        let offered: Vec<&str> = request
            .headers()
            .get_all("Sec-WebSocket-Protocol")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if !offered.is_empty() && !self.setup.protocols.is_empty() {
            let Some(chosen) = offered
                .iter()
                .find(|p| self.setup.protocols.iter().any(|s| s == *p))
            else {
                let reason = format!(
                    "the server supports none of the requested subprotocols (requested: {}; supported: {})",
                    offered.join(", "),
                    self.setup.protocols.join(", ")
                );
                let response = refusal_response(StatusCode::BAD_REQUEST, &reason);
                *refusal = Some(reason);
                return Ok(response);
            };
            info.protocol = chosen.to_string();
            if let Ok(value) = HeaderValue::from_str(chosen) {
                response
                    .headers_mut()
                    .insert("Sec-WebSocket-Protocol", value);
            }
        }
        for (name, value) in self.setup.extra_headers.iter() {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                response.headers_mut().append(n, v);
            }
        }
        Ok(response)
    }
}

/// An HTTP error answer announcing a body of `reason`. Returned from the
/// callback as a success on purpose: tungstenite drops the socket with a refusal
/// still unsent in our buffer, so the body is appended and flushed by us.
fn refusal_response(status: StatusCode, reason: &str) -> ServerResponse {
    let mut response = ServerResponse::new(());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        "Content-Type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert("Content-Length", HeaderValue::from(reason.len()));
    headers.insert("Connection", HeaderValue::from_static("close"));
    response
}

/// Server side of the handshake.
pub enum ServerHandshake {
    /// TLS negotiation in progress.
    Tls(native_tls::MidHandshakeTlsStream<TcpStream>, ServerSetup),
    /// Waiting for or answering the upgrade request.
    Upgrade(Box<MidHandshake<WsServer<Duplex, Negotiator>>>, Negotiated),
}

impl ServerHandshake {
    /// Starts on an accepted socket, with TLS when an acceptor is given.
    pub fn start(
        stream: TcpStream,
        no_delay: bool,
        tls: Option<&native_tls::TlsAcceptor>,
        setup: ServerSetup,
    ) -> Progress<Self> {
        match (prepare(&stream, no_delay), tls) {
            (Err(e), _) => Progress::Failed(e),
            (Ok(()), None) => Self::upgrade(Transport::plain(stream), setup),
            (Ok(()), Some(acceptor)) => Self::tls_step(acceptor.accept(stream), setup),
        }
    }

    /// Does whatever the socket allows now.
    pub fn advance(self) -> Progress<Self> {
        match self {
            ServerHandshake::Tls(mid, setup) => Self::tls_step(mid.handshake(), setup),
            ServerHandshake::Upgrade(mid, info) => Self::upgrade_step(mid.handshake(), info),
        }
    }

    fn tls_step(result: TlsResult, setup: ServerSetup) -> Progress<Self> {
        match result {
            Ok(tls) => Self::upgrade(Transport::tls(tls), setup),
            Err(native_tls::HandshakeError::WouldBlock(mid)) => {
                Progress::Pending(ServerHandshake::Tls(mid, setup))
            }
            Err(native_tls::HandshakeError::Failure(e)) => Progress::Failed(Error::new(
                ErrorKind::Tls,
                format!("TLS handshake with client failed: {e}"),
            )),
        }
    }

    pub(crate) fn upgrade(transport: Transport, setup: ServerSetup) -> Progress<Self> {
        let info = Negotiated::default();
        info.borrow_mut().info.remote = transport.peer_addr();
        let config = setup.config;
        let negotiator = Negotiator {
            setup,
            info: info.clone(),
        };
        let mid = WsServer::start(Duplex::new(transport), negotiator, Some(config));
        Self::upgrade_step(mid.handshake(), info)
    }

    fn upgrade_step(
        result: std::result::Result<
            WebSocket<Duplex>,
            HandshakeError<WsServer<Duplex, Negotiator>>,
        >,
        info: Negotiated,
    ) -> Progress<Self> {
        match result {
            Ok(mut ws) => {
                let (refusal, full) = {
                    let mut negotiation = info.borrow_mut();
                    (negotiation.refusal.take(), negotiation.full)
                };
                if let Some(reason) = refusal {
                    let duplex = ws.get_mut();
                    duplex.out_buffer().extend_from_slice(reason.as_bytes());
                    // Best effort: a fresh socket takes a short answer whole, and
                    // the refused client is not worth waiting for.
                    let _ = duplex.flush_out();
                    let kind = if full {
                        ErrorKind::Busy
                    } else {
                        ErrorKind::Protocol
                    };
                    return Progress::Failed(Error::new(kind, format!("client refused: {reason}")));
                }
                // The 101 answer is only buffered; send it now, not at the peer's first poll.
                if let Err(e) = ws.get_mut().flush_out() {
                    return Progress::Failed(Error::from_io("answering the upgrade", &e));
                }
                let info = info.borrow().info.clone();
                Progress::Done(Box::new(ws), info)
            }
            Err(HandshakeError::Interrupted(mut mid)) => {
                match mid.get_mut().get_mut().flush_out() {
                    Ok(_) => Progress::Pending(ServerHandshake::Upgrade(Box::new(mid), info)),
                    Err(e) => Progress::Failed(Error::from_io("answering the upgrade", &e)),
                }
            }
            Err(HandshakeError::Failure(e)) => Progress::Failed(Error::new(
                ErrorKind::Protocol,
                format!("client handshake rejected: {e}"),
            )),
        }
    }
}
