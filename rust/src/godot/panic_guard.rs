//! Containing Rust panics at the engine boundary: a panic unwinding out of an
//! engine virtual or a `#[func]` into Godot aborts the whole game.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// A class that can bring itself to a safe state after a panic in its code.
pub(crate) trait ContainsPanics {
    /// Reports the panic that happened in `what` and drops the state the
    /// panicking code may have left half-changed.
    fn contain_panic(&mut self, what: &str);
}

/// Runs `f` on `this`; if it panics, `this` contains the panic and `on_panic`
/// is returned instead.
pub(crate) fn guarded<T: ContainsPanics, R>(
    this: &mut T,
    what: &str,
    on_panic: R,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    match catch_unwind(AssertUnwindSafe(|| f(this))) {
        Ok(r) => r,
        Err(_) => {
            this.contain_panic(what);
            on_panic
        }
    }
}
