# Sourced by bench/run: linkmon's throughput test against iperf3 on the lab's bulk link
# (bench/bn1.yaml: near -> bulk through a 100 Mbit/s htb bottleneck of IP bytes, 5 ms each way,
# 50 ms queue), as tests/probe/bandwidth/lab does. Per repeat, in alternating order:
# - TCP: `linkmon-probe measure --method throughput --mode tcp --rate 200Mbps --duration 5s`
#   against a `linkmon-probe --reflector-only` in bulk (max_throughput 1Gbps), and
#   `iperf3 -c -t 5` against `iperf3 -s -1` in bulk;
# - UDP at 120 Mbit/s into the 100 Mbit/s bottleneck, 1,400-byte datagrams, 4 s, both tools.
# Goodput is what the receiver got (linkmon: goodput_bits_per_second; iperf3: sum_received).
# Writes $work/throughput.tsv: tool mode repeat bits_per_second.

source bench/sections/lab_reflector.sh

bulk_site=bn1-bulk
bulk_ip=10.77.4.2

run_throughput() {
  local rep mode tool first second out=$work/throughput.tsv
  : >"$out"
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/stamp.key")
  write_reflector_config "$work/bulk.yaml" bulk "$bulk_ip" 9467 stamp \
    "    key_file: \"$work/stamp.key\"
    max_throughput: 1Gbps"
  start_reflector "$bulk_site" "$work/bulk.yaml" bulk
  sleep 1
  for rep in $(seq "$repeats"); do
    for mode in tcp udp; do
      if ((rep % 2)); then first=linkmon second=iperf3; else first=iperf3 second=linkmon; fi
      for tool in $first $second; do
        printf '%s\t%s\t%d\t%s\n' "$tool" "$mode" "$rep" "$(throughput_once "$tool" "$mode")" >>"$out"
      done
    done
  done
}

throughput_once() {  # $1 tool, $2 mode; prints the receiver's goodput in bit/s (0 on failure)
  local tool=$1 mode=$2 args pid
  if [[ $tool == linkmon ]]; then
    if [[ $mode == tcp ]]; then args=(--mode tcp --rate 200Mbps --duration 5s)
    else args=(--mode udp --rate 120Mbps --duration 4s --size 1400); fi
    ip netns exec "$near" "$probe_bin" measure --method throughput --target "$bulk_ip:8620" \
      --key-file "$work/stamp.key" --json "${args[@]}" >"$work/tp-linkmon.json" 2>"$work/tp-linkmon.err" || true
    python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["goodput_bits_per_second"])
except Exception: print(0)' "$work/tp-linkmon.json"
  else
    ip netns exec "$bulk_site" timeout 40 iperf3 -s -1 -B "$bulk_ip" >/dev/null 2>&1 &
    pid=$!
    started_pids+=("$pid")
    sleep 0.3
    if [[ $mode == tcp ]]; then args=(-t 5); else args=(-u -b 120M -l 1400 -t 4); fi
    ip netns exec "$near" timeout 30 iperf3 -c "$bulk_ip" -J "${args[@]}" >"$work/tp-iperf3.json" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"])
except Exception: print(0)' "$work/tp-iperf3.json"
  fi
}
