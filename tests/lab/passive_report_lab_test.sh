#!/usr/bin/env bash
# `tlsweep report` with servers and connections side by side, from one lab
# capture of real clients and one lab scan of the same servers (issue 15,
# "What it must show": the report with connections and servers columns).
#
# 1. dumpcap records the scanner namespace while real clients talk to the
#    lab's Postfix (10.77.0.10) and Dovecot (10.77.0.11), each in its own
#    connection, with a behaviour known in advance:
#      587: curl --ssl-reqd x3 (STARTTLS, then AUTH inside TLS); python3
#           smtplib: EHLO then AUTH LOGIN with an initial response before
#           TLS (credentials in the clear; this Postfix refuses AUTH before
#           TLS, the bytes cross anyway); python3 smtplib: EHLO, QUIT.
#      25:  curl without TLS (no AUTH); curl --ssl-reqd (STARTTLS).
#      465: curl (implicit TLS).  143: curl --ssl-reqd x2 (STARTTLS).
#    and the lab's Prosody (10.77.0.12) and InspIRCd (10.77.0.13):
#      5222: openssl s_client -starttls xmpp (the features list STARTTLS).
#      6667: openssl s_client -starttls irc (STARTTLS at once: no listing
#            seen); irssi (CAP LS lists tls, then STARTTLS).
#      6697: irssi (implicit TLS).
# 2. Then (capture stopped) `tlsweep grab` scans the same seven ports and
#    5222, 5223, 6667, 6697.
# 3. `tlsweep passive` turns the capture into connection records, and
#    `tlsweep report` reads the grab records and the passive records
#    together; its CSV tables must show, per port, the numbers the clients'
#    behaviour implies (upgraded 3 of 5 on 587, plaintext credentials 1 of
#    the 2 not upgraded, ...), the servers' columns what the lab's servers
#    are configured to offer (lab.conf), and the STARTTLS and AUTH counts
#    must equal tshark's count of those commands in the same capture.
# Brings the lab up and always down. About 45 s.
#
# usage: passive_report_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"
source "$root/tests/lab/irssi_client.sh"

run_tests() {
  local pcap=$work/lab.pcap
  # ip netns exec execs dumpcap, so $! is dumpcap itself (see passive_lab).
  ip netns exec "$LAB_SCAN_NS" dumpcap -q -i s0 -f "tcp" -w "$pcap" 2> "$work/dumpcap.err" &
  local dumpcap_pid=$!
  sleep 2
  printf 'Subject: report-lab\r\n\r\nreport-lab body\r\n' > "$work/msg.txt"
  local mail=(--mail-from from@lab.example --mail-rcpt rcpt@lab.example -T "$work/msg.txt")
  local i
  for i in 1 2 3; do
    in_scan timeout 20 curl -sk --ssl-reqd --user lab:lab "${mail[@]}" smtp://10.77.0.10:587 > /dev/null 2>&1
  done
  in_scan timeout 20 python3 - <<'PY' > "$work/smtplib.txt" 2>&1
import smtplib
s = smtplib.SMTP("10.77.0.10", 587, timeout=10)
s.ehlo("client.lab")
print(s.docmd("AUTH", "LOGIN bGFi"))
s.quit()
s = smtplib.SMTP("10.77.0.10", 587, timeout=10)
s.ehlo("client.lab")
s.quit()
PY
  in_scan timeout 20 curl -sk "${mail[@]}" smtp://10.77.0.10:25 > /dev/null 2>&1
  in_scan timeout 20 curl -sk --ssl-reqd "${mail[@]}" smtp://10.77.0.10:25 > /dev/null 2>&1
  in_scan timeout 20 curl -sk --user lab:lab "${mail[@]}" smtps://10.77.0.10:465 > /dev/null 2>&1
  for i in 1 2; do
    in_scan timeout 20 curl -sk --ssl-reqd --user lab:lab imap://10.77.0.11/INBOX > /dev/null 2>&1
  done
  in_scan timeout 20 openssl s_client -connect 10.77.0.12:5222 -starttls xmpp \
    -xmpphost xmpp.lab.test -brief < /dev/null > /dev/null 2>&1
  in_scan timeout 20 openssl s_client -connect 10.77.0.13:6667 -starttls irc -brief \
    < /dev/null > /dev/null 2>&1
  irssi_connect "$work/irssi_6667" 6667 report-lab-secret
  irssi_connect "$work/irssi_6697" 6697 report-lab-secret
  sleep 1
  kill -TERM "$dumpcap_pid"
  wait "$dumpcap_pid"
  check "dumpcap captured" test -s "$pcap"

  printf '10.77.0.10,%s\n' 25 587 465 > "$work/hosts.csv"
  printf '10.77.0.11,%s\n' 143 993 110 995 >> "$work/hosts.csv"
  printf '10.77.0.12,%s\n' 5222 5223 >> "$work/hosts.csv"
  printf '10.77.0.13,%s\n' 6667 6697 >> "$work/hosts.csv"
  in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" --xmpp-domain xmpp.lab.test \
    < "$work/hosts.csv" > "$work/scan.jsonl" 2> "$work/grab.err"
  check "tlsweep grab of the eleven lab ports" test "$(wc -l < "$work/scan.jsonl")" -eq 11
  check "grab records validate (grab_record)" valid grab_record "$work/scan.jsonl"

  "$tlsweep" passive -r "$pcap" -o "$work/passive.jsonl" -m "$work/passive_meta.json" 2> "$work/passive.err"
  check "tlsweep passive ran" test $? -eq 0
  check "passive records validate (passive_record)" valid passive_record "$work/passive.jsonl"
  check "14 connections recorded (10 mail, 4 chat)" test "$(wc -l < "$work/passive.jsonl")" -eq 14

  "$tlsweep" report -q --csv-dir "$work/csv" --html "$work/report.html" \
    "$work/scan.jsonl" "$work/passive.jsonl" > "$work/report.md" 2> "$work/report.err"
  check "tlsweep report over both exits 0" test $? -eq 0
  cat "$work/report.err"

  tshark -r "$pcap" -T fields -E separator='|' -e tcp.dstport -e smtp.req.command \
    -e imap.request.command -Y 'smtp.req || imap.request' 2> /dev/null > "$work/tshark.txt"
  # The chat ports: tshark 4.0's irc dissector reads the TLS after a 670
  # as IRC lines; with TCP's heuristics first the TLS heuristic claims
  # those records (as in passive_lab_test.sh).
  tshark -o tcp.try_heuristic_first:TRUE -r "$pcap" -T fields -E separator='|' -e tcp.dstport \
    -e irc.request.command -e xmpp.starttls \
    -Y '(irc.request || xmpp.starttls) && tcp.dstport in {5222, 6667}' 2> /dev/null \
    > "$work/tshark_chat.txt"
  python3 - "$work/csv" "$work/tshark.txt" "$work/tshark_chat.txt" > "$work/compare.txt" 2>&1 <<'PY'
import csv, os, sys
csv_dir, tshark, tshark_chat = sys.argv[1], sys.argv[2], sys.argv[3]
def table(name):
    return list(csv.DictReader(open(os.path.join(csv_dir, name + ".csv"), newline="")))
bad, checked = [], 0
def expect(what, got, want):
    global checked
    checked += 1
    if got != want:
        bad.append("%s: report %r, expected %r" % (what, got, want))
def row(name, **match):
    rows = [r for r in table(name) if all(r.get(k) == v for k, v in match.items())]
    if len(rows) != 1:
        bad.append("%s: %d rows for %s" % (name, len(rows), match))
        return {}
    return rows[0]

# tshark's count of client commands per destination port: STARTTLS
# (tshark keeps 4 characters: "STAR"; XMPP's <starttls/> from the client
# is xmpp.starttls) and AUTH in the clear.
starttls, auth = {}, {}
lines = [l.rstrip("\n").split("|") for l in open(tshark)]
for port, irc, xmpp_starttls in (l.rstrip("\n").split("|") for l in open(tshark_chat)):
    if xmpp_starttls:
        starttls[port] = starttls.get(port, 0) + 1
    lines.append([port, irc, ""])
for port, smtp, imap in lines:
    for c in (smtp + "," + imap).upper().split(","):
        if c in ("STAR", "STARTTLS"):
            starttls[port] = starttls.get(port, 0) + 1
        if c in ("AUTH", "AUTHENTICATE", "LOGIN", "PASS"):  # PASS: IRC's
            auth[port] = auth.get(port, 0) + 1

st = row("starttls_connections", port="587")
want = {"servers answered": "1", "servers offering STARTTLS": "1", "connections": "5",
        "STARTTLS step seen": "5", "server offered STARTTLS": "5", "client asked": "3",
        "upgraded": "3", "% upgraded": "60.00", "not upgraded": "2",
        "authenticated in the clear": "1", "plaintext credentials": "1",
        "% plaintext credentials of not upgraded": "50.00"}
for k, v in want.items():
    expect("587 " + k, st.get(k), v)
expect("587 client asked == tshark STARTTLS", st.get("client asked"), str(starttls.get("587", 0)))
expect("587 auth in the clear == tshark AUTH", st.get("authenticated in the clear"), str(auth.get("587", 0)))
st = row("starttls_connections", port="25")
for k, v in {"connections": "2", "STARTTLS step seen": "2", "client asked": "1", "upgraded": "1",
             "% upgraded": "50.00", "not upgraded": "1", "plaintext credentials": "0"}.items():
    expect("25 " + k, st.get(k), v)
expect("25 client asked == tshark STARTTLS", st.get("client asked"), str(starttls.get("25", 0)))
st = row("starttls_connections", port="143")
for k, v in {"connections": "2", "upgraded": "2", "% upgraded": "100.00"}.items():
    expect("143 " + k, st.get(k), v)
# XMPP and IRC: Prosody requires STARTTLS and lists it; InspIRCd lists tls
# in CAP LS, which irssi asks for and s_client does not (its STARTTLS
# step is seen, the offer is not).
st = row("starttls_connections", port="5222")
for k, v in {"servers answered": "1", "servers offering STARTTLS": "1", "connections": "1",
             "STARTTLS step seen": "1", "server offered STARTTLS": "1", "client asked": "1",
             "upgraded": "1", "% upgraded": "100.00", "not upgraded": "0"}.items():
    expect("5222 " + k, st.get(k), v)
expect("5222 client asked == tshark <starttls/>", st.get("client asked"), str(starttls.get("5222", 0)))
st = row("starttls_connections", port="6667")
for k, v in {"servers answered": "1", "servers offering STARTTLS": "1", "connections": "2",
             "STARTTLS step seen": "2", "server offered STARTTLS": "1", "client asked": "2",
             "upgraded": "2", "% upgraded": "100.00", "not upgraded": "0",
             "plaintext credentials": "0"}.items():
    expect("6667 " + k, st.get(k), v)
expect("6667 client asked == tshark STARTTLS", st.get("client asked"), str(starttls.get("6667", 0)))
expect("6667 auth in the clear == tshark PASS/AUTHENTICATE", st.get("authenticated in the clear"),
       str(auth.get("6667", 0)))

# Table XIII's shape on 587: the lab's Postfix lists no AUTH before TLS
# and PLAIN, LOGIN inside it (lab.conf auth=PLAIN,LOGIN); every captured
# connection saw the listing before TLS, none inside it.
c = row("auth_combinations", port="587", side="before TLS",
        **{"mechanisms (in the order offered)": "none offered"})
expect("587 before TLS none offered", (c.get("servers"), c.get("% of listings"), c.get("connections"),
       c.get("% of connection listings")), ("1", "100.00", "5", "100.00"))
c = row("auth_combinations", port="587", side="after TLS",
        **{"mechanisms (in the order offered)": "PLAIN, LOGIN"})
expect("587 after TLS PLAIN, LOGIN", (c.get("servers"), c.get("connections")), ("1", "-"))

# Versions and classes: the servers' choice for tlsweep's modern profile and
# for each curl connection (both OpenSSL 3 against Postfix's defaults).
for port, conns in (("587", "3"), ("25", "1"), ("465", "1"), ("143", "2"), ("5222", "1"),
                    ("6667", "2"), ("6697", "1")):
    h = row("tls_connections", port=port, measure="ServerHellos")
    expect(port + " server hellos", (h.get("servers"), h.get("connections")), ("1", conns))
    v = row("tls_connections", port=port, measure="TLSv1.3")
    expect(port + " TLSv1.3", (v.get("% of server hellos"), v.get("% of connection hellos")),
           ("100.00", "100.00"))
    a = row("tls_connections", port=port, measure="AEAD")
    expect(port + " AEAD", (a.get("% of server hellos"), a.get("% of connection hellos")),
           ("100.00", "100.00"))
# Client offers: curl on OpenSSL 3 offers TLS 1.3 and AEAD, never RC4.
o = {r["offer"]: r["connections"] for r in table("client_offers") if r["port"] == "587"}
expect("587 client offers", (o.get("offers AEAD"), o.get("offers RC4"), o.get("highest version TLSv1.3")),
       ("3", "0", "3"))
for b in bad:
    print("MISMATCH:", b)
print("checked %d numbers, %d mismatches" % (checked, len(bad)))
sys.exit(1 if bad else 0)
PY
  check "report's servers | connections numbers == the clients' behaviour and tshark" test $? -eq 0
  cat "$work/compare.txt"
  # 587's rows of every table, as the report printed them.
  grep -E '^[|] (submission [|] 587|protocol)' "$work/report.md"
  check "HTML page written" grep -q "Versions, cipher classes and DH sizes: servers and connections" "$work/report.html"
}

lab_with run_tests
finish_checks passive_report $?
