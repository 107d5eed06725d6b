#!/bin/sh
# Cost of the periodic checkpoint on the send rate, on DPDK's net_null PMD
# (nothing leaves the process), alternated A/B/C so that a busy neighbour
# hits every variant alike:
#   base  BASE_BUILD's tlsweep (before checkpoints: no position published)
#   on    BUILD's tlsweep, -o FILE, --checkpoint-interval 1000 (the default)
#   off   BUILD's tlsweep, -o FILE, --checkpoint-interval 0 (the senders
#         still publish their position once a burst)
# One line per run: variant, sent / duration_seconds (Mpps), steady rate
# from the status file (first second left out), checkpoints written.
# BASE_BUILD "-" leaves the base variant out. MODE=run measures `tlsweep
# run` (its scan half: net_null answers nothing, so nothing is grabbed)
# instead of `tlsweep scan`. FSYNC=1 adds, after the timed rounds, one run
# of on and off under `strace -f -c` counting fsync/fdatasync (outside the
# timed runs: strace slows the process it follows).
#
# usage: [MODE=run] [FSYNC=1] bench/checkpoint_ab.sh BUILD BASE_BUILD [PROBES] [ROUNDS]
set -eu
build=${1:?usage: checkpoint_ab.sh BUILD BASE_BUILD [PROBES] [ROUNDS]}
base_build=${2:?usage: checkpoint_ab.sh BUILD BASE_BUILD [PROBES] [ROUNDS]}
probes=${3:-100000000}
rounds=${4:-5}
mode=${MODE:-scan}
out=${OUT:-$(mktemp -d)}
eal="--no-huge -m 1024 --no-shconf --no-pci --vdev=net_null0,no-rx=1 -l 0-1 --log-level=lib.eal:error"

rate() {  # meta.json status.csv -> "overall_mpps steady_mpps"
  python3 - "$1" "$2" <<'PY'
import csv, json, sys
m = json.load(open(sys.argv[1]))
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["sending_done"] == "0"]
steady = float("nan")
if len(rows) >= 3:
    a, b = rows[0], rows[-1]
    steady = (int(b["sent"]) - int(a["sent"])) / (float(b["elapsed_s"]) - float(a["elapsed_s"]))
print(f"{m['counters']['sent'] / m['duration_seconds'] / 1e6:.2f} {steady / 1e6:.2f}"
      f" checkpoints={m['checkpoint']['written']}")
PY
}

# one VARIANT DIR [WRAPPER...]: one run of VARIANT into DIR.
one() {
  variant=$1 dir=$2; shift 2
  mkdir -p "$dir"
  case $variant in
    base) bin="$base_build/src/app/tlsweep"; extra="" ;;
    on) bin="$build/src/app/tlsweep"; extra="--checkpoint-interval 1000" ;;
    off) bin="$build/src/app/tlsweep"; extra="--checkpoint-interval 0" ;;
  esac
  # -n stops the scan early, so the run ends incomplete and the last
  # checkpoint (or resume file) stays on disk.
  # shellcheck disable=SC2086
  "$@" "$bin" "$mode" --eal "$eal" -G 02:00:00:00:00:02 -S 192.0.2.1 -p 25 -r 0 -c 0 -q -T 1 \
    -n "$probes" --seed 1 -m "$dir/meta.json" -u "$dir/status.csv" \
    --resume-out "$dir/r.json" -o "$dir/out.txt" $extra 0.0.0.0/0 2> "$dir/err"
}

for round in $(seq 1 "$rounds"); do
  # The order turns each round, so that no variant always runs first.
  case $((round % 3)) in
    1) order="base on off" ;;
    2) order="on off base" ;;
    0) order="off base on" ;;
  esac
  for variant in $order; do
    [ "$variant" = base ] && [ "$base_build" = - ] && continue
    one "$variant" "$out/$variant.$round"
    echo "$variant $(rate "$out/$variant.$round/meta.json" "$out/$variant.$round/status.csv")"
  done
done

if [ "${FSYNC:-0}" = 1 ]; then
  for variant in on off; do
    dir="$out/$variant.strace"
    one "$variant" "$dir" strace -f -c -o "$dir.strace" -e trace=fsync,fdatasync
    echo "$variant under strace: $(rate "$dir/meta.json" "$dir/status.csv")," \
      "fsync+fdatasync calls: $(awk '$NF == "fsync" || $NF == "fdatasync" {n += $4} END {print n + 0}' "$dir.strace")"
  done
fi
