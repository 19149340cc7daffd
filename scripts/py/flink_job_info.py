#!/usr/bin/env python3
"""Prints 'jobid state fetched' of a named Flink job from the cluster's REST API; nothing when there is none yet."""
import json
import re
import sys
import urllib.parse
import urllib.request
rest, name = sys.argv[1:3]
def get(path):
    with urllib.request.urlopen(rest + path, timeout=10) as r:
        return json.load(r)
try:
    jobs = [j for j in get("/jobs/overview")["jobs"] if j["name"] == name]
    if not jobs:
        sys.exit(0)
    job = max(jobs, key=lambda j: j["start-time"])
    jid = job["jid"]
    fetched = 0
    pat = re.compile(r".*FetchAndStore[^.]*\)\)\.numRecordsOut")
    for v in get("/jobs/" + jid)["vertices"]:
        base = "/jobs/%s/vertices/%s/subtasks/metrics" % (jid, v["id"])
        ids = [m["id"] for m in get(base) if pat.match(m["id"])]
        if ids:
            q = ",".join(urllib.parse.quote(i) for i in ids)
            fetched = max([fetched] + [int(float(m.get("sum", 0))) for m in get(base + "?agg=sum&get=" + q)])
    print(jid, job["state"], fetched)
except Exception:  # REST busy or the job just ended
    pass
