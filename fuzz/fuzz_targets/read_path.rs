//! Arbitrary bytes as everything the remote side sends, in both roles: our
//! client reading a server's answer and frames, our server reading a client's
//! request and frames. `fuzzing::feed` documents the input layout and
//! panics on any broken promise (events after Closed, oversized or non-UTF-8
//! messages, a hang-up that leaves the connection open).
#![no_main]

use libfuzzer_sys::fuzz_target;
use websocket_peer::fuzzing::{feed, Side};

fuzz_target!(|data: &[u8]| {
    feed(Side::Client, data);
    feed(Side::Server, data);
});
