#!/usr/bin/env bash
# `tlsweep grab --raw-probes` against a real GnuTLS server that accepts only
# TLS 1.0 with RC4 (the issue's server: gnutls-serv with the priority string
# below), checked against gnutls-cli with the same priority: the grab's own
# OpenSSL 3 handshake cannot offer RC4 (tls-error), each raw probe records
# the server's TLS 1.0 RC4 choice and its certificate, and `tlsweep report`
# counts it (raw_probes.csv: 100% RC4 for the port).
#
# Everything runs inside a network namespace of its own with only loopback
# (unshare -n): the server is never reachable from any other network.
#
# usage: raw_probe_gnutls_test.sh TLSWEEP_BINARY
set -uo pipefail
tlsweep=$(realpath "$1")
source "$(dirname "$0")/raw_probe_common.sh"
need_tools gnutls-serv gnutls-cli certtool unshare python3
own_netns "$@"

PRIORITY='NONE:+VERS-TLS1.0:+ARCFOUR-128:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CTYPE-X509'
PORT=465  # smtps: implicit TLS, so the probe needs no dialogue before its ClientHello

certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$dir/key.pem" 2> /dev/null
printf 'cn = rc4.lab.test\nexpiration_days = 2\nsigning_key\nencryption_key\ntls_www_server\n' \
  > "$dir/template"
certtool --generate-self-signed --load-privkey "$dir/key.pem" --template "$dir/template" \
  --outfile "$dir/cert.pem" > /dev/null 2>&1
cert_sha256=$(openssl x509 -in "$dir/cert.pem" -outform DER | sha256sum | cut -d' ' -f1)

gnutls-serv --priority "$PRIORITY" --x509certfile "$dir/cert.pem" --x509keyfile "$dir/key.pem" \
  -p "$PORT" > "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  grep -q "listening on IPv4" "$dir/server.log" && break
  sleep 0.1
done

# Ground truth: gnutls-cli with the server's own priority string.
truth=$(timeout 10 gnutls-cli --priority "$PRIORITY" --insecure -p "$PORT" 127.0.0.1 < /dev/null 2>&1 |
        sed -n 's/^- Description: //p')
[ "$truth" = "(TLS1.0-X.509)-(RSA)-(ARCFOUR-128)-(SHA1)" ] || fail "gnutls-cli negotiated '$truth'"

echo "127.0.0.1:$PORT" | "$tlsweep" grab --quiet --raw-probes thunderbird31,rc4,java7 \
  --session-timeout 10 -o "$dir/records.jsonl" -m "$dir/meta.json" ||
  fail "tlsweep grab exited $?"

python3 - "$dir/records.jsonl" "$dir/meta.json" "$cert_sha256" <<'PY' || failed=1
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
meta = json.load(open(sys.argv[2]))
bad = []
if len(records) != 1:
    sys.exit("FAIL: %d records" % len(records))
d = records[0]["data"]["smtps"]
if d["status"] != "tls-error":
    bad.append("the OpenSSL handshake: status %s, expected tls-error (OpenSSL 3 offers no RC4)" % d["status"])
probes = d["result"].get("raw_probes", [])
if [p["profile"] for p in probes] != ["thunderbird31", "rc4", "java7"]:
    bad.append("probes %s" % [p["profile"] for p in probes])
for p in probes:
    log = p["handshake_log"]
    got = (p["status"], log.get("server_hello", {}).get("version", {}).get("name"),
           log.get("server_hello", {}).get("cipher_suite", {}).get("name"),
           log.get("cipher_class"), log.get("forward_secrecy"), log.get("key_exchange", {}).get("kind"))
    want = ("success", "TLSv1", "TLS_RSA_WITH_RC4_128_SHA", "RC4", False, "RSA")
    if got != want:
        bad.append("%s: %s, expected %s (gnutls-cli: TLS1.0 RSA ARCFOUR-128 SHA1)" % (p["profile"], got, want))
    chain = log.get("server_certificates", {}).get("chain", [])
    if not chain or chain[0]["parsed"]["fingerprint_sha256"] != sys.argv[3]:
        bad.append("%s: leaf fingerprint is not the server's certificate" % p["profile"])
if meta["raw_probes"]["connections_per_tls_server"] != 3 or meta["raw_probes_recorded"] != 3:
    bad.append("metadata raw_probes %s, recorded %s" % (meta["raw_probes"], meta.get("raw_probes_recorded")))
for b in bad:
    print("FAIL:", b)
print("records: 1 grab, %d raw probes checked against gnutls-cli" % len(probes))
sys.exit(1 if bad else 0)
PY

# The report's RC4 share for the port is non-zero and right: 100% for each
# profile (one server, which answered every probe with RC4).
mkdir -p "$dir/csv"
"$tlsweep" report --csv-dir "$dir/csv" "$dir/records.jsonl" > "$dir/report.md" 2> "$dir/report.err" ||
  fail "tlsweep report exited $?"
python3 - "$dir/csv/raw_probes.csv" <<'PY' || failed=1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
bad = [r for r in rows if r["port"] != "465" or r["% RC4"] != "100.00" or r["server hellos"] != "1"]
if len(rows) != 3 or bad:
    sys.exit("FAIL: raw_probes.csv %s" % rows)
print("report: raw_probes.csv RC4 100.00%% for each of %d profiles" % len(rows))
PY

[ "$failed" = 0 ] && echo "raw probes == gnutls-cli on the RC4-only GnuTLS server"
exit "$failed"
