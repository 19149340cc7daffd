#!/usr/bin/env python3
"""Checks that a killed run and its resumed run account for every manifest entry exactly once.

Usage: check_resumed_results.py FIRST_RESULTS SECOND_RESULTS MANIFEST

FIRST_RESULTS holds the results files the killed run published, SECOND_RESULTS those of the run
resumed with --previousResults. Passes when every line of the first run's files is a whole record
(a half-written file under a final name fails to parse), no entry has two records in the first
run, the second run has one record per entry, its done_before records are exactly the entries the
first run stored, and the rest of the second run's records cover the entries the first did not.
Prints one line of counts; exits 1 on any difference.
"""
import collections
import glob
import json
import sys


def records(folder):
    return [json.loads(line) for f in glob.glob(folder + "/results-*.jsonl")
            for line in open(f, encoding="utf-8") if line.strip()]


def entry(r):
    return (r["source"], r["line"])


def main():
    first_dir, second_dir, manifest = sys.argv[1:4]
    first, second = records(first_dir), records(second_dir)
    done_before = {entry(r) for r in second if r.get("error") == "done_before"}
    stored_first = {entry(r) for r in first if r["status"] == "ok"}
    once = collections.Counter(entry(r) for r in first) + collections.Counter(
        entry(r) for r in second if r.get("error") != "done_before")
    per_entry_second = collections.Counter(entry(r) for r in second)
    entries = sum(1 for line in open(manifest, encoding="utf-8") if line.strip())
    print("first run %d records, second %d (%d done_before), %d entries"
          % (len(first), len(second), len(done_before), entries))
    ok = (bool(first) and done_before == stored_first and len(once) == entries
          and set(once.values()) == {1} and len(per_entry_second) == entries
          and set(per_entry_second.values()) == {1})
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
