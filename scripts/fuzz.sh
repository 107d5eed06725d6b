#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan, UBSan; build dir build-fuzz, or
# $FUZZ_BUILDDIR) and runs one or all of them for a bounded time.
#
#   scripts/fuzz.sh list                 the targets
#   scripts/fuzz.sh TARGET SECONDS       e.g. scripts/fuzz.sh smtp 300
#   scripts/fuzz.sh all SECONDS          each target in turn, SECONDS each
#
# Each target starts from its checked-in seeds (tests/STAGE/corpus/TARGET)
# with its dictionary (tests/STAGE/corpus/TARGET.dict) if there is one; new
# inputs go to BUILD/fuzz-corpus/TARGET (kept between runs, never checked
# in) and crashes to BUILD/fuzz-artifacts/TARGET/. A crash, leak, timeout or
# sanitizer report makes the run fail. One summary line per target: CPU
# seconds, executions, executions per second, coverage (libFuzzer's cov:
# edges and ft: features) and the outcome. Set FUZZ_CXX="ccache clang++" to
# cache compilations; FUZZ_ARGS adds libFuzzer flags (e.g. -use_value_profile=1).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/fuzz_build.sh

builddir=${FUZZ_BUILDDIR:-build-fuzz}
usage() { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage

install_fuzz_deps
setup_fuzz_build "$builddir"

# The fuzz targets' ninja names, e.g. tests/smtp_fuzz (all declared in
# tests/meson.build).
targets() {
  ninja -C "$builddir" -t targets all | sed -n 's|^\(tests/[a-z0-9_]*_fuzz\): .*|\1|p' | sort -u
}

if [ "$1" = list ]; then
  targets | sed 's|.*/||; s|_fuzz$||'
  exit 0
fi
[ $# -eq 2 ] || usage
what=$1
seconds=$2

mapfile -t all < <(targets)
selected=()
for t in "${all[@]}"; do
  name=${t##*/}
  name=${name%_fuzz}
  if [ "$what" = all ] || [ "$what" = "$name" ]; then selected+=("$t"); fi
done
if [ ${#selected[@]} -eq 0 ]; then
  echo "no fuzz target '$what'; scripts/fuzz.sh list names them" >&2
  exit 2
fi
ninja -C "$builddir" "${selected[@]}" >/dev/null

failed=0
printf '%-12s %8s %10s %8s %6s %6s  %s\n' target cpu_s execs exec/s cov ft result
for t in "${selected[@]}"; do
  name=${t##*/}
  name=${name%_fuzz}
  # Its seeds: the one tests/STAGE/corpus/NAME (tests/meson.build).
  seeds=$(compgen -G "tests/*/corpus/$name" || true)
  if [ "$(wc -w <<<"$seeds")" != 1 ]; then
    echo "$name: expected one tests/*/corpus/$name, found '$seeds'" >&2
    exit 2
  fi
  dict=$seeds.dict
  work=$builddir/fuzz-corpus/$name
  artifacts=$builddir/fuzz-artifacts/$name
  log=$builddir/fuzz-logs/$name.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$artifacts/")
  [ -f "$dict" ] && args+=(-dict="$dict")
  # shellcheck disable=SC2206
  args+=(${FUZZ_ARGS:-})
  result=ok
  /usr/bin/time -f '%U %S' -o "$log.time" \
    "$builddir/$t" "${args[@]}" "$work" "$seeds" >"$log" 2>&1 || result=FAILED
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$log.time")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-12s %8s %10s %8s %6s %6s  %s\n' "$name" "$cpu" "${execs:--}" "${rate:--}" \
    "${cov:--}" "${ft:--}" "$result"
  if [ "$result" != ok ]; then
    failed=1
    echo "--- $log (tail):" >&2
    tail -n 40 "$log" >&2
  fi
done
exit "$failed"
