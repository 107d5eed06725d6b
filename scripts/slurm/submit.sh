#!/usr/bin/env bash
# Submits a sharded `tlsweep run` sweep to Slurm: a job array of SHARDS
# tasks (shard.sbatch; task i scans shard i/SHARDS with one seed) and a
# report job (report.sbatch) that runs only after every task ended well
# (--dependency=afterok), merging the shards into one report.
#
#   scripts/slurm/submit.sh CONF [--wait]
#
# CONF is a shell file like scripts/slurm/example.conf. Prints the two job
# ids. With --wait, waits for the report job and exits with its status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 CONF [--wait]" >&2; exit 2; }
conf=$(realpath "$1")
wait_flag=()
[ "${2:-}" = "--wait" ] && wait_flag=(--wait)
# shellcheck source=example.conf
source "$conf"
for v in TLSWEEP OUT SHARDS SEED PORTS TARGETS NODES; do
  [ -n "${!v:-}" ] || { echo "$conf: $v is not set" >&2; exit 2; }
done
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || { echo "$conf: SHARDS must be a positive number" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "$conf: SEED must be a number (the same for every shard)" >&2; exit 2; }
[ -r "$NODES" ] || { echo "$conf: NODES file $NODES is not readable" >&2; exit 2; }
mkdir -p "$OUT/logs"

array="0-$((SHARDS - 1))"
[ "${MAX_PARALLEL:-0}" -gt 0 ] && array="$array%$MAX_PARALLEL"
# shellcheck disable=SC2086
shards=$(sbatch --parsable ${SBATCH_FLAGS:-} --array="$array" \
  --output="$OUT/logs/shard-%a.log" --export=ALL,TLSWEEP_SLURM_CONF="$conf" \
  "$here/shard.sbatch")
shards=${shards%%;*}
# shellcheck disable=SC2086
report=$(sbatch --parsable ${SBATCH_FLAGS:-} --dependency="afterok:$shards" \
  --output="$OUT/logs/report.log" --export=ALL,TLSWEEP_SLURM_CONF="$conf" \
  "${wait_flag[@]}" "$here/report.sbatch")
echo "shards: job $shards (array $array)"
echo "report: job ${report%%;*}"
