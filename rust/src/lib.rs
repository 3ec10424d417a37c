//! websocket_peer: a WebSocket peer, client and server for Godot 4 with the
//! Godot 3 `WebSocketPeer` API and signals.

pub mod core;
