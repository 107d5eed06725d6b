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
# message text.
#
# curl (-v), swaks (STARTTLS with AUTH PLAIN, implicit TLS with AUTH
# LOGIN, a plain delivery) and Python's smtplib, imaplib and poplib
# (passive_clients.py: STARTTLS/STLS, implicit TLS, plaintext LOGIN and
# USER/PASS before TLS) are compared with their own transcripts (what each
# wrote on the plain socket, per local port). Chat clients against the
# lab's Prosody and InspIRCd (openssl s_client -starttls xmpp and
# -starttls irc, slixmpp on 5222 and 5223, irssi on 6667 and 6697) are
# compared with their transcripts and with tshark's xmpp, irc and tls
# dissection (passive_transcripts.py). The same capture then goes through DPDK's net_pcap vdev on
# two analyzer lcores (net_pcap has no RSS, so the software symmetric-hash
# dispatch feeds them): its records must equal the file path's, compared
# as sorted JSON lines without the timing fields timestamp and
# end_timestamp (a live port stamps frames on arrival). Brings the lab up
# and always down; about 60 s.
#
# usage: passive_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"
source "$root/tests/lab/irssi_client.sh"

run_tests() {
  local pcap=$work/lab.pcap
  # Python's clients log in with this (refused: the lab user's password is
  # "lab"); the grep below looks for it and its base64.
  local py_password=PyLab-Secret-771
  # ip netns exec execs dumpcap, so $! is dumpcap itself; it ends on
  # SIGTERM and closes the file (SIGINT is ignored by background jobs).
  ip netns exec "$LAB_SCAN_NS" dumpcap -q -i s0 -f "tcp" -w "$pcap" 2> "$work/dumpcap.err" &
  local dumpcap_pid=$!
  sleep 2
  printf 'Subject: PASSIVE-LAB-SUBJECT\r\n\r\nPASSIVE-LAB-BODY\r\n' > "$work/msg.txt"
  local mail=(--mail-from passive-from@lab.example --mail-rcpt passive-rcpt@lab.example
              -T "$work/msg.txt")
  # Each client its own connection; failures (relay refused, plaintext
  # login refused) are part of what is observed. curl runs from a fixed
  # local port with -v, its own transcript ("> " lines it sent, "* " lines
  # on TLS), kept per port for the comparison with the records.
  local curl_runs=(
    "40121 --ssl-reqd --user lab:lab ${mail[*]} smtp://10.77.0.10:587"
    "40122 --user lab:lab ${mail[*]} smtps://10.77.0.10:465"
    "40123 ${mail[*]} smtp://10.77.0.10:25"
    "40124 --ssl-reqd --user lab:lab imap://10.77.0.11/INBOX"
    "40125 --user lab:lab imap://10.77.0.11/INBOX"
    "40126 --user lab:lab imaps://10.77.0.11/INBOX"
    "40127 --ssl-reqd --user lab:lab pop3://10.77.0.11/"
    "40128 --user lab:lab pop3://10.77.0.11/"
    "40129 --user lab:lab pop3s://10.77.0.11/")
  local run port
  for run in "${curl_runs[@]}"; do
    port=${run%% *}
    # shellcheck disable=SC2086 # the words of the run are curl's arguments
    in_scan timeout 20 curl -skv --local-port "$port" ${run#* } > /dev/null 2> "$work/curl_$port.txt"
  done
  in_scan timeout 20 python3 - <<'PY' > "$work/smtplib.txt" 2>&1
import smtplib
s = smtplib.SMTP("10.77.0.10", 587, timeout=10)
s.ehlo("client.lab")
# AUTH LOGIN with the user name as initial response, before any TLS.
print(s.docmd("AUTH", "LOGIN bGFi"))
s.quit()
PY
  in_scan timeout 60 python3 "$root/tests/lab/passive_clients.py" lab "$py_password" \
    > "$work/py_transcripts.jsonl" 2> "$work/py_clients.err"
  # swaks, on fixed local ports so that its transcript names its record:
  # STARTTLS then AUTH PLAIN on 587, implicit TLS with AUTH LOGIN on 465,
  # a plain delivery attempt on 25. " -> " lines are what it sent in
  # plaintext, " ~> " inside TLS.
  local swaks=(swaks --server 10.77.0.10 --helo client.lab --from passive-from@lab.example
               --to passive-rcpt@lab.example --header "Subject: PASSIVE-LAB-SUBJECT"
               --body PASSIVE-LAB-BODY --timeout 10)
  in_scan timeout 20 "${swaks[@]}" --port 587 --local-port 40101 --tls \
    --auth PLAIN --auth-user lab --auth-password "$py_password" > "$work/swaks_40101.txt" 2>&1
  in_scan timeout 20 "${swaks[@]}" --port 465 --local-port 40102 --tls-on-connect \
    --auth LOGIN --auth-user lab --auth-password "$py_password" > "$work/swaks_40102.txt" 2>&1
  in_scan timeout 20 "${swaks[@]}" --port 25 --local-port 40103 > "$work/swaks_40103.txt" 2>&1
  # Chat clients against Prosody (10.77.0.12) and InspIRCd (10.77.0.13).
  # openssl s_client -starttls xmpp and -starttls irc from fixed local
  # ports: -debug dumps every byte it wrote and read (stdout), -brief the
  # version and suite (stderr).
  in_scan timeout 20 openssl s_client -connect 10.77.0.12:5222 -starttls xmpp \
    -xmpphost xmpp.lab.test -bind 10.77.0.1:40111 -debug -brief < /dev/null \
    > "$work/sclient_40111_5222.txt" 2> "$work/sclient_40111_5222.err"
  in_scan timeout 20 openssl s_client -connect 10.77.0.13:6667 -starttls irc \
    -bind 10.77.0.1:40112 -debug -brief < /dev/null \
    > "$work/sclient_40112_6667.txt" 2> "$work/sclient_40112_6667.err"
  # slixmpp: STARTTLS on 5222, TLS on connect on 5223, SASL inside TLS
  # (Debian's package lives under /usr/bin/python3, not a pyenv python3).
  in_scan timeout 40 /usr/bin/python3 "$root/tests/lab/passive_xmpp_client.py" 10.77.0.12 \
    xmpp.lab.test lab "$py_password" > "$work/xmpp_transcripts.jsonl" 2> "$work/xmpp_client.err"
  # irssi: STARTTLS on 6667 and TLS on 6697, a server password (PASS)
  # after TLS (irssi_client.sh).
  irssi_connect "$work/irssi_6667" 6667 "$py_password"
  irssi_connect "$work/irssi_6697" 6697 "$py_password"
  sleep 1
  kill -TERM "$dumpcap_pid"
  wait "$dumpcap_pid"
  check "dumpcap captured" test -s "$pcap"

  "$tlsweep" passive -r "$pcap" -o "$work/out.jsonl" -m "$work/meta.json" 2> "$work/passive.err"
  check "tlsweep passive ran" test $? -eq 0
  cat "$work/passive.err"
  check "records validate (passive_record)" valid passive_record "$work/out.jsonl"
  check "metadata validates (passive_metadata)" valid passive_metadata "$work/meta.json"
  check "28 connections recorded (10 curl and smtplib, 9 passive_clients.py, 3 swaks, 6 chat)" \
    test "$(wc -l < "$work/out.jsonl")" -eq 28
  cat "$work/py_clients.err"
  check "passive_clients.py: nine transcripts, no client error" \
    test "$(grep -c client_port "$work/py_transcripts.jsonl")" -eq 9 -a ! -s "$work/py_clients.err"

  # net_pcap on DPDK, two analyzers behind the software dispatch.
  local eal="--no-huge -m 512 --no-shconf --no-pci --file-prefix tlsweep-passive-lab
             --log-level=lib.eal:error --vdev=net_pcap0,rx_pcap=$pcap --lcores=0@0,1@1,2@0"
  "$tlsweep" passive --eal "$eal" --analyzers 2 --end-after-idle 1 \
    -o "$work/dpdk.jsonl" -m "$work/dpdk_meta.json" 2> "$work/dpdk.err"
  check "tlsweep passive on net_pcap ran" test $? -eq 0
  cat "$work/dpdk.err"
  check "net_pcap records validate" valid passive_record "$work/dpdk.jsonl"
  check "net_pcap metadata validates" valid passive_metadata "$work/dpdk_meta.json"
  check "net_pcap records == file records (sorted JSON minus timestamp, end_timestamp)" \
    python3 - "$work/out.jsonl" "$work/dpdk.jsonl" "$work/meta.json" "$work/dpdk_meta.json" <<'PY'
import json, sys
def recs(path):
    out = []
    for line in open(path):
        r = json.loads(line)
        r.pop("timestamp"); r.pop("end_timestamp")
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)
a, b = recs(sys.argv[1]), recs(sys.argv[2])
fm, dm = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
d = dm["dpdk"]
print("dispatch", d["dispatch"], "analyzers", d["analyzers"], "lcores",
      [(l["role"], l["packets"]) for l in d["lcores"]], "nic", d["nic"])
for x in sorted(set(a) ^ set(b)):
    print("only in", "file" if x in a else "dpdk", x)
ok = (a == b and len(a) > 0 and d["driver"] == "net_pcap" and d["dispatch"] == "software"
      and d["nic"]["ipackets"] == fm["packets"] == dm["packets"]
      and d["nic"]["imissed"] == d["nic"]["rx_nombuf"] == 0
      and all(l["ring_drops"] == 0 for l in d["lcores"])
      and dm["flows"] == fm["flows"])
sys.exit(0 if ok else 1)
PY

  local s
  for s in bGFi AGxhYgBsYWI passive-from passive-rcpt PASSIVE-LAB-SUBJECT PASSIVE-LAB-BODY \
           "LOGIN lab" "USER lab" "PASS lab" "$py_password" "$(printf '%s' "$py_password" | base64)" \
           "$(printf '\0lab\0%s' "$py_password" | base64)" lab@xmpp.lab.test; do
    check "no output holds '$s'" bash -c "! grep -qF -- '$s' '$work/out.jsonl' '$work/meta.json' '$work/passive.err' '$work/dpdk.jsonl' '$work/dpdk_meta.json' '$work/dpdk.err'"
  done

  # Each Python and curl connection's record against the client's own transcript:
  # STARTTLS/STLS sent in plaintext <=> starttls.attempted; a login verb
  # sent in plaintext <=> an auth before TLS with plaintext credentials,
  # none otherwise; implicit TLS on 465/993/995; for TLS 1.3 the suite the
  # client's ssl module reports is the ServerHello's the record holds.
  # curl's -v output in the same shape: "> " lines before its ClientHello
  # are what it sent in plaintext.
  python3 "$root/tests/lab/passive_transcripts.py" curl "$work"/curl_401*.txt \
    > "$work/curl_transcripts.jsonl"
  cat "$work/py_transcripts.jsonl" "$work/curl_transcripts.jsonl" > "$work/mail_transcripts.jsonl"
  check "records == passive_clients.py and curl -v transcripts, connection by connection" \
    python3 - "$work/out.jsonl" "$work/mail_transcripts.jsonl" 18 <<'PY'
import json, sys
recs = {r["client_port"]: r for r in map(json.loads, open(sys.argv[1]))}
ok, n = True, 0
for t in map(json.loads, open(sys.argv[2])):
    if "client_port" not in t:
        print("client error:", t); ok = False; continue
    n += 1
    r = recs.get(t["client_port"])
    if r is None:
        print("no record for", t); ok = False; continue
    res, v = r["result"], set(t["plaintext_verbs"])
    login = bool(v & {"AUTH", "LOGIN", "AUTHENTICATE", "USER", "PASS"})
    want = {"port": t["port"], "starttls": bool(v & {"STARTTLS", "STLS"}),
            "implicit_tls": t["port"] in (465, 993, 995),
            "auth_before_tls": login, "plaintext_credentials": login}
    auth = res.get("auth")
    got = {"port": r["port"], "starttls": res.get("starttls", {}).get("attempted", False),
           "implicit_tls": res.get("implicit_tls", False),
           "auth_before_tls": bool(auth and auth["before_tls"]),
           "plaintext_credentials": bool(auth and auth["plaintext_credentials"])}
    if t.get("tls_version") == "TLSv1.3":
        want["cipher"] = t["cipher"]
        got["cipher"] = (res.get("tls", {}).get("handshake_log", {}).get("server_hello", {})
                         .get("cipher_suite", {}).get("name"))
    same = want == got
    ok &= same
    print("same" if same else "DIFFERENT", t["port"], t["client_port"], sorted(v),
          got if same else (got, want))
print("transcripts:", n)
sys.exit(0 if ok and n == int(sys.argv[3]) else 1)
PY

  # swaks's records against its transcripts: plaintext STARTTLS <=>
  # starttls.attempted, its "TLS started" line <=> a ServerHello in the
  # record (the suite's name for TLS 1.3), implicit TLS on 465, and no
  # auth in a record whose AUTH went inside TLS.
  check "records == swaks transcripts, connection by connection" \
    python3 - "$work/out.jsonl" "$work"/swaks_401*.txt <<'PY'
import json, re, sys
recs = {r["client_port"]: r for r in map(json.loads, open(sys.argv[1]))}
ok, n = True, 0
for path in sys.argv[2:]:
    n += 1
    port = int(re.search(r"swaks_(\d+)", path).group(1))
    lines = open(path, errors="replace").read().splitlines()
    plain = {l[4:].split()[0].upper() for l in lines if l.startswith(" -> ") and l[4:].split()}
    tls = next((l for l in lines if "TLS started with cipher" in l), None)
    r = recs.get(port)
    if r is None:
        print("no record for swaks port", port, lines[:3]); ok = False; continue
    res = r["result"]
    want = {"starttls": "STARTTLS" in plain, "tls": tls is not None,
            "implicit_tls": r["port"] == 465,
            "auth_before_tls": bool(plain & {"AUTH"})}
    got = {"starttls": res.get("starttls", {}).get("attempted", False),
           "tls": "server_hello" in res.get("tls", {}).get("handshake_log", {}),
           "implicit_tls": res.get("implicit_tls", False),
           "auth_before_tls": bool(res.get("auth", {}).get("before_tls", False))}
    m = re.search(r"cipher (TLSv1\.3):([A-Z0-9_]+)", tls or "")
    if m:
        want["cipher"] = m.group(2)
        got["cipher"] = res["tls"]["handshake_log"]["server_hello"]["cipher_suite"]["name"]
    same = want == got
    ok &= same
    print("same" if same else "DIFFERENT", r["port"], port, sorted(plain), got if same else (got, want))
sys.exit(0 if ok and n == 3 else 1)
PY

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
ok, chat = True, {5222, 5223, 5269, 6667, 6697}
for r in recs:
    if r["port"] in chat:
        continue  # compared with tshark's xmpp and irc dissection below
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
print("mail records:", sum(r["port"] not in chat for r in recs),
      "tshark client ports:", len(set(cmds) | set(ja3)))
sys.exit(0 if ok and recs else 1)
PY
  check "records == tshark, connection by connection" test $? -eq 0
  cat "$work/compare.txt"

  # The chat clients: each record against the client's own transcript
  # (s_client's -debug bytes, slixmpp's writes and reads, irssi's rawlog)
  # and against tshark's xmpp and irc dissection. tshark 4.0's irc
  # dissector does not hand a connection to TLS after 670, so TCP's
  # heuristics go first (-o tcp.try_heuristic_first:TRUE): the TLS
  # heuristic then claims the records after the 670 and the IRC lines
  # before it still fail it.
  local tx=$root/tests/lab/passive_transcripts.py
  cat "$work/xmpp_client.err"
  check "slixmpp: two transcripts, each with a local port" \
    test "$(grep -c client_port "$work/xmpp_transcripts.jsonl")" -eq 2
  { python3 "$tx" sclient "$work"/sclient_401*.txt
    python3 "$tx" irssi "$work/irssi_6667" "$work/irssi_6697"
    cat "$work/xmpp_transcripts.jsonl"; } > "$work/chat_transcripts.jsonl"
  check "records == s_client, slixmpp and irssi transcripts, connection by connection" \
    python3 "$tx" check-chat "$work/out.jsonl" "$work/chat_transcripts.jsonl"
  # shellcheck disable=SC2046 # one -e option per word
  tshark -o tcp.try_heuristic_first:TRUE -r "$pcap" -T fields -E separator='|' \
    $(python3 "$tx" tshark-fields) 2> /dev/null > "$work/tshark_chat.txt" \
    -Y '(xmpp || irc || tls.handshake.type == 1 || tls.handshake.type == 2) && tcp.port in {5222, 5223, 5269, 6667, 6697}'
  check "chat records == tshark (xmpp, irc, tls), connection by connection" \
    python3 "$tx" check-tshark-chat "$work/out.jsonl" "$work/tshark_chat.txt"
}

lab_with run_tests
finish_checks passive $?
