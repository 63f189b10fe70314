#!/usr/bin/env python3
"""Writes the figures of `bench/run --only probe-cost` as probe-cost-N.md and probe-cost-N.json.

Usage: report_probe_cost.py WORK_DIR OUT_DIR REPEATS CLK_TCK STARTED LOAD_BEFORE LOAD_AFTER
                            WARMUP DURATION

Reads WORK_DIR/probe_cost_all.tsv (tool, targets, repeat, CPU ticks, sent, received, lost, peak
RSS KiB, window s, processes) and probe_cost_failures.tsv, and writes one pair of files per target
count into OUT_DIR. Every figure is the median with min and max over the repeats; every ratio is
of medians measured in the same run (the tools alternate, the order rotating each repeat).
"""

import json
import os
import platform
import subprocess
import sys

from report_util import fmt, fr, probe_cost_runs, ratio, read_rows, summary

work, out_dir = sys.argv[1], sys.argv[2]
repeats, ticks_per_second = int(sys.argv[3]), int(sys.argv[4])
started, load_before, load_after = sys.argv[5], sys.argv[6], sys.argv[7]
warmup, duration = int(sys.argv[8]), int(sys.argv[9])

TOOLS = ["linkmon", "linkmon-default", "fping"]
NAMES = {"linkmon": "linkmon (bench config: summary_interval 1s)",
         "linkmon-default": "linkmon (default config: summary and upload every 10s)",
         "fping": "fping 5.1"}
KEYS = ["cpu_microseconds_per_probe", "peak_rss_mib", "probes_per_second", "reply_ratio",
        "probes_lost"]


def rows(name):
    return read_rows(work, name)


def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


cpu_model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), "unknown")
machine = {"nproc": os.cpu_count(), "cpu_model": cpu_model, "kernel": platform.release(),
           "loadavg_before": load_before, "loadavg_after": load_after,
           "note": "shared machine: other sessions build and test at the same time"}
# bench/run passes the state of the tree when the run began (COMMIT, DIRTY non-empty if edited).
commit = os.environ.get("COMMIT") or git("rev-parse", "HEAD")
dirty = bool(os.environ["DIRTY"]) if "DIRTY" in os.environ else bool(git("status", "--porcelain", "--untracked-files=no"))

cost_rows = rows("probe_cost_all.tsv")
failures = rows("probe_cost_failures.tsv")
os.makedirs(out_dir, exist_ok=True)
for n in sorted({int(r[1]) for r in cost_rows}):
    runs = probe_cost_runs(cost_rows, n, ticks_per_second)
    summ = {t: {k: summary(r[k] for r in rs) for k in KEYS} for t, rs in runs.items()}
    fping = summ.get("fping", {})
    ratios = {t: {"cpu_per_probe_over_fping": ratio(s["cpu_microseconds_per_probe"], fping.get("cpu_microseconds_per_probe")),
                  "peak_rss_over_fping": ratio(s["peak_rss_mib"], fping.get("peak_rss_mib"))}
              for t, s in summ.items() if t != "fping"}
    fails = [{"tool": f[0], "repeat": int(f[2]), "reason": f[3]} for f in failures if int(f[1]) == n]
    fping_procs = max((r["processes"] for r in runs.get("fping", [])), default=1)
    doc = {"started_at": started, "machine": machine, "linkmon_commit": commit,
           "linkmon_tree_dirty": dirty,
           "setup": {"targets": n, "rate_per_target": "1/s", "method": "icmp",
                     "warmup_seconds": warmup, "window_seconds": duration, "repeats": repeats,
                     "linkmon": "linkmon-probe daemon, 1 host target per address, interval 1s, collector unreachable (batches spool)",
                     "linkmon-default": "the same with the config's summary_interval and upload_interval (10s)",
                     "fping": "fping -l -q -p 1000 -i 0.5 -t 1000 (one process per 5,000 targets; -i 500/N ms above 1,000 per process)",
                     "where": "network namespace lmbench, local route 10.99.0.0/18 on lo"},
           "runs": runs, "summary": summ, "ratios": ratios, "failures": fails}
    json.dump(doc, open(os.path.join(out_dir, f"probe-cost-{n}.json"), "w"), indent=2)

    md = [f"# linkmon probe cost (bench/run --only probe-cost, {started})", "",
          f"Machine: {machine['nproc']} CPUs, {cpu_model}, kernel {machine['kernel']}; load average "
          f"before {load_before}, after {load_after}. The machine is shared with other sessions "
          "building and testing at the same time: absolute figures are noisy, the ratios (the tools "
          "measured in the same run, alternating) less so.", "",
          f"linkmon commit {commit[:12]}" + (" with uncommitted changes" if dirty else "") +
          " (the binary of the build tree when the run began).", "",
          f"## {n:,} ICMP targets at 1 probe/s each, {duration} s window, {repeats} repeats", "",
          "Median (min-max) over repeats.", "",
          "| tool | CPU µs / probe | peak RSS MiB | probes/s | replies/sent | lost | CPU ÷ fping's | RSS ÷ fping's |",
          "|---|---|---|---|---|---|---|---|"]
    for t in TOOLS:
        if t not in summ:
            continue
        s, r = summ[t], ratios.get(t, {})
        name = NAMES[t] + (f" ({fping_procs} processes)" if t == "fping" and fping_procs > 1 else "")
        md.append(f"| {name} | {fmt(s['cpu_microseconds_per_probe'], '{:.1f}')} | {fmt(s['peak_rss_mib'], '{:.1f}')} | "
                  f"{fmt(s['probes_per_second'], '{:.0f}')} | {fmt(s['reply_ratio'], '{:.3f}')} | "
                  f"{fmt(s['probes_lost'], '{:.0f}')} | {fr(r.get('cpu_per_probe_over_fping')) if r else '-'} | "
                  f"{fr(r.get('peak_rss_over_fping')) if r else '-'} |")
    for f in fails:
        md.append(f"| {NAMES.get(f['tool'], f['tool'])} | not measured (repeat {f['repeat']}): {f['reason']} | | | | | | |")
    md += ["", "Issue 10's targets: CPU per probe at most 0.5 of fping's; peak RSS under 20 MB with "
           "10,000 targets; no false loss.", "",
           "linkmon: the real `linkmon-probe` daemon with one `host:` target per address (interval "
           "1s), the collector URL on a closed port so every batch is spooled to SQLite. Its bench "
           "config sets `summary_interval: 1s` (a summary per probe: the stress figure); the default "
           "config summarises and uploads every 10 s. fping: `fping -l -q -p 1000 -i 0.5 -t 1000` "
           "(`-i` shrinks above 1,000 targets per process; one process per 5,000 targets). All inside "
           "namespace `lmbench`, where a `local` route makes 10.99.0.0/18 answer on loopback. CPU = "
           "utime+stime of the tool's processes over the window after a "
           f"{warmup} s warm-up; probes = the tool's own count over the window (linkmon: "
           "`linkmon_probe_probes_sent_total`, the probers' live counter; fping: its SIGQUIT summary). "
           "linkmon's replies and lost come from closed interval summaries, so they can be off by one "
           "interval's probes at either end of the window (replies/sent above 1 is that, not "
           "duplicates; with 10 s summaries the ratio means little, lost still counts every loss "
           "decided in the window). Peak RSS is VmHWM, which includes a /metrics scrape.", ""]
    open(os.path.join(out_dir, f"probe-cost-{n}.md"), "w").write("\n".join(md))
    print("\n".join(md))
print(f"bench/run: wrote probe-cost-N.md/.json into {out_dir}", file=sys.stderr)
