#!/usr/bin/env bash
# Send rate of tlsweep and Debian's zmap side by side on the lab's veth,
# alternating runs, measured from the target's veth counters (packets the
# target namespace received per second, sampled every second; the figure is
# the median of the full one-second windows of a run). The probes go to
# 10.78.0.0/16, which the lab routes into the target namespace and drops in
# its raw table, so no server sees them.
#
# usage: bench/compare_zmap.sh TLSWEEP_BINARY [ROUNDS]   (root; builds the lab)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tlsweep=$(realpath "$1")
rounds=${2:-3}
# One veth pair, no bridge hop: the figures in RESULTS.md section 4 were
# taken on that wiring, and the bridge adds cost and variance.
export LAB_DIRECT=${LAB_DIRECT:-1}
source "$root/scripts/lab/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# rx_packets of the target's veth.
rx() { ip netns exec "$LAB_TGT_NS" cat "/sys/class/net/$LAB_TGT_IF/statistics/rx_packets"; }

# measure NAME COMMAND...: runs COMMAND in the scanner namespace, samples the
# counter every second, prints "NAME pps" (median of the full windows).
measure() {
  local name=$1; shift
  local samples="$work/$name.samples"
  : > "$samples"
  ip netns exec "$LAB_SCAN_NS" "$@" > /dev/null 2> "$work/$name.err" &
  local pid=$! prev now
  prev=$(rx)
  while kill -0 "$pid" 2> /dev/null; do
    sleep 1
    now=$(rx)
    echo $((now - prev)) >> "$samples"
    prev=$now
  done
  wait "$pid" || { echo "$name failed:"; tail -3 "$work/$name.err"; return 1; }
  # Drop the first and last windows (start-up, cooldown) and take the median.
  local median
  median=$(sed '1d;$d' "$samples" | sort -n | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : 0}')
  echo "$name $median"
}

bench() {
  local zmap_bl="$work/zmap-blocklist.conf"
  grep -v '^10\.0\.0\.0/8' /etc/zmap/blacklist.conf > "$zmap_bl"
  # About 5.2 million probes a run: 65,536 addresses x 80 ports (tlsweep) or
  # x 80 probes per address (zmap scans one port per run).
  for round in $(seq "$rounds"); do
    measure "tlsweep_T1_r$round" "$tlsweep" scan -i "$LAB_SCAN_IF" -G "$LAB_GATEWAY_MAC" \
      -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p 1-80 -r 0 -c 1 -q -o /dev/null "$LAB_DROP_RANGE"
    measure "zmap_T1_r$round" zmap -q -i "$LAB_SCAN_IF" -S "$LAB_SCAN_KERNEL_IP" -G "$LAB_GATEWAY_MAC" \
      -b "$zmap_bl" -p 80 -P 80 -r 0 -T 1 -c 1 -o /dev/null "$LAB_DROP_RANGE"
    measure "zmap_T2_r$round" zmap -q -i "$LAB_SCAN_IF" -S "$LAB_SCAN_KERNEL_IP" -G "$LAB_GATEWAY_MAC" \
      -b "$zmap_bl" -p 80 -P 80 -r 0 -T 2 -c 1 -o /dev/null "$LAB_DROP_RANGE"
  done
}

lab_with bench
