#!/usr/bin/env bash
# `tlsweep grab --enumerate` against real GnuTLS servers whose answers the
# legacy lab does not cover: a modern one (TLS 1.3 and 1.2, AEAD suites) that
# follows the client's order, and the lab's "mix" string (RC4 first, the
# server's order; scripts/lab/gnutls_priorities.conf). Each enumeration must
# equal the server's own priority string as GnuTLS expands it
# (`gnutls-cli --list --priority`, checked by tests/lab/enum_check.py): the
# versions, the suites per version, TLS 1.3's own suites, the order flag
# (false for the client-order server, true with %SERVER_PRECEDENCE) and the
# server's order. Records and metadata validate against docs/schema.
#
# Everything runs inside a network namespace of its own with only loopback
# (unshare -n): the servers are never reachable from any other network.
#
# usage: enum_gnutls_test.sh TLSWEEP_BINARY
set -uo pipefail
tlsweep=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/raw_probe_common.sh"
need_tools gnutls-serv gnutls-cli certtool unshare python3
own_netns "$@"
# Two servers: the second's pid in $servers, killed at exit beside $server.
servers=()
trap 'for s in "${servers[@]}"; do kill "$s" 2> /dev/null && wait "$s" 2> /dev/null; done
      _raw_probe_cleanup' EXIT

MODERN='NONE:+VERS-TLS1.3:+VERS-TLS1.2:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+ECDHE-RSA:+RSA:+AEAD:+GROUP-ALL:+COMP-NULL:+SIGN-ALL:+CTYPE-X509'
MIX=$(awk '$1 == "mix" { print $2 }' "$root/scripts/lab/gnutls_priorities.conf")
[ -n "$MIX" ] || fail "no mix priority string"

certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$dir/key.pem" 2> /dev/null
printf 'cn = mail.lab.test\nexpiration_days = 2\nsigning_key\nencryption_key\ntls_www_server\n' \
  > "$dir/template"
certtool --generate-self-signed --load-privkey "$dir/key.pem" --template "$dir/template" \
  --outfile "$dir/cert.pem" > /dev/null 2>&1

# One server per address (enum_check.py keys the strings by address; each
# listens on every address, loopback's 127/8 all reach it):
# implicit TLS, so no dialogue comes before each ClientHello.
serve() {  # address port priority
  gnutls-serv --priority "$3" --x509certfile "$dir/cert.pem" --x509keyfile "$dir/key.pem" \
    -a -p "$2" > "$dir/server.$1.log" 2>&1 &
  if [ -z "$server" ]; then server=$!; else servers+=($!); fi
  printf '%s\t%s\t%s\n' "$1" "$4" "$3" >> "$dir/priorities"
  echo "$1,mail.lab.test,,$2" >> "$dir/targets"
  gnutls-cli --list --priority "$3" > "$dir/list.$(echo "$3" | sha256sum | cut -c1-16)"
}
serve 127.0.0.2 993 "$MODERN" modern
serve 127.0.0.3 465 "$MIX" mix
for _ in $(seq 50); do
  [ "$(grep -l "listening on" "$dir"/server.*.log 2> /dev/null | wc -l)" -eq 2 ] && break
  sleep 0.1
done

"$tlsweep" grab --quiet --raw-probes none --enumerate --enumerate-interval 0 --timeout 5 \
  --session-timeout 5 -o "$dir/records.jsonl" -m "$dir/meta.json" < "$dir/targets" ||
  fail "tlsweep grab exited $?"
python3 "$root/tests/lab/enum_check.py" "$dir/records.jsonl" "$dir/priorities" "$dir" \
  "$dir/targets" || fail "an enumeration differs from its server's priority string"
python3 "$root/scripts/validate_records.py" grab_record "$dir/records.jsonl" ||
  fail "records do not validate"
python3 "$root/scripts/validate_records.py" grab_metadata "$dir/meta.json" ||
  fail "metadata does not validate"

[ "$failed" = 0 ] && echo "PASS: enumerations equal the servers' priority strings"
exit "$failed"
