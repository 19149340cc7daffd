#!/usr/bin/env python3
"""Exits non-zero unless runs.jsonl has a record for a contender at a latency: a verified run, or the reason it was skipped."""
import json
import sys
path, name, ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = [json.loads(l) for l in open(path) if l.strip()]
mine = [r for r in recs if r["contender"] == name and r["latency_ms"] == ms]
ok = len(mine) == 1 and ("skipped" in mine[0] or "images_per_s" in mine[0])
if mine and "skipped" not in mine[0]:
    r = mine[0]
    print("   %s %d ms: %s images/s, verified=%s (not asserted)" % (name, ms, r["images_per_s"], r["verified"]))
sys.exit(0 if ok else 1)
