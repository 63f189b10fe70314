# Sourced by bench/run: the scheduler API (/api/v1/matrix, /api/v1/rank) against Prometheus
# answering the equivalent instant query over the same 10,000 paths (issue 10), both inside the
# namespace $netns (its own loopback: no port of the host is used), same load generator
# (linkmon-bench-http-load), same rate (100 requests/s, 4 keep-alive connections), 10 s each.
#
# - linkmon: linkmon-bench-api-server (the collector's HTTP server and API over 10,000 synthetic
#   paths, bench/synthetic_paths.h) on :9470.
# - Prometheus 2.42 (Debian) scrapes the per-path /metrics of a second, identical server on :9472
#   (a second one, so that its scrapes of 130,000 series do not queue in front of the API's
#   answers on the first), every 15 s, and answers on :9471:
#   matrix: {__name__=~"linkmon_path_rtt_p(50|99)_seconds"}, the p50 and p99 RTT of every path
#     (20,000 series; linkmon's matrix carries more per path: p95, loss, jitter, state, age);
#   matrix-site: the same for one source site (/api/v1/matrix?from=s042; 200 series), the
#     question a scheduler of one site asks;
#   rank: sort_desc((0.02 - linkmon_path_rtt_p99_seconds{src="s042"}) / 0.02 >= 0), one site's
#     paths within the class's RTT p99 threshold (20 ms), by headroom (linkmon's rank also judges
#     jitter and loss and returns the margins of each).
# Writes $work/api.tsv: server query repeat p50_ms p99_ms max_ms ok requests body_bytes cpu_ticks
#   requests_per_second skipped (requests the generator gave up sending: the server fell behind)

api_port=9470
api_scraped_port=9472
prom_port=9471
api_rate=100
api_seconds=10

run_api() {
  local out=$work/api.tsv rep i q order server_pid prom_pid scraped_pid
  : >"$out"
  [[ -x $work/linkmon-bench-api-server && -x $http_load ]] || { echo "bench/run: api: no linkmon-bench-api-server (scripts/build)" >&2; return 0; }
  command -v prometheus >/dev/null || { echo "bench/run: api: prometheus not found" >&2; return 0; }
  for port in $api_port $api_scraped_port; do
    ip netns exec "$netns" "$work/linkmon-bench-api-server" --port "$port" --sites 100 \
      >"$work/api-server-$port.out" 2>&1 &
    started_pids+=("$!")
    if [[ $port == "$api_port" ]]; then server_pid=$!; else scraped_pid=$!; fi
  done
  cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 15s, scrape_timeout: 10s}
scrape_configs:
  - job_name: linkmon
    static_configs: [{targets: ["127.0.0.1:$api_scraped_port"]}]
YAML
  ip netns exec "$netns" prometheus --config.file="$work/prometheus.yml" \
    --storage.tsdb.path="$work/prometheus-data" --web.listen-address="127.0.0.1:$prom_port" \
    --log.level=warn >/dev/null 2>"$work/prometheus.err" &
  prom_pid=$!
  started_pids+=("$prom_pid")
  # Ready when Prometheus holds the p99 of all 10,000 paths (its first scrape; bounded).
  for ((i = 0; i < 90; i++)); do
    q=$(ip netns exec "$netns" curl -sfG --max-time 5 "http://127.0.0.1:$prom_port/api/v1/query" \
      --data-urlencode 'query=count(linkmon_path_rtt_p99_seconds)' 2>/dev/null |
      python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null || echo 0)
    [[ $q == 10000 ]] && break
    sleep 1
  done
  [[ $q == 10000 ]] || { echo "bench/run: api: Prometheus holds $q of 10000 paths after 90 s" >&2; return 0; }
  python3 - "$work" <<'PY'
import sys, urllib.parse
work = sys.argv[1]
queries = {
    "matrix": '{__name__=~"linkmon_path_rtt_p(50|99)_seconds"}',
    "matrix-site": '{__name__=~"linkmon_path_rtt_p(50|99)_seconds",src="s042"}',
    "rank": 'sort_desc((0.02 - linkmon_path_rtt_p99_seconds{src="s042"}) / 0.02 >= 0)',
}
for name, q in queries.items():
    open(f"{work}/api-prometheus-{name}.txt", "w").write("/api/v1/query?query=" + urllib.parse.quote(q, safe="") + "\n")
open(f"{work}/api-linkmon-matrix.txt", "w").write("/api/v1/matrix\n")
open(f"{work}/api-linkmon-matrix-site.txt", "w").write("/api/v1/matrix?from=s042\n")
open(f"{work}/api-linkmon-rank.txt", "w").write("/api/v1/rank?from=s042&sla=nationwide\n")
PY
  # What each answer holds, once: the equivalence is only as good as the series counts.
  for q in matrix matrix-site rank; do
    ip netns exec "$netns" curl -sf --max-time 30 "http://127.0.0.1:$prom_port$(cat "$work/api-prometheus-$q.txt")" |
      python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["result"]))' >"$work/api-prometheus-$q.count"
  done
  for rep in $(seq "$repeats"); do
    if ((rep % 2)); then order="linkmon prometheus"; else order="prometheus linkmon"; fi
    for server in $order; do
      for q in matrix matrix-site rank; do
        local port=$api_port pid=$server_pid c0 c1
        [[ $server == prometheus ]] && port=$prom_port pid=$prom_pid
        c0=$(cpu_ticks "$pid")
        ip netns exec "$netns" "$http_load" --port "$port" --targets "$work/api-$server-$q.txt" \
          --rate "$api_rate" --duration "$api_seconds" --connections 4 --timeout-ms 5000 >"$work/api-load.json"
        c1=$(cpu_ticks "$pid")
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); l=d["latency_ms"]
print("\t".join(str(x) for x in (sys.argv[2], sys.argv[3], sys.argv[4], l["p50"], l["p99"], l["max"], d["ok"], d["requests"], d["body_bytes_mean"], sys.argv[5], d["rate_per_second"], d["skipped"])))' \
          "$work/api-load.json" "$server" "$q" "$rep" "$((c1 - c0))" >>"$out"
        echo "bench/run: api $server $q #$rep: $(cat "$work/api-load.json")" >&2
      done
    done
  done
  for pid in "$server_pid" "$scraped_pid" "$prom_pid"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$server_pid" "$scraped_pid" "$prom_pid"; do wait "$pid" 2>/dev/null || true; done
}
