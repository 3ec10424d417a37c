//! Turning core errors into Godot `Error` codes and readable messages.

use godot::global::{push_error, Error as GdError};

use crate::core::{Error, ErrorKind};

/// The Godot `Error` code for a core error kind.
pub fn code_of(kind: ErrorKind) -> GdError {
    match kind {
        ErrorKind::InvalidParameter => GdError::ERR_INVALID_PARAMETER,
        ErrorKind::NotConnected => GdError::ERR_UNCONFIGURED,
        ErrorKind::Busy | ErrorKind::AlreadyInUse => GdError::ERR_ALREADY_IN_USE,
        ErrorKind::BufferFull => GdError::ERR_OUT_OF_MEMORY,
        ErrorKind::CantResolve => GdError::ERR_CANT_RESOLVE,
        ErrorKind::CantConnect => GdError::ERR_CANT_CONNECT,
        ErrorKind::Timeout => GdError::ERR_TIMEOUT,
        ErrorKind::Tls => GdError::ERR_CONNECTION_ERROR,
        ErrorKind::Protocol => GdError::ERR_INVALID_DATA,
        ErrorKind::DoesNotExist => GdError::ERR_DOES_NOT_EXIST,
        ErrorKind::Io => GdError::FAILED,
    }
}

/// Reports `error` through `push_error` (prefixed with `context`) and returns its code.
pub fn report(context: &str, error: &Error) -> GdError {
    push_error(&[format!("{context}: {}", error.reason()).to_variant()]);
    code_of(error.kind())
}

/// `OK` for success, otherwise the reported error's code.
pub fn to_godot(context: &str, result: crate::core::Result<()>) -> GdError {
    match result {
        Ok(()) => GdError::OK,
        Err(e) => report(context, &e),
    }
}

use godot::prelude::ToGodot;
