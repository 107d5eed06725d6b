#!/usr/bin/env python3
"""tlsweep's own records in the legacy lab against tests/lab/legacy_expected.tsv.

legacy_lab_test.sh checks every row of legacy_expected.tsv against gnutls-cli
and openssl s_client, run live on each legacy server; this script checks
tlsweep's records of the same servers against the same rows, so a record
that passes here agrees with what those clients negotiated:

  - each raw probe (result.raw_probes[], one per --raw-probes profile):
    status, and the negotiated version and suite, or the alert received;
  - the grab's own OpenSSL handshake (result.tls) against the
    openssl-modern / openssl-legacy rows (--tls-profile modern / legacy);
  - each successful TLS <= 1.2 probe carries the chain and its validation,
    and the validation equals the full handshake's where there is one
    (the same verification code, the same trust store: --ca-file);
  - `tlsweep report --csv-dir` over the records: the raw-probe table's
    server hellos and RC4 share of every port and profile, computed here
    from the rows.

Prints one line per check, "pass<TAB>name" or "fail<TAB>name<TAB>got",
each naming server, port, profile and field; the caller counts them.

usage: legacy_records_check.py TABLE LAB_EXPECTED_TSV SERVERS RECORDS
           LEGACY_RECORDS REPORT_CSV [RUN_RECORDS]
  TABLE            tests/lab/legacy_expected.tsv
  LAB_EXPECTED_TSV the lab's open ports (ip, port, state, service, ...)
  SERVERS          "ip priority cert" per line (scripts/lab/legacy.conf)
  RECORDS          grab --raw-probes <every profile> (--tls-profile modern)
  LEGACY_RECORDS   grab --tls-profile legacy --raw-probes none
  REPORT_CSV       raw_probes.csv of `tlsweep report` over RECORDS
  RUN_RECORDS      optional: `tlsweep run` records of some of the same ports,
                   whose raw probes must equal the grab's
"""
import csv
import json
import sys

RC4_SUITES = {"0x0004", "0x0005", "0x0018", "0xC002", "0xC007", "0xC011", "0xC016"}


def out(ok, name, got=""):
    print("pass\t%s" % name if ok else "fail\t%s\t%s" % (name, got))


def version_name(tsv_version):
    # The table writes TLSv1.0, the records OpenSSL's SSL_get_version names.
    return "TLSv1" if tsv_version == "TLSv1.0" else tsv_version


def load_records(path):
    records = {}
    for line in open(path):
        r = json.loads(line)
        ((module, data),) = r["data"].items()
        records[(r["ip"], str(r["port"]))] = data
    return records


def hello(log):
    sh = (log or {}).get("server_hello")
    if not sh:
        return None
    return sh["version"]["name"], sh["cipher_suite"]["hex"]


def main():
    table_path, lab_tsv, servers_path, records_path, legacy_path, report_csv = sys.argv[1:7]
    run_path = sys.argv[7] if len(sys.argv) > 7 else None

    rows = {}
    for line in open(table_path):
        if line.startswith("#") or not line.strip():
            continue
        server, profile, version, suite_id, _suite, alert, _client = line.rstrip("\n").split("\t")
        rows.setdefault(server, []).append((profile, version, suite_id, alert))
    prio, cert = {}, {}
    for line in open(servers_path):
        ip, p, c = line.split()
        prio[ip], cert[ip] = p, c
    ports = []
    for line in open(lab_tsv):
        f = line.rstrip("\n").split("\t")
        if line.startswith("#") or len(f) < 4 or f[2] != "open" or f[0] not in prio:
            continue
        ports.append((f[0], f[1], f[3]))
    records = load_records(records_path)
    legacy = load_records(legacy_path)

    # (service, port) -> profile -> [server hellos, RC4 choices], from the rows.
    expected_share = {}
    for ip, port, svc in ports:
        server = prio[ip]
        where = "%s:%s %s %s" % (ip, port, svc, server)
        data = records.get((ip, port))
        out(data is not None, "%s: a record" % where, "none")
        if data is None:
            continue
        result = data["result"]
        probes = {p["profile"]: p for p in result.get("raw_probes", [])}
        for profile, version, suite_id, alert in rows[server]:
            name = "%s %s" % (where, profile)
            if profile.startswith("openssl-"):
                d = data if profile == "openssl-modern" else legacy.get((ip, port))
                tls = (d or {}).get("result", {}).get("tls", {})
                got = hello(tls.get("handshake_log")) if tls.get("handshake_complete") else None
                want = (version_name(version), suite_id) if version != "-" else None
                out(got == want, "%s (full handshake) version and suite: %s" % (name, want),
                    got)
                continue
            p = probes.get(profile)
            out(p is not None, "%s: a raw probe" % name, sorted(probes))
            if p is None:
                continue
            log = p.get("handshake_log", {})
            got_hello = hello(log)
            got_alert = p.get("alert", {}).get("value")
            if alert == "-":
                out(p["status"] == "success", "%s status: success" % name, p["status"])
                out(got_hello is not None and got_hello[0] == version_name(version),
                    "%s version: %s" % (name, version_name(version)), got_hello)
                out(got_hello is not None and got_hello[1] == suite_id,
                    "%s suite: %s" % (name, suite_id), got_hello)
                counts = expected_share.setdefault((svc, port), {}).setdefault(profile, [0, 0])
                counts[0] += 1
                counts[1] += suite_id in RC4_SUITES
                # The chain of a TLS <= 1.2 answer, verified like the full
                # handshake's (the lab CA via --ca-file).
                certs = log.get("server_certificates", {})
                out(len(certs.get("chain", [])) > 0, "%s chain: sent" % name, certs)
                validation = certs.get("validation")
                out(validation is not None and
                    validation["browser_trusted"] == (cert[ip] == "valid"),
                    "%s validation.browser_trusted: %s" % (name, cert[ip] == "valid"),
                    validation)
                full = (legacy.get((ip, port)) or {}).get("result", {}).get("tls", {})
                full_validation = full.get("handshake_log", {}).get(
                    "server_certificates", {}).get("validation")
                if full_validation is not None:
                    out(validation == full_validation,
                        "%s validation == the full handshake's" % name,
                        (validation, full_validation))
            elif alert == "?":
                # No reference client can send this hello (GnuTLS 3.7.9 has no
                # SSL 3.0, SSLv2 or export suites): the table says only that
                # the handshake fails.
                out(p["status"] != "success" and got_hello is None,
                    "%s status: not success (no ServerHello)" % name,
                    (p["status"], got_hello, got_alert))
            else:
                out(p["status"] == "tls-error", "%s status: tls-error" % name, p["status"])
                out(got_hello is None, "%s version and suite: none" % name, got_hello)
                out(str(got_alert) == alert, "%s alert: %s" % (name, alert), got_alert)

    # The report's raw-probe table, cell by cell for the columns the rows
    # decide: server hellos and the RC4 share.
    seen = set()
    for row in csv.DictReader(open(report_csv)):
        key = (row["protocol"], row["port"])
        profile = row["profile"]
        hellos, rc4 = expected_share.get(key, {}).get(profile, [0, 0])
        share = "%.2f" % (100.0 * rc4 / hellos) if hellos else "-"
        name = "report %s/%s %s" % (key[0], key[1], profile)
        out(row["server hellos"] == str(hellos), "%s server hellos: %d" % (name, hellos),
            row["server hellos"])
        out(row["% RC4"] == share, "%s %% RC4: %s" % (name, share),
            row["% RC4"])
        seen.add((key, profile))
    for key, profiles in sorted(expected_share.items()):
        for profile in sorted(profiles):
            out((key, profile) in seen, "report %s/%s %s: a row" % (key[0], key[1], profile),
                "missing")

    if run_path:
        # `tlsweep run` drives the same sessions over tlsweep's own TCP: its
        # probes must record what the grab's recorded.
        def probe_facts(p):
            log = p.get("handshake_log", {})
            return (p["status"], hello(log), p.get("alert", {}).get("value"),
                    log.get("server_certificates", {}).get("validation"))
        run = load_records(run_path)
        for (ip, port), data in sorted(run.items()):
            g = records.get((ip, port))
            if g is None:
                continue
            rp = [probe_facts(p) for p in data["result"].get("raw_probes", [])]
            gp = [probe_facts(p) for p in g["result"].get("raw_probes", [])]
            out(rp == gp and len(rp) > 0,
                "%s:%s run's raw probes == grab's (%d probes)" % (ip, port, len(gp)), rp)
        out(len(run) > 0, "run: records", 0)


main()
