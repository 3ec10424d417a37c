//! The properties of `RustWebSocketPeer` that live in its core's `Config`, so
//! that a change reaches an open connection at once. `#[var(get, set)]` can
//! name only the `#[func]`s of a class's primary `#[godot_api]` block, and gdext
//! does not look into macros inside that block; so the macro here writes the
//! whole block: the items given, then each property's getter and setter from
//! one table row.

/// `#[godot_api] impl` of the class with the items given, followed by a
/// getter and a setter `#[func]` for each row `config.field: Type => getter,
/// setter;` (each name with its doc comment). The getter returns the core's
/// `Config` field as the property's type ([`Property`]); the setter converts the
/// value back, updates the core's `Config` and wakes the owning server.
///
/// [`Property`]: crate::godot::convert::Property
//
// The doc lines are matched as `tt`, not `literal`: a `literal` fragment reaches
// `#[godot_api]` wrapped in an invisible group, and gdext then writes the raw
// token (`r" ..."`) into the editor help instead of the text.
macro_rules! api_with_config_properties {
    (
        impl $class:ident { $($items:tt)* }
        $(
            config.$field:ident: $ty:ty =>
                $(#[doc = $get_doc:tt])*
                $get:ident,
                $(#[doc = $set_doc:tt])*
                $set:ident;
        )*
    ) => {
        #[::godot::register::godot_api]
        impl $class {
            $($items)*

            $(
                $(#[doc = $get_doc])*
                #[func]
                fn $get(&self) -> $ty {
                    $crate::godot::convert::Property::to_property(&self.core.config().$field)
                }

                $(#[doc = $set_doc])*
                #[func]
                fn $set(&mut self, value: $ty) {
                    self.update_config(|c| {
                        c.$field = $crate::godot::convert::Property::from_property(value)
                    });
                }
            )*
        }
    };
}

pub(super) use api_with_config_properties;
