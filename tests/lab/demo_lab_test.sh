#!/usr/bin/env bash
# The demo's lab end to end: brings up scripts/lab/demo.conf, runs
# `tlsweep run` over the whole lab range and every default port as
# scripts/demo.sh does, writes the report, and checks
# 1. one record per open port of the description (expected_open.txt);
# 2. the report's CSV tables against expected_report.json, which
#    scripts/lab/conf.sh derives from the description alone: per port the
#    open servers, TLS/STARTTLS offered, grab statuses, completed
#    handshakes, TLS versions, the shares without forward secrecy and with
#    CBC, chains that verify / are self-signed / expired / for another name
#    (the run names every server: --names names.csv), DHE server hellos and those at
#    or below 1024 bits, key and certificate reuse, plaintext auth before
#    TLS, LOGINDISABLED on 143 and the mechanism combinations in the order
#    offered before and after TLS on the mail ports (587: PLAIN LOGIN, LOGIN PLAIN, PLAIN,
#    CRAM-MD5 PLAIN LOGIN, DIGEST-MD5 CRAM-MD5);
# 3. the HTML page renders in headless Chromium: a screenshot, no console
#    message (the page has no script: any message is an error), and the
#    rendered DOM holds every table and chart of the page;
# 4. after teardown no tls-* namespace is left.
#
# usage: demo_lab_test.sh TLSWEEP_BINARY
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tlsweep=$(realpath "$1")
export LAB_CONF=$root/scripts/lab/demo.conf
source "$root/scripts/lab/lib.sh"
source "$root/tests/lab/checks.sh"

# The default ports of `tlsweep run` (the module registry's), as demo.sh.
PORTS=25,587,465,143,993,110,995,5222,5269,5223,6667,6697

# compare_report EXPECTED CSV_DIR: every expectation against the CSV tables;
# prints one line per mismatch and a count, fails on any mismatch.
compare_report() {
  python3 - "$1" "$2" <<'PY'
import csv, json, os, sys
expected = json.load(open(sys.argv[1]))
csv_dir = sys.argv[2]
bad, checked = [], 0

def table(name):
    path = os.path.join(csv_dir, name + ".csv")
    if not os.path.exists(path):
        bad.append("no table %s.csv" % name)
        return []
    return list(csv.DictReader(open(path, newline="")))

tables = {n: table(n) for n in ("overview", "versions", "ciphers", "certificates", "dh_sizes",
                                 "key_reuse", "plaintext_auth", "auth_combinations")}

def rows(name, port, **match):
    return [r for r in tables[name] if r.get("port") == str(port)
            and all(r.get(k) == v for k, v in match.items())]

def num(v):
    if v in (None, "", "-"):
        return 0
    return float(v) if "." in v else int(v)

def expect(what, got, want):
    global checked
    checked += 1
    if got != want:
        bad.append("%s: report %r, description %r" % (what, got, want))

def cell(name, port, column, want, **match):
    r = rows(name, port, **match)
    if not r:
        if want in (0, {}, None):
            return
        bad.append("%s: no row for port %s %s" % (name, port, match or ""))
        return
    if column not in r[0]:
        bad.append("%s: no column %r (columns: %s)" % (name, column, ", ".join(r[0])))
        return
    expect("%s port %s %s" % (name, port, column), num(r[0][column]), want)

def share(n, of):
    return round(100.0 * n / of, 2) if of else 0

for g in expected["ports"]:
    p = g["port"]
    cell("overview", p, "open", g["open"])
    cell("overview", p, "TLS / STARTTLS offered", g["tls_offered"])
    cell("overview", p, "handshake completed", g["handshake_complete"])
    for status, n in g["status"].items():
        cell("overview", p, "status: " + status, n)
    for version, n in g["versions"].items():
        cell("versions", p, "server hellos", n, profile="modern", version=version)
    cell("ciphers", p, "server hellos", g["server_hellos"])
    cell("ciphers", p, "without forward secrecy %",
         share(g["without_forward_secrecy"], g["server_hellos"]))
    cell("ciphers", p, "CBC %", share(g["cbc"], g["server_hellos"]))
    cell("certificates", p, "chains", g["chains"])
    cell("certificates", p, "verifies", g["verifies"])
    cell("certificates", p, "self-signed", g["self_signed"])
    cell("certificates", p, "expired", g["expired"])
    cell("certificates", p, "expired %", share(g["expired"], g["chains"]))
    # --names names every server: a wrong name verifies but mismatches.
    cell("certificates", p, "name mismatch", g["wrong_name"])
    cell("certificates", p, "name not checked", 0)
    dhe = sum(g["dhe"].values())
    cell("dh_sizes", p, "DHE server hellos", dhe)
    cell("dh_sizes", p, "at or below 1024 bits", g["dhe_at_most_1024"])
    if g["chains"]:
        cell("key_reuse", p, "distinct keys", g["distinct_keys"])
        cell("key_reuse", p, "servers sharing their key", g["servers_sharing_their_key"])
        cell("key_reuse", p, "largest key group", max(list(g["shared_keys"].values()) + [1]))
        cell("key_reuse", p, "distinct certificates", g["distinct_certificates"])
        cell("key_reuse", p, "servers sharing their certificate",
             g["servers_sharing_their_certificate"])
        cell("key_reuse", p, "largest certificate group", g["largest_certificate_group"])
    if g["auth_before_tls"]:
        cell("plaintext_auth", p, "listings before TLS", sum(g["auth_before_tls"].values()))
        cell("plaintext_auth", p, "plaintext before TLS", g["plaintext_auth_before_tls"])
    if "login_disabled" in g:
        cell("plaintext_auth", p, "LOGINDISABLED", g["login_disabled"])
    for side, key in (("before TLS", "auth_before_tls"), ("after TLS", "auth_after_tls")):
        if not g[key]:
            continue
        got = {("" if r["mechanisms (in the order offered)"] == "none offered"
                else r["mechanisms (in the order offered)"]): num(r["servers"])
               for r in rows("auth_combinations", p, side=side)}
        expect("auth_combinations port %s %s" % (p, side), got, g[key])

for line in bad:
    print("  mismatch: " + line)
print("  %d expectations checked, %d mismatches" % (checked, len(bad)))
sys.exit(1 if bad or checked < 100 else 0)
PY
}

# chromium_render HTML OUT_PREFIX: screenshot (OUT.png), console log
# (OUT.log) and rendered DOM (OUT.dom) of a local page.
chromium_render() {
  local html=$1 out=$2 profile
  profile=$(mktemp -d)
  # shellcheck disable=SC2054  # the comma is --window-size's
  local flags=(--headless --no-sandbox --disable-gpu --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1280,4000)
  timeout 120 chromium "${flags[@]}" --screenshot="$out.png" "file://$html" \
    > /dev/null 2> "$out.log"
  timeout 120 chromium "${flags[@]}" --dump-dom "file://$html" > "$out.dom" 2>> "$out.log"
  rm -rf "$profile"
}

run_tests() {
  local out=$work/out
  mkdir -p "$out/csv"
  # --no-blocklist: the lab lives in 10.77.0.0/16 (private space, which the
  # default blocklist excludes); only the lab's namespaces are reachable.
  ip netns exec "$LAB_SCAN_NS" "$tlsweep" run -i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" \
    -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$PORTS" --ca-file "$LAB_CA_FILE" \
    --names "$LAB_NAMES" --xmpp-domain xmpp.lab.test --seed 77 -r 5000 -c 2 -q \
    -o "$out/records.jsonl" -m "$out/metadata.json" "$LAB_RANGE" 2> "$out/run.err"
  check "tlsweep run over $LAB_RANGE exits 0" test $? -eq 0
  check "the records validate (grab_record)" valid grab_record "$out/records.jsonl"
  check "the metadata validates (run_metadata)" valid run_metadata "$out/metadata.json"
  tail -3 "$out/run.err" | sed 's/^/  /'
  check "one record per open port of demo.conf ($(wc -l < "$LAB_EXPECTED_OPEN"))" \
    same <(python3 -c "
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line); print('%s,%s' % (r['ip'], r['port']))" "$out/records.jsonl" | LC_ALL=C sort) \
    "$LAB_EXPECTED_OPEN"

  "$tlsweep" report -q --top-combinations 50 --metadata "$out/metadata.json" \
    --csv-dir "$out/csv" --html "$out/report.html" "$out/records.jsonl" \
    > "$out/report.md" 2> "$out/report.err"
  check "tlsweep report exits 0" test $? -eq 0
  check "the Markdown report has the overview" grep -q "Scan overview" "$out/report.md"
  check "the report's tables match expected_report.json" \
    compare_report "$LAB_STATE/expected_report.json" "$out/csv"

  if command -v chromium > /dev/null; then
    chromium_render "$out/report.html" "$out/shot"
    check "headless Chromium made a screenshot" \
      test "$(stat -c %s "$out/shot.png" 2> /dev/null || echo 0)" -gt 20000
    check "no console message while rendering" \
      test -z "$(grep ':CONSOLE' "$out/shot.log" | tee /dev/stderr)"
    local tables svgs
    tables=$(grep -o '<table' "$out/report.html" | wc -l)
    svgs=$(grep -o '<svg' "$out/report.html" | wc -l)
    check "the rendered page holds its $tables tables and $svgs charts" \
      test "$(grep -o '<table' "$out/shot.dom" | wc -l)" -eq "$tables" -a \
           "$(grep -o '<svg' "$out/shot.dom" | wc -l)" -eq "$svgs" -a "$tables" -gt 10
  else
    check "chromium is installed (scripts/lib/deps.sh TEST_PACKAGES)" false
  fi
}

lab_with run_tests
rc=$?
left=$(ip netns list | awk '{print $1}' | grep '^tls-' || true)
check "teardown: no tls- namespace left" test -z "$left"
finish_checks demo "$rc"
