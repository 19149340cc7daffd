#!/usr/bin/env python3
"""The user's original approach, kept as written for the benchmark: for every image a new
aiohttp ClientSession, every task started at once with asyncio.gather, no retries, no bound.

It is a contender, not an example: a session per image means a connection (and a file
descriptor) per image, all opened at once, so on 20,000 images it dies with "Too many open
files" under a 20,000 descriptor limit. scripts/bench.sh runs it on a 2,000-entry subset.

Usage: aiohttp_original.py MANIFEST BASE_URL OUT_DIR
Prints one line "ok=N failed=N" and exits 1 when any image failed.
"""

import asyncio
import os
import sys

import aiohttp


async def download(url: str, path: str) -> bool:
    # A new session (and connector, and connection) for every image, as in the original.
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            if response.status != 200:
                return False
            data = await response.read()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            return True


async def main(manifest: str, base_url: str, out_dir: str) -> int:
    with open(manifest) as f:
        keys = [line.strip() for line in f if line.strip()]
    tasks = [download(base_url.rstrip("/") + "/" + key, os.path.join(out_dir, key)) for key in keys]
    # Every task at once; the first exception propagates and ends the run (no retries).
    results = await asyncio.gather(*tasks)
    ok = sum(results)
    print("ok=%d failed=%d" % (ok, len(keys) - ok))
    return 0 if ok == len(keys) else 1


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") else 2)
    sys.exit(asyncio.run(main(*sys.argv[1:4])))
