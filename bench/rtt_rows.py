#!/usr/bin/env python3
"""One row of RTT figures per tool run, for bench/run's RTT sections (accuracy on the lab link,
bench/sections/veth_rtt.sh on an idle veth): every tool's output read here, and every quantile
taken by the same rule, so that the tools are compared on equal terms.

Usage: rtt_rows.py linkmon|fping|irtt FILE TOOL REPEAT
  linkmon: FILE is `linkmon-probe measure --json`'s output
  fping:   FILE is `fping -C N -q HOST`'s stderr ("HOST : 0.035 0.008 - ..." in ms)
  irtt:    FILE is `irtt client -o FILE`'s JSON
Prints one tab-separated line:
  tool repeat p50_us p99_us received sent ipdv_p50_us how
Quantiles and ipdv_p50_us are empty where there is no sample (no reply; ipdv: not given by the
tool); `how` is space-separated key=value pairs saying how the tool measured (linkmon:
timestamps=kernel socket=raw; fping: resolution_us=1). Output it cannot read: a message on stderr,
exit status 1, no row.
"""

import json
import math
import sys


def quantile(values, p):
    """Nearest rank, as `linkmon-probe measure` ranks its own RTTs (measurement.cpp); None
    without values."""
    v = sorted(values)
    if not v:
        return None
    rank = math.ceil(p * len(v) - 1e-9)
    return v[max(1, min(len(v), rank)) - 1]


def fping_rtts_ms(path):
    """The RTTs of `fping -C N -q`'s one host line, in ms as printed, and the count sent (lost
    probes print as '-')."""
    text = open(path).read()
    if " : " not in text:
        raise ValueError(f"no host line in fping's output: {text[:200]!r}")
    words = text.split(" : ", 1)[1].split()
    return [w for w in words if w != "-"], len(words)


def fping_resolution_us(printed_ms):
    """fping prints with three significant digits: 0.035 below 1 ms (1 us steps), 1.23 below
    10 ms (10 us), 12.3 below 100 ms (100 us). The coarsest step among the printed values bounds
    the rounding of every sample (half a step either way)."""
    if not printed_ms:
        return None
    decimals = min((len(w.split(".")[1]) if "." in w else 0) for w in printed_ms)
    return 1000 / 10**decimals


def us(seconds):
    return None if seconds is None else seconds * 1e6


def linkmon_row(path, tool, rep):
    d = json.load(open(path))
    r, j = d["rtt_seconds"], d.get("jitter_seconds") or {}
    how = f"timestamps={d['timestamp_source']}"
    if d.get("icmp_socket"):
        how += f" socket={d['icmp_socket']}"
    return (tool, rep, us(r["p50"]), us(r["p99"]), d["received"], d["sent"], us(j.get("ipdv_p50")),
            how)


def fping_row(path, tool, rep):
    printed, sent = fping_rtts_ms(path)
    rtts = [float(w) * 1000 for w in printed]
    resolution = fping_resolution_us(printed)
    return (tool, rep, quantile(rtts, .5), quantile(rtts, .99), len(rtts), sent, "",
            "" if resolution is None else f"resolution_us={resolution:g}")


def irtt_row(path, tool, rep):
    d = json.load(open(path))
    trips = d["round_trips"]
    rtts = [t["delay"]["rtt"] / 1000 for t in trips if t.get("delay", {}).get("rtt") is not None]
    ipdv = [abs(t["ipdv"]["rtt"]) / 1000 for t in trips if t.get("ipdv", {}).get("rtt") is not None]
    return (tool, rep, quantile(rtts, .5), quantile(rtts, .99), len(rtts), len(trips),
            quantile(ipdv, .5), "")


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("linkmon", "fping", "irtt"):
        sys.exit("usage: rtt_rows.py linkmon|fping|irtt FILE TOOL REPEAT")
    kind, path, tool, rep = sys.argv[1:5]
    read = {"linkmon": linkmon_row, "fping": fping_row, "irtt": irtt_row}[kind]
    try:
        row = read(path, tool, rep)
    except (OSError, ValueError, KeyError, TypeError) as e:  # json.JSONDecodeError is a ValueError
        sys.exit(f"rtt_rows.py: {kind} output {path}: {type(e).__name__}: {e}")
    cell = lambda x: "" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)
    print("\t".join(cell(x) for x in row))
