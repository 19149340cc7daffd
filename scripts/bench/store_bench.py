#!/usr/bin/env python3
"""The store scenario of scripts/bench.sh (--scenario store): massfetch into local disk, S3 and GCS.

Called by scripts/bench.sh (see its --help), which passes the work folder and the sizes. Starts, in
the work folder: the storage emulators (scripts/storage-emulators.sh: S3Proxy and fake-gcs-server,
with their own run dir), an image origin (scripts/origin.sh) and one nginx proxy per store
(scripts/store-proxy.sh) that adds --store-latency-ms to every store request and counts requests
by method. Then, for each store in --stores, one massfetch run (DirectRunner) of the manifest's
first --images entries with the default uploads in flight and --skipExisting=false (one PUT per
image is the goal; --skipExisting would add a metadata request per entry):

  local        --output=<folder> (the baseline)
  s3, gcs      through the proxy (latency added, requests counted)
  s3-direct,   straight to the emulator, no proxy: shows whether the emulator itself is the limit
  gcs-direct

With --formats files,tar each of those runs is made once per output format: `tar` runs
(--outputFormat=tar, named e.g. s3-tar) write the images into tar shards with the default limits,
so their store requests per image show what a shard costs against one PUT per image.

And, for s3 and gcs (files format), a resumed run: the whole manifest (--images plus a tenth more) with
--previousResults set to the first run's results, counted by the proxy: the goal is one PUT per
new image and no HEAD or GET at all.

Per run: wall time and the job's own images/s (summary.json), the store requests per stored image
by method (proxy counts), and who used the CPU: seconds per 1,000 images of massfetch's process
tree (os.wait4), of the store server, of the store proxy and of the image origin (each process and
its children, from /proc/<pid>/stat utime+stime before and after), and all of them together as a
share of the machine's cores over the run's wall time: near 100 % the emulator and massfetch
compete for the CPU and the figures say more about the machine than about the store. Every run
must end with every entry ok. Writes runs.jsonl and a Markdown table (results.md) into the work
folder and prints the table.

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from bench import measure  # noqa: E402  (bench.py is the harness's measuring code)

CLK_TCK = os.sysconf("SC_CLK_TCK")
BUCKET = "massfetch-test"
STORES = ["local", "s3", "gcs", "s3-direct", "gcs-direct"]
FORMATS = ["files", "tar"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", required=True, help="work folder (created)")
    p.add_argument("--images", "--entries", dest="entries", type=int, default=20000,
                   help="images per run (default 20000; a few thousand for a quick relative check)")
    p.add_argument("--store-latency-ms", type=int, default=30,
                   help="added by the proxy to every store request (default 30)")
    p.add_argument("--stores", default=",".join(STORES), help="comma list of " + ",".join(STORES))
    p.add_argument("--formats", default="files", help="comma list of output formats: " + ",".join(FORMATS))
    p.add_argument("--no-resume", action="store_true", help="skip the resumed runs")
    p.add_argument("--massfetch", default=os.path.join(ROOT, "scripts", "massfetch"))
    p.add_argument("--java-opts", default="-Xmx1g", help="MASSFETCH_JAVA_OPTS (default -Xmx1g)")
    p.add_argument("--massfetch-arg", action="append", default=[], help="extra massfetch option")
    p.add_argument("--run-timeout", type=float, default=3600)
    a = p.parse_args(argv)
    a.stores = [s for s in a.stores.split(",") if s]
    for s in a.stores:
        if s not in STORES:
            p.error("--stores: unknown '%s' (%s)" % (s, ",".join(STORES)))
    a.formats = [f for f in a.formats.split(",") if f]
    for f in a.formats:
        if f not in FORMATS:
            p.error("--formats: unknown '%s' (%s)" % (f, ",".join(FORMATS)))
    if a.entries < 10:
        p.error("--images must be at least 10")
    return a


def sh(*cmd: str, env: dict | None = None) -> str:
    """Runs one of the project's scripts; its stdout (a URL, an endpoint) stripped."""
    return subprocess.run(list(cmd), check=True, stdout=subprocess.PIPE, text=True,
                          env=dict(os.environ, **(env or {}))).stdout.strip()


def emulator_env(run_dir: str) -> dict[str, str]:
    out = sh(os.path.join(ROOT, "scripts", "storage-emulators.sh"), "env",
             env={"MASSFETCH_STORAGE_RUN": run_dir})
    env = {}
    for line in out.splitlines():
        line = line.removeprefix("export ").strip()
        if "=" in line:
            k, v = line.split("=", 1)
            env[k] = v.strip("'\"")
    return env


def _stat_fields(pid: str) -> list[bytes] | None:
    try:
        stat = open("/proc/%s/stat" % pid, "rb").read()
    except OSError:
        return None
    return stat[stat.rfind(b")") + 2:].split()  # fields from the 3rd (state) on


def cpu_seconds(pid_file: str | None) -> float | None:
    """CPU seconds (user + system) used so far by the process of pid_file and its live children
    (nginx's workers, a launcher's server); None without a pid file."""
    if not pid_file:
        return None
    try:
        root = open(pid_file).read().strip()
    except OSError:
        return None
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = _stat_fields(entry)
            if f:
                parents[entry] = (f[1].decode(), (int(f[11]) + int(f[12])) / CLK_TCK)  # ppid; utime+stime
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in parents:
            total += parents[pid][1]
            todo += [p for p, (ppid, _) in parents.items() if ppid == pid]
    return total


def cpu_used(before: float | None, after: float | None) -> float | None:
    return after - before if before is not None and after is not None else None


def per_1k(seconds: float | None, stored: int) -> float | None:
    return round(seconds / stored * 1000, 2) if seconds is not None and stored else None


def proxy_stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/__proxy/stats", timeout=10) as r:
        return json.load(r)


def proxy_reset(url: str) -> None:
    with urllib.request.urlopen(url + "/__proxy/reset", timeout=10) as r:
        r.read()


def summary_of(results: str) -> dict:
    with open(os.path.join(results, "summary.json")) as f:
        return json.load(f)


def fmt(v, digits=0) -> str:
    if v is None:
        return "–"
    return ("{:,.%df}" % digits).format(v)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv if argv is not None else sys.argv[1:])
    work = os.path.abspath(a.work)
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    data = os.path.join(work, "data")
    total = a.entries + max(1, a.entries // 10)
    # One URL prefix per 20,000 files at most, as the contenders scenario lays its data out.
    subprocess.run([sys.executable, os.path.join(HERE, "prepare.py"), "--work", data,
                    "--entries", str(total), "--files", str(min(total, 20000)),
                    "--subset", str(a.entries)], check=True, stdout=sys.stderr)
    first = os.path.join(data, "manifest-subset.txt")  # the first --entries entries
    whole = os.path.join(data, "manifest.txt")

    emu_run = os.path.join(work, "emulators")
    emu = os.path.join(ROOT, "scripts", "storage-emulators.sh")
    proxy = os.path.join(ROOT, "scripts", "store-proxy.sh")
    origin = os.path.join(ROOT, "scripts", "origin.sh")
    emu_env = {"MASSFETCH_STORAGE_RUN": emu_run}
    proxies = {"s3": os.path.join(work, "proxy-s3"), "gcs": os.path.join(work, "proxy-gcs")}
    started: list[list[str]] = []
    # Only the stores this run writes to: S3Proxy's JVM start alone takes seconds.
    kinds = sorted({s.split("-")[0] for s in a.stores} - {"local"})
    which = "all" if len(kinds) != 1 else kinds[0]
    try:
        if kinds:
            sh(emu, "start", which, env=emu_env)
            started.append([emu, "stop", which])
        env = emulator_env(emu_run) if kinds else {}
        url = sh(origin, "start", "--root", os.path.join(data, "root"), "--run-dir",
                 os.path.join(work, "origin"))
        started.append([origin, "stop", "--run-dir", os.path.join(work, "origin")])
        endpoints = {"s3": env.get("MASSFETCH_TEST_S3_ENDPOINT"), "gcs": env.get("MASSFETCH_TEST_GCS_ENDPOINT")}
        proxy_urls = {}
        for store, run_dir in proxies.items():
            if store not in kinds:
                continue
            proxy_urls[store] = sh(proxy, "start", "--upstream", endpoints[store], "--flavor", store,
                                   "--latency-ms", str(a.store_latency_ms), "--run-dir", run_dir)
            started.append([proxy, "stop", "--run-dir", run_dir])
        run_env = {k: v for k, v in env.items() if k.startswith("AWS_")}
        run_env.update({"MASSFETCH_JAVA_OPTS": a.java_opts, "AWS_EC2_METADATA_DISABLED": "true"})
        # Loaded into the page cache once, as the contenders scenario does.
        subprocess.run("find %s/files -type f -name '*.png' -exec cat {} + >/dev/null" % data,
                       shell=True, check=False)

        records = []
        tag = time.strftime("%Y%m%d-%H%M%S")
        plan = [(s, f, False) for f in a.formats for s in a.stores]
        if not a.no_resume and "files" in a.formats:
            plan += [(s, "files", True) for s in a.stores if s in ("s3", "gcs")]
        for store, form, resume in plan:
            name = store + ("-tar" if form == "tar" else "") + ("-resume" if resume else "")
            kind = store.split("-")[0]
            via_proxy = store in ("s3", "gcs")
            results = os.path.join(work, "results", name)
            prefix = "bench/%s/%s" % (tag, name.replace("-resume", ""))
            if kind == "local":
                output = os.path.join(work, "out", name)
                subprocess.run(["rm", "-rf", output], check=True)
                target = []
            elif kind == "s3":
                output = "s3://%s/%s" % (BUCKET, prefix)
                target = ["--s3Endpoint=" + (proxy_urls["s3"] if via_proxy else endpoints["s3"]),
                          "--s3PathStyle=true"]
            else:
                output = "gs://%s/%s" % (BUCKET, prefix)
                target = ["--gcsEndpoint=" + (proxy_urls["gcs"] if via_proxy else endpoints["gcs"])]
            cmd = [a.massfetch, "--manifest=" + (whole if resume else first), "--baseUrl=" + url,
                   "--output=" + output, "--results=" + results, "--skipExisting=false",
                   # The pre-flight's probe (one PUT and one DELETE a run) is no per-image request.
                   "--preflight=false"] + target
            if resume:
                cmd.append("--previousResults=" + os.path.join(work, "results", store, "results-*.jsonl"))
            if form == "tar":
                cmd.append("--outputFormat=tar")
            cmd += a.massfetch_arg
            subprocess.run(["rm", "-rf", results], check=True)
            if via_proxy:
                proxy_reset(proxy_urls[kind])
            # Who else spends CPU on this run: the store server, its proxy, the image origin.
            others = {"emulator": os.path.join(emu_run, kind + ".pid") if kind != "local" else None,
                      "proxy": os.path.join(proxies[kind], "nginx.pid") if via_proxy else None,
                      "origin": os.path.join(work, "origin", "nginx.pid")}
            cpu0 = {k: cpu_seconds(f) for k, f in others.items()}
            print("store bench: %s ..." % name, file=sys.stderr, flush=True)
            m = measure(cmd, run_env, a.run_timeout, os.path.join(work, "logs", name))
            cpu = {k: cpu_used(cpu0[k], cpu_seconds(f)) for k, f in others.items()}
            rec = {"name": name, "store": store, "format": form, "resume": resume, "entries": a.entries if not resume else total,
                   "latency_ms": a.store_latency_ms if via_proxy else 0, **m}
            try:
                s = summary_of(results)
                rec.update(ok=s["ok"], skipped=s["skipped"], failed=s["failed"], errors=s["errors"],
                           job_images_per_s=s.get("images_per_s"), job_elapsed_s=s.get("elapsed_s"))
            except (OSError, ValueError, KeyError) as e:
                rec.update(ok=0, failed=None, errors={"no summary": str(e)})
            stored = rec["ok"]
            rec["images_per_s"] = round(stored / m["wall_s"], 1) if m["wall_s"] and stored else None
            rec["cpu_s_per_1k"] = per_1k(m["cpu_s"], stored)
            for k, used in cpu.items():
                rec[k + "_cpu_s_per_1k"] = per_1k(used, stored)
            busy = m["cpu_s"] + sum(v for v in cpu.values() if v is not None)
            rec["cores"] = os.cpu_count()
            rec["cpu_busy_pct"] = round(100.0 * busy / (m["wall_s"] * os.cpu_count()), 1) if m["wall_s"] else None
            # Work this run did not start (other jobs on a shared machine) shows in the load average.
            rec["loadavg_1m"] = float(open("/proc/loadavg").read().split()[0])
            if via_proxy:
                st = proxy_stats(proxy_urls[kind])
                rec["requests"] = st["methods"]
                rec["requests_per_image"] = {k: round(v / stored, 3) for k, v in st["methods"].items()} if stored else None
            err = open(os.path.join(work, "logs", name + ".err"), errors="replace").read()
            limit = [l for l in err.splitlines() if "uploads in flight limit at end" in l]
            rec["finished_line"] = limit[-1] if limit else None
            records.append(rec)
            with open(os.path.join(work, "runs.jsonl"), "a") as f:
                f.write(json.dumps(rec) + "\n")
            print("store bench: %s: %s ok, %s failed, %.1f s wall, %s images/s (job %s), cpu s/1k massfetch %s"
                  " store %s proxy %s origin %s, cores %s %% busy, requests %s"
                  % (name, rec["ok"], rec.get("failed"), m["wall_s"], rec["images_per_s"],
                     rec.get("job_images_per_s"), rec["cpu_s_per_1k"], rec["emulator_cpu_s_per_1k"],
                     rec["proxy_cpu_s_per_1k"], rec["origin_cpu_s_per_1k"], rec["cpu_busy_pct"],
                     rec.get("requests")),
                  file=sys.stderr, flush=True)
    finally:
        for cmd in reversed(started):
            subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=dict(os.environ, **emu_env))
        # The emulators' objects: a 20,000-image run leaves about 1 GB per store.
        if kinds:
            subprocess.run([emu, "clean", which], check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=dict(os.environ, **emu_env))
    table = report(records, a)
    with open(os.path.join(work, "results.md"), "w") as f:
        f.write(table)
    print(table)
    bad = [r["name"] for r in records if r.get("failed") != 0 or r.get("exit_code") != 0]
    if bad:
        print("store bench: runs with failures: %s" % ", ".join(bad), file=sys.stderr)
        return 1
    return 0


def report(records: list[dict], a: argparse.Namespace) -> str:
    base = next((r for r in records if r["name"] == "local"), None)
    resumed = ""
    if any(r["resume"] for r in records):
        resumed = (" Resumed runs: %d entries, the first %d done before (--previousResults), so only the"
                   " rest are stored: their requests are per new image."
                   % (a.entries + max(1, a.entries // 10), a.entries))
    lines = [
        "%d images of the benchmark data set per run (DirectRunner, default --maxUploadsInFlight,"
        " --skipExisting=false); proxies add %d ms to every store request.%s%s"
        % (a.entries, a.store_latency_ms, resumed,
           " Runs named -tar: --outputFormat=tar with the default shard limits (requests per image"
           " include the shards' parts and indexes)." if "tar" in a.formats else ""),
        "",
        "CPU s / 1k: CPU seconds per 1,000 stored images of each process (with its children);"
        " cores busy: all of them together over the run's wall time, as a share of %d cores;"
        " load: the machine's 1-minute load average as the run ended (above the core count, other"
        " work competed for the CPU and the figures are not the store's)." % (os.cpu_count() or 0),
        "",
        "| run | ok / failed | images/s (wall) | images/s (job) | vs local (job) | store requests per stored image"
        " | CPU s / 1k: massfetch | store server | store proxy | origin | cores busy | load | uploads limit at end |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        ratio = None
        if base and base.get("job_images_per_s") and r.get("job_images_per_s") and not r["resume"]:
            ratio = 100.0 * r["job_images_per_s"] / base["job_images_per_s"]
        per = r.get("requests_per_image")
        if per is None:
            reqs = "not counted (no proxy)" if r["store"] != "local" else "–"
        else:
            # Always name PUT/POST, HEAD and GET, even at 0: they are the goal's figures.
            shown = dict({"HEAD": 0, "GET": 0}, **per)
            reqs = ", ".join("%s %s" % (k, fmt(v, 3)) for k, v in sorted(shown.items()))
            # A tar run's few requests round to 0.000 an image: the count says what they were.
            reqs += " (%s in all)" % fmt(sum((r.get("requests") or {}).values()))
        limit = "–"
        if r.get("finished_line"):
            limit = r["finished_line"].split("uploads in flight limit at end ")[1].split(",")[0]
        busy = r.get("cpu_busy_pct")
        lines.append("| %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["name"], fmt(r.get("ok")), fmt(r.get("failed")), fmt(r.get("images_per_s")),
            fmt(r.get("job_images_per_s")), (fmt(ratio) + " %") if ratio is not None else "–", reqs,
            fmt(r.get("cpu_s_per_1k"), 2), fmt(r.get("emulator_cpu_s_per_1k"), 2),
            fmt(r.get("proxy_cpu_s_per_1k"), 2), fmt(r.get("origin_cpu_s_per_1k"), 2),
            (fmt(busy) + " %") if busy is not None else "–", fmt(r.get("loadavg_1m"), 1), limit))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
