#!/usr/bin/env bash
# `tlsweep run` with default flags on the lab's synthetic Internet (issue 12
# item 6): every address of a /22 answers on each of the twelve ports the lab
# serves (scripts/lab/synth.sh), 12,288 open ports, many answers in a burst;
# before issue 12 a fifth of them ended without a record while every drop
# counter said 0. Checks:
# 1. every open port whose SYN-ACK reached the scanner's veth (dumpcap in
#    the scanner's namespace, the ground truth) has exactly one record, and
#    no other port has one. Not every address x port of the range answers:
#    one Dovecot stands for 4096 addresses on 993 and 995, and while it is
#    busy with grabs its full listen queue drops a few hundred SYNs (a busy
#    server on the Internet does the same), so the grid is only a bound;
# 2. nothing was dropped for lack of room: no not_grabbed record, the
#    metadata's queue_full is 0 (the senders pause instead);
# 3. the receive drops are counted where the driver cannot count them
#    (af_packet: PACKET_STATISTICS of its sockets), and were 0.
# Brings the lab up and always down.
#
# usage: synth_run_lab_test.sh TLSWEEP_BINARY [CIDR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
cidr=${2:-10.79.0.0/22}
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

meta() {  # meta FILE PYTHON-EXPRESSION-ON-m
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"
}

run_tests() {
  bash "$root/scripts/lab.sh" synth on "$cidr" > /dev/null || return
  lab_env
  local ports
  ports=$(awk '!/^#/ {print $1}' "$LAB_SYNTH_TSV" | paste -sd,)
  # The grid: every address of the range on every port of synth.tsv.
  python3 - "$cidr" "$ports" <<'PY' | LC_ALL=C sort > "$work/grid.txt"
import ipaddress, sys
for a in ipaddress.ip_network(sys.argv[1]):
    for p in sys.argv[2].split(","):
        print("%s,%s" % (a, p))
PY

  # Every SYN-ACK from the range that reaches the scanner's veth (to the
  # scan's probes and to the grab connections alike).
  ip netns exec "$LAB_SCAN_NS" dumpcap -q -i "$LAB_SCAN_IF" -B 64 -w "$work/synack.pcapng" \
    -f "src net $cidr and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)" \
    2> "$work/dumpcap.err" &
  local cap=$!
  for _ in $(seq 50); do grep -q "Capturing on" "$work/dumpcap.err" && break; sleep 0.1; done

  local start=$SECONDS
  in_scan "$tlsweep" run -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$ports" "$cidr" \
    --ca-file "$LAB_CA_FILE" --xmpp-domain xmpp.lab.test -q \
    -o "$work/synth.jsonl" -m "$work/synth.json" 2> "$work/synth.err"
  local rc=$? took=$((SECONDS - start))
  sleep 1
  kill -INT "$cap"; wait "$cap"
  check "run exits 0 (${took}s)" test "$rc" -eq 0 || tail -5 "$work/synth.err"
  check "records validate (grab_record)" valid grab_record "$work/synth.jsonl"
  check "metadata validates (run_metadata)" valid run_metadata "$work/synth.json"

  tshark -r "$work/synack.pcapng" -T fields -e ip.src -e tcp.srcport -E separator=, 2> /dev/null |
    LC_ALL=C sort -u > "$work/synacks.txt"
  python3 - "$work/synth.jsonl" <<'PY' | LC_ALL=C sort > "$work/records.txt"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("%s,%s" % (r["ip"], r["port"]))
PY
  echo "  $(wc -l < "$work/grid.txt") open ports, $(wc -l < "$work/synacks.txt") answered on the veth, $(wc -l < "$work/records.txt") records in ${took}s; $(tail -1 "$work/dumpcap.err")"
  # Where the unanswered ones went: SYNs the servers' full listen queues
  # dropped (the namespace is new, so its counters start at 0).
  echo "  target namespace: $(ip netns exec "$LAB_TGT_NS" nstat -az TcpExtListenOverflows TcpExtListenDrops | awk 'NR > 1 {printf "%s %s ", $1, $2}')"
  check "the ground truth is whole: dumpcap dropped nothing" \
    grep -Eq "received/dropped on interface .*: [0-9]+/0 " "$work/dumpcap.err"
  check "most of the range answered (a test at scale)" \
    test "$(wc -l < "$work/synacks.txt")" -ge $(($(wc -l < "$work/grid.txt") * 3 / 4))
  check "no open port has two records" test -z "$(uniq -d "$work/records.txt" | head -3)"
  check "every SYN-ACK that reached the veth has exactly one record, and nothing else has one" \
    same <(uniq "$work/records.txt") "$work/synacks.txt"
  check "every record is of the synthetic range's grid" \
    test -z "$(LC_ALL=C comm -23 <(uniq "$work/records.txt") "$work/grid.txt" | head -3)"
  check "nothing dropped for lack of room (no not_grabbed, queue_full 0)" test "$(meta "$work/synth.json" \
    "m['grab']['not_grabbed'] == 0 and m['grab']['queue_full'] == 0 and m['grab']['overflow'] == 'pause'")" = True
  check "receive drops counted by PACKET_STATISTICS, and none" test "$(meta "$work/synth.json" \
    "m['counters']['nic']['rx_drops_counted'] == 'packet_statistics' and m['counters']['nic']['ring_drops'] == 0")" = True
  check "grabs on an lcore of their own by default" test "$(meta "$work/synth.json" "m['grab']['grab_lcores']")" -ge 1
  python3 - "$work/synth.jsonl" <<'PY' | sed 's/^/  /'
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    c["not-grabbed:" + r["not_grabbed"] if "not_grabbed" in r else next(iter(r["data"].values()))["status"]] += 1
print(", ".join("%s %d" % kv for kv in c.most_common()))
PY
}

lab_with run_tests
finish_checks synth_run $?
