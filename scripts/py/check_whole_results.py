#!/usr/bin/env python3
"""Exits non-zero unless a killed run's results files are whole: every line a record, no entry twice."""
import collections
import glob
import json
import sys
seen = collections.Counter()
for f in glob.glob(sys.argv[1] + "/results-*.jsonl"):
    for line in open(f):
        r = json.loads(line)          # a half-written line fails here
        seen[(r["source"], r["line"])] += 1
print("first run: %d records in %d files" % (sum(seen.values()), len(glob.glob(sys.argv[1] + "/results-*.jsonl"))))
sys.exit(0 if seen and max(seen.values()) == 1 else 1)
