# Sourced by bench/run: the collector's ingest in path summaries per CPU-second (issue 10's
# "Collector ingest 200,000 path summaries/s"), from linkmon-bench-ingest (bench/ingest_bench.cpp),
# $repeats repetitions in one process: the JSON decode alone, the store's group commit
# (ApplyBatches, synchronous=FULL, in the temporary directory) and the whole HTTP path (4 clients
# on keep-alive connections to the real HttpServer on 127.0.0.1 inside this run's namespace-free
# process: loopback only; CPU of the collector's threads only). Realistic 50- and 1000-path
# batches. Writes $work/ingest.tsv: benchmark repeat summaries_per_cpu_second. The store's files
# live under TMPDIR=$work and go with it.

run_ingest() {
  local out=$work/ingest.tsv
  : >"$out"
  [[ -x $work/linkmon-bench-ingest ]] || { echo "bench/run: ingest: no linkmon-bench-ingest (scripts/build)" >&2; return 0; }
  TMPDIR=$work timeout 600 "$work/linkmon-bench-ingest" \
    --benchmark_filter='BM_DecodeBatch/(50|1000)$|BM_StoreApplyGroupFull|BM_HttpIngest' \
    --benchmark_repetitions="$repeats" --benchmark_format=json 2>/dev/null >"$work/ingest.json" || true
  python3 -c 'import json,sys
rep = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type") != "iteration" or "summaries_per_cpu_second" not in b: continue
    name = b["run_name"].replace("/real_time", "")
    rep[name] = rep.get(name, 0) + 1
    print("%s\t%d\t%.0f" % (name, rep[name], b["summaries_per_cpu_second"]))' "$work/ingest.json" >>"$out" ||
    echo "bench/run: ingest: no figures" >&2
}
