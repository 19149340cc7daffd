#!/usr/bin/env python3
"""Runs img2dataset (PyPI) as a plain downloader for the benchmark: output_format=files,
resize_mode=no, and disable_all_reencoding so the stored bytes are the server's bytes (with
resize_mode=no alone img2dataset still decodes and re-encodes every image). No hashing, no EXIF,
no retries, no wandb: only download and write. Files land as OUT/<shard>/<n>.png beside a .json
per image and a .parquet per shard (img2dataset's own layout; the harness counts the .png files).

Usage: img2dataset_run.py URL_LIST OUT_DIR --processes P --threads T --entries N
"""

from __future__ import annotations

import argparse
import math
import os
import sys

# albumentations (imported by img2dataset) checks PyPI for a newer version at import time.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")


def main() -> int:
    p = argparse.ArgumentParser(description="img2dataset as a plain file downloader.")
    p.add_argument("url_list", help="text file, one URL a line")
    p.add_argument("out_dir")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--threads", type=int, default=128, help="download threads per process")
    p.add_argument("--entries", type=int, required=True, help="number of URLs (sizes shards)")
    a = p.parse_args()

    from img2dataset import download  # slow import (pyarrow, opencv): after argument checks

    # Two shards per process, so every process has work even on a small list (img2dataset's
    # default of 10,000 per shard would leave one process idle below 10,000 entries).
    per_shard = max(100, math.ceil(a.entries / (2 * a.processes)))
    download(
        url_list=a.url_list,
        output_folder=a.out_dir,
        input_format="txt",
        output_format="files",
        resize_mode="no",
        encode_format="png",
        encode_quality=9,  # png: compression level 0-9 (unused: nothing is re-encoded)
        disable_all_reencoding=True,
        processes_count=a.processes,
        thread_count=a.threads,
        number_sample_per_shard=per_shard,
        subjob_size=per_shard,
        compute_hash=None,
        extract_exif=False,
        retries=0,
        timeout=60,
        enable_wandb=False,
        # "overwrite" removes the folder, then fails to make _tmp/ in it (1.47.0); the harness wipes
        # the output before each run anyway.
        incremental_mode="incremental",
        disallowed_header_directives=[],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
