#!/usr/bin/env bash
# Hostile servers (tests/lab/hostile_peers.py: TLS records of one byte, a
# chain of 100 certificates, a 1 MiB certificate, capability lists of
# 10,000 lines, greetings that never end a line, endless data inside TLS,
# deep XML nesting, a DTD of nested entities, an IRC numeric flood) against
# both grab paths: `tlsweep grab` (kernel sockets) and `tlsweep run`
# (tlsweep's userspace TCP on DPDK), one process per case and path.
#
# Per case: the record validates against the schema and has the expected
# status; the process ends within the grab's deadline (--session-timeout
# plus the driver's 1 s linger and the process's own start and end); its
# peak RSS (/usr/bin/time) stays within 32 MiB of the same path's grab of a
# normal server (2509, the same TLS server code without the hostility);
# `run` frees every connection. Prints the table of status, time and peak
# memory per case and path, and for run its TCP counters (bench/RESULTS.md,
# section 11.hostile13).
# Brings the lab up and always down.
#
# usage: hostile_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

# port module expected-status(es, |-separated) case
cases=(
  "2509 smtps success normal-tls12-server"
  "2510 smtps success one-byte-tls-records"
  "2511 smtps success chain-of-100-certificates"
  "2512 smtps tls-error certificate-of-1-MiB"
  "2513 smtp too-much-data smtp-ehlo-10000-lines"
  "2514 imap too-much-data imap-capability-10000-lines"
  "2515 pop3 too-much-data pop3-capa-10000-lines"
  "2516 smtp protocol-error greeting-never-ends-line-fast"
  "2517 smtp io-timeout greeting-never-ends-line-slow"
  "2518 smtps too-much-data endless-data-inside-tls"
  "2519 xmpp protocol-error xmpp-nesting-100000-deep"
  "2520 xmpp protocol-error xmpp-dtd-entities"
  "2521 irc too-much-data irc-numeric-flood"
)
phase_timeout=3
session_timeout=8
# The deadline each process must meet: the grab's own (session timeout and
# the 1 s linger of its last bytes) plus the process's start and end. For
# run that is EAL and port start-up, the ARP exchange, the scan and its
# 1 s cooldown (-c 1); the normal server's run takes about 5 s here.
grab_deadline=$((session_timeout + 1 + 2))
run_deadline=$((session_timeout + 1 + 8))
# Peak RSS above the normal server's grab on the same path that still
# counts as bounded: the largest buffers a hostile peer may fill are 256 KiB
# of TLS handshake and 64 KiB of dialogue per grab.
rss_slack_kb=$((32 * 1024))

# "status error" of the one record in FILE.
status_of() {
  python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
if len(lines) != 1:
    print("records:%d" % len(lines))
    sys.exit()
r = json.loads(lines[0])
if "not_grabbed" in r:
    print("not-grabbed:" + r["not_grabbed"])
    sys.exit()
(m, d), = r["data"].items()
err = d.get("error") or d.get("result", {}).get("error") or ""
tls = d.get("result", {}).get("tls", {})
chain = tls.get("handshake_log", {}).get("server_certificates", {}).get("chain", [])
err = err or tls.get("error", "")
print(d["status"], len(chain), err.replace(" ", "_")[:60] or "-")
PY
}

# one PATH PORT MODULE: grabs 10.77.0.30:PORT with PATH (grab or run) in a
# process of its own; leaves $work/PATH.PORT.{jsonl,json,time}.
one() {
  local path=$1 port=$2 module=$3 out=$work/$1.$2
  local common=(--module "$port=$module" --timeout "$phase_timeout"
                --session-timeout "$session_timeout" -q -o "$out.jsonl" -m "$out.json")
  if [ "$path" = grab ]; then
    echo "10.77.0.30,$port" | in_scan /usr/bin/time -f '%e %M' -o "$out.time" \
      "$tlsweep" grab --connect-timeout 3 "${common[@]}" 2> "$out.err"
  else
    in_scan /usr/bin/time -f '%e %M' -o "$out.time" \
      "$tlsweep" run -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
      -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$port" 10.77.0.30 -c 1 \
      "${common[@]}" 2> "$out.err"
  fi
}

run_tests() {
  ip -n "$LAB_TGT_NS" addr add 10.77.0.30/24 dev "$LAB_TGT_IF"
  ip netns exec "$LAB_TGT_NS" python3 "$root/tests/lab/hostile_peers.py" \
    10.77.0.30 10.77.0.31 "$LAB_TGT_IF" > "$work/peers.out" 2>&1 &
  local peers=$!
  for _ in $(seq 300); do grep -q ready "$work/peers.out" && break; sleep 0.1; done
  check "hostile peers ready" grep -q ready "$work/peers.out" || { cat "$work/peers.out"; return 1; }

  printf '  %-4s %-5s %-35s %-15s %5s %9s %9s  %s\n' path port case status took_s maxrss_kb delta_kb "chain error"
  local path spec port module expect name base_rss took rss status chain error deadline
  for path in grab run; do
    base_rss=""
    deadline=$grab_deadline
    [ "$path" = run ] && deadline=$run_deadline
    for spec in "${cases[@]}"; do
      read -r port module expect name <<<"$spec"
      one "$path" "$port" "$module"
      read -r took rss < <(tail -1 "$work/$path.$port.time")
      read -r status chain error < <(status_of "$work/$path.$port.jsonl")
      [ -z "$base_rss" ] && base_rss=$rss
      local tcp=""
      [ "$path" = run ] && tcp=$(python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
ws = m['grab']['workers']
closed = {}
for w in ws:
    for k, v in w['tcp']['closed'].items():
        if v: closed[k] = closed.get(k, 0) + v
print('retransmits=%d duplicates=%d closed=%s' % (
      sum(w['tcp']['retransmits'] for w in ws), sum(w['tcp']['duplicates'] for w in ws),
      ','.join('%s:%d' % kv for kv in sorted(closed.items()))))" "$work/run.$port.json" 2>&1)
      printf '  %-4s %-5s %-35s %-15s %5s %9s %9s  %s %s %s\n' "$path" "$port" "$name" "$status" \
        "$took" "$rss" "$((rss - base_rss))" "$chain" "$error" "$tcp"
      check "$path $name: record validates (grab_record)" valid grab_record "$work/$path.$port.jsonl"
      check "$path $name: status $status is $expect" grep -Eqx "$expect" <<<"$status"
      check "$path $name: ends within its ${deadline}s deadline (${took}s)" \
        python3 -c "import sys; sys.exit(0 if float('$took') <= $deadline else 1)"
      check "$path $name: peak RSS ${rss} KiB within ${rss_slack_kb} KiB of the normal server's" \
        test "$rss" -le "$((base_rss + rss_slack_kb))"
      if [ "$path" = run ]; then
        check "run $name: metadata validates (run_metadata)" valid run_metadata "$work/run.$port.json"
        check "run $name: every connection freed" test "$(python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
print(all(w['tcp']['connects'] == sum(w['tcp']['closed'].values()) for w in m['grab']['workers']))" \
          "$work/run.$port.json")" = True
      else
        check "grab $name: metadata validates (grab_metadata)" valid grab_metadata "$work/grab.$port.json"
      fi
    done
  done
  # What the records say beyond the status: the chain of 100 is recorded
  # whole on both paths; one-byte records still complete the dialogue.
  check "chain of 100 recorded whole (grab, run)" test \
    "$(status_of "$work/grab.2511.jsonl" | cut -d' ' -f2),$(status_of "$work/run.2511.jsonl" | cut -d' ' -f2)" = 100,100
  check "one-byte records: EHLO after TLS recorded (grab)" python3 -c "
import json, sys
r = json.load(open('$work/grab.2510.jsonl'))
sys.exit(0 if r['data']['smtps']['result']['after_tls']['auth_mechanisms'] == ['PLAIN'] else 1)"
  kill "$peers" 2> /dev/null; wait "$peers" 2> /dev/null
}

lab_with run_tests
finish_checks hostile $?
