#!/usr/bin/env python3
"""Exits non-zero unless two runs' records account for every entry exactly once, done_before for what the first stored."""
import collections
import glob
import json
import sys
one, two, listed = sys.argv[1:4]
def records(d):
    return [json.loads(l) for f in glob.glob(d + "/results-*.jsonl") for l in open(f) if l.strip()]
first, second = records(one), records(two)


def entry(r):
    return (r["source"], r["line"])


done_before = {entry(r) for r in second if r.get("error") == "done_before"}
stored_first = {entry(r) for r in first if r["status"] == "ok"}
once = collections.Counter(entry(r) for r in first) + collections.Counter(
    entry(r) for r in second if r.get("error") != "done_before")
entries = sum(1 for l in open(listed) if l.strip())
per_entry_second = collections.Counter(entry(r) for r in second)
print("first run %d records, second %d (%d done_before)" % (len(first), len(second), len(done_before)))
ok = (done_before == stored_first and len(once) == entries and set(once.values()) == {1}
      and len(per_entry_second) == entries and set(per_entry_second.values()) == {1})
sys.exit(0 if ok else 1)
