#!/usr/bin/env python3
"""bench/report_targets.py judges issue 10's targets from a run's latest.json: each target met,
missed or not measured by the figures given, and the table put before the first section of
latest.md."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "report_targets.py")


def run(doc):
    with tempfile.TemporaryDirectory() as d:
        json.dump(doc, open(os.path.join(d, "latest.json"), "w"))
        open(os.path.join(d, "latest.md"), "w").write("# header\n\nmachine\n\n## First section\n\nbody\n")
        subprocess.run([sys.executable, SCRIPT, d], check=True)
        out = json.load(open(os.path.join(d, "latest.json")))
        md = open(os.path.join(d, "latest.md")).read()
    return {t["target"]: t for t in out["targets"]}, md


def figure(m):
    return {"median": m, "min": m, "max": m}


class ReportTargetsTest(unittest.TestCase):
    def test_nothing_measured(self):
        targets, _ = run({})
        self.assertEqual({t["verdict"] for t in targets.values()}, {"not measured"})

    def test_thresholds_on_both_sides(self):
        doc = {
            "probe_cost_peers": {"by_targets": {
                "1000": {"ratios": {"fping": {"cpu_per_probe_linkmon_over_tool": 0.31}},
                         "summary": {"linkmon": {"probes_lost": figure(0)}}},
                "10000": {"ratios": {"fping": {"cpu_per_probe_linkmon_over_tool": 0.51}},
                          "summary": {"linkmon": {"peak_rss_mib": figure(18.0), "probes_lost": {"median": 0, "min": 0, "max": 2}},
                                      "linkmon-default": {"peak_rss_mib": figure(19.0)}}}}},
            "api": {"summary": {"linkmon/rank": {"p99_ms": figure(0.5)}, "linkmon/matrix": {"p99_ms": figure(9.9)}},
                    "prometheus_over_linkmon": {"rank": {"p50_ms": 10.0, "p99_ms": 9.99}}},
            "throughput": {"ratio_linkmon_over_iperf3": {"tcp": 0.97, "udp": 1.03}},
            "collector_ingest": {"summaries_per_cpu_second": {"BM_HttpIngest/50/4": figure(200000),
                                                              "BM_HttpIngest/1000/4": figure(250000)}},
            "accuracy": {"summary": {"fping": {"error_p50_us": figure(28), "error_p99_us": figure(100)},
                                     "linkmon-icmp": {"error_p50_us": figure(5), "error_p99_us": figure(100)}}},
            "veth_rtt": {"verdict": {"linkmon-icmp": "met", "linkmon-stamp": "missed"},
                         "p50_minus_fping_p50_us": {"linkmon-icmp": figure(4), "linkmon-stamp": figure(12)}},
        }
        targets, _ = run(doc)
        verdicts = {name: t["verdict"] for name, t in targets.items()}
        self.assertEqual(verdicts["Probe CPU per probe vs fping"], "missed")  # 0.51 at 10,000
        self.assertEqual(verdicts["No false loss"], "missed")  # one repeat lost 2
        # 19.0 MiB is 19.9 MB: under 20 MB; 18.0 MiB too.
        self.assertEqual(verdicts["Probe RSS at 10,000 targets"], "met")
        self.assertEqual(verdicts["Scheduler API p99"], "met")
        self.assertEqual(verdicts["Scheduler API vs Prometheus"], "missed")  # rank p99 9.99x
        self.assertEqual(verdicts["Throughput vs iperf3"], "met")  # the bounds are inside
        self.assertEqual(verdicts["Collector ingest"], "met")
        self.assertEqual(verdicts["RTT error vs the lab delay"], "met")  # equal to fping's is no worse
        self.assertEqual(verdicts["RTT on an idle veth vs fping"], "missed")

    def test_rss_just_over_20_mb_is_missed(self):
        doc = {"probe_cost_peers": {"by_targets": {"10000": {"summary": {"linkmon": {"peak_rss_mib": figure(19.1)}}}}}}
        targets, _ = run(doc)
        self.assertEqual(targets["Probe RSS at 10,000 targets"]["verdict"], "missed")

    def test_table_goes_before_the_first_section_with_four_columns(self):
        _, md = run({"throughput": {"ratio_linkmon_over_iperf3": {"tcp": 1.0}}})
        self.assertLess(md.index("## Issue 10's targets in this run"), md.index("## First section"))
        rows = [l for l in md.splitlines() if l.startswith("| ")]
        self.assertGreater(len(rows), 5)
        for row in rows:
            self.assertEqual(row.count("|"), 5, row)


if __name__ == "__main__":
    unittest.main()
