#!/usr/bin/env python3
"""Writes a few valid inputs for the read_path target into the corpus folder
given as argument, so the fuzzer starts from real handshakes and frames
instead of discovering them byte by byte. Layout: see websocket_peer::fuzzing::feed (rust/src/fuzzing.rs)."""
import os
import struct
import sys

SYNTH, SMALL_WRITES, CLOSE_MIDWAY, HANG_UP = 0x10, 0x20, 0x40, 0x80
BIG_READS = 0x0F
FAST, SEND_EACH_POLL, DEFER_TAKE = 0x3F, 0x40, 0x80
MASK = b"\x01\x02\x03\x04"


def frame(opcode, payload, masked, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    m = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([m | n])
    elif n <= 0xFFFF:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if masked:
        return head + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))
    return head + payload


def close(code, reason=b""):
    return struct.pack(">H", code) + reason


REQUEST = (b"GET /x?y=1 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           b"Sec-WebSocket-Protocol: chat, x\r\n\r\n")
RESPONSE = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")


def frames(masked):
    return (frame(1, "hé".encode(), masked) + frame(2, bytes(range(200)), masked)
            + frame(9, b"ping", masked) + frame(1, b"frag", masked, fin=False)
            + frame(0, b"ment", masked) + frame(8, close(1000, b"bye"), masked))


SEEDS = {
    "server_frames": bytes([SYNTH | HANG_UP | BIG_READS, FAST]) + frames(True),
    "client_frames": bytes([SYNTH | HANG_UP | BIG_READS, FAST]) + frames(False),
    "server_request": bytes([BIG_READS, FAST]) + REQUEST,
    "client_response": bytes([HANG_UP | 0x07, 0x10]) + RESPONSE + frames(False),
    "oversized": bytes([SYNTH | HANG_UP | BIG_READS, FAST]) + frame(2, b"", False)[:1] + b"\x7f" + struct.pack(">Q", 1 << 40),
    "bad_close": bytes([SYNTH | BIG_READS, FAST]) + frame(8, close(999, b"x"), True),
    "busy_local": bytes([SYNTH | SMALL_WRITES | CLOSE_MIDWAY | 0x03, SEND_EACH_POLL | DEFER_TAKE | 0x01])
    + frames(True) * 3,
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(out, "seed_" + name), "wb") as f:
        f.write(data)
print(f"wrote {len(SEEDS)} seeds to {out}")
