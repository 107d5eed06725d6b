#!/usr/bin/env bash
# The Slurm job array of scripts/slurm/ on a real single-node Slurm (Debian's
# slurm-wlm and munge) that this test starts in a temporary folder and
# always stops: three shards of `tlsweep run` over the lab, one array task
# each, then the dependent report job. Checks that
# 1. the array and the report job end well;
# 2. the shards' records together hold every open port exactly once, with
#    the same statuses as one unsharded run with the same seed;
# 3. the merged report's tables equal the unsharded run's report (but the
#    table of input files).
# The daemons listen on loopback ports 16817/16818 and talk through their own
# munge socket; the shards run inside the lab's scanner namespace (WRAP).
#
# usage: slurm_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

# A fixed folder, so a run stopped by a signal is cleaned up by the next.
slurm_dir=/run/tlsweep-slurm-test
node=$(hostname -s)
export SLURM_CONF=$slurm_dir/slurm.conf

slurm_up() {
  slurm_down
  rm -rf "$slurm_dir"
  mkdir -p "$slurm_dir"/{ctld,spool,munge}
  chmod 700 "$slurm_dir/munge"
  mungekey -c -k "$slurm_dir/munge/munge.key" 2> /dev/null || return
  munged -f --key-file "$slurm_dir/munge/munge.key" --socket "$slurm_dir/munge/socket" \
    --pid-file "$slurm_dir/munge/pid" --log-file "$slurm_dir/munge/log" \
    --seed-file "$slurm_dir/munge/seed" || return
  cat > "$SLURM_CONF" <<CONF
ClusterName=tlsweeplab
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$slurm_dir/munge/socket
CredType=cred/munge
StateSaveLocation=$slurm_dir/ctld
SlurmdSpoolDir=$slurm_dir/spool
SlurmctldPidFile=$slurm_dir/ctld.pid
SlurmdPidFile=$slurm_dir/slurmd.pid
SlurmctldLogFile=$slurm_dir/ctld.log
SlurmdLogFile=$slurm_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=lab Nodes=$node Default=YES MaxTime=30 State=UP
CONF
  slurmctld -i || return
  slurmd || return
  local _
  for _ in $(seq 60); do
    sinfo -h -N -o %t 2> /dev/null | grep -qE '^idle' && return 0
    sleep 0.5
  done
  echo "  slurm did not come up:"; tail -5 "$slurm_dir/ctld.log" "$slurm_dir/slurmd.log"
  return 1
}

slurm_down() {
  [ -f "$slurm_dir/ctld.pid" ] && timeout 15 scancel --quiet --full -u root 2> /dev/null
  local f
  for f in "$slurm_dir/slurmd.pid" "$slurm_dir/ctld.pid"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2> /dev/null
  done
  [ -f "$slurm_dir/ctld.pid" ] && sleep 1
  munged --stop --socket "$slurm_dir/munge/socket" > /dev/null 2>&1
  return 0
}

# "ip,port status" per record, sorted.
statuses() {
  cat "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    s = "not-grabbed:" + r["not_grabbed"] if "not_grabbed" in r else next(iter(r["data"].values()))["status"]
    print("%s,%s %s" % (r["ip"], r["port"], s))' | LC_ALL=C sort
}

run_tests() {
  sweep_tests
  local rc=$?
  slurm_down
  rm -rf "$slurm_dir"
  return "$rc"
}

sweep_tests() {
  awk -F'\t' '!/^#/ {print $1}' "$LAB_EXPECTED_TSV" | sort -u > "$work/targets.txt"
  local ports seed=31 flags
  ports=$(awk -F'\t' '!/^#/ {print $2}' "$LAB_EXPECTED_TSV" | sort -un | paste -sd,)
  flags="--no-blocklist -r 2000 -c 2 --ca-file $LAB_CA_FILE --xmpp-domain xmpp.lab.test"

  # The reference: one unsharded run with the same seed, and its report.
  # shellcheck disable=SC2086
  in_scan "$tlsweep" run -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --seed "$seed" -p "$ports" -q $flags -I "$work/targets.txt" \
    -o "$work/all.jsonl" -m "$work/all.json" 2> "$work/all.err"
  check "unsharded run: a record per open port" \
    same <(statuses "$work/all.jsonl" | cut -d' ' -f1) "$LAB_EXPECTED_OPEN"
  "$tlsweep" report -q -m "$work/all.json" --csv-dir "$work/all-csv" "$work/all.jsonl" \
    > "$work/all.md"

  check "a single-node Slurm comes up" slurm_up || return 1
  printf '%s iface:%s %s %s\n' "$node" "$LAB_SCAN_IF" "$LAB_SCAN_DPDK_IP" "$LAB_GATEWAY_IP" \
    > "$work/nodes.txt"
  mkdir -p "$work/sweep"
  cat > "$work/sweep.conf" <<CONF
TLSWEEP=$tlsweep
OUT=$work/sweep
SHARDS=3
MAX_PARALLEL=1
SEED=$seed
PORTS=$ports
TARGETS="-I $work/targets.txt"
NODES=$work/nodes.txt
RUN_FLAGS="$flags"
SBATCH_FLAGS="--time=5"
WRAP="ip netns exec $LAB_SCAN_NS"
CONF
  "$root/scripts/slurm/submit.sh" "$work/sweep.conf" --wait > "$work/submit.out" 2>&1
  local rc=$?
  sed 's/^/  /' "$work/submit.out"
  check "the array and the report job end well (rc $rc)" test "$rc" -eq 0 -a -s "$work/sweep/report/report.md"
  if [ "$rc" -ne 0 ]; then tail -3 "$work"/sweep/logs/*.log "$slurm_dir/slurmd.log"; fi
  local s
  for s in 0 1 2; do
    check "shard $s wrote records and metadata" test -f "$work/sweep/shard-$s.jsonl" -a \
      -f "$work/sweep/shard-$s.json"
    echo "  shard $s: $(wc -l < "$work/sweep/shard-$s.jsonl" 2> /dev/null) records"
  done
  check "the shards together: every open port exactly once, statuses as unsharded" \
    same <(statuses "$work"/sweep/shard-*.jsonl) <(statuses "$work/all.jsonl")
  check "each shard probed a disjoint share: probes add up to the unsharded run's" test \
    "$(cat "$work"/sweep/shard-?.json | python3 -c '
import json, sys
dec = json.JSONDecoder(); text = sys.stdin.read(); i = 0; total = 0
while i < len(text):
    m, i = dec.raw_decode(text, i)
    total += m["counters"]["sent"]
    while i < len(text) and text[i].isspace(): i += 1
print(total)')" = "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counters"]["sent"])' "$work/all.json")"
  # input.csv lists the files read, one row each: the only table that differs.
  check "the merged report's tables equal the unsharded report's" \
    diff -r -x input.csv "$work/sweep/report/csv" "$work/all-csv"
  check "the merged report read three shard files holding the unsharded run's records" \
    test "$(awk -F, 'NR > 1 {n++; r += $2} END {print n, r}' "$work/sweep/report/csv/input.csv")" \
    = "3 $(wc -l < "$work/all.jsonl")"
}

lab_with run_tests
finish_checks slurm $?
