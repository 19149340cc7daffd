#!/usr/bin/env python3
"""Exits non-zero unless auto drew fewer 503s than the fixed limit and the origin leaked no place."""
import json
import sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cap = {r["contender"]: r for r in recs if r.get("scenario") == "capacity"}
if set(cap) != {"massfetch-auto", "massfetch-fixed"}:
    print("   capacity records: %s" % sorted(cap))
    sys.exit(1)
for name, r in sorted(cap.items()):
    print("   %s: %s 503s, %s requests (origin) / %s (massfetch), ok %s failed %s, %s images/s,"
          " limit at end %s, in flight after %s (asserted: the 503s, in flight after)" % (
              name, r["origin_503"], r["origin_requests"], r["http_requests"], r.get("self_ok"),
              r.get("self_failed"), r["images_per_s"], r.get("limit_at_end", "-"),
              r["origin_in_flight_after"]))
auto, fixed = cap["massfetch-auto"], cap["massfetch-fixed"]
sys.exit(0 if auto["origin_503"] < fixed["origin_503"]
         and auto["origin_in_flight_after"] == 0 and fixed["origin_in_flight_after"] == 0 else 1)
