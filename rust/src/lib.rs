//! websocket_peer: a WebSocket peer, client and server for Godot 4 with the
//! Godot 3 `WebSocketPeer` API and signals.

pub mod core;
/// The fuzz target's and its seed tests' way into the read path.
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod godot;

use ::godot::init::{gdextension, ExtensionLibrary, InitStage};

struct WebSocketPeerExtension;

#[gdextension]
unsafe impl ExtensionLibrary for WebSocketPeerExtension {
    fn on_stage_init(stage: InitStage) {
        if stage == InitStage::Scene {
            godot::enums::register();
        }
    }
}
