#!/usr/bin/env bash
# `tlsweep grab --raw-probes java7` against `openssl s_server` offering only
# DHE with a fresh 1024-bit prime at TLS 1.0 (the lab's Postfix dh=1024
# server, in small, on implicit TLS): the java7 probe must be a successful
# handshake with the server's 1024-bit prime (its SHA-256 equal to the
# parameter file's prime), as `openssl s_client -tls1` with java7's DHE
# suite sees it ("Server Temp Key: DH, 1024 bits", the same suite).
#
# Inside a network namespace of its own with only loopback (unshare -n).
#
# usage: raw_probe_dhe_test.sh TLSWEEP_BINARY
set -uo pipefail
tlsweep=$(realpath "$1")
source "$(dirname "$0")/raw_probe_common.sh"
need_tools openssl unshare python3
own_netns "$@"
PORT=465

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
  -days 2 -subj /CN=dhe.lab.test 2> /dev/null
openssl dhparam -out "$dir/dh1024.pem" 1024 2> /dev/null
prime_sha256=$(openssl pkeyparam -in "$dir/dh1024.pem" -text -noout | python3 -c '
import hashlib, re, sys
m = re.search(r"(?:P|prime):\s*((?:\s+[0-9a-f:]+)+)", sys.stdin.read())
print(hashlib.sha256(bytes.fromhex(re.sub(r"[^0-9a-f]", "", m.group(1))).lstrip(b"\0")).hexdigest())')

openssl s_server -quiet -accept "$PORT" -cert "$dir/cert.pem" -key "$dir/key.pem" \
  -dhparam "$dir/dh1024.pem" -cipher 'DHE-RSA-AES128-SHA:@SECLEVEL=0' -tls1 \
  > "$dir/server.log" 2>&1 < /dev/zero &
server=$!
for _ in $(seq 50); do
  (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break
  sleep 0.1
done

out=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1 \
      -cipher 'DHE-RSA-AES128-SHA:@SECLEVEL=0' < /dev/null 2>&1 | tr -d '\000')
truth_bits=$(sed -n 's/^Server Temp Key: DH, \([0-9]*\) bits/\1/p' <<<"$out" | head -1)
truth_cipher=$(sed -n 's/^ *Cipher *: *//p' <<<"$out" | head -1)
truth_version=$(sed -n 's/^ *Protocol *: *//p' <<<"$out" | head -1)
[ "$truth_bits $truth_cipher $truth_version" = "1024 DHE-RSA-AES128-SHA TLSv1" ] ||
  fail "s_client saw '$truth_bits $truth_cipher $truth_version'"

echo "127.0.0.1:$PORT" | "$tlsweep" grab --quiet --raw-probes java7 --session-timeout 10 \
  > "$dir/records.jsonl" || fail "tlsweep grab exited $?"
python3 - "$dir/records.jsonl" "$prime_sha256" <<'PY' || failed=1
import json, sys
r = json.loads(open(sys.argv[1]).readline())
p = r["data"]["smtps"]["result"]["raw_probes"][0]
log = p["handshake_log"]
kx = log.get("key_exchange", {})
got = (p["profile"], p["status"], log["server_hello"]["version"]["name"],
       log["server_hello"]["cipher_suite"]["name"], kx.get("kind"), kx.get("dh_prime_bits"),
       kx.get("dh_prime_sha256"), log.get("forward_secrecy"))
want = ("java7", "success", "TLSv1", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", 1024,
        sys.argv[2], True)
if got != want:
    sys.exit("FAIL: probe %s, s_client and the parameter file say %s" % (got, want))
print("java7 probe == s_client -tls1: TLSv1 DHE-RSA-AES128-SHA, DH 1024 bits, the server's prime")
PY
exit "$failed"
