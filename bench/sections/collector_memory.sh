# Sourced by bench/run: the collector's resident memory per path at 10,000 and 100,000 paths
# (issue 10), from linkmon-bench-api's BM_MemoryPerPath (RSS growth while the paths with five
# closed minutes each are built, over the paths), each size once in a process of its own: the
# growth is the same from run to run (deterministic data, no timing), and building 100,000 paths
# takes a minute on a loaded machine. Writes $work/memory.tsv: paths repeat bytes_per_path.

run_memory() {
  local out=$work/memory.tsv rep sites
  : >"$out"
  [[ -x $work/linkmon-bench-api ]] || { echo "bench/run: memory: no linkmon-bench-api (scripts/build)" >&2; return 0; }
  for rep in 1; do
    for sites in 100 1000; do
      timeout 300 "$work/linkmon-bench-api" --benchmark_filter="BM_MemoryPerPath/$sites/" \
        --benchmark_format=json 2>/dev/null >"$work/memory.json" || true
      python3 -c 'import json,sys
b=[x for x in json.load(open(sys.argv[1]))["benchmarks"] if "bytes_per_path" in x]
print("%d\t%s\t%.1f" % (b[0]["paths"], sys.argv[2], b[0]["bytes_per_path"]))' "$work/memory.json" "$rep" >>"$out" ||
        echo "bench/run: memory: no figure at $sites sites" >&2
    done
  done
}
