#!/usr/bin/env python3
"""Checks a tar output (massfetch --outputFormat=tar) against the images it was fetched from.

Every `ok` result record must point into a published shard (one listed by an index), appear in
exactly one published shard and one index line, and read back byte-exact from the image folder.
A published member without an ok record is allowed only for a `skipped` entry (a restarted task
found it in a shard an earlier attempt of the run published) and must then be there once and
byte-exact as well; any other member is a problem:
  --reader tarfile     Python's tarfile reads each published shard (member names = keys, and each
                       member's data offset = the index's offset);
  --reader webdataset  the webdataset library iterates the published shards (one sample per image).
Prints one summary line; exits 1 with the first problems listed when anything differs.
"""
import argparse
import glob
import json
import os
import sys


def load_records(results):
    """The ok records by key, and the keys of skipped records."""
    ok, skipped = {}, set()
    for path in glob.glob(os.path.join(results, "results-*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    if r["status"] == "ok":
                        ok[r["key"]] = r
                    elif r["status"] == "skipped":
                        skipped.add(r["key"])
    return ok, skipped


def load_indexes(out):
    entries = {}
    counts = {}
    for path in sorted(glob.glob(os.path.join(out, "shards", "*.index.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    e = json.loads(line)
                    entries[e["key"]] = e
                    counts[e["key"]] = counts.get(e["key"], 0) + 1
    return entries, counts


def read_tarfile(out, shards):
    import tarfile
    members = {}
    for shard in shards:
        with tarfile.open(os.path.join(out, "shards", shard)) as t:
            for m in t:
                members.setdefault(m.name, []).append((shard, m.offset_data, t.extractfile(m).read()))
    return members


def read_webdataset(out, shards):
    import webdataset as wds
    members = {}
    urls = [os.path.join(out, "shards", s) for s in shards]
    for sample in wds.WebDataset(urls, shardshuffle=False):
        fields = [k for k in sample if not k.startswith("__")]
        shard = os.path.basename(sample["__url__"])
        for ext in fields:
            members.setdefault(sample["__key__"] + "." + ext, []).append((shard, None, sample[ext]))
    return members


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="the tar output folder")
    ap.add_argument("--results", required=True, help="its results folder")
    ap.add_argument("--images", required=True, help="the folder the origin served")
    ap.add_argument("--reader", choices=["tarfile", "webdataset"], required=True)
    a = ap.parse_args()

    ok, skipped = load_records(a.results)
    index, counts = load_indexes(a.out)
    shards = sorted({e["shard"] for e in index.values()})
    members = read_tarfile(a.out, shards) if a.reader == "tarfile" else read_webdataset(a.out, shards)
    problems = []
    in_skipped = [k for k in members if k not in ok and k in skipped]
    for key in list(ok) + in_skipped:
        r = ok.get(key)
        found = members.get(key, [])
        if counts.get(key) != 1 or len(found) != 1:
            problems.append("%s: %d index lines, %d published members" % (key, counts.get(key, 0), len(found)))
            continue
        shard, offset, data = found[0]
        e = index[key]
        if r and (r.get("shard") != "shards/" + shard or r.get("offset") != e["offset"]):
            problems.append("%s: record says %s@%s, index %s@%s" % (key, r.get("shard"), r.get("offset"), shard, e["offset"]))
        if offset is not None and offset != e["offset"]:
            problems.append("%s: member data at %d, index says %d" % (key, offset, e["offset"]))
        with open(os.path.join(a.images, key), "rb") as f:
            if f.read() != data:
                problems.append("%s: bytes differ from the origin's" % key)
    extra = len(members) - len(ok) - len(in_skipped)
    print("%s: %d ok records, %d skipped found in shards, %d published shards, %d members, %d problems"
          % (a.reader, len(ok), len(in_skipped), len(shards), len(members), len(problems) + max(extra, 0)))
    if extra > 0:
        problems.append("%d published members have no ok or skipped record" % extra)
    for p in problems[:10]:
        print("  " + p, file=sys.stderr)
    return 1 if problems or not ok else 0


if __name__ == "__main__":
    sys.exit(main())
