#!/usr/bin/env python3
"""Prints the chaos origin's fault counts between two stats snapshots, as JSON."""
import json
import sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
fa, fb = a.get("faults", {}), b.get("faults", {})
print(json.dumps({"requests": b.get("requests", 0) - a.get("requests", 0),
                  "faults": {k: fb[k] - fa.get(k, 0) for k in sorted(fb)}}))
