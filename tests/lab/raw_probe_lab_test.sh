#!/usr/bin/env bash
# Raw probes against real Postfix servers (tests/lab/raw_probe_lab.conf):
# the java7 profile (TLS 1.0) must see the DHE-1024 server's prime and the
# RSA-without-forward-secrecy server's choice as successful handshakes, both
# over STARTTLS (25) and implicit TLS (465), and each must agree with
# `openssl s_client` offering TLS 1.0 with java7's suites: the same version,
# the same suite, the same DH prime size, and the prime itself (its SHA-256
# against the server's parameter file). Records and metadata validate
# against the schema.
#
# usage: raw_probe_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
export LAB_CONF=$root/tests/lab/raw_probe_lab.conf
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

# java7's suites (conf/tls_profiles.conf) by OpenSSL's names, as far as
# OpenSSL 3 still has them (not RC4): s_client offers what the probe offers.
JAVA7_OPENSSL="ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA:DHE-RSA-AES128-SHA:DHE-DSS-AES128-SHA:ECDHE-ECDSA-DES-CBC3-SHA:ECDHE-RSA-DES-CBC3-SHA:DES-CBC3-SHA:EDH-RSA-DES-CBC3-SHA:EDH-DSS-DES-CBC3-SHA:@SECLEVEL=0"

# "version cipher dh_bits" from s_client (dh_bits "-" without DHE).
sclient() {  # ip port
  local starttls=""
  [ "$2" = 25 ] && starttls="-starttls smtp"
  local out
  out=$(in_scan timeout 15 openssl s_client -connect "$1:$2" $starttls -tls1 \
        -cipher "$JAVA7_OPENSSL" < /dev/null 2>&1 | tr -d '\000')
  local version cipher dh
  version=$(sed -n 's/^ *Protocol *: *//p' <<<"$out" | head -1)
  cipher=$(sed -n 's/^ *Cipher *: *//p' <<<"$out" | head -1)
  dh=$(sed -n 's/^Server Temp Key: DH, \([0-9]*\) bits/\1/p' <<<"$out" | head -1)
  echo "$version $(openssl_to_iana "$cipher") ${dh:--}"
}

# OpenSSL's suite name -> IANA's (the record's name).
openssl_to_iana() {
  case $1 in
    AES128-SHA) echo TLS_RSA_WITH_AES_128_CBC_SHA ;;
    AES256-SHA) echo TLS_RSA_WITH_AES_256_CBC_SHA ;;
    DHE-RSA-AES128-SHA) echo TLS_DHE_RSA_WITH_AES_128_CBC_SHA ;;
    DHE-RSA-AES256-SHA) echo TLS_DHE_RSA_WITH_AES_256_CBC_SHA ;;
    ECDHE-RSA-AES128-SHA) echo TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ;;
    *) echo "openssl:$1" ;;
  esac
}

# The java7 probe's "version cipher dh_bits status kind fs" from a record.
probe_fields() {  # record-file
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
(module, d), = r["data"].items()
p = [p for p in d["result"].get("raw_probes", []) if p["profile"] == "java7"][0]
log = p["handshake_log"]
sh = log.get("server_hello", {})
kx = log.get("key_exchange", {})
print(sh.get("version", {}).get("name", "-"), sh.get("cipher_suite", {}).get("name", "-"),
      kx.get("dh_prime_bits", "-"), p["status"], kx.get("kind", "-"),
      str(log.get("forward_secrecy")).lower())
PY
}

# The java7 probe's DH prime SHA-256 ("-" without one).
probe_prime() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
(module, d), = r["data"].items()
p = [p for p in d["result"]["raw_probes"] if p["profile"] == "java7"][0]
print(p["handshake_log"].get("key_exchange", {}).get("dh_prime_sha256", "-"))
PY
}

# SHA-256 of the prime in a PEM DH parameter file, as dh_primes.h hashes it
# (big-endian bytes, no leading zero).
file_prime() {
  openssl pkeyparam -in "$1" -text -noout 2>/dev/null | python3 -c '
import hashlib, re, sys
text = sys.stdin.read()
m = re.search(r"(?:P|prime):\s*((?:\s+[0-9a-f:]+)+)", text)
hexdigits = re.sub(r"[^0-9a-f]", "", m.group(1))
b = bytes.fromhex(hexdigits).lstrip(b"\0")
print(hashlib.sha256(b).hexdigest())'
}

run_tests() {
  local ip port
  for ip in 10.77.0.22 10.77.0.30; do
    for port in 25 465; do
      echo "$ip,mail.lab.test,,$port" | in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" \
        --raw-probes java7,thunderbird31,rc4 -m "$work/meta-$ip-$port.json" \
        > "$work/$ip-$port.json"
      read -r pv pc pd ps pk pf < <(probe_fields "$work/$ip-$port.json")
      read -r sv sc sd < <(sclient "$ip" "$port")
      check "$ip:$port java7 probe succeeded (TLS 1.0)" test "$ps $pv" = "success TLSv1"
      check "$ip:$port java7 probe == s_client -tls1 (version, suite, DH bits): $pv $pc $pd" \
        test "$pv $pc $pd" = "$sv $sc $sd"
      if [ "$ip" = 10.77.0.22 ]; then
        check "$ip:$port DHE-1024, forward secret" test "$pk $pd $pf" = "DHE 1024 true"
        check "$ip:$port the prime is the server's (SHA-256 of dh1024.pem)" \
          test "$(probe_prime "$work/$ip-$port.json")" = "$(file_prime "$LAB_STATE/certs/dh1024.pem")"
      else
        check "$ip:$port RSA key exchange, no forward secrecy" test "$pk $pd $pf" = "RSA - false"
      fi
      check "$ip:$port record validates" valid grab_record "$work/$ip-$port.json"
      check "$ip:$port metadata validates" valid grab_metadata "$work/meta-$ip-$port.json"
    done
  done
  # The modern server: the grab's own handshake succeeds, and the rc4 probe
  # gets an alert, not a suite (Postfix on OpenSSL 3 has no RC4).
  echo "10.77.0.10,mail.lab.test,,25" | in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" \
    --raw-probes rc4 > "$work/modern.json"
  check "10.77.0.10:25 rc4 probe answered with an alert" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["data"]["smtp"]
p = d["result"]["raw_probes"][0]
sys.exit(0 if d["status"] == "success" and p["status"] == "tls-error" and "alert" in p else 1)' \
    "$work/modern.json"
}

lab_with run_tests
finish_checks raw_probe_lab $?
