//! The listening socket: `"*"` binds every IPv6 and IPv4 address (IPv4 only
//! where there is no IPv6), an IP address binds that one; a port in use is
//! reported as such.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

use super::error::{Error, ErrorKind, Result};

/// Binds `port` (0 picks a free one) at `bind_address`.
pub(crate) fn bind(port: u16, bind_address: &str) -> Result<TcpListener> {
    let in_use = |addr: &SocketAddr, e: &io::Error| {
        if e.kind() == io::ErrorKind::AddrInUse {
            Error::new(
                ErrorKind::AlreadyInUse,
                format!("port {port} is already in use on {}", addr.ip()),
            )
        } else {
            Error::from_io(&format!("could not listen on {addr}"), e)
        }
    };
    if bind_address == "*" || bind_address.is_empty() {
        // On dual-stack systems [::] also takes IPv4; without IPv6, fall back to IPv4 only.
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
        return match TcpListener::bind(v6) {
            Ok(l) => Ok(l),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => Err(in_use(&v6, &e)),
            Err(_) => {
                let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
                TcpListener::bind(v4).map_err(|e| in_use(&v4, &e))
            }
        };
    }
    let ip: IpAddr = bind_address.parse().map_err(|_| {
        Error::invalid(format!(
            "bind address \"{bind_address}\" is not an IP address or \"*\""
        ))
    })?;
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr).map_err(|e| in_use(&addr, &e))
}
