"""What bench/report_sections.py and bench/report_probe_cost.py share: reading bench/run's TSV
files and writing median (min-max) figures and ratios of medians."""

import os
import statistics


def read_rows(work, name):
    """The tab-separated rows of WORK/NAME, or none when the section did not write it."""
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    return [line.split("\t") for line in open(path).read().split("\n") if line]


def summary(values):
    """Median, min and max of the values that are not None; None when there are none."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return {"median": statistics.median(v), "min": v[0], "max": v[-1]}


def fmt(s, spec):
    """A summary as 'median (min-max)'."""
    if s is None:
        return "n/a"
    return f"{spec.format(s['median'])} ({spec.format(s['min'])}-{spec.format(s['max'])})"


def ratio(a, b):
    """Median of a over median of b, or None."""
    if not a or not b or not b["median"]:
        return None
    return a["median"] / b["median"]


def fr(x, spec="{:.2f}"):
    return "n/a" if x is None else spec.format(x)


def probe_cost_runs(cost_rows, targets, ticks_per_second):
    """The runs at TARGETS targets of bench/run's probe_cost_all.tsv rows, by tool: each run's CPU,
    counts, window and the figures derived from them (CPU per probe, rate, reply ratio, peak RSS)."""
    runs = {}
    for tool, tn, rep, ticks, sent, recv, lost, rss, window, procs in cost_rows:
        if int(tn) != targets:
            continue
        cpu = int(ticks) / ticks_per_second
        sent, recv, window = int(sent), int(recv), float(window)
        runs.setdefault(tool, []).append({
            "repeat": int(rep), "cpu_seconds": cpu, "probes_sent": sent, "replies_received": recv,
            "probes_lost": int(lost), "window_seconds": window, "processes": int(procs),
            "cpu_microseconds_per_probe": cpu / sent * 1e6 if sent else None,
            "probes_per_second": sent / window if window else None,
            "reply_ratio": recv / sent if sent else None,
            "peak_rss_mib": int(rss) / 1024})
    return runs
