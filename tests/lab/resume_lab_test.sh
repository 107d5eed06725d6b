#!/usr/bin/env bash
# Crash-safe resume of `tlsweep run` against real servers: on the lab's
# synthetic Internet (scripts/lab.sh synth on; every address of a /24 is a
# server of its own on every served port), `tlsweep run` is killed with
# SIGKILL at a random moment (during the scan or the grabs), resumed with
# --resume from its last periodic checkpoint into a second file, and:
# - the two outputs together hold every open port exactly once;
# - every record of both validates against docs/schema (grab_record), and
#   the resumed run's metadata against run_metadata;
# - the probes sent again are reported (the status file's last count of the
#   killed run, so a lower bound up to one second of probes).
# ROUNDS (default 2) kills and resumes; bench/RESULTS.md has 5.
# Brings the lab up and always down.
#
# usage: resume_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

ROUNDS=${ROUNDS:-2}
CIDR=10.79.0.0/24
PORTS=25,587,993
RATE=200  # probes/s: 768 probes take about 4 s, the grabs about as long

# start_run OUT [flags...]: tlsweep run in the background (its own pid in
# $pid, not a shell's, so that kill -9 reaches it).
start_run() {
  local out=$1; shift
  ip netns exec "$LAB_SCAN_NS" "$tlsweep" run -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$PORTS" "$CIDR" --seed 31 -r "$RATE" -c 2 \
    --grab-lcores 1 --ca-file "$LAB_CA_FILE" --xmpp-domain xmpp.lab.test -q \
    -u "$out.status.csv" -o "$out.jsonl" --resume-out "$out.resume.json" "$@" \
    2> "$out.err" &
  pid=$!
}

# "ip,port" of every record, sorted (duplicates kept).
keys() {
  cat "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print("%s,%s" % (r["ip"], r["port"]))' | LC_ALL=C sort
}

# The last "sent" of a status file (CSV with a header naming the column).
last_sent() {
  python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(rows[-1]["sent"] if rows else 0)
PY
}

resume_tests() {
  "$root/scripts/lab.sh" synth on "$CIDR" > /dev/null 2>&1 ||
    { echo "synth on failed"; return 1; }
  python3 - "$CIDR" "$PORTS" > "$work/expected.txt" <<'PY'
import ipaddress, sys
for a in ipaddress.ip_network(sys.argv[1]):
    for p in sys.argv[2].split(","):
        print("%s,%s" % (a, p))
PY
  LC_ALL=C sort -o "$work/expected.txt" "$work/expected.txt"
  local total
  total=$(wc -l < "$work/expected.txt")
  local round
  for round in $(seq 1 "$ROUNDS"); do
    local a=$work/r$round.a b=$work/r$round.b
    local delay_ms=$((2000 + RANDOM % 8000))
    start_run "$a"
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid"
    wait "$pid" 2> /dev/null
    local first_records
    first_records=$(wc -l < "$a.jsonl")
    local phase="grabbing"
    [ "$(last_sent "$a.status.csv")" -lt "$total" ] && phase="scanning"
    if [ -s "$a.resume.json" ]; then
      start_run "$b" --resume "$a.resume.json" -m "$b.json"
    else
      # Killed before the first checkpoint: nothing to resume, start over
      # (the killed run's output counts for nothing).
      echo "  round $round: killed before the first checkpoint: starting over"
      : > "$a.jsonl"
      start_run "$b" -m "$b.json"
    fi
    wait "$pid"
    local rc=$?
    check "round $round: the resumed run exits 0 (rc $rc)" test "$rc" -eq 0 ||
      tail -5 "$b.err"
    check "round $round: records of the killed run validate" valid grab_record "$a.jsonl"
    check "round $round: records of the resumed run validate" valid grab_record "$b.jsonl"
    check "round $round: metadata validates" valid run_metadata "$b.json"
    keys "$a.jsonl" "$b.jsonl" > "$work/r$round.union"
    check "round $round: the two outputs hold every open port exactly once" \
      same "$work/r$round.union" "$work/expected.txt"
    local sent_a sent_b
    sent_a=$(last_sent "$a.status.csv")
    sent_b=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counters']['sent'])" "$b.json")
    echo "  round $round: kill -9 after ${delay_ms} ms ($phase), killed run kept $(wc -l < "$a.jsonl") of $first_records lines, resumed run wrote $(wc -l < "$b.jsonl"), union $(sort -u "$work/r$round.union" | wc -l) of $total, duplicates $(($(wc -l < "$work/r$round.union") - $(sort -u "$work/r$round.union" | wc -l))), probes sent again >= $((sent_a + sent_b - total)) (killed run's last status ${sent_a}, resumed run ${sent_b})"
  done
  "$root/scripts/lab.sh" synth off > /dev/null 2>&1
  return 0
}

lab_with resume_tests
finish_checks resume $?
