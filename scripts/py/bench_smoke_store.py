#!/usr/bin/env python3
"""Exits non-zero unless the store scenario stored every image in s3 with exactly 1 PUT and no HEAD/GET per image."""
import json
import sys
recs = {r["name"]: r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip())}
for name in ("s3",):
    r = recs.get(name)
    if not r or r["ok"] != 200 or r["failed"] != 0:
        print("   %s: %s" % (name, r))
        sys.exit(1)
per = recs["s3"]["requests_per_image"]
print("   s3 requests per image: %s" % per)
sys.exit(0 if per == {"PUT": 1.0} else 1)
