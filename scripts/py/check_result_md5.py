#!/usr/bin/env python3
"""Exits non-zero unless every ok record's bytes and md5 match the source image."""
import glob
import hashlib
import json
import os
import sys
root, res = sys.argv[1:3]
bad = 0
for name in glob.glob(os.path.join(res, "results-*.jsonl")):
    for line in open(name):
        r = json.loads(line)
        body = open(os.path.join(root, r["key"]), "rb").read()
        if r["bytes"] != len(body) or r["md5"] != hashlib.md5(body).hexdigest() or r["http_status"] != 200:
            bad += 1
            if bad <= 3:
                print("record does not match file:", line.strip())
sys.exit(1 if bad else 0)
