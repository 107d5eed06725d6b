#!/usr/bin/env bash
# Proves that the lab is what scripts/lab/lab.conf says, using only tools that
# nobody on this project wrote (openssl s_client, bash's /dev/tcp, iproute2):
#   - every expected open port completes a TLS handshake (STARTTLS or implicit)
#     and the certificate verifies exactly as its kind says,
#   - closed ports refuse, filtered ports time out, unreachable ones fail at once,
#   - SUBMISSION offers AUTH PLAIN LOGIN only after STARTTLS, IMAP 143 says
#     LOGINDISABLED before STARTTLS,
#   - after teardown no tls-* namespace is left.
# Run as root: bash tests/lab/lab_test.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lab/lib.sh
source "$ROOT/scripts/lab/lib.sh"

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); printf 'ok    %s\n' "$*"; }
bad() { FAIL=$((FAIL + 1)); printf 'FAIL  %s\n' "$*"; }

TMPDIR_LAB=$(mktemp -d)
trap 'lab_down >/dev/null 2>&1 || true; rm -rf "$TMPDIR_LAB"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

lab_up
CA=$LAB_CA_FILE
in_scan() { ip netns exec "$LAB_SCAN_NS" "$@"; }

# s_client ADDR PORT ARGS...: one TLS connection from the scanner namespace;
# prints openssl's whole output.
s_client() {
  local ip=$1 port=$2
  shift 2
  { in_scan timeout 15 openssl s_client -connect "$ip:$port" -CAfile "$CA" "$@" </dev/null 2>&1 || true; } | tr -d '\000'
}

# starttls_args SERVICE NAME: the s_client options that speak SERVICE up to TLS.
starttls_args() {
  case "$1" in
    smtp|submission) echo "-starttls smtp" ;;
    imap) echo "-starttls imap" ;;
    pop3) echo "-starttls pop3" ;;
    xmpp-c2s) echo "-starttls xmpp -xmpphost $2" ;;
    xmpp-s2s) echo "-starttls xmpp-server -xmpphost $2" ;;
    irc) echo "-starttls irc" ;;
    *) echo "" ;;   # implicit TLS
  esac
}

# verify_code OUTPUT: the first "Verify return code" of an s_client run.
verify_code() { sed -n 's/^ *Verify return code: \([0-9]*\).*/\1/p' <<<"$1" | head -n1; }
handshake_ok() { grep -qE '^New, TLSv[0-9.]+, Cipher is [A-Z]' <<<"$1"; }

# plain_dialog IP PORT LINE...: a cleartext conversation over bash's /dev/tcp;
# prints what the server said. Each line is sent half a second after the last.
plain_dialog() {
  local ip=$1 port=$2
  shift 2
  # shellcheck disable=SC2016  # the inner bash expands $0 $1 $@
  in_scan timeout 8 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    shift 1   # $0 is the address, $1 the port: the rest are the lines
    ( for l in "$@"; do sleep 0.5; printf "%s\r\n" "$l"; done; sleep 1 ) >&3 &
    timeout 5 cat <&3' "$ip" "$port" "$@" 2>&1 || true
}

# tls_dialog IP PORT SERVICE LINE...: like plain_dialog but after STARTTLS,
# through openssl s_client -crlf (lines go to the server inside TLS).
tls_dialog() {
  local ip=$1 port=$2 svc=$3
  shift 3
  # shellcheck disable=SC2046
  { sleep 2; for l in "$@"; do printf '%s\n' "$l"; sleep 0.5; done; sleep 1; } |
    in_scan timeout 10 openssl s_client -connect "$ip:$port" -CAfile "$CA" -crlf -quiet \
      $(starttls_args "$svc" -) 2>&1 || true
}

# ---------------------------------------------------------------- per port
echo "# checking every row of $LAB_EXPECTED_TSV"
filtered_pids=()
while IFS=$'\t' read -r -u 4 ip port state svc tls cert name auth; do
  [[ $ip == \#* ]] && continue
  what="$ip:$port $state"
  case "$state" in
    open)
      if [ "$tls" = none ]; then
        if in_scan timeout 3 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null; then ok "$what $svc (no TLS)"; else bad "$what $svc: no connection"; fi
        continue
      fi
      # shellcheck disable=SC2046
      out=$(s_client "$ip" "$port" $(starttls_args "$svc" "$name") -verify_hostname "$name")
      if ! handshake_ok "$out"; then
        bad "$what $svc: no TLS handshake"; tail -n 5 <<<"$out" | sed 's/^/      /'; continue
      fi
      code=$(verify_code "$out")
      case "$cert" in
        valid) want="0" ;; selfsigned) want="18|19" ;; expired) want="10" ;; wrongname) want="62" ;;
      esac
      if [[ "$code" =~ ^($want)$ ]]; then
        ok "$what $svc $tls handshake, cert $cert: verify $code (hostname $name)"
      else
        bad "$what $svc: cert $cert wants verify $want, got '$code'"
      fi
      if [ "$cert" = wrongname ]; then
        # shellcheck disable=SC2046
        out=$(s_client "$ip" "$port" $(starttls_args "$svc" "$name"))
        code=$(verify_code "$out")
        if [ "$code" = 0 ]; then ok "$what $svc wrongname cert verifies without a hostname"
        else bad "$what $svc wrongname cert without hostname: verify '$code', want 0"; fi
      fi
      ;;
    closed)
      err=$(in_scan timeout 3 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>&1) && rc=0 || rc=$?
      if grep -q "Connection refused" <<<"$err"; then ok "$what: connection refused"
      else bad "$what: want 'Connection refused', got rc=$rc '$err'"; fi
      ;;
    filtered)
      # No answer at all: the connect must still hang after 3 s (exit 124).
      # These run in parallel; results are collected below.
      (
        in_scan timeout 3 bash -c "exec 3<>/dev/tcp/$ip/$port" >/dev/null 2>&1 && rc=0 || rc=$?
        echo "$rc" >"$TMPDIR_LAB/filtered.$ip.$port"
      ) &
      filtered_pids+=($!)
      ;;
    unreachable)
      t0=$(date +%s%N)
      err=$(in_scan timeout 3 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>&1) && rc=0 || rc=$?
      ms=$((($(date +%s%N) - t0) / 1000000))
      if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "No route to host" <<<"$err" && [ "$ms" -lt 2000 ]; then
        ok "$what: no route to host after ${ms} ms (ICMP host unreachable)"
      else
        bad "$what: want an immediate 'No route to host', got rc=$rc after ${ms} ms '$err'"
      fi
      ;;
    *) bad "$what: unknown expected state" ;;
  esac
done 4<"$LAB_EXPECTED_TSV"

for pid in ${filtered_pids[@]+"${filtered_pids[@]}"}; do wait "$pid" || true; done
for f in "$TMPDIR_LAB"/filtered.*; do
  [ -e "$f" ] || continue
  addr=${f##*/filtered.}
  ipport="${addr%.*}:${addr##*.}"
  rc=$(cat "$f")
  if [ "$rc" = 124 ]; then ok "$ipport filtered: no answer within 3 s"
  else bad "$ipport filtered: want a timeout (124), got rc=$rc"; fi
done

# ---------------------------------------------------------- authentication
# SUBMISSION: STARTTLS but no AUTH before TLS; AUTH PLAIN LOGIN after it.
while IFS=$'\t' read -r -u 4 ip port state svc tls cert name auth; do
  [ "$state" = open ] || continue
  case "$svc" in
    submission)
      want="AUTH ${auth//,/ }"
      before=$(plain_dialog "$ip" "$port" "EHLO x" "QUIT")
      if grep -q "STARTTLS" <<<"$before" && ! grep -q "AUTH" <<<"$before"; then
        ok "$ip:$port submission before TLS: STARTTLS offered, no AUTH"
      else
        bad "$ip:$port submission before TLS: want STARTTLS and no AUTH, got: $(tr -d '\r' <<<"$before" | tr '\n' '|')"
      fi
      after=$(tls_dialog "$ip" "$port" "$svc" "EHLO x" "QUIT")
      if grep -q "^250[- ]$want\b" <<<"$(tr -d '\r' <<<"$after")"; then
        ok "$ip:$port submission after STARTTLS: $want"
      else
        bad "$ip:$port submission after STARTTLS: want '$want', got: $(grep -a '^250' <<<"$after" | tr -d '\r' | tr '\n' '|')"
      fi
      ;;
    imap)
      before=$(plain_dialog "$ip" "$port" "a CAPABILITY" "b LOGOUT")
      if grep -q "LOGINDISABLED" <<<"$before" && grep -q "STARTTLS" <<<"$before"; then
        ok "$ip:$port imap before TLS: STARTTLS and LOGINDISABLED"
      else
        bad "$ip:$port imap before TLS: want STARTTLS LOGINDISABLED, got: $(tr -d '\r' <<<"$before" | tr '\n' '|')"
      fi
      after=$(tls_dialog "$ip" "$port" "$svc" "a CAPABILITY" "b LOGOUT")
      mechs=""
      for m in ${auth//,/ }; do mechs+=" AUTH=$m"; done
      if grep -q "CAPABILITY.*${mechs# }" <<<"$after" && ! grep -q LOGINDISABLED <<<"$after"; then
        ok "$ip:$port imap after STARTTLS:${mechs}, no LOGINDISABLED"
      else
        bad "$ip:$port imap after STARTTLS: want${mechs}, got: $(grep -a CAPABILITY <<<"$after" | tr -d '\r' | tr '\n' '|')"
      fi
      ;;
  esac
done 4<"$LAB_EXPECTED_TSV"

# ---------------------------------------------------------------- teardown
lab_down >/dev/null 2>&1
left=$(ip netns list | awk '{print $1}' | grep '^tls-' || true)
if [ -z "$left" ]; then ok "teardown: no tls- namespace left"; else bad "teardown left: $left"; fi

echo "lab_test: $PASS passed, $FAIL failed"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
