#!/usr/bin/env bash
# tlsweep scan over DPDK (net_af_packet on the lab's veth) against the lab's
# real servers and kernel: the open set, closed/filtered/unreachable
# classification, loss with -P 3, shards, Ctrl-C + --resume, ARP, Debian's
# zmap as a reference, and bad input. Brings the lab up and always down.
#
# usage: scan_lab_test.sh TLSWEEP_BINARY [IMPAIR_RELAY_BINARY]
# (the relay, tests/lab/impair_relay, may also come as $LAB_IMPAIR_RELAY)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
if [ -n "${2:-}" ]; then LAB_IMPAIR_RELAY=$(realpath "$2"); fi
export LAB_IMPAIR_RELAY=${LAB_IMPAIR_RELAY:-}
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

# check_scan "PREFIX..." NAME COMMAND...: check, and on failure the counters
# of the scans named (and of the relay, if one ran during them).
check_scan() {
  local prefixes=$1 p; shift
  check "$@" || for p in $prefixes; do diagnose "$work/$p"; done
}

# diagnose PREFIX: what a scan counted, and what the relay did meanwhile.
diagnose() {
  echo "  --- scan ${1##*/}: counters"
  if [ -s "$1.json" ]; then
    python3 - "$1.json" <<'PY' | sed 's/^/    /'
import json, sys
m = json.load(open(sys.argv[1]))
c = m.get("counters", {})
for k in ("sent", "tx_failed", "frames_received", "synack", "rst", "icmp_unreach",
          "repeats", "results_written", "arp_replies_sent", "arp_ignored", "rst_sent",
          "control_tx_failed"):
    print(f"{k}: {c.get(k)}")
for k in ("validate_drops", "parse_drops", "nic"):
    print(f"{k}: " + json.dumps({n: v for n, v in c.get(k, {}).items() if v} if k != "nic" else c.get(k)))
print(f"complete: {m.get('complete')} interrupted: {m.get('interrupted')} gateway_mac: {m.get('gateway_mac')}")
PY
  else
    echo "    no metadata file"
  fi
  [ -s "$1.err" ] && { echo "  --- scan ${1##*/}: stderr (tail)"; grep -v '\[INFO\]' "$1.err" | tail -15 | sed 's/^/    /'; }
  [ -s "$1.relay" ] && { echo "  --- relay during ${1##*/}"; sed 's/^/    /' "$1.relay"; }
  return 0
}

# relay_counts FILE DIRECTION: "dropped received" from the relay's final
# counters for one direction (a2b scanner -> targets, b2a targets -> scanner).
relay_counts() {
  sed -n "s/^impair_relay: final $2 .*received \([0-9]*\) forwarded [0-9]* dropped \([0-9]*\) .*/\2 \1/p" "$1"
}
# loss_applied FILE DIRECTION: the relay really dropped about 20% (10-30%).
loss_applied() {
  local dropped received
  read -r dropped received < <(relay_counts "$1" "$2")
  if [ -n "${received:-}" ] && [ "$received" -gt 0 ] &&
     [ $((dropped * 100)) -ge $((received * 10)) ] && [ $((dropped * 100)) -le $((received * 30)) ]; then
    return 0
  fi
  echo "  relay $2: dropped ${dropped:-?} of ${received:-?} frames"
  return 1
}

# scan OUT_PREFIX [flags...]: a lab scan writing every answer as CSV.
scan() {
  local out=$1; shift
  in_scan "$tlsweep" scan -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$ports" -I "$work/targets.txt" \
    -q -O csv --output-all -f saddr,sport,classification,success,repeat \
    -o "$out.csv" -m "$out.json" "$@" 2> "$out.err"
  local rc=$?
  if [ "$rc" -ne 0 ]; then echo "  scan $out exited $rc:"; tail -5 "$out.err"; fi
  check "$(basename "$out"): metadata validates (scan_metadata)" valid scan_metadata "$out.json"
  return "$rc"
}

# The unique answers of a scan as "ip,port,classification", sorted.
answers() { awk -F, 'NR > 1 && $5 == 0 {print $1","$2","$3}' "$1.csv" | LC_ALL=C sort; }
open_set() { answers "$1" | awk -F, '$3 == "synack" {print $1","$2}'; }

# The answers expected.tsv predicts: open -> synack, closed -> rst,
# unreachable -> icmp-unreach, filtered -> no answer at all.
expected_answers() {
  awk -F'\t' '!/^#/ {
      c = $3 == "open" ? "synack" : $3 == "closed" ? "rst" : $3 == "unreachable" ? "icmp-unreach" : "";
      if (c != "") print $1","$2","c }' "$LAB_EXPECTED_TSV" | LC_ALL=C sort
}

run_tests() {
  awk -F'\t' '!/^#/ {print $1}' "$LAB_EXPECTED_TSV" | sort -u > "$work/targets.txt"
  ports=$(awk -F'\t' '!/^#/ {print $2}' "$LAB_EXPECTED_TSV" | sort -un | paste -sd,)
  expected_answers > "$work/expected.txt"
  echo "lab: $(wc -l < "$work/targets.txt") targets x ports $ports"

  # 1. The whole lab: every answer is the one its server/kernel gives.
  scan "$work/full" --seed 11 -r 2000 -c 3
  answers "$work/full" > "$work/full.txt"
  check_scan full "scan exits 0" grep -q '"complete": true' "$work/full.json"
  check_scan full "open set equals the lab's ($(wc -l < "$LAB_EXPECTED_OPEN") ports)" \
    same <(open_set "$work/full") "$LAB_EXPECTED_OPEN"
  check_scan full "closed (rst), unreachable (icmp) and filtered (silent) as expected.tsv says" \
    same "$work/full.txt" "$work/expected.txt"
  check_scan full "no frame was invalid" grep -q '"bad_ack": 0' "$work/full.json"
  # A reset for every SYN-ACK (packet/rst.h), so the servers keep no
  # connection half-open and send no SYN-ACK again.
  check_scan full "a reset for every SYN-ACK, none repeated" python3 -c "
import json, sys
c = json.load(open('$work/full.json'))['counters']
sys.exit(0 if c['rst_sent'] == c['synack'] and c['repeats'] == 0 else 1)"
  check_scan full "no connection left half-open on the targets" \
    test "$(ip netns exec "$LAB_TGT_NS" ss -Htn state syn-recv | wc -l)" -eq 0

  # 2. 20% loss of everything the targets send, -P 3: still every open
  # port. The loss is impair_relay's (scripts/lab.sh impair on) between the
  # scanner's and the targets' veths, so it needs only veth and AF_PACKET
  # (this kernel has no sch_netem). Linux answers a repeated SYN for a
  # half-open connection only when its out-of-window rate limit allows
  # (TcpExtTCPACKSkippedSynRecv counted them all skipped here), so what
  # recovers a lost SYN-ACK is the server's own retransmission at 1, 3, 7
  # and 15 s: a 16 s cooldown waits for four of them, leaving 0.2^5 = 0.03%
  # per open port of missing it.
  if lab_impair_on --loss 20 --direction b2a --seed 12; then
    scan "$work/loss" --seed 12 -r 2000 -c 16 -P 3
    lab_impair_off 2> "$work/loss.relay"
    check_scan loss "the relay dropped about 20% of the targets' frames" \
      loss_applied "$work/loss.relay" b2a
  else
    echo "  the relay did not start (LAB_IMPAIR_RELAY='$LAB_IMPAIR_RELAY'): no loss scan"
    : > "$work/loss.csv"
  fi
  check_scan loss "20% loss with -P 3 finds every open port" \
    same <(open_set "$work/loss") "$LAB_EXPECTED_OPEN"

  # 3. Two shards with the same seed = one unsharded run.
  scan "$work/shard0" --seed 13 --shards 2 --shard 0 -r 2000 -c 3
  scan "$work/shard1" --seed 13 --shards 2 --shard 1 -r 2000 -c 3 -T 2
  check_scan "shard0 shard1" "shards 0+1 equal the unsharded answers" \
    same <(cat <(answers "$work/shard0") <(answers "$work/shard1") | LC_ALL=C sort) "$work/expected.txt"
  check "shards are disjoint" \
    test -z "$(comm -12 <(answers "$work/shard0") <(answers "$work/shard1"))"

  # 4. Ctrl-C, then --resume: together the same set. (ip netns exec runs
  # tlsweep in this process, so the signal reaches it; a function or a
  # subshell in the background would ignore SIGINT.)
  ip netns exec "$LAB_SCAN_NS" "$tlsweep" scan -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$ports" -I "$work/targets.txt" \
    -q -O csv --output-all -f saddr,sport,classification,success,repeat \
    -o "$work/int1.csv" -m "$work/int1.json" --seed 14 -r 40 -c 2 \
    --resume-out "$work/pos.json" 2> "$work/int1.err" &
  local pid=$!
  sleep 2.5
  kill -INT "$pid"
  wait "$pid"
  check_scan int1 "Ctrl-C exits 0 with a resume file" test -s "$work/pos.json"
  check_scan int1 "Ctrl-C metadata says interrupted" grep -q '"interrupted": true' "$work/int1.json"
  check "int1: metadata validates (scan_metadata)" valid scan_metadata "$work/int1.json"
  scan "$work/int2" --seed 14 -r 2000 -c 3 --resume "$work/pos.json"
  check_scan "int1 int2" "Ctrl-C + --resume equals one run" \
    same <(cat <(answers "$work/int1") <(answers "$work/int2") | LC_ALL=C sort -u) "$work/expected.txt"

  # 5. ARP: with -G tlsweep does not ARP for the gateway, so the target's
  # kernel must resolve tlsweep's source address: tlsweep answers.
  ip netns exec "$LAB_TGT_NS" ip neigh flush all
  scan "$work/arp" --seed 15 -r 2000 -c 3 -G "$LAB_GATEWAY_MAC"
  check_scan arp "with -G the open set is complete" same <(open_set "$work/arp") "$LAB_EXPECTED_OPEN"
  check_scan arp "tlsweep answered the target's ARP requests" \
    python3 -c "import json,sys; sys.exit(json.load(open('$work/arp.json'))['counters']['arp_replies_sent'] == 0)"

  # 6. Debian's zmap on the same lab and ports finds the same open set. Two
  # probes per target (zmap reports each open port once): a reference that
  # misses one answer on a busy 2-core machine would fail the comparison for
  # a reason that is not tlsweep's.
  grep -v '^10\.0\.0\.0/8' /etc/zmap/blacklist.conf > "$work/zmap-blocklist.conf"
  : > "$work/zmap-open.txt"
  local port
  for port in ${ports//,/ }; do
    in_scan zmap -q -i "$LAB_SCAN_IF" -S "$LAB_SCAN_KERNEL_IP" -G "$LAB_GATEWAY_MAC" \
      -p "$port" -b "$work/zmap-blocklist.conf" -w "$work/targets.txt" -c 2 -r 2000 -P 2 \
      -o - 2>> "$work/zmap.err" | sed "s/\$/,$port/" >> "$work/zmap-open.txt"
    echo "zmap -p $port: $(grep -c ",$port\$" "$work/zmap-open.txt") open" >> "$work/zmap.err"
  done
  LC_ALL=C sort -o "$work/zmap-open.txt" "$work/zmap-open.txt"
  check_scan "full zmap" "zmap finds the same open set as tlsweep ($(wc -l < "$work/zmap-open.txt") ports)" \
    same "$work/zmap-open.txt" <(open_set "$work/full")

  # 7. Bad input: non-zero exit and a message naming the problem.
  expect_error() {  # expect_error PATTERN tlsweep-args...
    local pattern=$1; shift
    if in_scan "$tlsweep" scan "$@" > "$work/bad.out" 2> "$work/bad.err"; then
      echo "  accepted: $*"; return 1
    fi
    grep -q -- "$pattern" "$work/bad.err" || { echo "  message lacks '$pattern':"; tail -3 "$work/bad.err"; return 1; }
  }
  local base=(-S "$LAB_SCAN_DPDK_IP" --gateway-ip "$LAB_GATEWAY_IP" --no-blocklist -p 25 -q)
  check "no targets" expect_error "no targets" -i "$LAB_SCAN_IF" "${base[@]}"
  check "unknown interface" expect_error "no DPDK port" -i nosuch0 "${base[@]}" 10.77.0.10
  check "unknown vdev" expect_error "rte_eal_init" --eal "--no-huge -m 256 --no-shconf --vdev=net_bogus0" "${base[@]}" 10.77.0.10
  check "gateway never answers ARP" expect_error "did not answer ARP" -i "$LAB_SCAN_IF" \
    -S "$LAB_SCAN_DPDK_IP" --gateway-ip 10.77.0.99 --no-blocklist -p 25 -q 10.77.0.10
  check "hugepages missing" expect_error "hugepages" \
    --eal "--huge-dir=/nonexistent --in-memory --vdev=net_null0" "${base[@]}" 10.77.0.10
  # A port in use: a second process on the same EAL file prefix.
  local eal_shared="--no-huge -m 256 --file-prefix tlsweep-lab-test --vdev=net_null0,no-rx=1 -l 0-1"
  ip netns exec "$LAB_SCAN_NS" "$tlsweep" scan --eal "$eal_shared" -G 02:00:00:00:00:02 -S 192.0.2.1 --no-blocklist \
    -p 25 -r 1 -q 10.77.0.0/24 -o /dev/null --resume-out "$work/holder.resume.json" 2> /dev/null &
  local holder=$!
  sleep 1.5
  check "port already in use by another DPDK process" expect_error "file-prefix" \
    --eal "$eal_shared" -G 02:00:00:00:00:02 -S 192.0.2.1 --no-blocklist -p 25 10.77.0.10
  kill -INT "$holder" 2> /dev/null; kill -INT "$holder" 2> /dev/null; wait "$holder"
  rm -rf /var/run/dpdk/tlsweep-lab-test
}

lab_with run_tests
finish_checks scan $?
