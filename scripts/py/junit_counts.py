#!/usr/bin/env python3
"""Prints 'tests unserved other_skips failures errors' of a JUnit XML report; skips for a missing server feature are listed on stderr."""
import sys
import xml.etree.ElementTree as ET
try:
    s = ET.parse(sys.argv[1]).getroot()
    unserved = other = 0
    for t in s.iter("testcase"):
        k = t.find("skipped")
        if k is None:
            continue
        why = (k.get("message") or "") + (k.text or "")
        if "30-storage.sh" in why:
            unserved += 1
        else:
            other += 1
            print("  skipped (server lacks a feature): %s: %s" % (t.get("name"), why.strip()[:150]), file=sys.stderr)
    print(s.get("tests"), unserved, other, s.get("failures"), s.get("errors"))
except Exception:
    print("0 0 0 0 0")
