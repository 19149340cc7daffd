#!/usr/bin/env python3
"""drop-answer-proxy.py — a TCP proxy on 127.0.0.1 that loses the answers of some uploads.

Every connection is piped to the upstream server unchanged, except that when a connection's first
request is an upload (PUT, or POST to /upload/), every EVERY-th such connection forwards the whole
request and then closes both sides as soon as the server starts answering: the object is stored,
the client never hears so and retries, as after a lost answer on a real network.

Usage: drop-answer-proxy.py --port P --upstream HOST:PORT [--every N] [--count-file F]
The number of answers dropped so far is written to --count-file after each drop.
"""
import argparse
import asyncio

args = None
uploads = 0
dropped = 0


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def handle(client_reader, client_writer):
    global uploads, dropped
    host, port = args.upstream.rsplit(":", 1)
    try:
        first = await client_reader.read(65536)
        if not first:
            client_writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
    except (ConnectionError, OSError):
        client_writer.close()
        return
    line = first.split(b"\r\n", 1)[0]
    is_upload = line.startswith(b"PUT ") or line.startswith(b"POST /upload/")
    drop = False
    if is_upload:
        uploads += 1
        drop = uploads % args.every == 0
    up_writer.write(first)
    await up_writer.drain()
    to_server = asyncio.ensure_future(pipe(client_reader, up_writer))
    if drop:
        # Wait for the first bytes of the answer, then hang up on both sides without passing it on.
        try:
            await up_reader.read(1)
        except ConnectionError:
            pass
        dropped += 1
        if args.count_file:
            with open(args.count_file, "w") as f:
                f.write(f"{dropped}\n")
        to_server.cancel()
        for w in (client_writer, up_writer):
            try:
                w.transport.abort()
            except Exception:
                pass
        return
    await asyncio.gather(to_server, pipe(up_reader, client_writer))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", args.port)
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
