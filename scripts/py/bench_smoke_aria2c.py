#!/usr/bin/env python3
"""Exits non-zero unless aria2c ran on its first N entries in both regimes, stored every one, and the table says so."""
import json
import sys
path, n, md = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recs = [r for r in (json.loads(l) for l in open(path) if l.strip()) if r["contender"] == "aria2c"]
for r in recs:
    print("   aria2c %d ms: %s entries, %s files, verified=%s" % (r["latency_ms"], r.get("entries"), r.get("files"), r.get("verified")))
said = open(md).read().count("on the first %d entries only" % n)
print("   rows saying 'on the first %d entries only': %d" % (n, said))
sys.exit(0 if len(recs) == 2 and all(r.get("entries") == n and r.get("files") == n and r.get("verified")
                                     for r in recs) and said == 2 else 1)
