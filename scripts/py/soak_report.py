#!/usr/bin/env python3
"""Prints the soak's closing report from its part-*.json files."""
import glob
import json
import os
import sys
import time
work, entries, chaos, mix, took, passed, failed = sys.argv[1:8]
parts = {}
for p in sorted(glob.glob(os.path.join(work, "part-*.json"))):
    r = json.load(open(p))
    parts[r["part"]] = r
load = open("/proc/loadavg").read().split()[:3]
rep = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cores": os.cpu_count(),
       "load_at_end": " ".join(load), "chaos_percent_per_kind": float(chaos), "chaos_mix": mix,
       "soak_wall_s": int(took), "checks_passed": int(passed), "checks_failed": int(failed), "parts": parts}
json.dump(rep, open(os.path.join(work, "report.json"), "w"), indent=1)
lines = ["Fault soak %s, %s cores, load average at end %s; chaos %s %% per kind%s; soak took %s s; checks: %s passed, %s failed."
         % (rep["date"], rep["cores"], rep["load_at_end"], chaos, (" (mix " + mix + ")") if mix else "", took, passed, failed)]
for name, r in parts.items():
    c = r.get("chaos", {})
    lines += ["", "#### %s: %d entries" % (name, r["entries"]), "",
              "- faults injected (origin's counters, %s requests): %s" % (c.get("requests"), ", ".join(
                  "%s %d" % kv for kv in sorted(c.get("faults", {}).items())) or "none"),
              "- results: ok %d (%.2f %%), skipped %d, failed %d; errors: %s%s" % (
                  r["ok"], r["ok_percent"], r["skipped"], r["failed"],
                  ", ".join("%s %d" % kv for kv in r["errors"].items()) or "none",
                  ("; skips: " + ", ".join("%s %d" % kv for kv in r["skips"].items())) if r["skips"] else ""),
              "- elapsed: %s s in the job's summary (%s images/s), %s s launcher wall time" % (
                  r.get("elapsed_s"), r.get("images_per_s"), r["wall_s"])]
    if "rss" in r:
        m = r["rss"]
        lines.append("- RSS of the java process (VmRSS): peak %d MiB over the whole run; while fetching (10 %%–100 %% of the entries done, %d samples) first quarter %d MiB, last quarter %d MiB (%+.1f %%)"
                     % (m["peak_mib"], m["fetch_phase_samples"], m["first_quarter_mib"], m["last_quarter_mib"], m["growth_percent"]))
open(os.path.join(work, "report.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
