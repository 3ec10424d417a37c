//! Property accessors written from a table. A property whose value lives
//! somewhere a plain `#[var]` cannot reach (the core's `Config`, a TLS identity
//! that is applied when set) needs a getter and a setter `#[func]` that its
//! `#[var(get, set)]` names. gdext resolves those names only in the class's
//! primary `#[godot_api]` block and does not expand macros inside that block,
//! so the macro here writes the whole block: the items given, then the two
//! accessors of each table row.

/// `#[godot_api] impl` of the class with the items given, followed by, for
/// each row `[key]: Type => getter, setter;` (each name after its doc
/// comment), `fn getter(&self) -> Type { read!(self, key) }` and
/// `fn setter(&mut self, value: Type) { write!(self, value, key) }`, where
/// `read` and `write` are the macros named in `accessors(read, write)`.
//
// The doc lines are matched as `tt`, not `literal`: a `literal` fragment
// reaches `#[godot_api]` wrapped in an invisible group, and gdext then writes
// the raw token (`r" ..."`) into the editor help instead of the text.
macro_rules! godot_api_with_accessors {
    (
        impl $class:ident { $($items:tt)* }
        accessors($read:ident, $write:ident) {
            $(
                [$($key:tt)*]: $ty:ty =>
                    $(#[doc = $get_doc:tt])*
                    $get:ident,
                    $(#[doc = $set_doc:tt])*
                    $set:ident;
            )*
        }
    ) => {
        #[::godot::register::godot_api]
        impl $class {
            $($items)*

            $(
                $(#[doc = $get_doc])*
                #[func]
                fn $get(&self) -> $ty {
                    $read!(self, $($key)*)
                }

                $(#[doc = $set_doc])*
                #[func]
                fn $set(&mut self, value: $ty) {
                    $write!(self, value, $($key)*)
                }
            )*
        }
    };
}

pub(crate) use godot_api_with_accessors;
