#!/usr/bin/env python3
"""An echo server on an independent WebSocket implementation (the `websockets`
library), for interop tests of our client.

    echo_server.py --port-file PATH [--port 0] [--parent-pid PID] [--lifetime S]

Listens on 127.0.0.1 and writes the bound port to PATH once it accepts
connections. Echoes text as text and binary as binary, and understands two
text commands:
    "close:<code>:<reason>"  closes the connection with that code and reason
    "whoami"                 answers with JSON: path (with query), headers, subprotocol
Subprotocols "chat" and "v2" are spoken: a client offering neither is refused
with HTTP 400; one offering none gets none.
Exits when PID is gone or after S seconds, so it never outlives its test.
"""
import argparse
import asyncio
import json
import os
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed, NegotiationError

PROTOCOLS = ["chat", "v2"]


def select_subprotocol(_connection, offered):
    if not offered:
        return None
    for protocol in PROTOCOLS:
        if protocol in offered:
            return protocol
    raise NegotiationError("no supported subprotocol among " + ", ".join(offered))


async def handler(ws):
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("close:"):
                _, code, reason = message.split(":", 2)
                await ws.close(int(code), reason)
                return
            if message == "whoami":
                await ws.send(json.dumps({
                    "path": ws.request.path,
                    "headers": [[k, v] for k, v in ws.request.headers.raw_items()],
                    "subprotocol": ws.subprotocol or "",
                }))
                continue
            await ws.send(message)
    except ConnectionClosed:
        pass


def parent_alive(pid):
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--parent-pid", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=60.0)
    args = parser.parse_args()
    async with serve(handler, "127.0.0.1", args.port, select_subprotocol=select_subprotocol,
                     max_size=None, compression=None, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        # Written whole and renamed, so a reader never sees half a number.
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
        print(f"echo_server listening on 127.0.0.1:{port}", flush=True)
        loop = asyncio.get_running_loop()
        end = loop.time() + args.lifetime
        while loop.time() < end and parent_alive(args.parent_pid):
            await asyncio.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
