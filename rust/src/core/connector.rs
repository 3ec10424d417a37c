//! Name resolution, the TCP connect and an optional HTTP CONNECT proxy tunnel,
//! done on a short-lived thread because the OS offers no non-blocking resolver.
//! The caller polls [`Connector::try_take`] and never waits.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use super::error::{Error, ErrorKind, Result};
use super::proxy::ProxyUrl;

/// A connection being made in the background.
pub struct Connector {
    result: Receiver<Result<TcpStream>>,
}

impl Connector {
    /// Starts resolving and connecting to `host:port`, through `proxy` if given,
    /// giving up at `deadline`.
    pub fn start(host: String, port: u16, proxy: Option<ProxyUrl>, deadline: Instant) -> Self {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("websocket-connect".into())
            .spawn(move || {
                let result = match &proxy {
                    None => connect_direct(&host, port, deadline),
                    Some(proxy) => connect_via_proxy(proxy, &host, port, deadline),
                };
                // The peer may have given up already; then nobody wants the socket.
                let _ = tx.send(result);
            });
        if let Err(e) = spawned {
            let (tx, rx) = mpsc::channel();
            let _ = tx.send(Err(Error::from_io(
                "could not start the connect thread",
                &e,
            )));
            return Self { result: rx };
        }
        Self { result: rx }
    }

    /// The connected socket or the failure, once there is one.
    pub fn try_take(&mut self) -> Option<Result<TcpStream>> {
        match self.result.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(Error::new(
                ErrorKind::Io,
                "the connect thread ended without a result",
            ))),
        }
    }
}

fn remaining(deadline: Instant) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(Error::new(ErrorKind::Timeout, "connection timed out"))
    } else {
        Ok(left)
    }
}

fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::new(
                ErrorKind::CantResolve,
                format!("could not resolve host \"{host}\": {e}"),
            )
        })?
        .collect();
    if addrs.is_empty() {
        return Err(Error::new(
            ErrorKind::CantResolve,
            format!("host \"{host}\" has no address"),
        ));
    }
    Ok(addrs)
}

/// Connects to the first address of `host` that answers.
pub fn connect_direct(host: &str, port: u16, deadline: Instant) -> Result<TcpStream> {
    let addrs = resolve(host, port)?;
    let mut last = None;
    for addr in &addrs {
        let left = remaining(deadline)?;
        match TcpStream::connect_timeout(addr, left) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(Error::from_io(&format!("could not connect to {addr}"), &e)),
        }
    }
    Err(last.unwrap_or_else(|| Error::new(ErrorKind::CantConnect, "no address to connect to")))
}

/// Opens a tunnel to `host:port` through an HTTP CONNECT proxy.
fn connect_via_proxy(
    proxy: &ProxyUrl,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<TcpStream> {
    let mut stream = connect_direct(&proxy.host, proxy.port, deadline).map_err(|e| {
        Error::new(
            e.kind(),
            format!("proxy {}:{}: {}", proxy.host, proxy.port, e.reason()),
        )
    })?;
    let io_err = |e: std::io::Error| Error::from_io("proxy", &e);
    stream
        .set_read_timeout(Some(remaining(deadline)?))
        .map_err(io_err)?;
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(io_err)?;
    stream
        .write_all(proxy.connect_request(host, port).as_bytes())
        .map_err(io_err)?;
    // Read byte by byte up to the blank line so no tunnelled byte is consumed.
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err(Error::new(
                ErrorKind::Protocol,
                "proxy answer headers exceed 16 KiB",
            ));
        }
        match stream.read(&mut byte) {
            Ok(0) => {
                return Err(Error::new(
                    ErrorKind::CantConnect,
                    "proxy closed the connection before answering CONNECT",
                ))
            }
            Ok(_) => head.push(byte[0]),
            Err(e) => return Err(io_err(e)),
        }
    }
    let status_line = String::from_utf8_lossy(&head);
    let status_line = status_line.lines().next().unwrap_or_default().to_string();
    let code = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok());
    match code {
        Some(200..=299) => {
            stream.set_read_timeout(None).map_err(io_err)?;
            stream.set_write_timeout(None).map_err(io_err)?;
            Ok(stream)
        }
        Some(status) => Err(Error::new(
            ErrorKind::CantConnect,
            format!("proxy refused CONNECT with HTTP {status}: \"{status_line}\""),
        )),
        None => Err(Error::new(
            ErrorKind::Protocol,
            format!("proxy sent a malformed answer: \"{status_line}\""),
        )),
    }
}
