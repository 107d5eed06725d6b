#!/usr/bin/env bash
# `tlsweep passive` end to end on a capture with known secrets
# (passive_capture.cc): the records and the metadata validate against
# docs/schema/, they say what the sessions did, and no output (records,
# metadata, stderr) contains a username, password, AUTH payload, envelope
# address or message text. Then the same with --anonymize-clients: no client
# address survives, equal clients stay equal.
#
# With TSHARK given, the ClientHello's JA3 and SNI and the ServerHello's
# suite are compared with tshark's dissection of the same capture.
#
# usage: passive_cli_test.sh TLSWEEP PASSIVE_CAPTURE PYTHON3 VALIDATE_RECORDS_PY [TSHARK]
set -uo pipefail
tlsweep=$1 capture=$2 python=$3 validator=$4 tshark=${5:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

"$capture" "$dir/in.pcap" || { echo "FAIL: passive_capture"; exit 1; }
"$tlsweep" passive -r "$dir/in.pcap" -o "$dir/out.jsonl" -m "$dir/meta.json" 2> "$dir/stderr" ||
  fail "tlsweep passive exited $?"
cat "$dir/stderr"
"$python" "$validator" passive_record "$dir/out.jsonl" || fail "records do not validate"
"$python" "$validator" passive_metadata "$dir/meta.json" || fail "metadata does not validate"

# The secrets of passive_capture.cc, raw and base64.
secrets=(alice.secret.user Pa55w0rd-XYZZY alice@private.example bob@private.example
         TOP-SECRET-SUBJECT TOP-SECRET-BODY-TEXT laptop
         AGFsaWNlLnNlY3JldC51c2VyAFBhNTV3MHJkLVhZWlpZ YWxpY2Uuc2VjcmV0LnVzZXI= UGE1NXcwcmQtWFlaWlk=)
for s in "${secrets[@]}"; do
  if grep -rqiF -- "$s" "$dir/out.jsonl" "$dir/meta.json" "$dir/stderr"; then
    fail "an output contains '$s'"
  fi
done

"$python" - "$dir/out.jsonl" "$dir/meta.json" <<'PY' || fail "records do not say what the sessions did"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
# The flow the capture joined mid-stream (client port 40004, port 25) apart.
mid = [r for r in lines if r["client_port"] == 40004]
recs = {r["port"]: r for r in lines if r["client_port"] != 40004}
meta = json.load(open(sys.argv[2]))
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("wrong:", what); ok = False
check(sorted(recs) == [25, 110, 143, 465, 587, 5222], f"ports {sorted(recs)}")
smtps = recs[465]["result"]
check(smtps["implicit_tls"] and smtps["tls"]["server_flight"] == "alert", "smtps alert")
check(smtps["tls"]["alert"] == {"direction": "server", "level": "fatal",
                                "description": "handshake failure", "value": 40}, f"alert {smtps['tls'].get('alert')}")
smtp = recs[25]["result"]
check(smtp["auth"] == {"method": "sasl", "mechanism": "LOGIN", "before_tls": True,
                       "plaintext_credentials": True, "succeeded": True}, f"smtp auth {smtp.get('auth')}")
check(smtp["before_tls"]["auth_mechanisms"] == ["PLAIN", "LOGIN"], "smtp mechanisms")
check(smtp["starttls"]["offered"] is False, "smtp starttls offered")
sub = recs[587]["result"]
check(sub["starttls"] == {"offered": True, "attempted": True, "accepted": True,
                          "reply": "220 2.0.0 Ready to start TLS"}, f"submission starttls {sub['starttls']}")
check(sub["tls"]["client_hello"]["server_name"] == "mx.lab", "sni")
check(sub["tls"]["handshake_log"]["server_hello"]["cipher_suite"]["name"] == "TLS_RSA_WITH_RC4_128_SHA", "suite")
check(sub["tls"]["handshake_log"]["cipher_class"] == "RC4", "class")
check(len(sub["tls"]["client_hello"]["ja3_md5"]) == 32, "ja3")
check(sub["tls"]["client_hello"]["ja4"].startswith("t13d040600_"), f"ja4 {sub['tls']['client_hello'].get('ja4')}")
check(sub["tls"]["resumption"]["resumed"] is False, "not resumed")
check(sub["tls"]["handshake_log"]["key_exchange"]["kind"] == "RSA", "kx")
check(recs[587]["streams"]["client"]["overlaps_differing"] == 1, "overlap counted")
check(recs[587]["streams"]["client"]["retransmitted"] == 1, "duplicate counted")
imap = recs[143]["result"]
check(imap["auth"]["method"] == "imap-login" and imap["auth"]["plaintext_credentials"], "imap login")
pop = recs[110]
check(pop["result"]["auth"]["method"] == "pop3-user" and pop["result"]["auth"]["plaintext_credentials"], "pop3 user")
check(pop["streams"]["server"]["gaps"] == 1 and pop["result"].get("gap_in_dialogue") is True, "pop3 gap")
check(meta["flows"]["midstream"] == 1 and meta["segments"]["unmapped_port"] == 4, f"meta flows {meta['flows']} {meta['segments']}")
check(meta["flows"]["midstream_outcomes"] == {"picked-up-tls": 0, "skipped-tls": 0, "skipped-plaintext": 0,
                                              "picked-up-plaintext": 1},
      f"midstream outcomes {meta['flows'].get('midstream_outcomes')}")
# Joined at its AUTH PLAIN line: flagged, the response not kept (the grep).
check(len(mid) == 1 and mid[0]["port"] == 25 and mid[0]["syn_seen"] is False, f"mid-stream record {mid}")
check(mid[0]["result"].get("midstream_pickup") == "plaintext-dialogue" and
      mid[0]["result"]["auth"] == {"method": "sasl", "mechanism": "PLAIN", "before_tls": True,
                                   "plaintext_credentials": True}, f"mid-stream auth {mid[0]['result']}")
check(meta["reassembly"]["gaps_by_reason"]["acked-by-peer"] == 1, "gap reason")
xmpp = recs[5222]["result"]
check(xmpp["auth"] == {"method": "sasl", "mechanism": "PLAIN", "before_tls": True,
                       "plaintext_credentials": True, "succeeded": True}, f"xmpp auth {xmpp.get('auth')}")
check(xmpp["before_tls"]["auth_mechanisms"] == ["SCRAM-SHA-1", "PLAIN"], "xmpp mechanisms")
check(xmpp["starttls"] == {"offered": True, "attempted": False, "accepted": False}, f"xmpp starttls {xmpp['starttls']}")
check(xmpp["starttls_required"] is False and xmpp["server_to_server"] is False, "xmpp extras")
check(xmpp["stream"] == {"id": "5c1f0b7e-1b2c", "from": "xmpp.lab", "version": "1.0"}, "xmpp stream")
check(meta["records"] == 7 and meta["clients_anonymized"] == "no", "records")
sys.exit(0 if ok else 1)
PY

if [ -n "$tshark" ]; then
  "$tshark" -r "$dir/in.pcap" -Y 'tls.handshake.type == 1 || tls.handshake.type == 2' -T fields \
    -e tcp.dstport -e tcp.srcport -e tls.handshake.ja3_full -e tls.handshake.ja3 \
    -e tls.handshake.extensions_server_name -e tls.handshake.ciphersuite 2> /dev/null > "$dir/tshark.tsv"
  "$python" - "$dir/out.jsonl" "$dir/tshark.tsv" <<'PY' || fail "records differ from tshark"
import json, sys
recs = {r["port"]: r for r in map(json.loads, open(sys.argv[1]))}
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
ok = len(rows) == 3
for dport, sport, ja3_full, ja3, sni, suite in rows:
    if dport == "465":
        ok &= recs[465]["result"]["tls"]["client_hello"]["ja3"] == ja3_full
    elif dport == "587":  # the ClientHello
        ch = recs[587]["result"]["tls"]["client_hello"]
        ok &= (ch["ja3"], ch["ja3_md5"], ch["server_name"]) == (ja3_full, ja3, sni)
    elif sport == "587":  # the ServerHello
        ok &= recs[587]["result"]["tls"]["handshake_log"]["server_hello"]["cipher_suite"]["value"] == int(suite, 0)
print("tshark:", rows)
sys.exit(0 if ok else 1)
PY
fi

# Pseudonymised clients.
head -c 32 /dev/urandom > "$dir/key"
"$tlsweep" passive -q -r "$dir/in.pcap" -o "$dir/anon.jsonl" -m "$dir/anon_meta.json" \
  --anonymize-clients "$dir/key" || fail "tlsweep passive --anonymize-clients exited $?"
"$python" "$validator" passive_record "$dir/anon.jsonl" || fail "anonymized records do not validate"
grep -q '10\.77\.0\.10[01]' "$dir/anon.jsonl" && fail "a client address survived anonymisation"
[ "$("$python" -c 'import json,sys; print(len({json.loads(l)["client_ip"] for l in open(sys.argv[1])}))' "$dir/anon.jsonl")" = 2 ] ||
  fail "two clients should give two pseudonyms"
echo "short" > "$dir/short_key"
"$tlsweep" passive -q -r "$dir/in.pcap" -o /dev/null --anonymize-clients "$dir/short_key" 2> /dev/null &&
  fail "a 6-byte key file was accepted"

[ "$failed" -eq 0 ] && echo "passive: records and metadata validate, say what happened, hold no secret"
exit "$failed"
