#!/usr/bin/env python3
"""An SMTP receiver for the mail tests: saves every message it accepts, one file each.

    python3 Tests/mail/smtp_sink.py --dir DIR --port-file FILE [--mode MODE] [--port N]

Listens on 127.0.0.1 (port 0 by default: the system picks a free one) and writes the port,
then a newline, to FILE (atomically: FILE appears complete or not at all) once it accepts
connections. For each message accepted it writes, in DIR:
  NNNNNN.eml   the raw bytes of the message as received (CRLF line endings, as SMTP has them)
  NNNNNN.json  {"mail_from": ..., "rcpt_tos": [...], "size": ...}: the envelope
The .json file is written last; both are complete when it exists.

Recipients choose an answer (the local part, before the @):
  tempfail@...  451 4.3.0 at RCPT (a temporary refusal)
  reject@...    550 5.1.1 at RCPT (a permanent refusal)
Anything else is accepted.

Modes (the whole server):
  normal         the above
  silent         accepts connections and never says a word (a receiver that hangs)
  hangup         accepts connections and closes them at once
  hangup-after-data  takes the whole message, then closes the connection without answering the
                 final dot (the client cannot know whether the message was kept; it is not)

The handler class can also be used with aiosmtpd's own command line:
    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Handler DIR
Stop the receiver with SIGTERM (or SIGKILL) by its process id.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import sys

from aiosmtpd.smtp import SMTP

TEMPFAIL = "451 4.3.0 tempfail: mailbox busy, try again later"
REJECT = "550 5.1.1 reject: no such user here"


class Handler:
    """aiosmtpd handler: answers by recipient, saves each accepted message to its own files."""

    def __init__(self, directory, mode="normal"):
        self.directory = directory
        self.mode = mode
        self.count = 0
        os.makedirs(directory, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if not args:
            parser.error("smtp_sink.Handler needs a directory")
        return cls(*args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local == "tempfail":
            return TEMPFAIL
        if local == "reject":
            return REJECT
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "hangup-after-data":
            server.transport.close()
            return "421 4.3.0 closing"  # never reaches the client: the connection is gone
        self.count += 1
        name = f"{self.count:06d}"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        write_atomically(os.path.join(self.directory, name + ".eml"), raw)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "size": len(raw)}
        write_atomically(os.path.join(self.directory, name + ".json"), json.dumps(meta).encode("utf-8"))
        return f"250 2.0.0 OK: queued as {name}"


def write_atomically(path, data):
    temporary = path + ".part"
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, path)


class Silent(asyncio.Protocol):
    """Accepts a connection and never answers."""

    def connection_made(self, transport):
        self.transport = transport


class HangUp(asyncio.Protocol):
    """Accepts a connection and closes it at once."""

    def connection_made(self, transport):
        transport.close()


async def serve(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    loop = asyncio.get_running_loop()
    if args.mode == "silent":
        factory = Silent
    elif args.mode == "hangup":
        factory = HangUp
    else:
        handler = Handler(args.dir, args.mode)

        def factory():
            return SMTP(handler, hostname="sink.example.test", ident="smtp_sink", decode_data=False)

    server = await loop.create_server(factory, sock=sock)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    write_atomically(args.port_file, f"{port}\n".encode("ascii"))
    async with server:
        await stop.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="where to save messages")
    ap.add_argument("--port-file", required=True, help="written with the port once listening")
    ap.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    ap.add_argument("--mode", default="normal", choices=["normal", "silent", "hangup", "hangup-after-data"])
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
