#!/usr/bin/env python3
"""A wss:// client on an independent TLS and WebSocket implementation
(Python's ssl module and the `websockets` library) that trusts only the CA
certificates in one file, for tests of the certificates our server sends.

    tls_client.py URL --ca ROOTS.pem --result-file PATH

Verifies the server's chain and host name against ROOTS.pem alone, so an
intermediate the server leaves out fails the handshake. Once open it sends, as
its first text message, the JSON {"subject", "serial"} of the certificate the
server presented, then echoes every message until the server sends "bye",
which it answers by closing with code 1000. Writes a JSON result
{"ok", "errors", "subject", "serial", "close_code"} to PATH and exits 0 when
every check passed, 1 otherwise.
"""
import argparse
import asyncio
import json
import ssl
import sys

from result_file import run_and_report
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

TIMEOUT = 10.0
# A client kept open across a certificate renewal waits longer than one step.
HOLD_TIMEOUT = 60.0


def describe(cert):
    subject = ",".join(f"{k}={v}" for rdn in cert.get("subject", ()) for k, v in rdn)
    return subject, cert.get("serialNumber", "")


async def run(args, result):
    errors = result["errors"]
    context = ssl.create_default_context(cafile=args.ca)
    ws = await asyncio.wait_for(connect(args.url, ssl=context, max_size=None, compression=None,
                                        ping_interval=None), TIMEOUT)
    peer = ws.transport.get_extra_info("ssl_object").getpeercert()
    result["subject"], result["serial"] = describe(peer)
    await ws.send(json.dumps({"subject": result["subject"], "serial": result["serial"]}))
    try:
        while True:
            message = await asyncio.wait_for(ws.recv(), HOLD_TIMEOUT)
            if message == "bye":
                await asyncio.wait_for(ws.close(1000, "bye"), TIMEOUT)
                break
            await ws.send(message)
    except ConnectionClosed as e:
        errors.append(f"the server closed first: {e}")
    received = ws.protocol.close_rcvd
    result["close_code"] = received.code if received else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--ca", required=True)
    parser.add_argument("--result-file", required=True)
    args = parser.parse_args()
    result = {"ok": False, "errors": [], "subject": None, "serial": None, "close_code": None}
    return run_and_report(run, args, result)


if __name__ == "__main__":
    sys.exit(main())
