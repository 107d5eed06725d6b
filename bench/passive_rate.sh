#!/usr/bin/env bash
# `tlsweep passive` from pcap files on one core: packets and bits per second
# for three mixes (no mail, 10% of frames in mail flows, all mail), and
# memory per flow with 100k concurrent flows (bench/passive_mix_pcap.py
# writes the captures). bench/RESULTS.md section 12.passrep15 quotes it.
#
# Rates are given twice: per second of the process's CPU time (user + sys,
# from getrusage via GNU time), which the other jobs on a shared machine do
# not inflate, and per second of wall time (the metadata's
# duration_seconds). Runs alternate between the mixes; medians and ranges.
#
# usage: passive_rate.sh TLSWEEP DIR [RUNS] [FRAMES]
set -euo pipefail
tlsweep=$1 dir=$2 runs=${3:-5} frames=${4:-1200000}
gen=$(dirname "$0")/passive_mix_pcap.py
mkdir -p "$dir"
for share in 0 0.1 1; do
  [ -s "$dir/mix_$share.pcap" ] ||
    python3 "$gen" mix "$dir/mix_$share.pcap" --frames "$frames" --mail-share "$share"
done
[ -s "$dir/concurrent.pcap" ] || python3 "$gen" concurrent "$dir/concurrent.pcap" --flows 100000
[ -s "$dir/one_flow.pcap" ] || python3 "$gen" concurrent "$dir/one_flow.pcap" --flows 1

# run PCAP FLAGS...: one line "cpu_s wall_s packets bytes records peak_rss_kb"
run() {
  local pcap=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$dir/time.txt" \
    "$tlsweep" passive -q -r "$pcap" -o /dev/null -m "$dir/meta.json" "$@"
  python3 - "$dir/time.txt" "$dir/meta.json" <<'PY'
import json, sys
user, sys_, rss = open(sys.argv[1]).read().split()
m = json.load(open(sys.argv[2]))
print(float(user) + float(sys_), m["duration_seconds"], m["packets"], m["bytes"], m["records"], rss)
PY
}

for share in 0 0.1 1; do : > "$dir/rate_$share.txt"; done
for ((i = 0; i < runs; i++)); do
  for share in 0 0.1 1; do run "$dir/mix_$share.pcap" >> "$dir/rate_$share.txt"; done
done
echo "mail share | frames | bytes | records | Mpps (CPU) | Gbps (CPU) | Mpps (wall) | Gbps (wall) | peak RSS MB"
for share in 0 0.1 1; do
  python3 - "$share" "$dir/rate_$share.txt" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[2])]
def fmt(values):
    return "%.3f (%.3f-%.3f)" % (statistics.median(values), min(values), max(values))
pk, by = rows[0][2], rows[0][3]
print("%s | %d | %d | %d | %s | %s | %s | %s | %.1f" % (
    sys.argv[1], pk, by, rows[0][4],
    fmt([pk / r[0] / 1e6 for r in rows]), fmt([by * 8 / r[0] / 1e9 for r in rows]),
    fmt([pk / r[1] / 1e6 for r in rows]), fmt([by * 8 / r[1] / 1e9 for r in rows]),
    max(r[5] for r in rows) / 1024))
PY
done

# Memory: peak RSS with 100k flows open at once, against one flow, both
# with a table for 131072 flows (the table and its per-flow state are
# allocated up front for --max-flows); and one flow with the default
# 65536, for the up-front cost per table slot.
echo "memory: case | max flows | records | peak RSS KB"
for spec in "concurrent.pcap 131072" "one_flow.pcap 131072" "one_flow.pcap 65536" "one_flow.pcap 1024"; do
  set -- $spec
  read -r _ _ _ _ records rss < <(run "$dir/$1" --max-flows "$2")
  echo "$1 | $2 | $records | $rss"
done
