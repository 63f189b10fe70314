# Sourced by bench/sections/jitter_vs_irtt.sh, throughput_vs_iperf3.sh and veth_rtt.sh: a linkmon
# reflector (`linkmon-probe --reflector-only`, port 8620) in one site, measured from `near` (by
# default a site of bench/bn1.yaml). Uses bench/run's $work, $probe_bin, $started_pids.

# $1 config file, $2 site, $3 its address, $4 metrics port, $5 methods (YAML list items),
# $6 more reflector keys (YAML lines indented by 4, or empty), $7 near's address (default
# 10.77.1.2, bn1's), $8 the reflector's allowed sources (default 10.77.0.0/16).
write_reflector_config() {
  cat >"$1" <<YAML
version: 1
sites:
  near: {region: bench, addresses: [${7:-10.77.1.2}]}
  $2: {region: bench, addresses: [$3], reflector: true}
sla_classes:
  bench:
    rtt_p99: 50ms
probe:
  collector_url: http://127.0.0.1:9
  token_file: "$work/bench.token"
  spool: {path: "$work/{site}-$2-spool.db"}
  metrics_listen: 127.0.0.1:$4
  reflector:
    listen: $3:8620
    allowed_sources: [${8:-10.77.0.0/16}]
$6
probes:
  near:
    targets:
      - {site: $2, methods: [$5], sla_class: bench, stamp: {port: 8620}}
YAML
}

# $1 namespace, $2 config file, $3 site.
start_reflector() {
  ip netns exec "$1" "$probe_bin" --config "$2" --site "$3" --reflector-only \
    --clock synchronized --log-level error >/dev/null 2>"$2.err" &
  started_pids+=("$!")
}
