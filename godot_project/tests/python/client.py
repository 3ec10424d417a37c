#!/usr/bin/env python3
"""A client on an independent WebSocket implementation (the `websockets`
library), for interop tests of our server.

    client.py URL --result-file PATH [--protocol P] [--header "Name: value"]...

Expects the server to greet it with the text "welcome" and then to echo every
message (text as text, binary as binary). Sends text, binary, an empty text,
an empty binary and a 1 MiB binary message, checks each echo, then closes with
code 4000 "py bye" and checks the server answered with the same code.
Writes a JSON result {"ok", "errors", "protocol", "close_code"} to PATH and
exits 0 when every check passed, 1 otherwise.
"""
import argparse
import asyncio
import sys

from result_file import run_and_report
from websockets.asyncio.client import connect

TIMEOUT = 10.0
BIG = bytes(i % 251 for i in range(1 << 20))
MESSAGES = ["héllo ✓", b"\x00\x01\xff", "", b"", BIG]


def describe(m):
    kind = "text" if isinstance(m, str) else "binary"
    return f"{kind} of {len(m)} {'chars' if kind == 'text' else 'bytes'}"


async def run(args, result):
    errors = result["errors"]
    headers = [tuple(part.strip() for part in h.split(":", 1)) for h in args.header]
    protocols = [args.protocol] if args.protocol else None
    ws = await asyncio.wait_for(connect(args.url, subprotocols=protocols, additional_headers=headers,
                                        max_size=None, compression=None, ping_interval=None), TIMEOUT)
    result["protocol"] = ws.subprotocol or ""
    if args.protocol and ws.subprotocol != args.protocol:
        errors.append(f"subprotocol: expected {args.protocol!r}, got {ws.subprotocol!r}")
    greeting = await asyncio.wait_for(ws.recv(), TIMEOUT)
    if greeting != "welcome":
        errors.append(f"greeting: expected 'welcome', got {greeting!r}")
    for message in MESSAGES:
        await ws.send(message)
        echo = await asyncio.wait_for(ws.recv(), TIMEOUT)
        if type(echo) is not type(message) or echo != message:
            errors.append(f"echo of {describe(message)}: got {describe(echo)}"
                          + ("" if type(echo) is not type(message) else " with other content"))
    await asyncio.wait_for(ws.close(4000, "py bye"), TIMEOUT)
    received = ws.protocol.close_rcvd
    result["close_code"] = received.code if received else None
    if received is None or received.code != 4000:
        errors.append(f"close reply: expected code 4000, got {received}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--result-file", required=True)
    parser.add_argument("--protocol", default="")
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    result = {"ok": False, "errors": [], "protocol": None, "close_code": None}
    return run_and_report(run, args, result)


if __name__ == "__main__":
    sys.exit(main())
