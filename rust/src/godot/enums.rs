//! The `WriteMode` and `State` enums of `RustWebSocketPeer`: registered as
//! real ClassDB enums, so the editor and `ClassDB.class_get_enum_list()` know
//! them, and used as the types of the methods that take or return them, so
//! ClassDB and the editor help show `get_write_mode() -> WriteMode` as the
//! Godot 3 API declares it, not `int`.
//!
//! A method's argument and return types come from the Rust type's
//! [`GodotConvert::godot_shape`] (public API): an enum shape with a Godot
//! name gives the `class_name` `RustWebSocketPeer.WriteMode` and the
//! `PROPERTY_USAGE_CLASS_IS_ENUM` flag. gdext 0.5.5 has no public way to
//! register a class enum or to document its constants (godot-rust/gdext#890),
//! so both go through its private registration modules.

use std::borrow::Cow;

use godot::builtin::VariantType;
use godot::meta::conv::ByValue;
use godot::meta::error::ConvertError;
use godot::meta::shape::{EnumeratorShape, GodotShape};
use godot::meta::{FromGodot, GodotConvert, GodotImmutable, ToGodot};
use godot::obj::GodotClass;
use godot::prelude::StringName;
// The only way to register a class-level enum; the derive macros make plain ints.
use godot::register::private::constant::{ConstantKind, ExportConstant, IntegerConstant};

use super::peer::WebSocketPeer;

/// Declares one enum of `RustWebSocketPeer`: a Rust type for the methods'
/// signatures, its ClassDB registration and its constants' editor help, all
/// from one list of constants.
macro_rules! class_enum {
    (
        $(#[$meta:meta])*
        $Type:ident = $name:literal {
            $( $(#[doc = $doc:literal])+ $CONST:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Any integer converts from GDScript, so that a wrong value gets
        /// this addon's own error rather than gdext's conversion failure.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $Type(pub i64);

        #[allow(dead_code)]
        impl $Type {
            $( $(#[doc = $doc])+ pub const $CONST: Self = Self($value); )+

            const ENUMERATORS: &'static [EnumeratorShape] =
                &[$( EnumeratorShape::new_int(stringify!($CONST), $value), )+];

            /// The constants' `<constant>` elements of the class reference.
            const DOCS_XML: &'static str = concat!($(
                "<constant name=\"", stringify!($CONST), "\" value=\"", stringify!($value),
                "\" enum=\"", $name, "\">", $($doc, "\n",)+ "</constant>",
            )+);

            fn register() {
                ExportConstant::new(
                    WebSocketPeer::class_id(),
                    ConstantKind::Enum {
                        name: StringName::from($name),
                        enumerators: vec![$( IntegerConstant::new(stringify!($CONST), $value), )+],
                    },
                )
                .register();
            }
        }

        // The constants' editor help: gdext documents `#[constant]`s only,
        // which are plain ints, so the XML is added the way its `#[godot_api]`
        // macro adds theirs.
        godot::sys::shard_add!(godot::private::__GODOT_DOCS_REGISTRY;
            godot::private::DocsShard::new::<WebSocketPeer>(godot::private::DocsItem::InherentImpl(
                godot::private::InherentImplDocs {
                    methods_xml: "",
                    signals_xml: "",
                    constants_xml: $Type::DOCS_XML,
                },
            ))
        );

        impl GodotConvert for $Type {
            type Via = i64;

            fn godot_shape() -> GodotShape {
                GodotShape::Enum {
                    variant_type: VariantType::INT,
                    enumerators: Cow::Borrowed(Self::ENUMERATORS),
                    godot_name: Some(Cow::Owned(format!("{}.{}", WebSocketPeer::class_id(), $name))),
                    is_bitfield: false,
                }
            }
        }

        impl ToGodot for $Type {
            type Pass = ByValue;

            fn to_godot(&self) -> i64 {
                self.0
            }
        }

        // SAFETY: a `Copy` type: every default value is an independent copy.
        unsafe impl GodotImmutable for $Type {}

        impl FromGodot for $Type {
            fn try_from_godot(via: i64) -> Result<Self, ConvertError> {
                Ok(Self(via))
            }
        }
    };
}

class_enum! {
    /// How `put_packet()` and `put_var()` send: `RustWebSocketPeer.WriteMode`.
    WriteMode = "WriteMode" {
        /// Text frames: the data must be valid UTF-8.
        WRITE_MODE_TEXT = 0,
        /// Binary frames: any bytes (the default).
        WRITE_MODE_BINARY = 1,
    }
}

class_enum! {
    /// The connection state: `RustWebSocketPeer.State`, Godot 4's values.
    State = "State" {
        /// Connecting: resolving, TCP, TLS or the HTTP upgrade is in progress.
        STATE_CONNECTING = 0,
        /// Open: messages flow both ways.
        STATE_OPEN = 1,
        /// Closing: the close handshake is in progress; nothing more can be sent.
        STATE_CLOSING = 2,
        /// Closed, or never connected. Messages that arrived before stay readable.
        STATE_CLOSED = 3,
    }
}

impl WriteMode {
    /// Whether this is one of the two modes.
    pub fn is_valid(self) -> bool {
        self == Self::WRITE_MODE_TEXT || self == Self::WRITE_MODE_BINARY
    }
}

/// Registers the enums of `RustWebSocketPeer`.
pub fn register() {
    WriteMode::register();
    State::register();
}
