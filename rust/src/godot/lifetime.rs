//! Keeping an object alive across its own signal emissions.
//!
//! GDScript does not hold a reference to the object whose method it calls, so
//! a signal handler that drops the last reference (`peer = null`) would free
//! the object while its `poll()` still runs. `poll()` holds its own reference
//! and, if that became the last one, hands it to a deferred call so the object
//! is released after the method has returned.

use godot::classes::RefCounted;
use godot::obj::{Gd, GodotClass, Inherits};
use godot::prelude::Callable;

/// Drops `keep_alive` now if others still hold the object, else at the end of the frame.
pub fn release_after_call<T>(keep_alive: Gd<T>)
where
    T: GodotClass + Inherits<RefCounted>,
{
    // Borrowing the base (no clone, no cast) keeps this off the per-message
    // cost: each `Gd` clone or cast is a liveness check in godot-rust.
    if keep_alive.upcast_ref::<RefCounted>().get_reference_count() > 1 {
        return;
    }
    let mut slot = Some(keep_alive);
    Callable::from_fn("websocket_peer_release", move |_| {
        slot.take();
    })
    .call_deferred(&[]);
}
