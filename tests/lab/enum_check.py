#!/usr/bin/env python3
"""Checks `tlsweep ... --enumerate` records against GnuTLS priority strings.

usage: enum_check.py RECORDS PRIORITIES LISTS TARGETS

RECORDS: the records (JSON Lines). PRIORITIES: "ip<TAB>name<TAB>string" lines,
the priority string each address's server runs. LISTS: a directory with
list.<first 16 hex digits of sha256(string + "\n")>, the output of
`gnutls-cli --list --priority STRING` (GnuTLS's own expansion: its suites in
the server's order, each with the lowest version it runs at, and its
versions). TARGETS: "ip,name,,port" lines, each of which must have a record.

Per record and version (TLS 1.3 down to SSLv3): accepted exactly when the
string enables the version and has a suite for it; the suites found equal the
string's; server_order true when the string has %SERVER_PRECEDENCE, false when
not, null with fewer than two suites; then the suites in the string's order.
Not truncated, every version complete. Prints each enumeration's cost; exits 1
on any difference. Used by tests/lab/enum_lab_test.sh and
tests/grab/enum_gnutls_test.sh.
"""
import hashlib, json, re, sys
records = [json.loads(l) for l in open(sys.argv[1])]
prio, name = {}, {}
for l in open(sys.argv[2]):
    ip, n, string = l.rstrip("\n").split("\t")
    prio[ip], name[ip] = string, n
work = sys.argv[3]
targets = [l.strip() for l in open(sys.argv[4]) if l.strip()]
order = ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"]
gnutls_version = {"VERS-SSL3.0": "SSLv3", "VERS-TLS1.0": "TLSv1", "VERS-TLS1.1": "TLSv1.1",
                  "VERS-TLS1.2": "TLSv1.2", "VERS-TLS1.3": "TLSv1.3"}
rank = {"SSL3.0": 0, "TLS1.0": 1, "TLS1.1": 2, "TLS1.2": 3, "TLS1.3": 4}
rank_of = {"SSLv3": 0, "TLSv1": 1, "TLSv1.1": 2, "TLSv1.2": 3, "TLSv1.3": 4}

def truth(string):
    text = open("%s/list.%s" % (work, hashlib.sha256((string + "\n").encode()).hexdigest()[:16])).read()
    suites = []  # (id, lowest version) in the server's order
    for m in re.finditer(r"^TLS_\S+\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})\s+(\S+)$", text, re.M):
        suites.append(("0x" + (m.group(1) + m.group(2)).upper(), m.group(3)))
    protocols = re.search(r"^Protocols: (.*)$", text, re.M).group(1).split(", ")
    versions = {gnutls_version[p] for p in protocols if p in gnutls_version}
    per = {}
    for v in order:
        # TLS 1.3 suites run at TLS 1.3 only, the others up to TLS 1.2.
        per[v] = [s for s, low in suites if v in versions and rank[low] <= rank_of[v] and
                  (low == "TLS1.3") == (v == "TLSv1.3")]
    return per, "%SERVER_PRECEDENCE" in string

bad = []
seen = set()
for r in records:
    if "data" not in r:
        continue
    (module, d), = r["data"].items()
    key = "%s:%d" % (r["ip"], r["port"])
    seen.add(key)
    e = d["result"].get("enumeration")
    if e is None:
        bad.append("%s %s: no enumeration (status %s, %s)" % (key, module, d["status"], d.get("error")))
        continue
    per, server_order = truth(prio[r["ip"]])
    if e["truncated"]:
        bad.append("%s: truncated (%s %s)" % (key, e.get("stopped"), e.get("error", "")))
    got_versions = [v["version"] for v in e["versions"]]
    if got_versions != order:
        bad.append("%s: versions %s" % (key, got_versions))
    for v in e["versions"]:
        want = per[v["version"]]
        got = [s["hex"] for s in v["suites"]]
        if v["accepted"] != bool(want):
            bad.append("%s %s: accepted %s, the string has %s" % (key, v["version"], v["accepted"], want))
        if set(got) != set(want) or len(got) != len(want):
            bad.append("%s %s: suites %s, the string's %s" % (key, v["version"], got, want))
        if not v["complete"]:
            bad.append("%s %s: not complete" % (key, v["version"]))
        want_order = None if len(want) < 2 else server_order
        if v["server_order"] != want_order:
            bad.append("%s %s: server_order %s, want %s" % (key, v["version"], v["server_order"], want_order))
        if want_order and got != want:
            bad.append("%s %s: order %s, the string's %s" % (key, v["version"], got, want))
    print("    %-20s %-10s %-8s %3d connections %6d ms  %s" % (
        key, module, name[r["ip"]], e["connections"], e["milliseconds"],
        " ".join("%s:%d" % (v["version"], len(v["suites"])) for v in e["versions"] if v["accepted"])))
missing = [t for t in targets if "%s:%s" % (t.split(",")[0], t.split(",")[3]) not in seen]
if missing:
    bad.append("no record for %s" % missing)
for b in bad:
    print("    " + b)
sys.exit(1 if bad else 0)
