#!/usr/bin/env python3
"""Turns the benchmark's run records (runs.jsonl from bench.py) into a Markdown table per regime
and a PNG chart, and optionally splices the table into docs/benchmarks.md between the markers
<!-- bench:results:begin --> and <!-- bench:results:end --> (the rest of the page is left alone).

Per contender and regime: the median over its verified runs of images/s, MB/s, CPU seconds per
1,000 images and peak RSS, and the ratio of its median images/s to massfetch (DirectRunner)'s.
A contender with no verified run shows the median of all its runs, marked "not verified".

Records of the capacity scenario (bench.py --capacity-origin) make their own table, --maxInFlight=auto
beside a fixed limit against an origin that refuses above a set concurrency, spliced between
<!-- bench:capacity:begin --> and <!-- bench:capacity:end -->. Each block of the page is only
rewritten when the runs hold records for it, so a run of one scenario leaves the other's alone.

Usage: report.py --runs RUNS --markdown OUT.md --chart OUT.png [--docs docs/benchmarks.md]
                 [--header TEXT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from typing import Optional

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"
CAPACITY_BEGIN = "<!-- bench:capacity:begin -->"
CAPACITY_END = "<!-- bench:capacity:end -->"
CAPACITY_ORDER = ["massfetch-auto", "massfetch-fixed"]
BASELINE = "massfetch-direct"
ORDER = ["massfetch-direct", "massfetch-direct-checks", "massfetch-flink", "aiohttp-original", "aiohttp-bounded", "curl",
         "aria2c", "img2dataset", "wrk"]


def load(path: str) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def median(values: list[float]) -> Optional[float]:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(records: list[dict]) -> dict[tuple[int, str], dict]:
    """(latency_ms, contender) -> row figures."""
    groups: dict[tuple[int, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["latency_ms"], r["contender"]), []).append(r)
    rows = {}
    for key, runs in groups.items():
        skipped = next((r["skipped"] for r in runs if "skipped" in r), None)
        measured = [r for r in runs if "skipped" not in r]
        good = [r for r in measured if r.get("verified")]
        use = good or measured
        first = (use or runs)[0]
        rows[key] = {
            "label": first["label"],
            "skipped": skipped if not measured else None,
            "runs": len(measured),
            "verified": len(good),
            "concurrency": first.get("concurrency"),
            "entries": first.get("entries"),
            "images_per_s": median([r["images_per_s"] for r in use]),
            "images_per_s_all": [r["images_per_s"] for r in use],
            "mb_per_s": median([r["mb_per_s"] for r in use]),
            "cpu_s_per_1k": median([r.get("cpu_s_per_1k") for r in use]),
            "peak_rss_mb": median([r["peak_rss_mb"] for r in use]),
            "self_images_per_s": median([r.get("self_images_per_s") for r in use]),
            "avg_in_flight": median([r.get("avg_in_flight") for r in use]),
            "note": first.get("note", ""),
            "failure": "" if good or not measured else failure_text(measured[-1]),
        }
    return rows


def failure_text(r: dict) -> str:
    if r.get("timed_out"):
        return "timed out after %.0f s" % r["wall_s"]
    text = "exit %s, %s of %s images stored" % (r.get("exit_code"), r.get("files"), r.get("entries"))
    if r.get("stderr_tail"):
        text += " (stderr: `%s`)" % r["stderr_tail"].replace("`", "'").replace("|", "\\|")
    return text


def fmt(v: Optional[float], digits: int = 0) -> str:
    if v is None:
        return "–"
    return ("{:,.%df}" % digits).format(v)


def table(rows: dict, latency: int) -> str:
    base = rows.get((latency, BASELINE))
    base_rate = base["images_per_s"] if base and base["verified"] else None
    out = ["| Contender | Concurrency | Entries | Verified runs | Images/s (median) | × massfetch "
           "| MB/s | CPU s / 1,000 images | Peak RSS (MB) | Notes |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name in ORDER + sorted({c for (l, c) in rows if c not in ORDER}):
        row = rows.get((latency, name))
        if row is None:
            continue
        if row["skipped"]:
            out.append("| %s | | | | %s | | | | | |" % (row["label"], row["skipped"]))
            continue
        notes = [row["note"]] if row["note"] else []
        if row["failure"]:
            notes.insert(0, "**not verified**: " + row["failure"])
        if name.startswith("massfetch") and row["self_images_per_s"]:
            notes.append("own summary: %s images/s" % fmt(row["self_images_per_s"]))
        if row["avg_in_flight"] is not None:
            notes.append("average in flight %s of %s" % (fmt(row["avg_in_flight"]),
                                                         fmt(row["concurrency"])))
        if len(row["images_per_s_all"]) > 1:
            notes.append("range %s–%s" % (fmt(min(row["images_per_s_all"])),
                                          fmt(max(row["images_per_s_all"]))))
        ratio = (row["images_per_s"] / base_rate) if base_rate and row["images_per_s"] else None
        unit = " req/s" if name == "wrk" else ""
        out.append("| %s | %s | %s | %d/%d | %s%s | %s | %s | %s | %s | %s |" % (
            row["label"], fmt(row["concurrency"]), fmt(row["entries"]), row["verified"], row["runs"],
            fmt(row["images_per_s"]), unit, fmt(ratio, 2) + "×" if ratio else "–",
            fmt(row["mb_per_s"], 1), fmt(row["cpu_s_per_1k"], 2), fmt(row["peak_rss_mb"]),
            "; ".join(n for n in notes if n)))
    return "\n".join(out)


def short_label(name: str, row: dict) -> str:
    """The label without its parenthesis, except where it tells two rows apart."""
    extra = {"massfetch-flink": " (Flink)", "massfetch-direct-checks": " (checks on)"}
    return row["label"].split(" (")[0] + extra.get(name, "")


def chart(rows: dict, latencies: list[int], path: str, title: str) -> None:
    import textwrap

    import matplotlib
    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(latencies), figsize=(6.5 * len(latencies), 5.0), squeeze=False)
    for ax, lat in zip(axes[0], latencies, strict=True):
        names = [n for n in ORDER if (lat, n) in rows and rows[(lat, n)]["images_per_s"]]
        missing = [short_label(n, rows[(lat, n)]) for n in ORDER
                   if (lat, n) in rows and not rows[(lat, n)]["images_per_s"]]
        labels, values, lo, hi, colors = [], [], [], [], []
        for n in names:
            row = rows[(lat, n)]
            v = row["images_per_s"]
            labels.append(short_label(n, row) + ("" if row["verified"] else " (not verified)"))
            values.append(v)
            lo.append(v - min(row["images_per_s_all"]))
            hi.append(max(row["images_per_s_all"]) - v)
            colors.append("#1f77b4" if n.startswith("massfetch") else
                          "#bbbbbb" if n == "wrk" else "#ff7f0e")
        y = list(range(len(values)))
        ax.barh(y, values, xerr=[lo, hi], color=colors, capsize=3)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        # Log scale: wrk (no writes) and the slowest tools are orders of magnitude apart (and
        # a log axis needs at least one positive value).
        if values:
            ax.set_xscale("log")
        ax.set_xlabel("images/s, log scale (median; whiskers: min–max; wrk: requests/s)")
        ax.set_title("no added latency" if lat == 0 else "%d ms added per request" % lat)
        for i, v in enumerate(values):
            ax.text(v, i, " %s" % fmt(v), va="center", fontsize=8)
        if missing:
            ax.text(0.99, 0.01, "no figures: " + ", ".join(missing), transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=8, color="#aa0000")
    fig.suptitle("\n".join(textwrap.wrap(title, 150)), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def capacity_table(records: list[dict]) -> str:
    """One row per limit: medians over its runs, verified or not (the fixed limit may lose entries
    to 503s: that is the finding, not a broken run)."""
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r["contender"], []).append(r)
    first = records[0]
    out = ["#### Origin refusing above %d requests at once (503, no Retry-After), %d ms per answer"
           % (first["capacity"], first["latency_ms"]),
           "",
           "| --maxInFlight | Entries | Runs | Images/s (median) | ok / failed | 503s from the origin "
           "| HTTP requests (massfetch / origin) | 503s per image | Average in flight | Limit at end "
           "| Notes |",
           "|---|---:|---:|---:|---|---:|---|---:|---:|---:|---|"]
    for name in CAPACITY_ORDER + sorted(set(groups) - set(CAPACITY_ORDER)):
        runs = groups.get(name)
        if not runs:
            continue
        med = lambda key, runs=runs: median([r.get(key) for r in runs])  # noqa: E731
        rates = [r["images_per_s"] for r in runs]
        notes = []
        if len(runs) > 1:
            notes.append("range %s–%s images/s, %s–%s 503s" % (
                fmt(min(rates)), fmt(max(rates)), fmt(min(r["origin_503"] for r in runs)),
                fmt(max(r["origin_503"] for r in runs))))
        if med("self_images_per_s"):
            notes.append("own summary: %s images/s" % fmt(med("self_images_per_s")))
        unverified = [r for r in runs if not r.get("verified")]
        if unverified:
            # What the failures were (summary.json's errors) says more than the launcher's last line.
            errors: dict[str, int] = {}
            for r in runs:
                for kind, n in (r.get("self_errors") or {}).items():
                    errors[kind] = errors.get(kind, 0) + n
            why = ", ".join("%s %s" % (k, fmt(v)) for k, v in sorted(errors.items()))
            notes.append("%d of %d runs short of the manifest (%s)" % (
                len(unverified), len(runs),
                "failed over all runs: " + why if why else failure_text(unverified[-1])))
        leaked = max(r.get("origin_in_flight_after", 0) for r in runs)
        if leaked:
            notes.append("**origin still counted %d in flight after the run**" % leaked)
        per_image = med("origin_503") / runs[0]["entries"] if runs[0]["entries"] else None
        out.append("| %s | %s | %d | %s | %s / %s | %s | %s / %s | %s | %s | %s | %s |" % (
            runs[0].get("max_in_flight", name), fmt(runs[0]["entries"]), len(runs), fmt(med("images_per_s")),
            fmt(med("self_ok")), fmt(med("self_failed")), fmt(med("origin_503")),
            fmt(med("http_requests")), fmt(med("origin_requests")), fmt(per_image, 2),
            fmt(med("avg_in_flight")), fmt(med("limit_at_end")), "; ".join(notes)))
    return "\n".join(out)


def splice(docs: str, block: str, begin: str = BEGIN, end: str = END) -> None:
    text = open(docs).read() if os.path.exists(docs) else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + begin + "\n" + block + "\n" + end + tail
    else:
        text = text.rstrip("\n") + "\n\n" + begin + "\n" + block + "\n" + end + "\n"
    with open(docs, "w") as f:
        f.write(text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark table and chart from runs.jsonl.")
    p.add_argument("--runs", required=True)
    p.add_argument("--markdown", required=True, help="Markdown file to write the tables to")
    p.add_argument("--chart", required=True, help="PNG to write")
    p.add_argument("--chart-link", help="how the Markdown refers to the chart (default: its name)")
    p.add_argument("--docs", help="page to splice the tables into, between the bench markers")
    p.add_argument("--header", default="", help="paragraph put above the tables")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)

    records = load(a.runs)
    capacity = [r for r in records if r.get("scenario") == "capacity"]
    rows = summarise([r for r in records if r.get("scenario") != "capacity"])
    latencies = sorted({lat for (lat, _) in rows})
    header = [a.header.strip()] if a.header.strip() else []
    parts = list(header)
    for lat in latencies:
        parts.append("#### %s\n\n%s" % ("No added latency" if lat == 0 else
                                         "%d ms added per request (in nginx)" % lat,
                                         table(rows, lat)))
    title = a.header.strip().splitlines()[0] if a.header.strip() else "massfetch benchmark"
    if rows:
        chart(rows, latencies, a.chart, title.replace("**", ""))
        parts.append("![images/s per contender](%s)" % (a.chart_link or os.path.basename(a.chart)))
    block = "\n\n".join(parts) + "\n"
    # The page keeps the capacity table in its own section, so it carries the header again there.
    capacity_block = "\n\n".join(header + [capacity_table(capacity)]) + "\n" if capacity else ""
    markdown = "\n\n".join(parts + ([capacity_table(capacity)] if capacity else [])) + "\n"
    with open(a.markdown, "w") as f:
        f.write(markdown)
    if a.docs:
        if rows:
            splice(a.docs, block)
        if capacity:
            splice(a.docs, capacity_block, CAPACITY_BEGIN, CAPACITY_END)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
