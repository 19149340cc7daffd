#!/usr/bin/env python3
"""Makes the benchmark's data set: F real PNG files served under K URL prefixes, and manifests.

scripts/gen-images.py writes F distinct files (its --prefixes is the number of
DDD-DDD-DDD-DDDDD folders, not URL prefixes), so the "N entries over F files under several URL
prefixes" layout the benchmark asks for is made here: the served root holds K symbolic links p00..p{K-1}, each
pointing at the same file tree, and entry i of the manifest is ``p{i // F}/<file i % F>``. Every
entry is a distinct URL and a distinct output key (no client can get a cache hit or skip a
duplicate), while the origin only needs F files on disk. nginx follows the links (its
disable_symlinks is off by default).

Writes into --work:
  files/              the F generated files (kept between invocations when F and --seed match)
  root/p00 .. p{K-1}  links to files/ (the origin's --root is root/)
  manifest.txt        N relative paths
  manifest-subset.txt the first --subset entries (for a contender that cannot finish N)
  dataset.json        {"entries", "bytes", "subset_entries", "subset_bytes", "files", "prefixes"}

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", required=True, help="data folder (created)")
    p.add_argument("--entries", type=int, required=True, help="manifest entries N")
    p.add_argument("--files", type=int, required=True, help="distinct files F (N/F prefixes)")
    p.add_argument("--subset", type=int, default=2000, help="entries of manifest-subset.txt")
    p.add_argument("--seed", type=int, default=6, help="gen-images.py seed (default 6)")
    a = p.parse_args(argv)
    if a.entries < 1 or a.files < 1:
        p.error("--entries and --files must be >= 1")
    a.files = min(a.files, a.entries)
    return a


def ensure_files(work: str, count: int, seed: int) -> list[str]:
    """Generates the files once; a stamp records what was generated, so a rerun reuses them."""
    files_dir = os.path.join(work, "files")
    stamp = os.path.join(work, "files.stamp")
    listing = os.path.join(work, "files.txt")
    want = "count=%d seed=%d" % (count, seed)
    if not (os.path.exists(stamp) and open(stamp).read().strip() == want and os.path.exists(listing)):
        shutil.rmtree(files_dir, ignore_errors=True)
        gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen-images.py")
        # Enough DDD folders that none holds thousands of files (like the provider's layout).
        folders = max(1, min(300, count // 50))
        subprocess.run([sys.executable, gen, "--out", files_dir, "--count", str(count),
                        "--seed", str(seed), "--prefixes", str(folders), "--manifest", listing],
                       check=True, stdout=sys.stderr)
        with open(stamp, "w") as f:
            f.write(want + "\n")
    with open(listing, encoding="ascii") as f:
        return [line.strip() for line in f if line.strip()]


def main(argv: list[str] | None = None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(a.work, exist_ok=True)
    files = ensure_files(a.work, a.files, a.seed)
    sizes = [os.path.getsize(os.path.join(a.work, "files", k)) for k in files]
    prefixes = -(-a.entries // len(files))  # ceil

    root = os.path.join(a.work, "root")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for i in range(prefixes):
        os.symlink(os.path.join("..", "files"), os.path.join(root, "p%02d" % i))

    total = subset_bytes = 0
    with open(os.path.join(a.work, "manifest.txt"), "w", encoding="ascii") as full, \
            open(os.path.join(a.work, "manifest-subset.txt"), "w", encoding="ascii") as sub:
        for i in range(a.entries):
            j = i % len(files)
            line = "p%02d/%s\n" % (i // len(files), files[j])
            full.write(line)
            total += sizes[j]
            if i < a.subset:
                sub.write(line)
                subset_bytes += sizes[j]
    meta = {"entries": a.entries, "bytes": total, "subset_entries": min(a.subset, a.entries),
            "subset_bytes": subset_bytes, "files": len(files), "prefixes": prefixes}
    with open(os.path.join(a.work, "dataset.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
