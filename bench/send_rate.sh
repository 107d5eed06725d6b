#!/bin/sh
# Software send rate of the whole send path (permutation, blocklist, probe
# build, cookie, checksums, rte_eth_tx_burst) on DPDK's net_null PMD:
# nothing leaves the process. Runs each configuration RUNS times and prints
# one line per run: overall rate (sent / duration_seconds, start-up
# included) and steady rate (from the -u status file, first second and the
# last partial second left out).
#
# usage: bench/send_rate.sh BUILD_DIR [PROBES] [RUNS]
#   e.g. bench/send_rate.sh /tmp/build-bench 500000000 3
set -eu
build=${1:?usage: send_rate.sh BUILD_DIR [PROBES] [RUNS]}
probes=${2:-500000000}
runs=${3:-3}
tlsweep="$build/src/app/tlsweep"
out=${OUT:-$(mktemp -d)}
base="--no-huge -m 1024 --no-shconf --no-pci --vdev=net_null0,no-rx=1 --log-level=lib.eal:error"

rate() {  # meta.json status.csv -> "overall_mpps steady_mpps sent duration"
  python3 - "$1" "$2" <<'PY'
import csv, json, sys
m = json.load(open(sys.argv[1]))
sent, dur = m["counters"]["sent"], m["duration_seconds"]
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["sending_done"] == "0"]
# rows while sending; drop the first second (start-up) when there is more.
if len(rows) >= 3:
    a, b = rows[0], rows[-1]
    steady = (int(b["sent"]) - int(a["sent"])) / (float(b["elapsed_s"]) - float(a["elapsed_s"]))
else:
    steady = float("nan")
# per-second rates after the first second (rows after sending_done are left out)
per_s = sorted(float(r["send_rate"]) for r in rows[1:]) or [float("nan")]
print(f"{sent / dur / 1e6:.2f} {steady / 1e6:.2f} {sent} {dur:.2f} "
      f"per_second_median={per_s[len(per_s) // 2] / 1e6:.2f} per_second_max={per_s[-1] / 1e6:.2f} "
      f"tx_failed={m['counters']['tx_failed']} alloc_failed={m['counters']['mbuf_alloc_failed']}")
PY
}

run() {  # name threads lcore-args
  name=$1; threads=$2; lcores=$3
  i=1
  while [ "$i" -le "$runs" ]; do
    timeout 300 "$tlsweep" scan --eal "$base $lcores" -G 02:00:00:00:00:02 -S 192.0.2.1 \
      -p 25 -r 0 -c 0 -q -T "$threads" -n "$probes" --seed 1 \
      -m "$out/$name.$i.json" -u "$out/$name.$i.csv" --resume-out "$out/$name.$i.resume.json" \
      0.0.0.0/0 >/dev/null 2>"$out/$name.$i.err"
    echo "$name run $i: overall_mpps steady_mpps sent duration_s ...: $(rate "$out/$name.$i.json" "$out/$name.$i.csv")"
    i=$((i + 1))
  done
}

echo "# $(date -u +%FT%TZ) probes=$probes runs=$runs out=$out"
for cfg in ${CONFIGS:-T1 T2}; do
  case $cfg in
    T1) run T1 1 "-l 0-1" ;;                              # main on cpu0, sender on cpu1
    T2) run T2 2 "--lcores=0@0,1@1,2@1" ;;                # both senders share cpu1
    T2b) run T2b 2 "--lcores=0@0,1@0,2@1" ;;              # sender 1 shares cpu0 with main
  esac
done
