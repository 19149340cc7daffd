#!/usr/bin/env python3
"""Runs the benchmark's contenders in turn on one manifest and measures each run.

Called by scripts/bench.sh (which installs tools, makes the data set and starts the origins); see
its --help. Per run: the contender's output folder is wiped and the file system synced first, then
the command runs in its own session while this process samples the resident memory of every
process in that session (5 Hz); at exit os.wait4 gives the CPU time of the whole client tree (the
command and every child it waited for). The output is then verified: number of image files and
their total bytes must equal the manifest's. One JSON line per run goes to --runs.

Rounds alternate the contenders (round r starts at contender r), and each round runs every regime,
so slow drifts of the shared machine's load spread over everyone.

The capacity scenario (--capacity-origin) runs massfetch with --maxInFlight=auto and with a fixed
limit on the first --capacity-entries entries, against an origin that answers 503 above a set
concurrency (scripts/origin.sh --capacity), alternating which goes first each round. Besides the
run's figures it records the origin's 503s and requests during the run (its /__capacity/stats
before and after), the HTTP requests massfetch made (the attempts in its results), and auto's
limit at the end.

Standard library only (runs with any Python 3.9+; the contenders use the bench venv's Python).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.sysconf("SC_PAGE_SIZE")

# Reference rates (images/s) measured on this machine kind (docs/benchmarks.md, DESIGN.md), used
# only to estimate how long an invocation takes before it starts: (no latency, 100 ms latency).
REFERENCE_RATES = {
    # Images/s with no added latency and with 100 ms, JVM start included, from a full run
    # (200,000 entries; aria2c's second figure on its 20,000): only for --estimate.
    "massfetch-direct": (2660, 2130),
    "massfetch-direct-checks": (2330, 1890),
    "massfetch-flink": (2310, 1750),
    "aiohttp-original": (350, 390),
    "aiohttp-bounded": (1670, 1260),
    "curl": (2430, 1180),
    # aria2c's CPU per image grows with -j (1.1-1.8 CPU s per 1,000 images at -j 256, 4.4-8.3 at
    # -j 2048); at 100 ms it did 122/s on 200,000 entries, 99 on 20,000, 186-243 on 40,000.
    "aria2c": (450, 110),
    "img2dataset": (1160, 820),
}
# Fixed cost per run (JVM start, imports, wiping 200,000 files), seconds.
STARTUP_S = {"massfetch-direct": 8, "massfetch-direct-checks": 8, "massfetch-flink": 20,
             "img2dataset": 10}

ALL_CONTENDERS = ["massfetch-direct", "massfetch-direct-checks", "massfetch-flink", "aiohttp-original", "aiohttp-bounded",
                  "curl", "aria2c", "img2dataset", "wrk"]
LABELS = {
    "massfetch-direct": "massfetch (DirectRunner)",
    "massfetch-direct-checks": "massfetch (DirectRunner, checks on)",
    "massfetch-flink": "massfetch (embedded Flink)",
    "aiohttp-original": "aiohttp original (session per image, all at once)",
    "aiohttp-bounded": "aiohttp bounded (shared session + semaphore)",
    "curl": "curl --parallel",
    "aria2c": "aria2c -i",
    "img2dataset": "img2dataset",
    "wrk": "wrk (server ceiling, no writes)",
    "massfetch-auto": "massfetch --maxInFlight=auto",
    "massfetch-fixed": "massfetch, fixed --maxInFlight",
}
CURL_PARALLEL_MAX = 300  # curl 7.88 refuses a larger --parallel-max

# The capacity scenario's two runs; the fixed limit is --capacity-fixed.
CAPACITY_CONTENDERS = ["massfetch-auto", "massfetch-fixed"]
CAPACITY_LATENCY_MS = 100
# Reference rates for the estimate: images/s after the JVM's start, capacity 64 and 100 ms, from
# 5,000-entry runs on this machine (the fixed limit's retries make it the slower one).
CAPACITY_REFERENCE_RATES = {"massfetch-auto": 400, "massfetch-fixed": 150}


@dataclass
class Regime:
    latency_ms: int
    base_url: str
    concurrency: int


@dataclass
class CapacityOrigin:
    capacity: int
    base_url: str
    entries: int
    fixed_limit: int


@dataclass
class Plan:
    """One contender's run in one regime: the command and what it must produce."""
    command: list[str]
    out_dir: Optional[str]
    entries: int
    expected_bytes: int
    concurrency: int
    note: str = ""
    env: dict[str, str] = field(default_factory=dict)
    # Counts files as images: by default every file outside massfetch's _results folder.
    is_image: Callable[[str], bool] = lambda name: name.endswith(".png")


@dataclass
class Setup:
    work: str
    data: str
    dataset: dict
    python: str
    massfetch: str
    flink_jar: str
    java_opts: str
    massfetch_args: list[str]
    wrk_seconds: int
    wrk_threads: int
    img2dataset_processes: int
    aria2c_entries: int


# ------------------------------------------------------------------------------------------------
# Contenders: each returns a Plan for a regime (inputs in tool formats are written once per
# regime, outside the measured time), or a string saying why it cannot run.

def manifest_keys(s: Setup, subset: bool = False) -> list[str]:
    name = "manifest-subset.txt" if subset else "manifest.txt"
    with open(os.path.join(s.data, name), encoding="ascii") as f:
        return [line.strip() for line in f if line.strip()]


def inputs_dir(s: Setup, r: Regime) -> str:
    d = os.path.join(s.work, "inputs", "latency-%d" % r.latency_ms)
    os.makedirs(d, exist_ok=True)
    return d


def out_dir(s: Setup, name: str) -> str:
    return os.path.join(s.work, "out", name)


def massfetch_plan(s: Setup, r: Regime, name: str) -> Plan | str:
    flink = name == "massfetch-flink"
    if flink and not os.path.isfile(s.flink_jar):
        return "not built (no %s)" % os.path.relpath(s.flink_jar, os.path.join(HERE, "..", ".."))
    out = out_dir(s, name)
    cmd = [s.massfetch, "--manifest=" + os.path.join(s.data, "manifest.txt"),
           "--baseUrl=" + r.base_url, "--output=" + out, "--maxInFlight=%d" % r.concurrency]
    note = "JVM start included; MASSFETCH_JAVA_OPTS=%s" % (s.java_opts or "(none)")
    if flink:
        cmd += ["--runner=FlinkRunner", "--flinkMaster=[local]"]
    if name == "massfetch-direct-checks":
        # The launcher turns the DirectRunner's immutability and encodability checks off (they
        # encode every output again); the tests keep them on. This row shows what they cost.
        cmd += ["--enforceImmutability=true", "--enforceEncodability=true"]
        note += "; --enforceImmutability=true --enforceEncodability=true"
    cmd += s.massfetch_args
    return Plan(cmd, out, s.dataset["entries"], s.dataset["bytes"], r.concurrency, note=note,
                env={"MASSFETCH_JAVA_OPTS": s.java_opts})


def aiohttp_original_plan(s: Setup, r: Regime) -> Plan:
    out = out_dir(s, "aiohttp-original")
    n = s.dataset["subset_entries"]
    note = ("on the first %d entries only: every task at once needs a descriptor per image "
            "(crashes with too many open files at 20,000)" % n) if n < s.dataset["entries"] else ""
    return Plan([s.python, os.path.join(HERE, "aiohttp_original.py"),
                 os.path.join(s.data, "manifest-subset.txt"), r.base_url, out],
                out, n, s.dataset["subset_bytes"], n, note=note)


def aiohttp_bounded_plan(s: Setup, r: Regime) -> Plan:
    out = out_dir(s, "aiohttp-bounded")
    return Plan([s.python, os.path.join(HERE, "aiohttp_bounded.py"),
                 os.path.join(s.data, "manifest.txt"), r.base_url, out,
                 "--concurrency", str(r.concurrency)],
                out, s.dataset["entries"], s.dataset["bytes"], r.concurrency)


def curl_plan(s: Setup, r: Regime) -> Plan:
    out = out_dir(s, "curl")
    cfg = os.path.join(inputs_dir(s, r), "curl.cfg")
    base = r.base_url.rstrip("/")
    with open(cfg, "w", encoding="ascii") as f:
        for key in manifest_keys(s):
            f.write('url = "%s/%s"\noutput = "%s/%s"\n' % (base, key, out, key))
    conc = min(r.concurrency, CURL_PARALLEL_MAX)
    note = "capped at --parallel-max %d (curl's maximum)" % CURL_PARALLEL_MAX \
        if r.concurrency > CURL_PARALLEL_MAX else ""
    return Plan(["curl", "--parallel", "--parallel-immediate", "--parallel-max", str(conc),
                 # --silent does not stop curl 7.88's parallel progress meter; this does.
                 "--create-dirs", "--fail", "--no-progress-meter", "--show-error", "--config", cfg],
                out, s.dataset["entries"], s.dataset["bytes"], conc, note=note)


def aria2c_plan(s: Setup, r: Regime) -> Plan:
    out = out_dir(s, "aria2c")
    lst = os.path.join(inputs_dir(s, r), "aria2.txt")
    base = r.base_url.rstrip("/")
    # The first --aria2c-entries entries: on all 200,000 one run at 2,048 downloads and 100 ms
    # took 27 minutes (122 images/s), more than every other run of a round together.
    keys = manifest_keys(s)[:s.aria2c_entries]
    cut = len(keys) < s.dataset["entries"]
    expected = sum(os.path.getsize(os.path.join(s.data, "root", k)) for k in keys) \
        if cut else s.dataset["bytes"]
    note = ("on the first %d entries only, to bound the run's time (docs/benchmarks.md, "
            "How long)" % len(keys)) if cut else ""
    with open(lst, "w", encoding="ascii") as f:
        for key in keys:
            folder, name = os.path.split(key)
            f.write("%s/%s\n  dir=%s/%s\n  out=%s\n" % (base, key, out, folder, name))
    return Plan(["aria2c", "--no-conf", "--input-file", lst, "--deferred-input=true",
                 "--max-concurrent-downloads", str(r.concurrency), "--split=1",
                 "--max-connection-per-server=1", "--file-allocation=none",
                 "--allow-overwrite=true", "--auto-file-renaming=false", "--remote-time=false",
                 "--max-tries=1", "--quiet=true", "--console-log-level=error",
                 "--summary-interval=0", "--download-result=hide"],
                out, len(keys), expected, r.concurrency, note=note)


def img2dataset_plan(s: Setup, r: Regime) -> Plan:
    out = out_dir(s, "img2dataset")
    urls = os.path.join(inputs_dir(s, r), "urls.txt")
    base = r.base_url.rstrip("/")
    with open(urls, "w", encoding="ascii") as f:
        for key in manifest_keys(s):
            f.write("%s/%s\n" % (base, key))
    procs = s.img2dataset_processes
    threads = max(1, r.concurrency // procs)
    return Plan([s.python, os.path.join(HERE, "img2dataset_run.py"), urls, out,
                 "--processes", str(procs), "--threads", str(threads),
                 "--entries", str(s.dataset["entries"])],
                out, s.dataset["entries"], s.dataset["bytes"], procs * threads,
                note="%d processes x %d threads; urllib, a new connection per image" % (procs, threads),
                env={"NO_ALBUMENTATIONS_UPDATE": "1", "WANDB_MODE": "disabled"})


def wrk_plan(s: Setup, r: Regime) -> Plan:
    conc = max(r.concurrency, s.wrk_threads)
    return Plan(["wrk", "-t", str(s.wrk_threads), "-c", str(conc), "-d", "%ds" % s.wrk_seconds,
                 "--timeout", "30s", "-s", os.path.join(HERE, "wrk_paths.lua"), r.base_url, "--",
                 os.path.join(s.data, "manifest.txt"), str(s.wrk_threads)],
                None, 0, 0, conc,
                note="%d s at %d connections; no writes; MB/s includes headers"
                     % (s.wrk_seconds, conc))


def capacity_plan(s: Setup, c: CapacityOrigin, name: str) -> Plan:
    """massfetch with auto or the fixed limit on the first c.entries entries (written once)."""
    d = os.path.join(s.work, "inputs", "capacity")
    os.makedirs(d, exist_ok=True)
    manifest = os.path.join(d, "manifest.txt")
    keys = manifest_keys(s)[:c.entries]
    with open(manifest, "w", encoding="ascii") as f:
        f.write("".join(k + "\n" for k in keys))
    expected = sum(os.path.getsize(os.path.join(s.data, "root", k)) for k in keys)
    limit = "auto" if name == "massfetch-auto" else str(c.fixed_limit)
    out = out_dir(s, name)
    cmd = [s.massfetch, "--manifest=" + manifest, "--baseUrl=" + c.base_url, "--output=" + out,
           "--maxInFlight=" + limit] + s.massfetch_args
    # Concurrency of auto: its ceiling (Configs.AUTO_CEILING), where it could go if nothing stopped it.
    return Plan(cmd, out, len(keys), expected, 2048 if name == "massfetch-auto" else c.fixed_limit,
                env={"MASSFETCH_JAVA_OPTS": s.java_opts})


def origin_capacity_stats(base_url: str) -> dict:
    """scripts/origin.sh's /__capacity/stats: requests, rejected (503s), in_flight since start."""
    with urllib.request.urlopen(base_url.rstrip("/") + "/__capacity/stats", timeout=10) as r:
        return json.load(r)


def attempts_in_results(out: str) -> Optional[int]:
    """The HTTP requests massfetch made: the sum of its result records' attempts."""
    total, seen = 0, False
    folder = os.path.join(out, "_results")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.startswith("results-") and name.endswith(".jsonl"):
            seen = True
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                total += sum(json.loads(line).get("attempts", 0) for line in f if line.strip())
    return total if seen else None


def run_capacity(s: Setup, c: CapacityOrigin, name: str, plan: Plan, round_no: int,
                 timeout_s: float) -> dict:
    before = origin_capacity_stats(c.base_url)
    requests: list[Optional[int]] = []
    # The attempts are counted before run_one wipes the output.
    rec = run_one(s, name, plan, Regime(CAPACITY_LATENCY_MS, c.base_url, plan.concurrency),
                  round_no, timeout_s, before_wipe=lambda: requests.append(attempts_in_results(plan.out_dir)))
    # The client has exited; nginx logs (and releases) its connections' last requests about now.
    time.sleep(0.5)
    after = origin_capacity_stats(c.base_url)
    rec.update(scenario="capacity", capacity=c.capacity,
               max_in_flight="auto" if name == "massfetch-auto" else str(c.fixed_limit),
               http_requests=requests[0] if requests else None,
               origin_requests=after["requests"] - before["requests"],
               origin_503=after["rejected"] - before["rejected"],
               origin_in_flight_after=after["in_flight"])
    return rec


PLANNERS: dict[str, Callable[[Setup, Regime], Plan | str]] = {
    "massfetch-direct": lambda s, r: massfetch_plan(s, r, "massfetch-direct"),
    "massfetch-direct-checks": lambda s, r: massfetch_plan(s, r, "massfetch-direct-checks"),
    "massfetch-flink": lambda s, r: massfetch_plan(s, r, "massfetch-flink"),
    "aiohttp-original": aiohttp_original_plan,
    "aiohttp-bounded": aiohttp_bounded_plan,
    "curl": curl_plan,
    "aria2c": aria2c_plan,
    "img2dataset": img2dataset_plan,
    "wrk": wrk_plan,
}


# ------------------------------------------------------------------------------------------------
# Measurement

def session_rss_bytes(sid: int) -> int:
    """Sum of the resident set sizes of every live process in session sid (shared pages of
    forked children count once per process, so this over-states a forking tool a little)."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rfind(b")") + 2:].split()
        # fields[0] is stat field 3 (state): session is field 6, rss (pages) field 24.
        if int(fields[3]) == sid:
            total += int(fields[21]) * PAGE
    return total


def session_alive(sid: int) -> bool:
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name, "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rfind(b")") + 2:].split()[3]) == sid:
                return True
    return False


def stop_session(sid: int) -> None:
    """TERM, then KILL, the process group this harness created (its pgid is the child's pid)."""
    for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(sid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and session_alive(sid):
            time.sleep(0.1)


def measure(cmd: list[str], env: dict[str, str], timeout_s: float, log_prefix: str) -> dict:
    """Runs cmd in a new session; returns wall, CPU, memory and exit figures."""
    full_env = dict(os.environ, **env)
    with open(log_prefix + ".out", "wb") as out, open(log_prefix + ".err", "wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env=full_env, start_new_session=True)
        sid = proc.pid
        peak = 0
        timed_out = False
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                peak = max(peak, session_rss_bytes(sid))
                if time.monotonic() - started > timeout_s:
                    timed_out = True
                    stop_session(sid)
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.2)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): the contender runs in its own session, so it would
            # not get the signal; stop it before leaving.
            stop_session(sid)
            raise
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # keeps Popen from waiting again
    leftovers = session_alive(sid)
    if leftovers:  # a child that outlived the command (should not happen): stop it, say so
        stop_session(sid)
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(peak / 1e6, 1),
        "max_single_rss_mb": round(usage.ru_maxrss / 1e3, 1),  # ru_maxrss is in KiB
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "left_children": leftovers,
    }


def count_output(out: str, is_image: Callable[[str], bool]) -> tuple[int, int, int]:
    """(image files, their bytes, other files) under out, massfetch's _results excluded."""
    files = size = other = 0
    for folder, dirs, names in os.walk(out):
        if folder == out and "_results" in dirs:
            dirs.remove("_results")
        for n in names:
            if is_image(n):
                files += 1
                size += os.path.getsize(os.path.join(folder, n))
            else:
                other += 1
    return files, size, other


def wipe(path: Optional[str]) -> None:
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)
        # Write back the previous run's dirty pages now, so this run does not pay for them.
        # (sync -f: only this file system; the page cache is NOT dropped, see docs/benchmarks.md.)
        subprocess.run(["sync", "-f", path], check=False)


def parse_json_tail(text: str) -> Optional[dict]:
    """The last JSON object printed on stdout (massfetch prints summary.json there)."""
    text = text.strip()
    start = text.rfind("\n{")
    for candidate in (text, text[start + 1:] if start >= 0 else ""):
        try:
            value = json.loads(candidate)
            if isinstance(value, dict):
                return value
        except ValueError:
            pass
    return None


def run_one(s: Setup, name: str, plan: Plan, r: Regime, round_no: int, timeout_s: float,
            before_wipe: Optional[Callable[[], None]] = None) -> dict:
    wipe(plan.out_dir)
    logs = os.path.join(s.work, "logs")
    os.makedirs(logs, exist_ok=True)
    prefix = os.path.join(logs, "%s-lat%d-r%d" % (name, r.latency_ms, round_no))
    m = measure(plan.command, plan.env, timeout_s, prefix)
    rec: dict = {"contender": name, "label": LABELS[name], "latency_ms": r.latency_ms,
                 "round": round_no, "concurrency": plan.concurrency, "note": plan.note, **m}
    stdout = open(prefix + ".out", errors="replace").read()
    if name == "wrk":
        line = next((l for l in stdout.splitlines() if l.startswith("WRK_JSON ")), None)
        w = json.loads(line[len("WRK_JSON "):]) if line else {}
        seconds = w.get("duration_us", 0) / 1e6 or m["wall_s"]
        errors = sum(w.get(k, 0) for k in ("connect_errors", "read_errors", "write_errors",
                                            "status_errors", "timeouts"))
        n = w.get("requests", 0)
        rec.update(entries=n, files=n, bytes=w.get("bytes", 0), expected_bytes=None,
                   verified=bool(line) and errors == 0 and m["exit_code"] == 0 and n > 0,
                   rate_s=seconds, errors=errors,
                   latency_p50_ms=w.get("latency_p50_us", 0) / 1e3,
                   latency_p99_ms=w.get("latency_p99_us", 0) / 1e3)
    else:
        files, size, other = count_output(plan.out_dir, plan.is_image)
        rec.update(entries=plan.entries, files=files, bytes=size, other_files=other,
                   expected_bytes=plan.expected_bytes, rate_s=m["wall_s"],
                   verified=(files == plan.entries and size == plan.expected_bytes
                             and not m["timed_out"]))
        if name.startswith("massfetch"):
            summary = parse_json_tail(stdout) or {}
            rec.update(self_images_per_s=summary.get("images_per_s"),
                       self_elapsed_s=summary.get("elapsed_s"), self_ok=summary.get("ok"),
                       self_failed=summary.get("failed"), self_errors=summary.get("errors"))
            # The launcher's closing line "average in flight N of M[, limit at end L]": the goal
            # is N >= 0.8 M; L is where --maxInFlight=auto ended.
            err_text = open(prefix + ".err", errors="replace").read()
            found = re.findall(r"average in flight (\d+) of ", err_text)
            if found:
                rec["avg_in_flight"] = int(found[-1])
            limit = re.findall(r"limit at end (\d+)", err_text)
            if limit:
                rec["limit_at_end"] = int(limit[-1])
        if before_wipe:
            before_wipe()
        wipe(plan.out_dir)  # do not leave 6 GB behind
    if not rec["verified"]:
        # The last words of a failed run, for the table (the whole log stays in logs/).
        lines = [l.strip() for l in open(prefix + ".err", errors="replace") if l.strip()]
        rec["stderr_tail"] = lines[-1][:160] if lines else ""
    secs = rec["rate_s"] or 1e-9
    rec["images_per_s"] = round(rec["files"] / secs, 1)
    rec["mb_per_s"] = round(rec["bytes"] / secs / 1e6, 2)
    rec["cpu_s_per_1k"] = round(m["cpu_s"] / rec["files"] * 1000, 3) if rec["files"] else None
    return rec


def contender_entries(name: str, dataset: dict, aria2c_entries: int) -> int:
    """The entries a contender runs on: all of them, but for the two that run on the first few."""
    if name == "aiohttp-original":
        return dataset["subset_entries"]
    if name == "aria2c":
        return min(aria2c_entries, dataset["entries"])
    return dataset["entries"]


def estimate_seconds(dataset: dict, contenders: list[str], regimes: list[int], rounds: int,
                     wrk_seconds: int, capacity_entries: int = 0, aria2c_entries: int = 20000) -> float:
    total = 0.0
    if capacity_entries:
        total += rounds * sum(capacity_entries / rate + STARTUP_S["massfetch-direct"]
                              for rate in CAPACITY_REFERENCE_RATES.values())
    for name in contenders:
        for lat in regimes:
            if name == "wrk":
                per = wrk_seconds + 2
            else:
                n = contender_entries(name, dataset, aria2c_entries)
                rate = REFERENCE_RATES[name][1 if lat else 0]
                # Syncing, counting and wiping the output: about 45 s per 200,000 files here.
                per = n / rate + STARTUP_S.get(name, 1) + n / 4500
            total += per * rounds
    return total


def main(argv: list[str] | None = None) -> int:
    # SIGTERM as an exception, so measure() stops the running contender on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    p = argparse.ArgumentParser(description="Runs the benchmark contenders (see scripts/bench.sh).")
    p.add_argument("--work", required=True)
    p.add_argument("--data", required=True, help="folder made by prepare.py")
    p.add_argument("--regime", action="append", default=[], metavar="MS=URL=CONC",
                   help="added latency, origin base URL, concurrency; repeat per regime")
    p.add_argument("--capacity-origin", metavar="C=URL",
                   help="run the capacity scenario against URL, an origin refusing above C at once")
    p.add_argument("--capacity-entries", type=int, default=5000,
                   help="manifest entries of the capacity scenario (its first N)")
    p.add_argument("--capacity-fixed", type=int, default=1024,
                   help="the fixed --maxInFlight the capacity scenario sets beside auto")
    p.add_argument("--contenders", default=",".join(ALL_CONTENDERS))
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--python", default=sys.executable, help="Python with aiohttp/img2dataset")
    p.add_argument("--massfetch", required=True)
    p.add_argument("--flink-jar", required=True)
    p.add_argument("--java-opts", default="-Xmx1g")
    p.add_argument("--massfetch-arg", action="append", default=[])
    p.add_argument("--wrk-seconds", type=int, default=15)
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--img2dataset-processes", type=int, default=os.cpu_count() or 2)
    p.add_argument("--run-timeout", type=float, default=3600)
    p.add_argument("--aria2c-entries", type=int, default=20000,
                   help="aria2c runs on the manifest's first N entries")
    p.add_argument("--runs", required=True, help="JSON Lines file to append run records to")
    p.add_argument("--estimate-only", action="store_true",
                   help="print the estimated seconds of the runs and exit (--data may not exist "
                        "yet: then --entries and --subset-entries describe it)")
    p.add_argument("--entries", type=int, default=0)
    p.add_argument("--subset-entries", type=int, default=0)
    a = p.parse_args(sys.argv[1:] if argv is None else argv)

    regimes = []
    for spec in a.regime:
        ms, url, conc = spec.split("=", 2)
        regimes.append(Regime(int(ms), url, int(conc)))
    contenders = [c for c in a.contenders.split(",") if c]
    unknown = set(contenders) - set(ALL_CONTENDERS)
    if unknown:
        p.error("unknown contenders: %s (known: %s)" % (", ".join(sorted(unknown)),
                                                       ", ".join(ALL_CONTENDERS)))
    meta = os.path.join(a.data, "dataset.json")
    if a.estimate_only and a.entries:
        dataset = {"entries": a.entries, "subset_entries": min(a.subset_entries or a.entries,
                                                               a.entries)}
    else:
        with open(meta) as f:
            dataset = json.load(f)
    if a.estimate_only:
        cap_entries = min(a.capacity_entries, dataset["entries"]) if a.capacity_origin else 0
        print(round(estimate_seconds(dataset, contenders, [r.latency_ms for r in regimes],
                                     a.rounds, a.wrk_seconds, cap_entries, a.aria2c_entries)))
        return 0

    s = Setup(work=a.work, data=a.data, dataset=dataset, python=a.python, massfetch=a.massfetch,
              flink_jar=a.flink_jar, java_opts=a.java_opts, massfetch_args=a.massfetch_arg,
              wrk_seconds=a.wrk_seconds, wrk_threads=a.wrk_threads,
              img2dataset_processes=max(1, a.img2dataset_processes),
              aria2c_entries=max(1, a.aria2c_entries))
    plans: dict[tuple[str, int], Plan | str] = {}
    for r in regimes:
        for name in contenders:
            plans[(name, r.latency_ms)] = PLANNERS[name](s, r)
    cap: Optional[CapacityOrigin] = None
    cap_plans: dict[str, Plan] = {}
    if a.capacity_origin:
        c, url = a.capacity_origin.split("=", 1)
        cap = CapacityOrigin(int(c), url, min(a.capacity_entries, dataset["entries"]), a.capacity_fixed)
        cap_plans = {name: capacity_plan(s, cap, name) for name in CAPACITY_CONTENDERS}

    with open(a.runs, "a") as runs:
        for name in contenders:  # contenders that cannot run still get their row
            for r in regimes:
                why = plans[(name, r.latency_ms)]
                if isinstance(why, str):
                    runs.write(json.dumps({"contender": name, "label": LABELS[name],
                                           "latency_ms": r.latency_ms, "skipped": why}) + "\n")
        total = a.rounds * (sum(1 for v in plans.values() if not isinstance(v, str)) + len(cap_plans))
        done = 0

        def write_record(rec: dict, round_no: int, r_ms: int, name: str) -> None:
            runs.write(json.dumps(rec) + "\n")
            runs.flush()
            extra = ""
            if rec.get("scenario") == "capacity":
                extra = " 503s %s, requests %s, limit at end %s," % (
                    rec["origin_503"], rec["origin_requests"], rec.get("limit_at_end", "-"))
            print("%s [%d/%d] round %d, %d ms: %-28s %8.1f images/s %7.2f MB/s "
                  "cpu %6.2f s/1k  rss %7.1f MB %s %s" % (
                      time.strftime("%H:%M:%S"), done, total, round_no, r_ms,
                      name, rec["images_per_s"], rec["mb_per_s"],
                      rec["cpu_s_per_1k"] or 0, rec["peak_rss_mb"], extra,
                      "ok" if rec["verified"] else
                      "NOT VERIFIED (exit %s, %d/%d files%s)" % (
                          rec["exit_code"], rec["files"], rec["entries"],
                          ", timed out" if rec["timed_out"] else "")),
                  file=sys.stderr, flush=True)

        for round_no in range(1, a.rounds + 1):
            k = (round_no - 1) % len(contenders)
            order = contenders[k:] + contenders[:k]
            for r in regimes:
                for name in order:
                    plan = plans[(name, r.latency_ms)]
                    if isinstance(plan, str):
                        continue
                    done += 1
                    write_record(run_one(s, name, plan, r, round_no, a.run_timeout), round_no,
                                 r.latency_ms, name)
            if cap:
                # Auto first in odd rounds, the fixed limit first in even ones.
                order = CAPACITY_CONTENDERS if round_no % 2 else CAPACITY_CONTENDERS[::-1]
                for name in order:
                    done += 1
                    rec = run_capacity(s, cap, name, cap_plans[name], round_no, a.run_timeout)
                    write_record(rec, round_no, CAPACITY_LATENCY_MS, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
