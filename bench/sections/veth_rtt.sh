# Sourced by bench/run: RTT on an idle veth against fping (issue 10: "RTT on an idle veth within
# 10 us of fping's median"). Two network namespaces of its own, lmveth-a and lmveth-b, joined by
# one veth pair (10.98.0.1/30 in a, 10.98.0.2/30 in b), the default qdisc (noqueue), no emulator:
# what is measured is the tools and the kernel's own path. Per repeat, 500 probes 10 ms apart
# from a to b with each of, in an order that rotates each repeat:
# - `linkmon-probe measure --method icmp` (datagram socket where ping_group_range allows; a new
#   namespace's is "1 0", so raw: the row says which);
# - `linkmon-probe measure --method stamp` against a `linkmon-probe --reflector-only` in b;
# - `fping -C 500 -p 10 -q`.
# Uses bench/run's $work, $probe_bin, $repeats, $started_pids and $extra_netns (bench/run's exit
# trap deletes those namespaces, the veth pair with them); writes $work/veth.tsv, one
# bench/rtt_rows.py row per tool and repeat.

source bench/sections/lab_reflector.sh

veth_a=lmveth-a
veth_b=lmveth-b
veth_a_ip=10.98.0.1
veth_b_ip=10.98.0.2
veth_count=500

# bench/run calls this before it measures anything, so that a clash stops it at once.
veth_refuse_if_up() {
  if ip netns list | grep -qE "^($veth_a|$veth_b)( |$)"; then
    echo "bench/run: namespace $veth_a or $veth_b exists (another bench/run?); remove it or wait" >&2
    return 1
  fi
}

veth_up() {
  ip netns add "$veth_a"
  extra_netns+=("$veth_a")
  ip netns add "$veth_b"
  extra_netns+=("$veth_b")
  # Made inside the namespaces: the host's network is never touched.
  ip link add lmveth0 netns "$veth_a" type veth peer name lmveth1 netns "$veth_b"
  ip -n "$veth_a" addr add "$veth_a_ip/30" dev lmveth0
  ip -n "$veth_b" addr add "$veth_b_ip/30" dev lmveth1
  local ns
  for ns in "$veth_a" "$veth_b"; do ip -n "$ns" link set lo up; done
  ip -n "$veth_a" link set lmveth0 up
  ip -n "$veth_b" link set lmveth1 up
  ip netns exec "$veth_a" fping -q -c1 -t500 "$veth_b_ip" ||
    { echo "bench/run: $veth_b_ip does not answer over the veth" >&2; return 1; }
}

# $1 tool, $2 repeat: one run of 500 probes, its row appended to $work/veth.tsv.
veth_once() {
  local tool=$1 rep=$2 out=$work/veth.tsv
  case "$tool" in
    linkmon-icmp | linkmon-stamp)
      local method=${tool#linkmon-} target=$veth_b_ip
      [[ $method == stamp ]] && target=$veth_b_ip:8620
      ip netns exec "$veth_a" "$probe_bin" measure --method "$method" --target "$target" \
        --count "$veth_count" --interval 10ms --clock synchronized --json >"$work/veth-$method.json" \
        2>"$work/veth-$method.err" || true
      python3 bench/rtt_rows.py linkmon "$work/veth-$method.json" "$tool" "$rep" >>"$out" || true
      ;;
    fping)
      ip netns exec "$veth_a" fping -C "$veth_count" -p 10 -q "$veth_b_ip" \
        2>"$work/veth-fping.txt" >/dev/null || true
      python3 bench/rtt_rows.py fping "$work/veth-fping.txt" fping "$rep" >>"$out" || true
      ;;
  esac
}

run_veth() {
  local rep k tools=(linkmon-icmp linkmon-stamp fping)
  : >"$work/veth.tsv"
  veth_up
  write_reflector_config "$work/veth.yaml" far "$veth_b_ip" 9468 "icmp, stamp" "" \
    "$veth_a_ip" 10.98.0.0/30
  start_reflector "$veth_b" "$work/veth.yaml" far
  sleep 1
  for rep in $(seq "$repeats"); do
    for ((k = 0; k < ${#tools[@]}; k++)); do
      veth_once "${tools[$(((k + rep - 1) % ${#tools[@]}))]}" "$rep"
    done
  done
}
