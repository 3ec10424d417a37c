//! The `WriteMode` and `State` enums, registered as real ClassDB enums so the
//! editor and `ClassDB.class_get_enum_list()` know them.

use godot::obj::GodotClass;
use godot::prelude::StringName;
// The only way to register a class-level enum; the derive macros make plain ints.
use godot::register::private::constant::{ConstantKind, ExportConstant, IntegerConstant};

use super::peer::WebSocketPeer;

/// Text frames (valid UTF-8 only).
pub const WRITE_MODE_TEXT: i64 = 0;
/// Binary frames (any bytes).
pub const WRITE_MODE_BINARY: i64 = 1;

/// Registers the enums of `RustWebSocketPeer`.
pub fn register() {
    let class = WebSocketPeer::class_id();
    ExportConstant::new(
        class,
        ConstantKind::Enum {
            name: StringName::from("WriteMode"),
            enumerators: vec![
                IntegerConstant::new("WRITE_MODE_TEXT", WRITE_MODE_TEXT),
                IntegerConstant::new("WRITE_MODE_BINARY", WRITE_MODE_BINARY),
            ],
        },
    )
    .register();
    ExportConstant::new(
        class,
        ConstantKind::Enum {
            name: StringName::from("State"),
            enumerators: vec![
                IntegerConstant::new("STATE_CONNECTING", 0),
                IntegerConstant::new("STATE_OPEN", 1),
                IntegerConstant::new("STATE_CLOSING", 2),
                IntegerConstant::new("STATE_CLOSED", 3),
            ],
        },
    )
    .register();
}
