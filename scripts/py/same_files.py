#!/usr/bin/env python3
"""Compares a run's stored files with the source images the manifest lists; prints one line of counts, exits non-zero on a difference."""
import os
import sys
src, dst, manifest, ignore, killed = sys.argv[1:6]
keys = [l.strip() for l in open(manifest, encoding="utf-8")]
keys = [k for k in keys if k and not k.startswith("#")]
same = missing = differ = 0
for k in keys:
    a, b = os.path.join(src, k), os.path.join(dst, k)
    if not os.path.isfile(b):
        missing += 1
        if missing <= 5:
            print("missing:", k)
        continue
    with open(a, "rb") as fa, open(b, "rb") as fb:
        if fa.read() == fb.read():
            same += 1
        else:
            differ += 1
            if differ <= 5:
                print("differs:", k)
wanted = set(keys)
extra, temp = [], []
for d, _dirs, files in os.walk(dst):
    rel = os.path.relpath(d, dst)
    if rel == ignore or rel.startswith(ignore + os.sep):
        continue
    for f in files:
        p = os.path.normpath(os.path.join(rel, f))
        if killed == "killed" and f.startswith(".massfetch-tmp-"):
            temp.append(p)
        elif p not in wanted:
            extra.append(p)
for p in extra[:5]:
    print("unexpected file:", p)
print("same_files: %d identical, %d missing, %d different, %d unexpected (of %d listed)%s"
      % (same, missing, differ, len(extra), len(keys),
         ", %d hidden temp files left by the kill" % len(temp) if killed == "killed" else ""))
sys.exit(0 if same == len(keys) and not extra else 1)
