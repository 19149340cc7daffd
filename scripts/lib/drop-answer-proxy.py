#!/usr/bin/env python3
"""drop-answer-proxy.py — a TCP proxy on 127.0.0.1 that loses the answers of some uploads.

Requests are read one at a time from each client connection (HTTP/1.1 without pipelining, as the
S3 and GCS clients send them) and forwarded to the upstream server unchanged. Every EVERY-th upload
(PUT, or POST to /upload/) of an object whose answer was not lost before is forwarded whole, and
then both sides are closed as soon as the server starts answering: the object is stored, the client
never hears so and retries, as after a lost answer on a real network.

An object loses at most ONE answer, so its retry always lands: a run of unlucky retries cannot fail
an entry, and whether every entry ends ok does not depend on chance. An upload is known by its
object's name: the request path (S3), or for GCS the `name` query parameter, or the `name` field
of the JSON metadata part of a multipart upload's body (its request line is the same for every
object).

Usage: drop-answer-proxy.py --port P --upstream HOST:PORT [--every N] [--count-file F]
The number of answers dropped so far is written to --count-file after each drop.
"""
import argparse
import asyncio
import json
import re
import urllib.parse

args = None
uploads = 0
dropped = 0
dropped_names = set()

# The JSON metadata part of a GCS multipart upload: the first {...} after the part's headers.
METADATA = re.compile(rb"\r\n\r\n(\{.*?\})\r\n--", re.S)


class Request:
    """One HTTP request as read from the client: its raw bytes, request line and headers."""

    def __init__(self, head, body, payload=None):
        self.raw = head + body
        lines = head.split(b"\r\n")
        self.line = lines[0]
        self.headers = {}
        for raw in lines[1:]:
            k, _, v = raw.partition(b":")
            if k:
                self.headers[k.strip().lower()] = v.strip()
        # The body without its chunked framing (GCS's client sends multipart bodies chunked).
        self.payload = body if payload is None else payload

    def is_upload(self):
        return self.line.startswith(b"PUT ") or self.line.startswith(b"POST /upload/")

    def object_name(self):
        """The stored object's name, or the request line when the request does not tell it."""
        target = self.line.split(b" ")[1].decode("latin-1")
        url = urllib.parse.urlsplit(target)
        if self.line.startswith(b"PUT "):
            return url.path
        names = urllib.parse.parse_qs(url.query).get("name")
        if names:
            return url.path + "?name=" + names[0]
        found = METADATA.search(self.payload)
        if found:
            try:
                return url.path + "?name=" + json.loads(found.group(1))["name"]
            except (ValueError, KeyError, TypeError):
                pass
        return self.line.decode("latin-1")


async def read_request(reader):
    """Reads one whole request (head and body, Content-Length or chunked); None at end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    request = Request(head, b"")
    if b"chunked" in request.headers.get(b"transfer-encoding", b"").lower():
        body, payload = bytearray(), bytearray()
        while True:
            size_line = await reader.readuntil(b"\r\n")
            body += size_line
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                while True:  # trailers, up to the empty line
                    trailer = await reader.readuntil(b"\r\n")
                    body += trailer
                    if trailer == b"\r\n":
                        break
                break
            chunk = await reader.readexactly(size + 2)
            body += chunk
            payload += chunk[:-2]
        return Request(head, bytes(body), bytes(payload))
    length = int(request.headers.get(b"content-length", b"0"))
    return Request(head, await reader.readexactly(length) if length else b"")


def abort(*writers):
    for w in writers:
        try:
            w.transport.abort()
        except Exception:
            pass


def note_drop():
    global dropped
    dropped += 1
    if args.count_file:
        with open(args.count_file, "w") as f:
            f.write(f"{dropped}\n")


async def answers(up_reader, client_writer, state):
    """Pipes the server's answers to the client until the connection drops one."""
    try:
        while True:
            data = await up_reader.read(65536)
            if not data or state["dropping"]:
                break
            client_writer.write(data)
            await client_writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    if state["dropping"]:
        note_drop()
    abort(client_writer)


async def handle(client_reader, client_writer):
    global uploads
    host, port = args.upstream.rsplit(":", 1)
    try:
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
    except (ConnectionError, OSError):
        abort(client_writer)
        return
    # A client waits for each answer before its next request, so when a request is to be dropped
    # the answers task has passed on every earlier answer and sees the flag before this one.
    state = {"dropping": False}
    answering = asyncio.ensure_future(answers(up_reader, client_writer, state))
    try:
        while True:
            request = await read_request(client_reader)
            if request is None:
                break
            if request.is_upload():
                uploads += 1
                name = request.object_name()
                if uploads % args.every == 0 and name not in dropped_names:
                    dropped_names.add(name)
                    state["dropping"] = True
            up_writer.write(request.raw)
            await up_writer.drain()
            if state["dropping"]:
                break
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        pass
    if state["dropping"]:
        # The answers task closes the client when the first bytes of the answer arrive.
        await answering
        abort(up_writer)
        return
    abort(up_writer)
    answering.cancel()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", args.port, limit=1 << 20)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--every", type=int, default=5)
    p.add_argument("--count-file")
    args = p.parse_args()
    asyncio.run(main())
