#!/usr/bin/env bash
# Crash-safe resume against real servers: on the lab's synthetic Internet
# (scripts/lab.sh synth on; every address of a /24 is a server of its own
# on every served port), `tlsweep run` (default grab flags: the grabs on an
# lcore of their own) is killed with SIGKILL at a random moment (during the
# scan or the grabs) and resumed with --resume from its last periodic
# checkpoint into a second file; `tlsweep scan` likewise, resumed into the
# same file (appending after the checkpointed length). Then:
# - the outputs together hold every open port exactly once. An open port
#   is one whose SYN-ACK reached the scanner's veth (dumpcap, the ground
#   truth) before the kill (at least SEEN_MS before it: one the killed run's
#   receive loop had taken; those of the last SEEN_MS are counted apart) or
#   anew during the resumed run, not every address x port of the range:
#   the lab's one Dovecot stands for 256 addresses on 993, and while it
#   still serves the killed run's abandoned grab connections its full
#   listen queue drops SYNs (TcpExtListenDrops in the target namespace,
#   printed per round): such a port never answered, and on the Internet
#   would be closed to the scanner as well. A port that answered the killed
#   run need not answer the resumed run's re-sent probe: the checkpoint or
#   the journal (scan/journal.h) has it;
# - every run record validates against docs/schema (grab_record), and the
#   resumed run's metadata against run_metadata (scan_metadata for scan);
# - the probes sent again are reported (the status file's last count of the
#   killed run, so a lower bound, short by up to one second of probes).
# A round whose run ended before the kill is tried again with an earlier
# kill (at most three tries), so every round is a real kill -9.
# ROUNDS (default 2: about 20 s each, 90 s for the test) kills and resumes
# of each; bench/RESULTS.md has 5. MODES (default "run scan") picks the
# commands. KEEP=DIR keeps each round's outputs,
# status files and captures there.
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
# A SYN-ACK captured this long before the kill was taken by the killed
# run's receive loop (it polls continuously; the slack is for a loaded
# machine descheduling it).
SEEN_MS=${SEEN_MS:-200}

# start MODE OUT OUTPUT [flags...]: tlsweep MODE (run or scan) in the
# background, its own pid in $pid (not a shell's, so that kill -9 reaches
# it), records to OUTPUT.
start() {
  local mode=$1 out=$2 output=$3; shift 3
  local grab=()
  [ "$mode" = run ] && grab=(--ca-file "$LAB_CA_FILE" --xmpp-domain xmpp.lab.test)
  ip netns exec "$LAB_SCAN_NS" "$tlsweep" "$mode" -i "$LAB_SCAN_IF" \
    --gateway-ip "$LAB_GATEWAY_IP" -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$PORTS" "$CIDR" \
    --seed 31 -r "$RATE" -c 2 "${grab[@]}" -q -u "$out.status.csv" -o "$output" \
    --resume-out "$out.resume.json" "$@" 2> "$out.err" &
  pid=$!
}

# keys MODE FILE...: "ip,port" of every record, sorted (duplicates kept).
keys() {
  local mode=$1; shift
  if [ "$mode" = scan ]; then cat "$@" | LC_ALL=C sort; return; fi
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
try:
    rows = list(csv.DictReader(open(sys.argv[1])))
except OSError:  # killed before the first status line
    rows = []
print(rows[-1]["sent"] if rows else 0)
PY
}

# capture_start FILE / capture_stop: every SYN-ACK from the range that
# reaches the scanner's veth (to the scan's probes and the grab connections
# alike) while the killed and the resumed run are up.
capture_start() {
  # ip netns exec itself, not a function: $! must be dumpcap's pid.
  ip netns exec "$LAB_SCAN_NS" dumpcap -q -i "$LAB_SCAN_IF" -B 64 -w "$1" \
    -f "src net $CIDR and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)" \
    2> "$1.err" &
  cap=$!
  # -s: the background redirection may not have created the file yet.
  for _ in $(seq 50); do grep -qs "Capturing on" "$1.err" && break; sleep 0.1; done
}
capture_stop() {
  sleep 1  # the last answers in flight
  kill -INT "$cap"; wait "$cap"
}

# "ip,port" of every SYN-ACK in capture FILE, sorted, once each.
answered() {
  tshark -r "$1" -T fields -e ip.src -e tcp.srcport -E separator=, 2> /dev/null |
    LC_ALL=C sort -u
}

# answered_before FILE EPOCH: "ip,port" of the SYN-ACKs in capture FILE
# captured before EPOCH (seconds since 1970, the capture's clock), once each.
answered_before() {
  tshark -r "$1" -T fields -e frame.time_epoch -e ip.src -e tcp.srcport -E separator=, \
    2> /dev/null | awk -F, -v t="$2" '$1 < t {print $2 "," $3}' | LC_ALL=C sort -u
}

# answered_anew MODE B A: "ip,port" of the SYN-ACKs in capture B that
# answer scan probes on a connection not seen in capture A. In run mode the
# scan's source ports end below the grab connections' default 49152-65535
# (run_command.cc); a scan alone draws them from 32768-61000, with no grab
# connections to tell apart. In both modes, after a kill the servers go on
# retransmitting SYN-ACKs to the killed run's probes and grab connections,
# which the resumed run (another validation key) does not take as answers.
answered_anew() {
  local fields=(-T fields -e ip.src -e tcp.srcport -e tcp.dstport -E separator=,)
  local probes=tcp
  [ "$1" = run ] && probes="tcp.dstport < 49152"
  LC_ALL=C comm -23 \
    <(tshark -r "$2" -Y "$probes" "${fields[@]}" 2> /dev/null | LC_ALL=C sort -u) \
    <(tshark -r "$3" "${fields[@]}" 2> /dev/null | LC_ALL=C sort -u) |
    cut -d, -f1,2 | LC_ALL=C sort -u
}

listen_drops() {
  ip netns exec "$LAB_TGT_NS" nstat -az TcpExtListenDrops | awk 'NR > 1 {print $2}'
}

# kill_and_resume MODE ROUND TOTAL: one kill -9 at a random moment, the
# resume, and the checks. run resumes into a second file, scan into the
# same one.
kill_and_resume() {
  local mode=$1 round=$2 total=$3
  local a=$work/$mode$round.a b=$work/$mode$round.b
  local first=$a.out second=$b.out
  [ "$mode" = scan ] && second=$first
  # A run scans for about 4 s (after about 1 s of start-up) and grabs for a
  # few more; a scan is about 4 s of probes and the 2 s cooldown.
  local delay_ms max_ms=4000
  if [ "$mode" = run ]; then
    delay_ms=$((1500 + RANDOM % 5000))
  else
    delay_ms=$((1500 + RANDOM % 4000))
  fi
  local drops0 try finished kill_ns started_over=0
  drops0=$(listen_drops)
  for try in 1 2 3; do
    rm -f "$first" "$a".*
    capture_start "$work/$mode$round.a.pcapng"
    start "$mode" "$a" "$first"
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    finished=0
    kill_ns=$(date +%s%N)
    kill -9 "$pid" 2> /dev/null || finished=1
    wait "$pid" 2> /dev/null
    if [ "$finished" = 0 ]; then capture_stop; break; fi
    # The run ended before the kill (and removed its checkpoint): no kill
    # to resume from. Again, killed earlier.
    capture_stop
    echo "  $mode round $round: the run had finished after ${delay_ms} ms: again, killed earlier"
    max_ms=$((delay_ms - 500))
    delay_ms=$((1000 + RANDOM % (max_ms > 1000 ? max_ms - 1000 : 1)))
  done
  check "$mode round $round: killed with kill -9 (try $try)" test "$finished" = 0 || return
  local first_lines=0 sent_a phase=after-sending
  [ -f "$first" ] && first_lines=$(wc -l < "$first")
  sent_a=$(last_sent "$a.status.csv")
  [ "$sent_a" -lt "$total" ] && phase=sending
  capture_start "$work/$mode$round.b.pcapng"
  if [ -s "$a.resume.json" ]; then
    start "$mode" "$b" "$second" --resume "$a.resume.json" -m "$b.json"
  else
    # Killed before the first checkpoint: nothing to resume, start over
    # (the killed run's output counts for nothing).
    echo "  $mode round $round: killed before the first checkpoint: starting over"
    phase="before the first checkpoint"
    started_over=1
    : > "$first"
    rm -f "$a.resume.json"
    start "$mode" "$b" "$second" -m "$b.json"
  fi
  wait "$pid"
  local rc=$?
  capture_stop
  check "$mode round $round: the resumed run exits 0 (rc $rc)" test "$rc" -eq 0 ||
    tail -5 "$b.err"
  if [ "$mode" = run ]; then
    check "$mode round $round: records validate" valid grab_record "$first" "$second"
    check "$mode round $round: metadata validates" valid run_metadata "$b.json"
  else
    check "$mode round $round: metadata validates" valid scan_metadata "$b.json"
  fi
  local union=$work/$mode$round.union open=$work/$mode$round.open
  if [ "$mode" = run ]; then keys run "$first" "$second" > "$union"; else keys scan "$first" > "$union"; fi
  local killed_open=$work/$mode$round.a.open resumed_open=$work/$mode$round.b.open
  answered "$work/$mode$round.a.pcapng" > "$killed_open"
  answered_anew "$mode" "$work/$mode$round.b.pcapng" "$work/$mode$round.a.pcapng" > "$resumed_open"
  LC_ALL=C sort -u "$killed_open" "$resumed_open" > "$open"
  check "$mode round $round: the captures are whole (dumpcap dropped nothing)" \
    grep -Eq "received/dropped on interface .*: [0-9]+/0 " \
    "$work/$mode$round.a.pcapng.err" "$work/$mode$round.b.pcapng.err"
  # What the design promises (README, "A run that is killed ..."): every
  # port whose answer the killed run took (in its checkpoint or its
  # journal) and every port that answers the resumed run has exactly one
  # record; the servers need not answer the re-sent probes.
  local seen=$work/$mode$round.a.seen last=$work/$mode$round.a.last
  local required=$work/$mode$round.required lost=$work/$mode$round.lost
  answered_before "$work/$mode$round.a.pcapng" \
    "$(awk -v n="$kill_ns" -v s="$SEEN_MS" 'BEGIN {printf "%.6f", n / 1e9 - s / 1e3}')" > "$seen"
  answered_before "$work/$mode$round.a.pcapng" \
    "$(awk -v n="$kill_ns" 'BEGIN {printf "%.6f", n / 1e9}')" | LC_ALL=C comm -23 - "$seen" > "$last"
  if [ "$started_over" = 1 ]; then
    # Nothing to resume from: only what answers the new run counts.
    cp "$resumed_open" "$required"
  else
    LC_ALL=C sort -u "$seen" "$resumed_open" > "$required"
  fi
  LC_ALL=C comm -23 "$required" <(LC_ALL=C sort -u "$union") > "$lost"
  check "$mode round $round: every port that answered the killed run (SYN-ACK >= ${SEEN_MS} ms before the kill) or anew the resumed run has a record" \
    test ! -s "$lost"
  check "$mode round $round: no port has two records" \
    test -z "$(LC_ALL=C uniq -d "$union" | head -3)"
  check "$mode round $round: no record of a port that did not answer" \
    test -z "$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$union") "$open" | head -3)"
  check "$mode round $round: every record is of the range's grid" \
    test -z "$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$union") "$work/expected.txt" | head -3)"
  local sent_b unique drops journal last_recorded
  sent_b=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counters']['sent'])" "$b.json")
  journal=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['checkpoint']['journal']['resume_taken'])" "$b.json")
  unique=$(sort -u "$union" | wc -l)
  last_recorded=$(LC_ALL=C comm -12 "$last" <(LC_ALL=C sort -u "$union") | wc -l)
  drops=$(($(listen_drops) - drops0))
  echo "  $mode round $round: kill -9 after ${delay_ms} ms ($phase; $first_lines lines written), open (SYN-ACK on the veth) $(wc -l < "$open") of $total, answered the killed run >= ${SEEN_MS} ms before the kill $(wc -l < "$seen") (and in its last ${SEEN_MS} ms $(wc -l < "$last"), $last_recorded of them recorded), anew the resumed run $(wc -l < "$resumed_open"), union $unique, duplicates $(($(wc -l < "$union") - unique)), without a record $(wc -l < "$lost"), taken from the journal $journal, not answered $(LC_ALL=C comm -23 "$work/expected.txt" "$open" | cut -d, -f2 | sort | uniq -c | awk '{printf "%s on %s ", $1, $2}')(listen drops $drops), probes sent again >= $((sent_a + sent_b - total)) (killed run's last status $sent_a, resumed run $sent_b)"
}

resume_tests() {
  "$root/scripts/lab.sh" synth on "$CIDR" > "$work/synth.log" 2>&1 ||
    { echo "synth on failed:"; tail -5 "$work/synth.log"; return 1; }
  python3 - "$CIDR" "$PORTS" > "$work/expected.txt" <<'PY'
import ipaddress, sys
for a in ipaddress.ip_network(sys.argv[1]):
    for p in sys.argv[2].split(","):
        print("%s,%s" % (a, p))
PY
  LC_ALL=C sort -o "$work/expected.txt" "$work/expected.txt"
  local total
  total=$(wc -l < "$work/expected.txt")
  local mode round
  for mode in ${MODES:-run scan}; do
    for round in $(seq 1 "$ROUNDS"); do
      kill_and_resume "$mode" "$round" "$total"
    done
  done
  "$root/scripts/lab.sh" synth off > /dev/null 2>&1
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp -r "$work"/. "$KEEP"/
  return 0
}

lab_with resume_tests
finish_checks resume $?
