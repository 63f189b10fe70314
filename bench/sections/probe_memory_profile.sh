# Sourced by bench/run's `profile` section: where the probe daemon's peak RSS goes (issue 10:
# "probe RSS under 20 MB with 10,000 targets"; keep the profile that explains a miss). Two runs of
# the daemon as the probe-cost section runs it, each $warmup + 10 s:
# - plain: its VmHWM, and its resident memory by mapping from /proc/PID/smaps (the heap, the
#   binary, each shared library), so that what the code allocates and what merely being linked
#   costs are told apart;
# - under heaptrack (when installed): the peak heap and the allocation sites that hold most of it
#   at the peak, each named by its innermost linkmon frame.
# Uses bench/run's $work, $netns, $probe_bin, $warmup, $started_at and $started_pids.

# $1 the daemon's config, $2 the number of targets, $3 the file to write.
profile_probe_memory() {
  local config=$1 n=$2 out=$3 pid
  ip netns exec "$netns" "$probe_bin" --config "$config" --site bench \
    --clock synchronized --log-level error >/dev/null 2>"$work/memory-profile.err" &
  pid=$!
  started_pids+=("$pid")
  sleep "$((warmup + 10))"
  cp "/proc/$pid/smaps" "$work/probe.smaps"
  local hwm_kib
  hwm_kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true

  local heap_report=$work/heaptrack.txt
  : >"$heap_report"
  if command -v heaptrack >/dev/null && command -v heaptrack_print >/dev/null; then
    rm -f "$work"/heaptrack.probe.*
    ip netns exec "$netns" heaptrack -o "$work/heaptrack.probe" "$probe_bin" --config "$config" \
      --site bench --clock synchronized --log-level error >/dev/null 2>"$work/heaptrack.err" &
    pid=$!
    started_pids+=("$pid")
    sleep "$((warmup + 10))"
    # heaptrack (a script) runs the daemon as its child: stop the daemon, heaptrack then writes
    # its file and exits.
    local daemon
    daemon=$(pgrep -P "$pid" -x "$(basename "$probe_bin")" | head -1)
    [[ -n $daemon ]] && kill -TERM "$daemon"
    wait "$pid" 2>/dev/null || true
    local data
    data=$(ls "$work"/heaptrack.probe.* 2>/dev/null | head -1)
    [[ -n $data ]] && heaptrack_print -f "$data" --print-peaks 1 --peak-limit 14 \
      --print-allocators 0 --print-temporary 0 --print-leaks 0 -s 0 >"$heap_report" 2>/dev/null
  fi

  mkdir -p "$(dirname "$out")"
  python3 - "$work/probe.smaps" "$heap_report" "$hwm_kib" "$n" "$(basename "$config" .yaml)" \
    "$started_at" >"$out" <<'EOF'
import re, sys
smaps, heap_report, hwm_kib, n, config, started = sys.argv[1:]
rss, name = {}, None
for line in open(smaps):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        parts = line.split()
        name = parts[5] if len(parts) > 5 else "[anonymous]"
    elif line.startswith("Rss:") and name is not None:
        rss[name] = rss.get(name, 0) + int(line.split()[1])
total = sum(rss.values())
files = sum(v for k, v in rss.items() if k.startswith("/"))
print(f"# linkmon-probe memory at {n} ICMP targets at 1/s, {config} config, {started}")
print(f"# peak RSS (VmHWM) {int(hwm_kib) / 1024:.1f} MiB; at the end of the window {total / 1024:.1f} MiB, "
      f"of which {files / 1024:.1f} MiB file pages (the binary and its shared libraries) and "
      f"{(total - files) / 1024:.1f} MiB anonymous (heap, stacks, large allocations)")
print()
print("## Resident memory by mapping (/proc/PID/smaps), KiB")
for k, v in sorted(rss.items(), key=lambda kv: -kv[1]):
    if v >= 64:
        print(f"{v:8d}  {k}")
print()
print("## Heap at its peak by allocation site (heaptrack_print --print-peaks)")
text = open(heap_report).read() if heap_report else ""
if not text.strip():
    print("not measured: heaptrack is not installed")
    sys.exit(0)
m = re.search(r"peak heap memory consumption: (\S+)", text)
if m:
    print(f"peak heap: {m.group(1)}")
# Each entry: "SIZE peak memory consumed over N calls from", then its frames; it is named by its
# innermost frame in linkmon's own code (the standard library's allocators say nothing).
entries = re.split(r"\n(?=\S+ peak memory consumed over)", text.split("PEAK MEMORY CONSUMERS", 1)[-1])
for entry in entries:
    lines = entry.strip().splitlines()
    if not lines or "peak memory consumed" not in lines[0]:
        continue
    frames = [l.strip() for l in lines[1:] if l.strip() and not l.startswith(" ")]
    site = next((f for f in frames if f.startswith("linkmon::")), None)
    site = site or next((f for f in frames if "linkmon::" in f), None)
    site = site or (frames[0] if frames else "?")
    print(f"{lines[0].split(' from')[0]:<48} {site[:150]}")
EOF
}
