# Sourced by bench/run: smokeping_prober and blackbox_exporter as probe-cost peers (issue 10),
# started like fping inside the namespace, 1 probe/s per target. Uses bench/run's $work, $netns,
# $targets_file, $started_pids.
#
# smokeping_prober 0.6.1: every host on the command line, --privileged (raw ICMP sockets: the
# namespace's ping_group_range allows no datagram ICMP), its /metrics on 127.0.0.1:9374. It answers
# /metrics only once every host's pinger has started, which takes tens of seconds at 1,000 hosts
# with both cores busy, so its warm-up starts when /metrics answers (bounded by
# $peer_start_timeout). Counts: smokeping_requests_total (sent) and
# smokeping_response_duration_seconds_count (replies), summed over hosts.
#
# blackbox_exporter 0.23.0: module icmp (timeout 1 s, IPv4), on 127.0.0.1:9115, driven by
# linkmon-bench-http-load as a Prometheus-style scraper: /probe?target=X&module=icmp once per
# target per second, $blackbox_connections scrapes at a time. Counts: the scraper's requests
# (sent) and answers holding `probe_success 1` (replies). The scraper's own CPU is not counted
# (in production it is Prometheus'); only the exporter's is.

smokeping_port=9374
blackbox_port=9115
peer_start_timeout=90

# Starts TOOL; sets peer_pid. Returns 1 (with the reason in $peer_failure) when it does not come up.
start_peer() {
  local tool=$1 err=$2 i
  peer_failure=
  case "$tool" in
    smokeping)
      # shellcheck disable=SC2046  # one argument per host, as the tool wants them
      ip netns exec "$netns" prometheus-smokeping-prober --privileged --log.level=warn \
        --web.listen-address="127.0.0.1:$smokeping_port" $(cat "$targets_file") >/dev/null 2>"$err" &
      peer_pid=$!
      started_pids+=("$peer_pid")
      for ((i = 0; i < peer_start_timeout; i++)); do
        ip netns exec "$netns" curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$smokeping_port/metrics" && return 0
        kill -0 "$peer_pid" 2>/dev/null || break
        sleep 1
      done
      peer_failure="smokeping_prober did not answer /metrics within ${peer_start_timeout} s of its start ($(tail -c 200 "$err" | tr '\n' ' '))"
      return 1
      ;;
    blackbox)
      cat >"$work/blackbox.yml" <<'YAML'
modules:
  icmp:
    prober: icmp
    timeout: 1s
    icmp:
      preferred_ip_protocol: ip4
YAML
      ip netns exec "$netns" prometheus-blackbox-exporter --config.file="$work/blackbox.yml" \
        --log.level=warn --web.listen-address="127.0.0.1:$blackbox_port" >/dev/null 2>"$err" &
      peer_pid=$!
      started_pids+=("$peer_pid")
      awk '{print "/probe?target=" $1 "&module=icmp"}' "$targets_file" \
        >"$work/blackbox-targets.txt"
      for ((i = 0; i < 50; i++)); do
        ip netns exec "$netns" curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$blackbox_port/metrics" && return 0
        sleep 0.1
      done
      peer_failure="blackbox_exporter did not answer /metrics"
      return 1
      ;;
  esac
}

# Sums one counter over every series on smokeping_prober's /metrics.
smokeping_counts() {  # prints "sent received"
  local file=$work/smokeping-metrics.txt
  ip netns exec "$netns" curl -sf --max-time 30 "http://127.0.0.1:$smokeping_port/metrics" >"$file"
  awk '{n = $1; sub(/\{.*/, "", n)}
    n == "smokeping_requests_total" {s += $NF}
    n == "smokeping_response_duration_seconds_count" {r += $NF}
    END {printf "%d %d\n", s, r}' "$file"
}

# One scrape per target per second for SECONDS; prints "sent received seconds".
blackbox_scrape() {
  local seconds=$1 out=$work/blackbox-load.json
  local n
  n=$(wc -l <"$work/blackbox-targets.txt")
  ip netns exec "$netns" "$http_load" --port "$blackbox_port" --targets "$work/blackbox-targets.txt" \
    --rate "$n" --duration "$seconds" --connections "$blackbox_connections" --timeout-ms 3000 \
    --expect 'probe_success 1' >"$out"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["requests"], d["matched"], d["seconds"])' "$out"
}
