#!/usr/bin/env python3
"""Exits non-zero unless every listed object, read back through the GCS JSON API, has its source image's MD5."""
import hashlib
import sys
import urllib.error
import urllib.parse
import urllib.request
endpoint, bucket, prefix, listing, images = sys.argv[1:]
bad = 0
for path in filter(None, (l.strip() for l in open(listing))):
    name = urllib.parse.quote(prefix + "/" + path, safe="")
    try:
        with urllib.request.urlopen(f"{endpoint}/storage/v1/b/{bucket}/o/{name}?alt=media", timeout=30) as r:
            stored = hashlib.md5(r.read()).hexdigest()
    except urllib.error.HTTPError:
        stored = None
    if stored != hashlib.md5(open(f"{images}/{path}", "rb").read()).hexdigest():
        bad += 1
        if bad <= 3:
            print(f"  mismatch or missing: {prefix}/{path}")
sys.exit(1 if bad else 0)
