#!/usr/bin/env python3
"""Generates a tree of valid PNG files laid out like the image provider's, plus a manifest.

Every file is a real PNG (signature, IHDR, zlib-compressed IDAT, IEND, every chunk's CRC right),
filled with pixel noise so that compressed sizes spread evenly over --min-kb..--max-kb, the way the
provider's images do. Paths look like the provider's: ``DDD-DDD-DDD-DDDDD/<uuid4>.png`` spread over
--prefixes folders. Output is a pure function of --seed and the other options.

Speed: compressing noise for every one of 200,000 files would take far too long, so a pool of
distinct IDAT bodies is made once and each file takes one of them plus a tEXt chunk holding its own
path. That keeps every file a valid PNG and every file's bytes (and MD5) distinct, so a download
that stores image A under key B is caught by a byte comparison.

Uses the Python 3 standard library only (runs on a fresh machine before anything is installed).
"""

import argparse
import os
import random
import struct
import sys
import time
import uuid
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A body made of pure noise does not compress, so its size is known before compressing; this
# covers the signature, IHDR, IEND, chunk headers, the zlib header and per-block overhead.
FIXED_OVERHEAD = 8 + 25 + 12 + 12 + 64
# Size of the per-file tEXt chunk (keyword, separator, path of about 55 characters, header, CRC).
TEXT_CHUNK_ESTIMATE = 12 + len(b"massfetch-key") + 1 + 56


def chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 over type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_body(rng: random.Random, target_bytes: int) -> tuple:
    """Returns (head, tail) of a PNG whose total size is close to target_bytes.

    head is signature + IHDR; tail is IDAT + IEND. A file is head + its own tEXt chunk + tail.
    """
    # Narrow images for small targets, so that whole rows can land close to the target size.
    width = rng.randint(32, max(32, min(256, target_bytes // 64)))
    row = 1 + 3 * width  # filter byte + RGB
    payload = max(row, target_bytes - FIXED_OVERHEAD - TEXT_CHUNK_ESTIMATE)
    height = max(1, round(payload / row))
    # Noise rows with filter type 0 (None): noise does not compress, so the size is predictable.
    noise = rng.randbytes(height * 3 * width)
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        raw += noise[y * 3 * width:(y + 1) * 3 * width]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    head = PNG_SIGNATURE + chunk(b"IHDR", ihdr)
    tail = chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b"")
    return head, tail


def folder_names(rng: random.Random, count: int) -> list:
    """Distinct provider-like folder names: 003-007-001-12752."""
    names = set()
    while len(names) < count:
        names.add("%03d-%03d-%03d-%05d" % (rng.randrange(1000), rng.randrange(1000),
                                           rng.randrange(1000), rng.randrange(100000)))
    return sorted(names)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Write N valid PNG files under provider-like paths "
                    "(DDD-DDD-DDD-DDDDD/<uuid4>.png) and a manifest of their relative paths.")
    p.add_argument("--out", required=True, help="folder to write the images into (created)")
    p.add_argument("--count", required=True, type=int, help="number of images")
    p.add_argument("--min-kb", type=float, default=2, help="smallest file size in KB (default 2)")
    p.add_argument("--max-kb", type=float, default=60, help="largest file size in KB (default 60)")
    p.add_argument("--seed", type=int, default=1, help="random seed; same seed, same files (default 1)")
    p.add_argument("--manifest", help="manifest to write, one relative path a line "
                                      "(default OUT/manifest.txt)")
    p.add_argument("--prefixes", type=int, default=300,
                   help="number of DDD-DDD-DDD-DDDDD folders (default 300)")
    p.add_argument("--pool", type=int, default=1024,
                   help="number of distinct pixel bodies to draw from (default 1024)")
    a = p.parse_args(argv)
    if a.count < 0:
        p.error("--count must be >= 0")
    if not 0 < a.min_kb <= a.max_kb:
        p.error("need 0 < --min-kb <= --max-kb")
    if a.prefixes < 1 or a.pool < 1:
        p.error("--prefixes and --pool must be >= 1")
    return a


def main(argv=None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    # Separate streams, so that the first K files are the same whatever --count is.
    pool_rng = random.Random("pool-%d" % a.seed)
    rng = random.Random("files-%d" % a.seed)
    lo, hi = int(a.min_kb * 1024), int(a.max_kb * 1024)
    pool = [make_body(pool_rng, pool_rng.randint(lo, hi)) for _ in range(a.pool)]
    folders = folder_names(random.Random("folders-%d" % a.seed), a.prefixes)

    os.makedirs(a.out, exist_ok=True)
    manifest = a.manifest or os.path.join(a.out, "manifest.txt")
    made = set()
    total = 0
    keys = []
    for _ in range(a.count):
        folder = folders[rng.randrange(len(folders))]
        key = "%s/%s.png" % (folder, uuid.UUID(int=rng.getrandbits(128), version=4))
        head, tail = pool[rng.randrange(len(pool))]
        body = head + chunk(b"tEXt", b"massfetch-key\x00" + key.encode("ascii")) + tail
        if folder not in made:
            os.makedirs(os.path.join(a.out, folder), exist_ok=True)
            made.add(folder)
        with open(os.path.join(a.out, key), "wb") as f:
            f.write(body)
        total += len(body)
        keys.append(key)

    manifest_dir = os.path.dirname(os.path.abspath(manifest))
    os.makedirs(manifest_dir, exist_ok=True)
    with open(manifest, "w", encoding="ascii") as f:
        f.writelines(k + "\n" for k in keys)

    elapsed = time.monotonic() - started
    print("files=%d bytes=%d folders=%d seconds=%.1f out=%s manifest=%s"
          % (a.count, total, len(made), elapsed, a.out, manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
