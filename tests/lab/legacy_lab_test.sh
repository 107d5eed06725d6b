#!/usr/bin/env bash
# Ground truth of the legacy lab (scripts/lab/legacy.conf): Exim and
# gnutls-serv with GnuTLS priority strings that Debian's OpenSSL 3 cannot
# match (RC4, 3DES, TLS 1.0 or 1.1 only, the server's own order). For every
# open port of the description and every row of tests/lab/legacy_expected.tsv
# for its priority string, with tools nobody on this project wrote:
#   - gnutls-cli, offering the row's client priority string (what the
#     tlsweep profile offers, as far as the server can tell), negotiates the
#     row's version and suite, or receives the row's alert;
#   - openssl s_client as tlsweep's full-handshake profiles configure OpenSSL
#     (openssl-modern: DEFAULT at security level 2; openssl-legacy: ALL at
#     level 0, legacy renegotiation allowed) negotiates the row's version and
#     suite, or fails;
#   - the server's own string (`gnutls-cli --list --priority`) offers exactly
#     the versions and suites gnutls_priorities.conf documents.
# The rows of the profiles gnutls-cli cannot offer (sslv3, sslv2, export:
# compiled out of Debian's GnuTLS) say only that the handshake fails.
# Then tlsweep's own records against the same rows (legacy_records_check.py):
#   - `tlsweep grab --raw-probes <every profile>` on every open port: each raw
#     probe's status, version and suite or alert, its chain and validation;
#     the grab's own handshake against the openssl-modern row, and a second
#     grab with --tls-profile legacy against the openssl-legacy row;
#   - `tlsweep report` over those records: every port's and profile's server
#     hellos and RC4 share, and the RC4-only Exim's port alone at 100%;
#   - `tlsweep run --raw-probes <every profile>` (DPDK af_packet in the lab)
#     on ports 25 and 993: its raw probes equal the grab's.
# (java7 against a Postfix DHE-1024 server: raw_probe_lab_test.sh.)
# Brings the lab up and always down. About 4.5 minutes on a quiet machine,
# most of it gnutls-cli and s_client; tlsweep's part about 70 s (half of it
# the pacing). 8 minutes at a load average of 30.
# usage: legacy_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"
export LAB_CONF=$root/scripts/lab/legacy.conf
table=$root/tests/lab/legacy_expected.tsv

# The description's per-address values (T_GNUTLS: the priority name).
source "$root/scripts/lab/conf.sh"
conf_load "$LAB_CONF"
declare -A prio_of
for i in "${!T_IP[@]}"; do prio_of[${T_IP[$i]}]=${T_GNUTLS[$i]}; done

# gnutls_outcome IP PORT SERVICE PRIORITY: "VERSION SUITE_ID -" of the
# handshake, or "- - ALERT" (the alert number received, else "none").
# gnutls-cli's debug output names the suite it kept (with its id) and the
# one the server selected.
gnutls_outcome() {
  local ip=$1 port=$2 svc=$3 prio=$4 starttls=()
  case $svc in smtp|submission) starttls=(--starttls-proto smtp) ;; esac
  # --insecure: gnutls-cli gives up on a chain it cannot verify (the
  # self-signed one, or any: it checks the name against the address), and
  # verification is not what this test is about.
  in_scan timeout 15 gnutls-cli -d 4 --insecure "${starttls[@]}" \
    --priority "$prio" -p "$port" "$ip" </dev/null >"$work/cli.out" 2>&1
  python3 - "$work/cli.out" <<'PY'
import re, sys
out = open(sys.argv[1], errors="replace").read()
ids = {m.group(2): "0x" + m.group(1).replace(".", "").upper()
       for m in re.finditer(r"Keeping ciphersuite ([0-9a-f]{2}\.[0-9a-f]{2}) \((\S+)\)", out)}
desc = re.search(r"- Description: \((TLS1\.\d)-", out)
sel = re.search(r"Selected cipher suite: (\S+)", out)
if desc and sel and "Handshake was completed" in out:
    print("TLSv" + desc.group(1)[3:], ids.get(sel.group(1), "?"), "-")
else:
    alert = re.search(r"Received alert \[(\d+)\]", out)
    print("-", "-", alert.group(1) if alert else "none")
PY
}

# openssl_outcome IP PORT SERVICE PROFILE: "VERSION SUITE_ID -" or "- - -".
openssl_outcome() {
  local ip=$1 port=$2 svc=$3 args=()
  case $4 in
    openssl-modern) args=(-cipher DEFAULT:@SECLEVEL=2) ;;
    openssl-legacy) args=(-cipher ALL:@SECLEVEL=0 -legacy_server_connect) ;;
  esac
  case $svc in smtp|submission) args+=(-starttls smtp) ;; esac
  in_scan timeout 15 openssl s_client -connect "$ip:$port" -CAfile "$LAB_CA_FILE" "${args[@]}" \
    </dev/null >"$work/ossl.out" 2>&1
  local version cipher
  version=$(sed -n 's/^ *Protocol *: *\(TLSv[0-9.]*\)$/\1/p' "$work/ossl.out" | head -n1)
  # "New, SSLv3, Cipher is AES128-SHA" at TLS 1.2: the suite's own version.
  cipher=$(sed -n 's/^New, [A-Za-z0-9.]*, Cipher is \([A-Z0-9-]*\)$/\1/p' "$work/ossl.out" | head -n1)
  if [ -z "$cipher" ] || [ -z "$version" ]; then echo "- - -"; return; fi
  [ "$version" = TLSv1 ] && version=TLSv1.0
  # OpenSSL's name of the suite -> its IANA id.
  echo "$version $(openssl ciphers -V 'ALL:@SECLEVEL=0' | awk -v c="$cipher" \
    '$3 == c { split($1, b, ","); printf "0x%s%s\n", substr(b[1], 3), substr(b[2], 3); exit }') -"
}

# server_offer NAME: the versions and suite ids the priority string NAME
# enables, in the server's order ("VERS-TLS1.0 ... 0x0005 ...").
server_offer() {
  gnutls-cli --list --priority "$(gnutls_priority "$1")" | awk '
    /^TLS_/ { id = $2 $3; gsub(/0x|,/, "", id); ids = ids " 0x" toupper(id) }
    /^Protocols:/ { sub(/^Protocols: /, ""); gsub(/,/, ""); vers = $0 }
    END { print vers ids }'
}

run_checks() {
  # The documented offer of each priority string (gnutls_priorities.conf).
  local name want
  while read -r name want; do
    check "priority $name offers: $want" same <(server_offer "$name") <(echo "$want")
  done <<'EOF'
rc4 VERS-TLS1.0 0x0005
3des VERS-TLS1.2 VERS-TLS1.1 VERS-TLS1.0 0x000A
tls1.0 VERS-TLS1.0 0xC013 0x002F
tls1.1 VERS-TLS1.1 0xC014 0x0035
mix VERS-TLS1.2 VERS-TLS1.1 VERS-TLS1.0 0x0005 0x000A 0x002F 0x009C
EOF
  local ip port state svc server profile version id suite alert client got want_line
  local untested=0
  while IFS=$'\t' read -r -u 4 ip port state svc _ _ _ _; do
    [[ $ip == \#* ]] || [ "$state" != open ] && continue
    while IFS=$'\t' read -r -u 5 server profile version id suite alert client; do
      [[ $server == \#* ]] || [ "$server" != "${prio_of[$ip]}" ] && continue
      want_line="$version $id $alert"
      case $profile in
        openssl-*)
          got=$(openssl_outcome "$ip" "$port" "$svc" "$profile") ;;
        *)
          if [ "$client" = - ]; then untested=$((untested + 1)); continue; fi
          got=$(gnutls_outcome "$ip" "$port" "$svc" "$client") ;;
      esac
      check "$ip:$port $svc ${prio_of[$ip]} $profile: $want_line${suite:+ ($suite)}" \
        test "$got" = "$want_line" || echo "    got: $got"
    done 5<"$table"
  done 4<"$LAB_EXPECTED_TSV"
  echo "# rows no client here can offer (sslv3, sslv2, export), left to the raw probes: $untested"
  # Issue 14's headline server: the RC4-only one, through STARTTLS.
  check "openssl s_client fails on the RC4-only Exim even at security level 0" \
    test "$(openssl_outcome 10.77.0.100 25 smtp openssl-legacy)" = "- - -"
  tlsweep_checks
}

# Every raw-probe profile of the table (conf/tls_profiles.conf), in its order.
all_profiles() {
  awk -F'\t' '!/^#/ && $2 !~ /^openssl-/ && !seen[$2]++ { printf "%s%s", n++ ? "," : "", $2 }' \
    "$table"
}

tlsweep_checks() {
  local t0=$SECONDS profiles i ip port state svc
  profiles=$(all_profiles)
  : > "$work/targets.txt"; : > "$work/servers.txt"
  for i in "${!T_IP[@]}"; do
    [ "${T_GNUTLS[$i]}" = - ] && continue
    echo "${T_IP[$i]} ${T_GNUTLS[$i]} ${T_CERT[$i]}" >> "$work/servers.txt"
  done
  while IFS=$'\t' read -r ip port state svc _; do
    [[ $ip == \#* ]] || [ "$state" != open ] && continue
    echo "$ip,$port" >> "$work/targets.txt"
  done < "$LAB_EXPECTED_TSV"
  # --connect-rate 10: Exim refuses connections beyond smtp_accept_max
  # (default 20) until it has reaped the children of the last ones; eleven
  # probes per port at full speed (about 30 a second per address here) got
  # "421 too many connections" (server-busy) from the seventh on.
  in_scan "$tlsweep" grab -q --connect-rate 10 --ca-file "$LAB_CA_FILE" --raw-probes "$profiles" \
    -m "$work/grab-meta.json" < "$work/targets.txt" > "$work/grab.jsonl"
  in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" --tls-profile legacy --raw-probes none \
    < "$work/targets.txt" > "$work/legacy.jsonl"
  check "grab records validate (grab_record)" valid grab_record "$work/grab.jsonl" "$work/legacy.jsonl"
  check "grab metadata validates" valid grab_metadata "$work/grab-meta.json"
  check "one record per open port ($(wc -l < "$work/targets.txt"))" \
    test "$(wc -l < "$work/grab.jsonl")" = "$(wc -l < "$work/targets.txt")"
  "$tlsweep" report -q --csv-dir "$work/report" "$work/grab.jsonl" > /dev/null
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if (r["ip"], r["port"]) == ("10.77.0.100", 25):
        sys.stdout.write(line)' "$work/grab.jsonl" > "$work/rc4only.jsonl"
  "$tlsweep" report -q --csv-dir "$work/report-rc4" "$work/rc4only.jsonl" > /dev/null
  check "report: the RC4-only Exim's smtp/25 thunderbird31 RC4 share is 100.00%" \
    test "$(python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if (r["protocol"], r["port"], r["profile"]) == ("smtp", "25", "thunderbird31"):
        print(r["% RC4"])' "$work/report-rc4/raw_probes.csv")" = 100.00

  # tlsweep run over tlsweep's userspace TCP, on a STARTTLS and an
  # implicit-TLS port of every legacy server.
  cut -d' ' -f1 "$work/servers.txt" > "$work/run-targets.txt"
  in_scan "$tlsweep" run -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p 25,993 -I "$work/run-targets.txt" \
    --ca-file "$LAB_CA_FILE" --raw-probes "$profiles" --connect-rate 10 -q \
    -o "$work/run.jsonl" -m "$work/run-meta.json" 2> "$work/run.err" ||
    { echo "  run exited $?:"; tail -5 "$work/run.err"; }
  check "run records validate (grab_record)" valid grab_record "$work/run.jsonl"

  local verdict name got
  while IFS=$'\t' read -r verdict name got; do
    if [ "$verdict" = pass ]; then check "$name" true; else check "$name" false; echo "    got: $got"; fi
  done < <(python3 "$root/tests/lab/legacy_records_check.py" "$table" "$LAB_EXPECTED_TSV" \
             "$work/servers.txt" "$work/grab.jsonl" "$work/legacy.jsonl" \
             "$work/report/raw_probes.csv" "$work/run.jsonl")
  echo "# tlsweep's part took $((SECONDS - t0)) s"
}

lab_with run_checks
finish_checks legacy_lab $?
