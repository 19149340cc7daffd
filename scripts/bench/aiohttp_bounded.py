#!/usr/bin/env python3
"""The bounded rewrite of the original aiohttp script: one shared ClientSession (keep-alive
connection pool of --concurrency connections) and a semaphore, so at most --concurrency
requests are in flight and the task list is fed in as slots free up. No retries (like the
original); a failed image is counted, not fatal.

Usage: aiohttp_bounded.py MANIFEST BASE_URL OUT_DIR [--concurrency N]
Prints one line "ok=N failed=N" and exits 1 when any image failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import aiohttp


async def download(session: aiohttp.ClientSession, limit: asyncio.Semaphore, url: str,
                   path: str, made_dirs: set[str]) -> bool:
    async with limit:
        try:
            async with session.get(url) as response:
                if response.status != 200:
                    return False
                data = await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False
    folder = os.path.dirname(path)
    if folder not in made_dirs:
        os.makedirs(folder, exist_ok=True)
        made_dirs.add(folder)
    # Small files: a blocking write is cheaper than a thread hop per image.
    with open(path, "wb") as f:
        f.write(data)
    return True


async def run(manifest: str, base_url: str, out_dir: str, concurrency: int) -> int:
    with open(manifest) as f:
        keys = [line.strip() for line in f if line.strip()]
    base = base_url.rstrip("/") + "/"
    limit = asyncio.Semaphore(concurrency)
    made_dirs: set[str] = set()
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # Workers pull from a shared iterator, so only `concurrency` coroutines exist at once
        # (one task per image would hold 200,000 coroutines in memory).
        it = iter(keys)
        ok = 0

        async def worker() -> None:
            nonlocal ok
            for key in it:
                if await download(session, limit, base + key, os.path.join(out_dir, key), made_dirs):
                    ok += 1

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(keys)) or 1)))
    print("ok=%d failed=%d" % (ok, len(keys) - ok))
    return 0 if ok == len(keys) else 1


def main() -> int:
    p = argparse.ArgumentParser(description="One shared aiohttp session + semaphore downloader.")
    p.add_argument("manifest")
    p.add_argument("base_url")
    p.add_argument("out_dir")
    p.add_argument("--concurrency", type=int, default=64, help="requests in flight (default 64)")
    a = p.parse_args()
    return asyncio.run(run(a.manifest, a.base_url, a.out_dir, max(1, a.concurrency)))


if __name__ == "__main__":
    sys.exit(main())
