#!/usr/bin/env bash
# The published schema against the records the real builders make: runs
# output_test with TLSWEEP_RECORDS_DIR so it writes every record it builds
# (each grab status, each protocol's fields, TLS with a chain, not_grabbed,
# each scan classification), validates them with scripts/validate_records.py,
# then breaks one record on purpose and expects the validator to fail naming
# the offending field's path.
#
# usage: schema_test.sh OUTPUT_TEST PYTHON3 VALIDATE_RECORDS_PY
set -uo pipefail
output_test=$1 python=$2 validator=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

TLSWEEP_RECORDS_DIR=$dir "$output_test" --gtest_brief=1 > "$dir/gtest.log" 2>&1 ||
  { cat "$dir/gtest.log"; fail "output_test"; }
echo "records built: $(wc -l < "$dir/grab_records.jsonl") grab/run, $(wc -l < "$dir/scan_results.jsonl") scan"

"$python" "$validator" grab_record "$dir/grab_records.jsonl" || fail "grab records do not validate"
"$python" "$validator" scan_result "$dir/scan_results.jsonl" || fail "scan answers do not validate"
"$python" "$validator" passive_record "$dir/passive_records.jsonl" || fail "passive records do not validate"
# Passive records and metadata of a real `tlsweep passive` run are validated
# by tests/passive/passive_cli_test.sh (also in this suite); the report's
# hand-made passive records (its connections fixture) must be records
# tlsweep passive could write.
root=$(cd "$(dirname "$0")/../.." && pwd)
"$python" "$validator" passive_record "$root/tests/report/testdata/passive.jsonl" ||
  fail "the report's passive fixture does not validate"

# Every grab status and protocol family, and both not_grabbed reasons, were
# built (a schema test that validates nothing proves nothing).
"$python" - "$dir/grab_records.jsonl" <<'PY' || fail "records do not cover every status and module"
import json, sys
statuses, modules, reasons = set(), set(), set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "not_grabbed" in r:
        reasons.add(r["not_grabbed"]); continue
    (m, g), = r["data"].items()
    statuses.add(g["status"]); modules.add(m)
want = {"success", "connection-refused", "connection-timeout", "connection-closed", "io-timeout",
        "protocol-error", "application-error", "server-busy", "starttls-refused", "no-starttls", "tls-error",
        "too-much-data", "unknown-error"}
missing = (want - statuses) | ({"smtp", "smtps", "imap", "imaps", "pop3", "xmpp", "xmpp-server", "irc"} - modules) \
    | ({"queue-full", "interrupted"} - reasons)
print("missing:", sorted(missing)) if missing else None
sys.exit(1 if missing else 0)
PY

# A deliberately broken record: the leaf's key size as text and a field the
# schema does not know. The validator must fail and name both paths.
"$python" - "$dir/grab_records.jsonl" > "$dir/broken.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    g = r.get("data", {}).get("smtp", {})
    if "tls" in g.get("result", {}) and "server_certificates" in g["result"]["tls"]["handshake_log"]:
        g["result"]["tls"]["handshake_log"]["server_certificates"]["chain"][0]["parsed"]["subject_key_info"]["key_bits"] = "2048"
        g["result"]["starttls"]["surprise"] = True
        print(json.dumps(r))
        break
PY
if "$python" "$validator" grab_record "$dir/broken.jsonl" > "$dir/broken.out"; then
  fail "the broken record validated"
fi
echo "broken record, as the validator reports it:"
cat "$dir/broken.out"
grep -q "broken.jsonl:1: data.smtp.result.tls.handshake_log.server_certificates.chain\[0\].parsed.subject_key_info.key_bits: '2048' is not of type 'integer', 'null'" "$dir/broken.out" ||
  fail "the validator did not name key_bits"
grep -q "broken.jsonl:1: data.smtp.result.starttls.surprise: unknown field" "$dir/broken.out" ||
  fail "the validator did not name the unknown field"

[ "$failed" -eq 0 ] && echo "schema: all records validate; the broken one is caught"
exit "$failed"
