# Sourced by bench/run: linkmon's IPDV and jitter against irtt's on the lab's jitter link
# (bench/bn1.yaml: near -> jitter, 400 us each way, +-200 us uniform jitter each way). Per repeat,
# 500 probes 10 ms apart from near with linkmon-probe measure (icmp, and stamp against a
# reflector in the jitter site) and irtt client (server in the jitter site). Uses bench/run's
# $work, $probe_bin, $repeats, $near, $started_pids; writes $work/jitter.tsv:
#   tool repeat ipdv_p50_us ipdv_p99_us rfc3550_us rtt_p50_us received sent
# IPDV is |RTT(i) - RTT(i-1)| of consecutive replies, for every tool; RFC 3550 jitter the
# smoothed |D| (J += (|D| - J) / 16) over the RTTs. report_sections.py sets them beside the
# emulator's own: with independent uniform delays each way, IPDV of the RTT is the sum of four
# uniform +-200 us variables.

source bench/sections/lab_reflector.sh

jitter_site=bn1-jitter
jitter_ip=10.77.3.2
jitter_one_way_us=400
jitter_range_us=200

run_jitter() {
  local rep m tgt out=$work/jitter.tsv
  : >"$out"
  write_reflector_config "$work/jitter.yaml" jitter "$jitter_ip" 9466 "icmp, stamp" ""
  start_reflector "$jitter_site" "$work/jitter.yaml" jitter
  ip netns exec "$jitter_site" irtt server -b "$jitter_ip:2112" >/dev/null 2>"$work/jitter-irtt-server.err" &
  started_pids+=("$!")
  sleep 1
  for rep in $(seq "$repeats"); do
    for m in icmp stamp; do
      tgt=$jitter_ip; [[ $m == stamp ]] && tgt=$jitter_ip:8620
      ip netns exec "$near" "$probe_bin" measure --method "$m" --target "$tgt" --count 500 \
        --interval 10ms --clock synchronized --json >"$work/jitter-$m.json"
      python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); j=d.get("jitter_seconds") or {}
us=lambda x: "" if x is None else x*1e6
print("\t".join(str(x) for x in ("linkmon-"+sys.argv[2], sys.argv[3], us(j.get("ipdv_p50")), us(j.get("ipdv_p99")), us(j.get("rfc3550")), d["rtt_seconds"]["p50"]*1e6, d["received"], d["sent"])))' \
        "$work/jitter-$m.json" "$m" "$rep" >>"$out"
    done
    ip netns exec "$near" irtt client -i 10ms -d 5s -Q -o "$work/jitter-irtt.json" \
      "$jitter_ip:2112" >/dev/null 2>"$work/jitter-irtt-client.err" || true
    python3 - "$work/jitter-irtt.json" "$rep" >>"$out" <<'PY'
import json, sys
sys.path.insert(0, "bench")
from rtt_rows import quantile as q
d = json.load(open(sys.argv[1]))
rtts = [r["delay"]["rtt"] / 1000 if r.get("delay", {}).get("rtt") is not None else None for r in d["round_trips"]]
# |IPDV| of consecutive round trips that both came back (irtt's own ipdv field is the same).
ipdv = [abs(b - a) for a, b in zip(rtts, rtts[1:]) if a is not None and b is not None]
j = 0.0
for x in ipdv: j += (x - j) / 16
got = [x for x in rtts if x is not None]
print("\t".join(str(x) for x in ("irtt", sys.argv[2], q(ipdv, .5), q(ipdv, .99), j, q(got, .5), len(got), len(rtts))))
PY
  done
}
