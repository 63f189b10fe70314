#!/usr/bin/env python3
"""Issue 10's targets judged from this run's own figures: one row per target, met or missed, with
the figure that decides it, at the top of latest.md and as latest.json's "targets".

bench/README.md's "Issue 10" table says why a target is missed and what was done; this table is
what one run measured, so that a reader of latest.md needs nothing else to see where linkmon
stands, and a regression shows in the next run rather than in a hand-written line.

Usage: report_targets.py RESULTS_DIR   (after bench/run and bench/report_sections.py wrote
latest.json and latest.md there). A target whose section did not run is "not measured".
"""

import json
import os
import sys

MB_IN_MIB = 1_000_000 / 1_048_576  # the issue says 20 MB; the tables give MiB


def get(doc, *keys):
    """doc[k1][k2]... or None where any level is missing."""
    for k in keys:
        if not isinstance(doc, dict) or k not in doc:
            return None
        doc = doc[k]
    return doc


def median(figure):
    return figure.get("median") if isinstance(figure, dict) else figure


def verdict(ok):
    return "not measured" if ok is None else ("met" if ok else "missed")


def all_of(checks):
    """True when every measured check holds, None when none was measured."""
    measured = [c for c in checks if c is not None]
    return None if not measured else all(measured)


def probe_cpu(doc):
    rows, checks = [], []
    for n in ("1000", "10000"):
        ratios = get(doc, "probe_cost_peers", "by_targets", n, "ratios", "fping")
        if ratios is None and n == "1000":
            ratios = {"cpu_per_probe_linkmon_over_tool": get(doc, "probe_cost", "ratio_linkmon_over_fping", "cpu_per_probe")}
        r = (ratios or {}).get("cpu_per_probe_linkmon_over_tool")
        if r is not None:
            checks.append(r <= 0.5)
            rows.append(f"{int(n):,} targets {r:.2f}x")
    return all_of(checks), "; ".join(rows) or "-", "at most 0.5x fping's CPU per probe"


def false_loss(doc):
    rows, checks = [], []
    for n in ("1000", "10000"):
        summary = get(doc, "probe_cost_peers", "by_targets", n, "summary") or {}
        for tool in ("linkmon", "linkmon-default"):
            lost = get(summary, tool, "probes_lost")
            if lost is not None:
                worst = lost.get("max", median(lost))
                checks.append(worst == 0)
                rows.append(f"{tool} at {int(n):,}: {worst:g} lost")
        smoke = get(summary, "smokeping", "reply_ratio")
        if smoke is not None:
            rows.append(f"smokeping_prober at {int(n):,} records {median(smoke):.0%} of replies")
    return all_of(checks), "; ".join(rows) or "-", "no probe counted lost (every probe is answered)"


def probe_rss(doc):
    rows, checks = [], []
    summary = get(doc, "probe_cost_peers", "by_targets", "10000", "summary") or {}
    for tool in ("linkmon", "linkmon-default"):
        rss = get(summary, tool, "peak_rss_mib")
        if rss is not None:
            mb = median(rss) / MB_IN_MIB
            checks.append(mb < 20)
            rows.append(f"{tool}: {median(rss):.1f} MiB ({mb:.1f} MB)")
    return all_of(checks), "; ".join(rows) or "-", "peak RSS under 20 MB at 10,000 targets"


def veth_rtt(doc):
    verdicts = get(doc, "veth_rtt", "verdict")
    diffs = get(doc, "veth_rtt", "p50_minus_fping_p50_us") or {}
    if not verdicts:
        return None, "-", "median RTT on an idle veth within 10 us of fping's"
    rows = [f"{t} {median(diffs.get(t)):+.1f} us" for t in verdicts if diffs.get(t) is not None]
    return all(v == "met" for v in verdicts.values()), "; ".join(rows), \
        "median RTT on an idle veth within 10 us of fping's"


def rtt_error(doc):
    summary = get(doc, "accuracy", "summary") or {}
    fping = summary.get("fping")
    rows, checks = [], []
    if fping:
        for tool in ("linkmon-icmp", "linkmon-stamp"):
            if tool not in summary:
                continue
            for q in ("p50", "p99"):
                ours, theirs = median(summary[tool][f"error_{q}_us"]), median(fping[f"error_{q}_us"])
                if ours is None or theirs is None:
                    continue
                ratio = abs(ours) / abs(theirs) if theirs else (0 if ours == 0 else float("inf"))
                checks.append(ratio <= 1)
                rows.append(f"{tool} {q} {abs(ours):.0f} vs {abs(theirs):.0f} us ({ratio:.2f}x)")
    return all_of(checks), "; ".join(rows) or "-", \
        "the p50 and p99 RTT's error against the lab's delay at most fping's"


def ingest(doc):
    figures = get(doc, "collector_ingest", "summaries_per_cpu_second") or {}
    rows, checks = [], []
    for name, label in (("BM_HttpIngest/50/4", "50-path batches"), ("BM_HttpIngest/1000/4", "1000-path batches")):
        if name in figures:
            rate = median(figures[name])
            checks.append(rate >= 200_000)
            rows.append(f"whole HTTP path, {label}: {rate:,.0f}/CPU-s")
    return all_of(checks), "; ".join(rows) or "-", \
        "200,000 path summaries per CPU-second, decode to durable store"


def api_latency(doc):
    summary = get(doc, "api", "summary") or {}
    rows, checks = [], []
    for query, bound in (("rank", 1.0), ("matrix", 10.0)):
        p99 = get(summary, f"linkmon/{query}", "p99_ms")
        if p99 is not None:
            checks.append(median(p99) < bound)
            rows.append(f"/{query} p99 {median(p99):.2f} ms (< {bound:g})")
    return all_of(checks), "; ".join(rows) or "-", "/rank p99 < 1 ms, /matrix p99 < 10 ms at 10,000 paths"


def api_vs_prometheus(doc):
    ratios = get(doc, "api", "prometheus_over_linkmon") or {}
    rows, checks = [], []
    for query, r in ratios.items():
        for q in ("p50_ms", "p99_ms"):
            if r.get(q) is not None:
                checks.append(r[q] >= 10)
                rows.append(f"{query} {q[:3]} {r[q]:.1f}x")
    return all_of(checks), "; ".join(rows) or "-", "Prometheus' latency at least 10x linkmon's, every query"


def throughput(doc):
    ratios = get(doc, "throughput", "ratio_linkmon_over_iperf3") or {}
    checks = [0.97 <= r <= 1.03 for r in ratios.values()]
    rows = [f"{mode} {r:.3f}" for mode, r in ratios.items()]
    return all_of(checks), "; ".join(rows) or "-", "linkmon / iperf3 goodput within 0.97-1.03"


TARGETS = [
    ("Probe CPU per probe vs fping", probe_cpu),
    ("No false loss", false_loss),
    ("Probe RSS at 10,000 targets", probe_rss),
    ("RTT on an idle veth vs fping", veth_rtt),
    ("RTT error vs the lab delay", rtt_error),
    ("Collector ingest", ingest),
    ("Scheduler API p99", api_latency),
    ("Scheduler API vs Prometheus", api_vs_prometheus),
    ("Throughput vs iperf3", throughput),
]


def main():
    out_dir = sys.argv[1]
    doc = json.load(open(os.path.join(out_dir, "latest.json")))
    judged = []
    for name, judge in TARGETS:
        ok, figures, target = judge(doc)
        judged.append({"target": name, "wanted": target, "verdict": verdict(ok), "figures": figures})
    doc["targets"] = judged
    json.dump(doc, open(os.path.join(out_dir, "latest.json"), "w"), indent=2)

    table = ["## Issue 10's targets in this run", "",
             "Judged from this run's medians by bench/report_targets.py. Why a target is missed, and "
             "the profile that explains it: bench/README.md, \"Issue 10\".", "",
             "| target | wanted | this run | verdict |", "|---|---|---|---|"]
    table += [f"| {t['target']} | {t['wanted']} | {t['figures']} | {verdict_md(t['verdict'])} |" for t in judged]
    table.append("")
    path = os.path.join(out_dir, "latest.md")
    lines = open(path).read().split("\n")
    first_section = next((i for i, l in enumerate(lines) if l.startswith("## ")), len(lines))
    open(path, "w").write("\n".join(lines[:first_section] + table + lines[first_section:]))


def verdict_md(v):
    return v if v == "not measured" else f"**{v}**"


if __name__ == "__main__":
    main()
