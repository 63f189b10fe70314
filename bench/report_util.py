"""What bench/report_sections.py, bench/report_probe_cost.py and bench/run's own report share:
reading bench/run's TSV files and writing median (min-max) figures and ratios of medians."""

import os
import statistics


def read_rows(work, name):
    """The tab-separated rows of WORK/NAME, or none when the section did not write it."""
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    return [line.split("\t") for line in open(path).read().split("\n") if line]


def read_rtt_runs(work, name):
    """The rows bench/rtt_rows.py wrote into WORK/NAME, by tool: per repeat, rtt_p50_us,
    rtt_p99_us and ipdv_p50_us (None where the tool had no sample), received, sent and `how` as a
    dict ({"timestamps": "kernel", "socket": "raw"}, {"resolution_us": "1"})."""
    num = lambda x: float(x) if x else None
    runs = {}
    for tool, rep, p50, p99, recv, sent, ipdv, how in read_rows(work, name):
        runs.setdefault(tool, []).append({
            "repeat": int(rep), "rtt_p50_us": num(p50), "rtt_p99_us": num(p99),
            "received": int(recv), "sent": int(sent), "ipdv_p50_us": num(ipdv),
            "how": dict(pair.split("=", 1) for pair in how.split())})
    return runs


def received_over_sent(runs):
    """'received/sent' summed over the runs (dicts with received and sent)."""
    return f"{sum(r['received'] for r in runs)}/{sum(r['sent'] for r in runs)}"


def summary(values):
    """Median, min and max of the values that are not None; None when there are none."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return {"median": statistics.median(v), "min": v[0], "max": v[-1]}


def fmt(s, spec, sep="-"):
    """A summary as 'median (min-max)'; sep=" to " for values that may be negative."""
    if s is None:
        return "n/a"
    return f"{spec.format(s['median'])} ({spec.format(s['min'])}{sep}{spec.format(s['max'])})"


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
