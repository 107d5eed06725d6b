#!/usr/bin/env bash
# `tlsweep grab` (kernel sockets) against every open service of the lab,
# field by field against `openssl s_client` on the same service (version,
# cipher, verification result, leaf certificate fingerprint), against what
# lab.conf says of names and SASL mechanisms, and against hostile input.
# Brings the lab up and always down.
#
# usage: grab_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

# s_client's -starttls argument for a lab service ("" for implicit TLS).
starttls_of() {
  case $1 in
    smtp|submission) echo "-starttls smtp" ;;
    imap) echo "-starttls imap" ;;
    pop3) echo "-starttls pop3" ;;
    xmpp-c2s) echo "-starttls xmpp -xmpphost $2" ;;
    xmpp-s2s) echo "-starttls xmpp-server -xmpphost $2" ;;
    irc) echo "-starttls irc" ;;
    *) echo "" ;;
  esac
}

# One record's fields, as "version cipher verify fingerprint name_matches status".
record_fields() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
(module, d), = r["data"].items()
t = d.get("result", {}).get("tls", {}).get("handshake_log", {})
sh, certs = t.get("server_hello", {}), t.get("server_certificates", {})
v = certs.get("validation", {})
chain = certs.get("chain", [])
fp = chain[0]["parsed"]["fingerprint_sha256"] if chain else "-"
print(sh.get("version", {}).get("name", "-"), sh.get("cipher_suite", {}).get("name", "-"),
      v.get("verify_result", "-"), fp, str(v.get("name_matches")).lower(), d["status"])
PY
}

# The same fields from openssl s_client.
sclient_fields() {  # ip port starttls-args
  local out
  out=$(in_scan timeout 15 openssl s_client -connect "$1:$2" $3 -CAfile "$LAB_CA_FILE" \
        -servername "$4" < /dev/null 2>&1 | tr -d "\\000")
  local version cipher verify fp
  # "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
  version=$(sed -n 's/^New, \([^,]*\), Cipher is .*/\1/p' <<<"$out" | head -1)
  cipher=$(sed -n 's/^New, [^,]*, Cipher is //p' <<<"$out" | head -1)
  verify=$(sed -n 's/^ *Verify return code: \([0-9]*\).*/\1/p' <<<"$out" | tail -1)
  fp=$(sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' <<<"$out" |
       openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
  echo "$version $cipher $verify $fp"
}

run_tests() {
  local ip port state svc tls cert name auth
  while IFS=$'\t' read -r ip port state svc tls cert name auth; do
    [[ $ip == \#* || $state != open ]] && continue
    # Grab one service; its name (ZGrab2's domain column) gives SNI, the
    # certificate name check and XMPP's to=.
    echo "$ip,$name,,$port" | in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" \
      > "$work/rec.json" 2> "$work/grab.err"
    check "$ip:$port $svc record validates (grab_record)" valid grab_record "$work/rec.json"
    read -r g_version g_cipher g_verify g_fp g_name g_status < <(record_fields "$work/rec.json")
    read -r s_version s_cipher s_verify s_fp < <(sclient_fields "$ip" "$port" "$(starttls_of "$svc" "$name")" "$name")
    local expect_name=true
    [ "$cert" = wrongname ] && expect_name=false
    check "$ip:$port $svc status success" test "$g_status" = success
    check "$ip:$port $svc version $g_version = s_client $s_version" test "$g_version" = "$s_version"
    check "$ip:$port $svc cipher $g_cipher = s_client $s_cipher" test "$g_cipher" = "$s_cipher"
    check "$ip:$port $svc verify $g_verify = s_client $s_verify ($cert)" test "$g_verify" = "$s_verify"
    check "$ip:$port $svc leaf fingerprint = s_client's" test "$g_fp" = "$s_fp"
    check "$ip:$port $svc name_matches $g_name ($cert)" test "$g_name" = "$expect_name"
    if [ "$auth" != - ] && [[ $svc =~ ^(submission|smtps|imap|imaps|pop3|pop3s)$ ]]; then
      local mechs
      mechs=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); (m,d),=r['data'].items(); print(','.join(d['result'].get('after_tls', d['result']).get('auth_mechanisms', [])))" "$work/rec.json")
      # Implicit-TLS modules record the session's mechanisms as after_tls too.
      check "$ip:$port $svc mechanisms after TLS $mechs = lab.conf $auth" test "$mechs" = "$auth"
    fi
  done < "$LAB_EXPECTED_TSV"

  # Before TLS: IMAP says LOGINDISABLED; submission offers no AUTH.
  echo "10.77.0.11,143" | in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" > "$work/imap.json"
  check "IMAP 143 LOGINDISABLED before TLS" python3 -c "
import json,sys; r=json.load(open('$work/imap.json')); b=r['data']['imap']['result']['before_tls']
sys.exit(0 if b.get('login_disabled') is True else 1)"
  echo "10.77.0.10,587" | in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" > "$work/sub.json"
  check "IMAP and submission records validate (grab_record)" valid grab_record "$work/imap.json" "$work/sub.json"
  check "submission offers no AUTH before TLS" python3 -c "
import json,sys; r=json.load(open('$work/sub.json')); b=r['data']['submission']['result']['before_tls']
sys.exit(0 if b.get('auth_mechanisms') == [] else 1)"

  # Closed, filtered and unreachable ports end as records with their status.
  printf '10.77.0.20,25\n10.77.0.21,25\n10.77.0.22,25\n' |
    in_scan "$tlsweep" grab -q --connect-timeout 2 > "$work/bad.json"
  check "closed, filtered, unreachable: records validate (grab_record)" valid grab_record "$work/bad.json"
  status_of() {  # status_of IP: "status error" of that address's record
    python3 -c "
import json, sys
for line in open('$work/bad.json'):
    r = json.loads(line)
    if r['ip'] == sys.argv[1]:
        (m, d), = r['data'].items(); print(d['status'], d.get('error', ''))" "$1"
  }
  check "closed port is connection-refused" grep -q '^connection-refused' <(status_of 10.77.0.20)
  check "filtered port is connection-timeout" grep -q '^connection-timeout' <(status_of 10.77.0.21)
  check "unreachable port ends as a record naming the error" grep -q 'No route to host' <(status_of 10.77.0.22)

  # Unparseable input lines are reported with their number and skipped.
  printf '10.77.0.10,25\nnot-a-host\n10.77.0.10,99999\n' |
    in_scan "$tlsweep" grab --ca-file "$LAB_CA_FILE" -m "$work/meta.json" > "$work/in.json" 2> "$work/in.err"
  check "bad input lines named and skipped" grep -q "stdin:2:" "$work/in.err"
  check "the good line still grabbed" test "$(wc -l < "$work/in.json")" -eq 1
  check "metadata counts the skipped lines" grep -q '"input_lines_skipped": 2' "$work/meta.json"
  check "the record validates (grab_record)" valid grab_record "$work/in.json"
  check "the metadata validates (grab_metadata)" valid grab_metadata "$work/meta.json"
}

lab_with run_tests
finish_checks grab $?
