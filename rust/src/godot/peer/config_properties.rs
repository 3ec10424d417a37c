//! The properties of `RustWebSocketPeer` that live in its core's `Config`, so
//! that a change reaches an open connection at once: how their accessors
//! (written by `godot_api_with_accessors!`) read and write a `Config` field.

/// Reads the core's `Config` field as its property ([`Property`]).
///
/// [`Property`]: crate::godot::convert::Property
macro_rules! config_get {
    ($this:ident, $field:ident) => {
        $crate::godot::convert::Property::to_property(&$this.core.config().$field)
    };
}

/// Writes a property value into the core's `Config` field and wakes the
/// owning server; an open connection takes the change at once.
macro_rules! config_set {
    ($this:ident, $value:ident, $field:ident) => {
        $this.update_config(|c| c.$field = $crate::godot::convert::Property::from_property($value))
    };
}

pub(super) use {config_get, config_set};
