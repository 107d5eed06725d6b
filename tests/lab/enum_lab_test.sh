#!/usr/bin/env bash
# `tlsweep grab --enumerate` (src/grab/enumeration.h) against the legacy lab
# (scripts/lab/legacy.conf: Exim over SMTP/SUBMISSION STARTTLS and SMTPS,
# gnutls-serv on implicit-TLS ports, each with a GnuTLS priority string of
# scripts/lab/gnutls_priorities.conf). Every enumeration is checked against
# the server's own priority string, expanded by GnuTLS itself
# (`gnutls-cli --list --priority STRING`: its suites in the server's order,
# each with the lowest version it runs at, and its versions):
#   - per version SSLv3 .. TLS 1.3: accepted exactly when the string enables
#     it, and the suites found equal the string's suites that run at it;
#   - the order flag: true when the string has %SERVER_PRECEDENCE and the
#     version has two suites or more, and then the suites in the string's
#     order; null with fewer than two;
#   - not truncated, and its connections as the record says;
# then the records and metadata validate against docs/schema, the
# metadata's totals equal the records', and `tlsweep report` counts the
# servers accepting TLS 1.0 and RC4 (4e. enumeration). The cost of each
# enumeration (connections, milliseconds) is printed for bench/RESULTS.md.
#
# usage: enum_lab_test.sh TLSWEEP_BINARY [INTERVAL_MS]
#   INTERVAL_MS: --enumerate-interval (default 100 here, to keep the test
#   short; the flag's default is the conservative 250). At 20 ms the three
#   ports of one Exim address drew 421 (server-busy) answers in one of three
#   runs on the loaded CI machine, and the enumeration then stops, as it
#   should (truncated, probe-error), failing the equality check.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
interval=${2:-100}
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"
export LAB_CONF=$root/scripts/lab/legacy.conf

# The description's per-address values (T_GNUTLS: the priority name).
source "$root/scripts/lab/conf.sh"
conf_load "$LAB_CONF"
declare -A prio_of
for i in "${!T_IP[@]}"; do prio_of[${T_IP[$i]}]=${T_GNUTLS[$i]}; done

run_checks() {
  # The targets: every open port of the legacy servers, with the name the
  # lab's certificates carry, and the priority string of each address.
  : > "$work/targets"
  : > "$work/priorities"
  local ip port state svc
  while IFS=$'\t' read -r ip port state svc _; do
    [[ $ip == \#* ]] || [ "$state" != open ] && continue
    [ -n "${prio_of[$ip]:-}" ] || continue
    echo "$ip,mail.lab.test,,$port" >> "$work/targets"
    printf '%s\t%s\t%s\n' "$ip" "${prio_of[$ip]}" "$(gnutls_priority "${prio_of[$ip]}")" \
      >> "$work/priorities"
  done < "$LAB_EXPECTED_TSV"
  check "legacy lab has open ports to enumerate ($(wc -l < "$work/targets"))" \
    test -s "$work/targets"

  local start end
  start=$(date +%s.%N)
  in_scan "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" --raw-probes none --enumerate \
    --enumerate-interval "$interval" -o "$work/records.jsonl" -m "$work/meta.json" \
    < "$work/targets"
  check "tlsweep grab --enumerate exits 0" test $? -eq 0
  end=$(date +%s.%N)
  echo "# grab --enumerate --enumerate-interval $interval:" \
    "$(wc -l < "$work/targets") ports in $(echo "$end - $start" | bc) s"

  # The server's truth per priority string: "VERSION ACCEPTED ORDER SUITES"
  # lines from gnutls-cli --list (its own expansion of the string).
  local prio
  cut -f3 "$work/priorities" | sort -u | while read -r prio; do
    gnutls-cli --list --priority "$prio" > "$work/list.$(echo "$prio" | sha256sum | cut -c1-16)"
  done

  check "grab: every enumeration equals its server's priority string" \
    python3 "$root/tests/lab/enum_check.py" "$work/records.jsonl" "$work/priorities" "$work" "$work/targets"
  check "records validate (grab_record)" valid grab_record "$work/records.jsonl"
  check "metadata validates (grab_metadata)" valid grab_metadata "$work/meta.json"
  check "metadata's enumeration totals equal the records'" python3 - "$work/records.jsonl" "$work/meta.json" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
meta = json.load(open(sys.argv[2]))
es = [e for r in records for d in r["data"].values() for e in [d["result"].get("enumeration")] if e]
want = {"recorded": len(es), "connections": sum(e["connections"] for e in es),
        "truncated": sum(e["truncated"] for e in es)}
got = {k: meta["enumerations"][k] for k in want}
print("    metadata: %s, per server %.1f" % (got, meta["enumerations"]["connections_per_server"]))
sys.exit(0 if got == want and meta["enumeration"]["enabled"] else 1)
PY

  # The report: the enumeration table counts the RC4 servers (rc4 and mix
  # accept RC4; rc4 has nothing else and mix puts it first) per port.
  mkdir -p "$work/report"
  "$tlsweep" report -q --csv-dir "$work/report" "$work/records.jsonl" > "$work/report.md" 2>&1
  check "report writes enumeration.csv" test -s "$work/report/enumeration.csv"
  check "report: RC4 accepted and preferred as the records say" python3 - \
    "$work/records.jsonl" "$work/report/enumeration.csv" <<'PY'
import csv, json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
rows = {(r["port"]): r for r in csv.DictReader(open(sys.argv[2]))}
bad = []
by_port = {}
for r in records:
    (module, d), = r["data"].items()
    e = d["result"]["enumeration"]
    acc = [v for v in e["versions"] if v["accepted"]]
    rc4 = any(s["cipher_class"] == "RC4" for v in acc for s in v["suites"])
    top = acc[0] if acc else None
    pref = bool(top and top["suites"][0]["cipher_class"] == "RC4" and
                (len(top["suites"]) == 1 or top["server_order"]))
    tls10 = any(v["version"] == "TLSv1" for v in acc)
    n = by_port.setdefault(str(r["port"]), [0, 0, 0, 0])
    n[0] += 1; n[1] += rc4; n[2] += pref; n[3] += tls10
for port, (servers, rc4, pref, tls10) in sorted(by_port.items()):
    row = rows.get(port)
    if row is None:
        bad.append("no row for port %s" % port); continue
    def share(k): return float(row[k])
    want = {"servers": servers, "% RC4": 100.0 * rc4 / servers,
            "% RC4 preferred": 100.0 * pref / servers, "% TLSv1": 100.0 * tls10 / servers}
    got = {"servers": int(row["servers"]), "% RC4": share("% RC4"),
           "% RC4 preferred": share("% RC4 preferred"), "% TLSv1": share("% TLSv1")}
    ok = got["servers"] == servers and all(abs(got[k] - want[k]) < 0.006 for k in want if k != "servers")
    print("    port %s: %s%s" % (port, got, "" if ok else " want %s" % want))
    if not ok: bad.append(port)
sys.exit(1 if bad else 0)
PY

  # The same through `tlsweep run` (DPDK scan, userspace TCP): the SMTPS
  # and IMAPS ports of every legacy address.
  grep -E ',(465|993)$' "$work/targets" > "$work/run_targets"
  in_scan "$tlsweep" run -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p 465,993 10.77.0.100-10.77.0.114 \
    --ca-file "$LAB_CA_FILE" --raw-probes none --enumerate --enumerate-interval "$interval" \
    -q -c 1 -o "$work/run.jsonl" -m "$work/run.json" 2> "$work/run.err"
  check "tlsweep run --enumerate exits 0" test $? -eq 0 || tail -5 "$work/run.err"
  check "run: records validate (grab_record)" valid grab_record "$work/run.jsonl"
  check "run: metadata validates (run_metadata)" valid run_metadata "$work/run.json"
  check "run: every enumeration equals its server's priority string" \
    python3 "$root/tests/lab/enum_check.py" "$work/run.jsonl" "$work/priorities" "$work" "$work/run_targets"
}

lab_with run_checks
finish_checks enum_lab $?
