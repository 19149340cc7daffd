#!/usr/bin/env python3
"""Exits non-zero unless the stored files are exactly the listed keys, each byte-identical to its source."""
import os
import sys
root, out, listed = sys.argv[1:4]
keys = [k for k in open(listed).read().split("\n") if k]
bad = 0
for k in keys:
    src = k.split("/", 2)[2] if k.startswith("fault/") else k  # fault/<kind>/<real path>
    if open(os.path.join(root, src), "rb").read() != open(os.path.join(out, k), "rb").read():
        bad += 1
        print("differs:", k)
found = set()
for d, _, files in os.walk(out):
    rel = os.path.relpath(d, out)
    if rel == "_results" or rel.startswith("_results" + os.sep):
        continue
    found |= {os.path.normpath(os.path.join(rel, f)) for f in files}
extra = sorted(found - set(keys))
for p in extra:
    print("unexpected file:", p)
sys.exit(1 if bad or extra else 0)
