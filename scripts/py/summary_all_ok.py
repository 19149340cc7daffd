#!/usr/bin/env python3
"""Exits non-zero unless summary.json says every one of N entries is ok, with no error class at all."""
import json
import sys
s = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
print("  summary: total %s ok %s failed %s errors %s" % (s["total"], s["ok"], s["failed"], s["errors"]))
sys.exit(0 if s["total"] == n and s["ok"] == n and not s["errors"] else 1)
