#!/usr/bin/env python3
"""gcsemu-durable.py — runs gcp-storage-emulator with its files written atomically.

The emulator keeps the metadata of every object in one JSON file (.meta) that it rewrites in place
on each write: a stop that lands during that rewrite leaves the file empty, and the next start
fails to parse it, so the store never comes back. Stopping the store mid-run is exactly what the
store tests do (as a crashed or restarted service would be), so this wrapper makes each file write
a temp file then a rename: a stopped emulator keeps the state of its last finished write.

Usage: python gcsemu-durable.py ARGS...   (the arguments of the gcp-storage-emulator command)
"""
import os
import sys

from gcp_storage_emulator import storage
from gcp_storage_emulator.__main__ import main

_write_in_place = storage._FileStore.write_bytes


def _write_then_rename(self, rel, content):
    if self._use_memory:
        return _write_in_place(self, rel, content)
    temp = rel + ".partial"
    _write_in_place(self, temp, content)
    os.replace(self._disk_path(self._norm(temp)), self._disk_path(self._norm(rel)))


storage._FileStore.write_bytes = _write_then_rename

if __name__ == "__main__":
    sys.argv[0] = "gcp-storage-emulator"
    sys.exit(main())
