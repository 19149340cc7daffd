#!/usr/bin/env python3
"""Copies a tar output's shards folder from an S3 server to a local folder, and lists the
unfinished multipart uploads under it.

Usage: s3_shards_copy.py ENDPOINT BUCKET PREFIX DEST

Copies every object under PREFIX/shards/ to DEST/shards/ (so check_shards.py can read the output
as a local one), then prints one line per multipart upload still open under PREFIX/shards/
("open-upload KEY"), and a last line "copied N objects, M open uploads". An open upload is what a
worker killed while streaming a shard leaves behind; it never shows as an object. Needs boto3
(the storage emulators' venv has it) and the AWS_* credentials in the environment.
"""
import os
import sys

import boto3


def main():
    endpoint, bucket, prefix, dest = sys.argv[1:5]
    s3 = boto3.client("s3", endpoint_url=endpoint,
                      config=boto3.session.Config(s3={"addressing_style": "path"}))
    folder = prefix.rstrip("/") + "/shards/"
    copied = 0
    os.makedirs(os.path.join(dest, "shards"), exist_ok=True)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder):
        for o in page.get("Contents", []):
            name = o["Key"][len(folder):]
            if "/" not in name:
                s3.download_file(bucket, o["Key"], os.path.join(dest, "shards", name))
                copied += 1
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=folder).get("Uploads", [])
    for u in uploads:
        print("open-upload " + u["Key"])
    print("copied %d objects, %d open uploads" % (copied, len(uploads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
