#!/usr/bin/env bash
# `tlsweep passive` on a capture of real clients against the lab's Postfix
# and Dovecot: dumpcap records the scanner namespace's side while curl
# (SMTP, SUBMISSION, SMTPS, IMAP, IMAPS, POP3, POP3S with and without
# STARTTLS, with AUTH) and python3's smtplib (AUTH LOGIN sent before TLS,
# which the lab's Postfix refuses: the credentials cross anyway) talk to
# them. Every connection's record is compared with tshark's dissection of
# the same capture (client commands STARTTLS/STLS/AUTH/LOGIN, the
# ClientHello's JA3 and the ServerHello's suite), the records and metadata
# validate, and no output contains the credentials, the envelope or the
# message text. Brings the lab up and always down.
#
# usage: passive_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

run_tests() {
  local pcap=$work/lab.pcap
  # ip netns exec execs dumpcap, so $! is dumpcap itself; it ends on
  # SIGTERM and closes the file (SIGINT is ignored by background jobs).
  ip netns exec "$LAB_SCAN_NS" dumpcap -q -i s0 -f "tcp" -w "$pcap" 2> "$work/dumpcap.err" &
  local dumpcap_pid=$!
  sleep 2
  printf 'Subject: PASSIVE-LAB-SUBJECT\r\n\r\nPASSIVE-LAB-BODY\r\n' > "$work/msg.txt"
  local mail=(--mail-from passive-from@lab.example --mail-rcpt passive-rcpt@lab.example
              -T "$work/msg.txt")
  # Each client its own connection; failures (relay refused, plaintext
  # login refused) are part of what is observed.
  in_scan timeout 20 curl -sk --ssl-reqd --user lab:lab "${mail[@]}" smtp://10.77.0.10:587 > /dev/null 2>&1
  in_scan timeout 20 curl -sk --user lab:lab "${mail[@]}" smtps://10.77.0.10:465 > /dev/null 2>&1
  in_scan timeout 20 curl -sk "${mail[@]}" smtp://10.77.0.10:25 > /dev/null 2>&1
  in_scan timeout 20 curl -sk --ssl-reqd --user lab:lab imap://10.77.0.11/INBOX > /dev/null 2>&1
  in_scan timeout 20 curl -sk --user lab:lab imap://10.77.0.11/INBOX > /dev/null 2>&1
  in_scan timeout 20 curl -sk --user lab:lab imaps://10.77.0.11/INBOX > /dev/null 2>&1
  in_scan timeout 20 curl -sk --ssl-reqd --user lab:lab pop3://10.77.0.11/ > /dev/null 2>&1
  in_scan timeout 20 curl -sk --user lab:lab pop3://10.77.0.11/ > /dev/null 2>&1
  in_scan timeout 20 curl -sk --user lab:lab pop3s://10.77.0.11/ > /dev/null 2>&1
  in_scan timeout 20 python3 - <<'PY' > "$work/smtplib.txt" 2>&1
import smtplib
s = smtplib.SMTP("10.77.0.10", 587, timeout=10)
s.ehlo("client.lab")
# AUTH LOGIN with the user name as initial response, before any TLS.
print(s.docmd("AUTH", "LOGIN bGFi"))
s.quit()
PY
  sleep 1
  kill -TERM "$dumpcap_pid"
  wait "$dumpcap_pid"
  check "dumpcap captured" test -s "$pcap"

  "$tlsweep" passive -r "$pcap" -o "$work/out.jsonl" -m "$work/meta.json" 2> "$work/passive.err"
  check "tlsweep passive ran" test $? -eq 0
  cat "$work/passive.err"
  check "records validate (passive_record)" valid passive_record "$work/out.jsonl"
  check "metadata validates (passive_metadata)" valid passive_metadata "$work/meta.json"
  check "ten connections recorded" test "$(wc -l < "$work/out.jsonl")" -eq 10
  local s
  for s in bGFi AGxhYgBsYWI passive-from passive-rcpt PASSIVE-LAB-SUBJECT PASSIVE-LAB-BODY \
           "LOGIN lab" "USER lab" "PASS lab"; do
    check "no output holds '$s'" bash -c "! grep -qF -- '$s' '$work/out.jsonl' '$work/meta.json' '$work/passive.err'"
  done

  # tshark's view, one line per client port: the commands the client sent
  # in plaintext, the ClientHello's JA3 and SNI, the ServerHello's suite.
  tshark -r "$pcap" -T fields -E separator='|' \
    -e tcp.srcport -e tcp.dstport -e smtp.req.command -e imap.request.command -e pop.request.command \
    -e tls.handshake.type -e tls.handshake.ja3_full -e tls.handshake.ciphersuite \
    -Y 'smtp.req || imap.request || pop.request || tls.handshake.type == 1 || tls.handshake.type == 2' \
    2> /dev/null > "$work/tshark.txt"
  python3 - "$work/out.jsonl" "$work/tshark.txt" > "$work/compare.txt" 2>&1 <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
cmds, ja3, suite = {}, {}, {}
for line in open(sys.argv[2]):
    src, dst, smtp, imap, pop, types, ja3_full, suites = line.rstrip("\n").split("|")
    src, dst = int(src), int(dst)
    for c in ",".join(x for x in (smtp, imap, pop) if x).split(","):
        if c:
            # tshark's smtp.req.command keeps 4 characters: STARTTLS is "STAR".
            c = "STARTTLS" if c.upper() == "STAR" else c.upper()
            cmds.setdefault(src, set()).add(c)
    if "1" in types.split(",") and ja3_full:
        ja3[src] = ja3_full
    if "2" in types.split(","):
        suite[dst] = int(suites.split(",")[0], 16)
ok = True
for r in recs:
    cp, res = r["client_port"], r["result"]
    sent = cmds.get(cp, set())
    mine = {
        "starttls": res.get("starttls", {}).get("attempted", False),
        "auth": "auth" in res,
        "ja3": res.get("tls", {}).get("client_hello", {}).get("ja3"),
        "suite": res.get("tls", {}).get("handshake_log", {}).get("server_hello", {}).get("cipher_suite", {}).get("value"),
    }
    theirs = {
        "starttls": bool(sent & {"STARTTLS", "STLS"}),
        "auth": bool(sent & {"AUTH", "AUTHENTICATE", "LOGIN", "USER", "PASS", "APOP"}),
        "ja3": ja3.get(cp),
        "suite": suite.get(cp),
    }
    same = mine == theirs
    ok &= same
    print("same" if same else "DIFFERENT", r["protocol"], r["port"], cp, sorted(sent), mine if same else (mine, theirs))
print("records:", len(recs), "tshark client ports:", len(set(cmds) | set(ja3)))
sys.exit(0 if ok and recs else 1)
PY
  check "records == tshark, connection by connection" test $? -eq 0
  cat "$work/compare.txt"
}

lab_with run_tests
finish_checks passive $?
