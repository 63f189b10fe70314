#!/usr/bin/env python3
"""Adds the figures of bench/sections/ to bench/results/latest.json and latest.md (bench/run).

Usage: report_sections.py WORK_DIR OUT_DIR TARGETS LARGE_TARGETS REPEATS CLK_TCK

Reads what the sections wrote into WORK_DIR (each file only if its section ran):
probe_cost_all.tsv and probe_cost_failures.tsv (every probe-cost tool at both target counts),
jitter.tsv, veth.tsv, api.tsv (+ api-prometheus-*.count), memory.tsv, throughput.tsv, ingest.tsv. Every figure is the
median with min and max over the repeats; every ratio is of medians measured in the same run.
"""

import json
import os
import random
import statistics
import sys

from report_util import (fmt, fr, probe_cost_runs, ratio, read_rows, read_rtt_runs,
                         received_over_sent, summary)

work, out_dir = sys.argv[1], sys.argv[2]
targets, large_targets, repeats, ticks_per_second = (int(x) for x in sys.argv[3:7])


def rows(name):
    return read_rows(work, name)


doc = json.load(open(os.path.join(out_dir, "latest.json")))
# A blank line between what bench/run wrote and the first section's heading.
md = open(os.path.join(out_dir, "latest.md")).read().rstrip("\n").split("\n") + [""]

# ---- Probe cost against every peer ----
TOOLS = ["linkmon", "linkmon-default", "fping", "smokeping", "blackbox"]
NAMES = {"linkmon": "linkmon-probe", "linkmon-default": "linkmon-probe, default config (10 s summaries)",
         "fping": "fping 5.1", "smokeping": "smokeping_prober 0.6.1",
         "blackbox": "blackbox_exporter 0.23.0"}
cost_rows = rows("probe_cost_all.tsv")
failures = rows("probe_cost_failures.tsv")
if cost_rows or failures:
    peers = {"setup": {
        "rate_per_target": "1/s", "method": "icmp", "repeats": repeats,
        "fping": "fping -l -q -p 1000 -i 0.5 -t 1000 (one process per 5,000 targets; -i 500/N ms above 1,000 per process)",
        "smokeping": "prometheus-smokeping-prober --privileged host...; counts from its /metrics",
        "blackbox": "prometheus-blackbox-exporter, module icmp; linkmon-bench-http-load scrapes /probe once per target per second, 64 at a time",
        "cpu": "utime+stime of the tool's processes only (not the scraper's)"}, "by_targets": {}}
    for n in sorted({int(r[1]) for r in cost_rows} | {int(f[1]) for f in failures}):
        runs = probe_cost_runs(cost_rows, n, ticks_per_second)
        keys = ["cpu_microseconds_per_probe", "peak_rss_mib", "probes_per_second", "reply_ratio",
                "probes_lost"]
        summ = {t: {k: summary(r[k] for r in rs) for k in keys} for t, rs in runs.items()}
        lm = summ.get("linkmon", {})
        ratios = {t: {"cpu_per_probe_linkmon_over_tool": ratio(lm.get("cpu_microseconds_per_probe"), s["cpu_microseconds_per_probe"]),
                      "peak_rss_linkmon_over_tool": ratio(lm.get("peak_rss_mib"), s["peak_rss_mib"]),
                      "reply_ratio_linkmon_over_tool": ratio(lm.get("reply_ratio"), s["reply_ratio"])}
                  for t, s in summ.items() if not t.startswith("linkmon")}
        fails = [{"tool": f[0], "repeat": int(f[2]), "reason": f[3]} for f in failures if int(f[1]) == n]
        peers["by_targets"][str(n)] = {"runs": runs, "summary": summ, "ratios": ratios, "failures": fails}
        md += [f"## Probe cost against every peer: {n:,} ICMP targets at 1 probe/s each", "",
               "Median (min-max) over repeats; the order of the tools rotates each repeat. Ratios are "
               "linkmon's median over the tool's (CPU below 1: linkmon cheaper).", "",
               "| tool | CPU µs / probe | peak RSS MiB | probes/s | replies/sent | lost | linkmon ÷ tool: CPU/probe | RSS |",
               "|---|---|---|---|---|---|---|---|"]
        for t in TOOLS:
            if t not in summ:
                continue
            s, r = summ[t], ratios.get(t, {})
            procs = max(x["processes"] for x in runs[t])
            name = NAMES[t] + (f" ({procs} processes)" if procs > 1 else "")
            md.append(f"| {name} | {fmt(s['cpu_microseconds_per_probe'], '{:.1f}')} | {fmt(s['peak_rss_mib'], '{:.1f}')} | "
                      f"{fmt(s['probes_per_second'], '{:.0f}')} | {fmt(s['reply_ratio'], '{:.3f}')} | "
                      f"{fmt(s['probes_lost'], '{:.0f}')} | {fr(r.get('cpu_per_probe_linkmon_over_tool')) if r else '-'} | "
                      f"{fr(r.get('peak_rss_linkmon_over_tool')) if r else '-'} |")
        for f in fails:
            md.append(f"| {NAMES[f['tool']]} | not measured: {f['reason']} | | | | | | |")
        md.append("")
    md += ["smokeping_prober runs with `--privileged` (raw ICMP: the namespace allows no datagram ICMP), "
           "one pinger per host; its counts are its own `smokeping_requests_total` and "
           "`smokeping_response_duration_seconds_count`, so replies/sent below 1 is replies it did not "
           "record (false loss: every probe is answered on this loopback). blackbox_exporter gets one "
           "`/probe?target=X&module=icmp` per target per second from `linkmon-bench-http-load` (64 "
           "scrapes at a time, as Prometheus' scrape workers); its sent are the scrapes, its replies the "
           "answers with `probe_success 1`; probes/s below the target count is the exporter not keeping "
           "up (answers slower than the scraper's pace). Only the exporter's CPU is counted.", ""]
    doc["probe_cost_peers"] = peers

# ---- Jitter against irtt ----
jit = rows("jitter.tsv")
if jit:
    one_way, spread = 400, 200
    # The emulator's own figures: RTT = 2 x 400 us + U1 + U2 (U uniform +-200 us, each way), IPDV
    # of consecutive RTTs = the sum of four such uniforms.
    rng = random.Random(1)
    sums = sorted(abs(sum(rng.uniform(-spread, spread) for _ in range(4))) for _ in range(200000))
    expected = {"ipdv_p50_us": sums[len(sums) // 2], "ipdv_p99_us": sums[int(len(sums) * 0.99)],
                "rfc3550_us": statistics.fmean(sums)}
    runs = {}
    for tool, rep, p50, p99, rfc, rtt50, recv, sent in jit:
        f = lambda x: float(x) if x not in ("", "None") else None
        runs.setdefault(tool, []).append({"repeat": int(rep), "ipdv_p50_us": f(p50), "ipdv_p99_us": f(p99),
                                          "rfc3550_us": f(rfc), "rtt_p50_us": f(rtt50),
                                          "received": int(recv), "sent": int(sent)})
    keys = ["ipdv_p50_us", "ipdv_p99_us", "rfc3550_us", "rtt_p50_us"]
    summ = {t: {k: summary(r[k] for r in rs) for k in keys} for t, rs in runs.items()}
    doc["jitter"] = {"setup": {"link": "bench/bn1.yaml near -> jitter", "one_way_delay_us": one_way,
                               "jitter_each_way_us": f"+-{spread} uniform", "probes_per_repeat": 500,
                               "interval": "10ms"},
                     "emulator_expected": expected, "runs": runs, "summary": summ}
    md += [f"## Jitter against irtt: one lab link of {one_way} us each way with ±{spread} us uniform jitter each way, "
           f"500 probes 10 ms apart per tool, {repeats} repeats", "",
           "IPDV = |RTT(i) - RTT(i-1)| of consecutive replies; RFC 3550 = the smoothed |D| over the RTTs. "
           "`emulator` is what the configured jitter gives (the sum of four independent uniform ±200 us "
           "delays, 200,000 draws): the closer a tool is to it, the less it adds. Median (min-max) over repeats.", "",
           "| tool | IPDV p50, us | IPDV p99, us | RFC 3550 jitter, us | p50 RTT, us | received/sent |",
           "|---|---|---|---|---|---|",
           f"| emulator (configured) | {expected['ipdv_p50_us']:.1f} | {expected['ipdv_p99_us']:.1f} | {expected['rfc3550_us']:.1f} | {2 * one_way} | |"]
    for t in ("linkmon-icmp", "linkmon-stamp", "irtt"):
        if t not in summ:
            continue
        s = summ[t]
        md.append(f"| {t} | {fmt(s['ipdv_p50_us'], '{:.1f}')} | {fmt(s['ipdv_p99_us'], '{:.1f}')} | "
                  f"{fmt(s['rfc3550_us'], '{:.1f}')} | {fmt(s['rtt_p50_us'], '{:.1f}')} | {received_over_sent(runs[t])} |")

    def err(t, k):
        s = summ.get(t, {}).get(k)
        return None if s is None else abs(s["median"] - expected[k])
    irtt50, irtt99 = err("irtt", "ipdv_p50_us"), err("irtt", "ipdv_p99_us")
    line = []
    for t in ("linkmon-icmp", "linkmon-stamp"):
        e50, e99 = err(t, "ipdv_p50_us"), err(t, "ipdv_p99_us")
        line.append(f"{t} p50 {fr(e50, '{:.1f}')} us (irtt {fr(irtt50, '{:.1f}')} us, ratio "
                    f"**{fr(e50 / irtt50 if e50 is not None and irtt50 else None)}**), p99 {fr(e99, '{:.1f}')} us "
                    f"(irtt {fr(irtt99, '{:.1f}')} us, ratio **{fr(e99 / irtt99 if e99 is not None and irtt99 else None)}**)")
    md += ["", "|IPDV - emulator's| (medians): " + "; ".join(line) + ".", ""]

# ---- RTT on an idle veth against fping ----
veth = read_rtt_runs(work, "veth.tsv")
if veth:
    target_us = 10  # issue 10: linkmon's median RTT within 10 us of fping's
    keys = ["rtt_p50_us", "rtt_p99_us"]
    summ = {t: {k: summary(r[k] for r in rs) for k in keys} for t, rs in veth.items()}
    # linkmon's p50 minus fping's of the same repeat (seconds apart on the same link).
    fping_p50 = {r["repeat"]: r["rtt_p50_us"] for r in veth.get("fping", [])}
    diff = {t: summary(r["rtt_p50_us"] - fping_p50[r["repeat"]] for r in veth[t]
                       if r["rtt_p50_us"] is not None and fping_p50.get(r["repeat"]) is not None)
            for t in ("linkmon-icmp", "linkmon-stamp") if t in veth}
    verdict = {t: None if d is None else "met" if abs(d["median"]) <= target_us
               else "missed, below fping's" if d["median"] < 0 else "missed, above fping's"
               for t, d in diff.items()}
    # How each tool measured, in words; a set, in case repeats differ.
    words = {"timestamps": "{} timestamps", "socket": "{} socket", "resolution_us": "prints {} us steps"}
    how = {t: sorted({", ".join(words[k].format(v) for k, v in r["how"].items()) for r in rs})
           for t, rs in veth.items()}
    doc["veth_rtt"] = {
        "setup": {"link": "veth pair between namespaces lmveth-a (10.98.0.1/30) and lmveth-b (10.98.0.2/30), default qdisc, no emulator",
                  "probes_per_repeat": 500, "interval": "10ms", "repeats": repeats,
                  "linkmon-icmp": "linkmon-probe measure --method icmp --json",
                  "linkmon-stamp": "linkmon-probe measure --method stamp --json against linkmon-probe --reflector-only in lmveth-b",
                  "fping": "fping -C 500 -p 10 -q", "target_p50_within_us_of_fping": target_us},
        "runs": veth, "summary": summ, "how": how,
        "p50_minus_fping_p50_us": diff, "verdict": verdict}
    md += [f"## RTT on an idle veth against fping: 500 probes 10 ms apart per tool, {repeats} repeats", "",
           "One veth pair between namespaces `lmveth-a` and `lmveth-b`, default qdisc, no emulator, "
           "nothing else on it: the RTT is the kernel's path and what each tool adds. The order of the "
           "tools rotates each repeat. `p50 - fping's` is linkmon's p50 minus fping's p50 of the same "
           "repeat. Median (min-max) over repeats.", "",
           "| tool | how it measured | p50 RTT, us | p99 RTT, us | p50 - fping's p50, us | received/sent |",
           "|---|---|---|---|---|---|"]
    for t in ("linkmon-icmp", "linkmon-stamp", "fping"):
        if t not in summ:
            continue
        s = summ[t]
        md.append(f"| {t} | {'; '.join(how[t]) or '-'} | {fmt(s['rtt_p50_us'], '{:.1f}')} | {fmt(s['rtt_p99_us'], '{:.1f}')} | "
                  f"{fmt(diff[t], '{:+.1f}', ' to ') if t in diff else '-'} | {received_over_sent(veth[t])} |")
    md += ["", "Issue 10's target: linkmon's median RTT within 10 us of fping's: " +
           "; ".join(f"{t} {fmt(diff[t], '{:+.1f}', ' to ')} us, **{verdict[t] or 'n/a'}**" for t in diff) + ". "
           "fping prints RTTs in ms with three decimals below 1 ms, so each of its samples is rounded "
           "to the nearest us; linkmon's are in ns. Why linkmon's RTT is the lower: bench/README.md, "
           "\"RTT on an idle veth\".", ""]

# ---- Scheduler API against Prometheus ----
api = rows("api.tsv")
if api:
    runs = {}
    for server, q, rep, p50, p99, mx, ok, req, body, ticks, rate, skipped in api:
        runs.setdefault(f"{server}/{q}", []).append({
            "repeat": int(rep), "p50_ms": float(p50), "p99_ms": float(p99), "max_ms": float(mx),
            "ok": int(ok), "requests": int(req), "body_bytes": float(body),
            "requests_per_second": float(rate), "skipped": int(skipped),
            "cpu_ms_per_request": int(ticks) / ticks_per_second * 1000 / int(req) if int(req) else None})
    keys = ["p50_ms", "p99_ms", "max_ms", "body_bytes", "cpu_ms_per_request", "requests_per_second"]
    summ = {k: {kk: summary(r[kk] for r in rs) for kk in keys} for k, rs in runs.items()}
    counts = {}
    for q in ("matrix", "matrix-site", "rank"):
        path = os.path.join(work, f"api-prometheus-{q}.count")
        if os.path.exists(path):
            counts[q] = int(open(path).read().strip() or 0)
    speedup = {q: {p: ratio(summ.get(f"prometheus/{q}", {}).get(p), summ.get(f"linkmon/{q}", {}).get(p))
                   for p in ("p50_ms", "p99_ms")} for q in ("matrix", "matrix-site", "rank")}
    doc["api"] = {"setup": {"paths": 10000, "rate_per_second": 100, "seconds_per_run": 10, "connections": 4,
                            "linkmon": "linkmon-bench-api-server: /api/v1/matrix, /api/v1/rank?from=s042&sla=nationwide",
                            "prometheus": "prometheus 2.42 scraping the same paths' /metrics (15 s), /api/v1/query",
                            "prometheus_matrix": '{__name__=~"linkmon_path_rtt_p(50|99)_seconds"}',
                            "prometheus_matrix_site": '{__name__=~"linkmon_path_rtt_p(50|99)_seconds",src="s042"}',
                            "prometheus_rank": 'sort_desc((0.02 - linkmon_path_rtt_p99_seconds{src="s042"}) / 0.02 >= 0)',
                            "prometheus_series_returned": counts},
                  "runs": runs, "summary": summ, "prometheus_over_linkmon": speedup}
    md += ["## Scheduler API against Prometheus: 10,000 paths, 100 requests/s, 10 s per run, "
           f"{repeats} repeats", "",
           "Same load generator (`linkmon-bench-http-load`, 4 keep-alive connections, latency from the "
           "request's write to the end of its answer) and rate for both, inside namespace `lmbench`. "
           "linkmon: `linkmon-bench-api-server` (the collector's HTTP server and API over 10,000 synthetic "
           "paths, the clock moving one second per second so the cached answers are rebuilt every second). "
           "Prometheus 2.42 scrapes the per-path `/metrics` of an identical second server and answers the "
           "equivalent instant query: matrix `{__name__=~\"linkmon_path_rtt_p(50|99)_seconds\"}` "
           f"({counts.get('matrix', 'n/a')} series: p50 and p99 of every path; linkmon's matrix also carries "
           "p95, loss, jitter, state and data age); matrix-site the same for one source site "
           f"(`/api/v1/matrix?from=s042` against `...,src=\"s042\"}}`, {counts.get('matrix-site', 'n/a')} series); rank "
           "`sort_desc((0.02 - linkmon_path_rtt_p99_seconds{src=\"s042\"}) / 0.02 >= 0)` "
           f"({counts.get('rank', 'n/a')} series: one site's paths within the class's RTT p99 threshold, by "
           "headroom; linkmon's rank also judges jitter and loss). `requests/s held` below 100 means the "
           "server could not answer at that rate (each connection waits for its answer; the generator gives "
           "up sending after twice the run's length). Median (min-max) over repeats.", "",
           "| server | query | p50 ms | p99 ms | max ms | requests/s held | body bytes | server CPU ms / request |",
           "|---|---|---|---|---|---|---|---|"]
    for q in ("matrix", "matrix-site", "rank"):
        for server in ("linkmon", "prometheus"):
            s = summ.get(f"{server}/{q}")
            if not s:
                continue
            md.append(f"| {server} | {q} | {fmt(s['p50_ms'], '{:.2f}')} | {fmt(s['p99_ms'], '{:.2f}')} | "
                      f"{fmt(s['max_ms'], '{:.2f}')} | {fmt(s['requests_per_second'], '{:.0f}')} | {fmt(s['body_bytes'], '{:.0f}')} | {fmt(s['cpu_ms_per_request'], '{:.2f}')} |")
    md += ["", "Prometheus' latency over linkmon's (medians; issue 10's target: at least 10): "
           f"matrix p50 **{fr(speedup['matrix']['p50_ms'], '{:.1f}')}x**, p99 **{fr(speedup['matrix']['p99_ms'], '{:.1f}')}x**; "
           f"matrix-site p50 **{fr(speedup['matrix-site']['p50_ms'], '{:.1f}')}x**, p99 **{fr(speedup['matrix-site']['p99_ms'], '{:.1f}')}x**; "
           f"rank p50 **{fr(speedup['rank']['p50_ms'], '{:.1f}')}x**, p99 **{fr(speedup['rank']['p99_ms'], '{:.1f}')}x**. "
           "Targets: /rank p99 under 1 ms, /matrix p99 under 10 ms.", ""]

# ---- Collector memory per path ----
mem = rows("memory.tsv")
if mem:
    by = {}
    for paths, rep, bpp in mem:
        by.setdefault(int(paths), []).append(float(bpp))
    doc["collector_memory"] = {"setup": "linkmon-bench-api BM_MemoryPerPath: RSS growth building the paths (five closed minutes each), over the paths; one process per size",
                               "bytes_per_path": {str(p): {"runs": v, **summary(v)} for p, v in by.items()}}
    md += ["## Collector memory per path", "",
           "RSS growth while the collector's state of N paths with five closed minutes each is built "
           "(`linkmon-bench-api --benchmark_filter=BM_MemoryPerPath/SITES`, one process per size), over N. "
           "One run per size: the growth does not depend on timing.", "",
           "| paths | bytes / path | MiB in all |", "|---|---|---|"]
    for p in sorted(by):
        s = summary(by[p])
        md.append(f"| {p:,} | {fmt(s, '{:.0f}')} | {s['median'] * p / 2**20:.0f} |")
    md.append("")

# ---- Throughput against iperf3 ----
tp = rows("throughput.tsv")
if tp:
    by = {}
    for tool, mode, rep, bps in tp:
        by.setdefault(mode, {}).setdefault(tool, []).append(float(bps) / 1e6)
    summ = {m: {t: summary(v) for t, v in d.items()} for m, d in by.items()}
    ratios = {m: ratio(s.get("linkmon"), s.get("iperf3")) for m, s in summ.items()}
    doc["throughput"] = {"setup": {"link": "bench/bn1.yaml near -> bulk: 100 Mbit/s htb, 5 ms each way, 50 ms queue",
                                   "tcp": "linkmon-probe measure --method throughput --mode tcp --rate 200Mbps --duration 5s; iperf3 -c -t 5",
                                   "udp": "--mode udp --rate 120Mbps --duration 4s --size 1400; iperf3 -u -b 120M -l 1400 -t 4"},
                         "mbit_per_second": {m: {t: {"runs": v, **(summary(v) or {})} for t, v in d.items()} for m, d in by.items()},
                         "ratio_linkmon_over_iperf3": ratios}
    md += [f"## Throughput against iperf3: 100 Mbit/s htb bottleneck, 10 ms RTT, {repeats} repeats", "",
           "Receiver's goodput, Mbit/s, median (min-max); the order of the tools alternates each repeat. "
           "TCP: linkmon's test at 200 Mbit/s (above the bottleneck) for 5 s, iperf3 -t 5; UDP: 120 Mbit/s "
           "of 1,400-byte datagrams into the 100 Mbit/s bottleneck for 4 s, both tools.", "",
           "| mode | linkmon | iperf3 | linkmon / iperf3 |", "|---|---|---|---|"]
    for m in ("tcp", "udp"):
        if m in summ:
            md.append(f"| {m} | {fmt(summ[m].get('linkmon'), '{:.2f}')} | {fmt(summ[m].get('iperf3'), '{:.2f}')} | "
                      f"**{fr(ratios[m], '{:.3f}')}** |")
    md += ["", "Issue 10's target: within 3 % of iperf3 (ratio 0.97-1.03).", ""]

# ---- Collector ingest ----
ing = rows("ingest.tsv")
if ing:
    by = {}
    for name, rep, rate in ing:
        by.setdefault(name, []).append(float(rate))
    summ = {n: summary(v) for n, v in by.items()}
    doc["collector_ingest"] = {
        "setup": {"batches": "tests/common/batch/batch_examples.h (10 s intervals, RTT/IPDV histograms, one-way delays on STAMP paths)",
                  "store": "SQLite WAL, synchronous=FULL, in bench/run's temporary directory",
                  "http": "4 clients, keep-alive, real HttpServer + IngestService + StoreWriter on 127.0.0.1; CPU of the collector's threads only",
                  "target_summaries_per_cpu_second": 200000},
        "summaries_per_cpu_second": {n: {"runs": v, **(summary(v) or {})} for n, v in by.items()}}
    label = {"BM_DecodeBatch/50": "decode, 50-path batches", "BM_DecodeBatch/1000": "decode, 1000-path batches",
             "BM_StoreApplyGroupFull/50/8": "store: 8 batches of 50 paths per commit",
             "BM_StoreApplyGroupFull/1000/4": "store: 4 batches of 1000 paths per commit",
             "BM_HttpIngest/50/4": "whole HTTP ingest, 50-path batches, 4 clients",
             "BM_HttpIngest/1000/4": "whole HTTP ingest, 1000-path batches, 4 clients"}
    md += [f"## Collector ingest: path summaries per CPU-second, {repeats} repeats", "",
           "linkmon-bench-ingest (bench/ingest_bench.cpp), median (min-max). Issue 10's target: 200,000 "
           "path summaries per CPU-second through decode, validation and the store.", "",
           "| stage | summaries per CPU-second | vs 200,000 |", "|---|---|---|"]
    for n in label:
        if n in summ:
            md.append(f"| {label[n]} | {fmt(summ[n], '{:,.0f}')} | {summ[n]['median'] / 200000:.2f}x |")
    md.append("")

json.dump(doc, open(os.path.join(out_dir, "latest.json"), "w"), indent=2)
open(os.path.join(out_dir, "latest.md"), "w").write("\n".join(md) + "\n")
