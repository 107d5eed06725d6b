#!/usr/bin/env bash
# `tlsweep passive` on hand-made hostile captures (passive_hostile_capture.cc,
# one scenario per file): a 96-byte snaplen, reordered, duplicated and
# overlapping segments, connections first seen mid-stream, ClientHellos
# split over segments and over records, and 100k concurrent flows against
# the flow table's bounds. Each run's records and metadata validate against
# docs/schema/ and say exactly what the capture held (counts by reason); no
# output holds the credentials the captures carry.
#
# usage: passive_hostile_test.sh TLSWEEP HOSTILE_CAPTURE PYTHON3 VALIDATE_RECORDS_PY
set -uo pipefail
tlsweep=$1 capture=$2 python=$3 validator=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# The secrets of passive_hostile_capture.cc, raw and base64.
secrets=(mallory.hostile.user Hostile-Pa55-QWERTY mallory@hostile.example bob@hostile.example
         AG1hbGxvcnkuaG9zdGlsZS51c2VyAEhvc3RpbGUtUGE1NS1RV0VSVFk=)

# run SCENARIO [N] [FLAGS...]: capture, tlsweep passive (its peak RSS in
# $dir/NAME.rss, KiB), schema validation and the secret grep. NAME is the
# scenario, or $name when set.
run() {
  local scenario=$1; shift
  local n=""
  if [ "$scenario" = flows ]; then n=$1; shift; fi
  local name=${name:-$scenario}
  [ -f "$dir/$scenario$n.pcap" ] || "$capture" "$scenario" "$dir/$scenario$n.pcap" $n ||
    { fail "passive_hostile_capture $scenario"; return; }
  "$python" -c '
import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$dir/$name.rss" "$tlsweep" passive -q -r "$dir/$scenario$n.pcap" \
    -o "$dir/$name.jsonl" -m "$dir/$name.meta" "$@" 2> "$dir/$name.stderr" ||
    fail "$name: tlsweep passive exited $?"
  # The schema check is slow in Python (~2 ms a record): 1000 records of a
  # big run are enough for its shape.
  head -n 1000 "$dir/$name.jsonl" > "$dir/$name.sample.jsonl"
  "$python" "$validator" passive_record "$dir/$name.sample.jsonl" || fail "$name: records do not validate"
  "$python" "$validator" passive_metadata "$dir/$name.meta" || fail "$name: metadata does not validate"
  for s in "${secrets[@]}"; do
    if grep -qiF -- "$s" "$dir/$name.jsonl" "$dir/$name.meta" "$dir/$name.stderr"; then
      fail "$name: an output contains '$s'"
    fi
  done
}

# check NAME: the python on stdin with the records (lines; recs by client
# port, connections as (client, port)), meta and check(cond, what).
check() {
  local name=$1
  "$python" - "$dir/$name.jsonl" "$dir/$name.meta" "$name" <<PY || fail "$name: records say something else"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
recs = {r["client_port"]: r for r in lines}  # the scenarios' client ports are distinct
connections = {(r["client_ip"], r["client_port"]) for r in lines}
meta = json.load(open(sys.argv[2]))
ok = True
def check(cond, what):
    global ok
    if not cond:
        print(sys.argv[3] + ": wrong:", what); ok = False
$(cat)
sys.exit(0 if ok else 1)
PY
}

# A 96-byte snaplen keeps 42 payload bytes of a frame. What was kept is
# read, each cut tail is one snaplen gap (in the direction and of the
# length cut), and no line is made of a cut line's head: the EHLO reply's
# first 42 bytes are whole lines but the reply never ends, so no listing;
# the server's "220 Ready" after the gap is skipped to the next line end
# (a gap may end mid-line), so STARTTLS is attempted, not seen accepted,
# and the cut ClientHello is never parsed.
run snaplen
check snaplen <<'PY'
check(sorted(recs) == [40100, 40101], f"records {sorted(recs)}")
sub, pop = recs[40100], recs[40101]
check(sub["result"] == {"banner": "220 mx.lab ESMTP", "gap_in_dialogue": True, "implicit_tls": False,
                        "starttls": {"accepted": False, "attempted": True, "offered": False},
                        "tls_started": False}, f"submission {sub['result']}")
# Cut: the EHLO reply (83 - 42) and the flight (51 - 42); the ClientHello.
check((sub["streams"]["server"]["gaps"], sub["streams"]["server"]["gap_bytes"]) == (2, 41 + 9),
      f"submission server gaps {sub['streams']['server']}")
check(sub["streams"]["client"]["gaps"] == 1 and sub["streams"]["client"]["gap_bytes"] > 0,
      f"submission client gaps {sub['streams']['client']}")
check(sub["flow_end"] == "fin" and pop["flow_end"] == "fin", "the FINs were whole")
# POP3: every client line fits; the server's last reply is cut, so the
# login is flagged but its outcome is unknown.
check(pop["result"]["auth"] == {"before_tls": True, "method": "pop3-user", "plaintext_credentials": True},
      f"pop3 auth {pop['result'].get('auth')}")
check(pop["result"]["banner"] == "+OK Dovecot ready.", "pop3 banner")
check((pop["streams"]["server"]["gaps"], pop["streams"]["server"]["gap_bytes"]) == (1, 27),
      f"pop3 server gaps {pop['streams']['server']}")
check(pop["streams"]["client"]["gaps"] == 0, "pop3 client whole")
r = meta["reassembly"]
check(r["gaps"] == 4 and r["gaps_by_reason"] == {"acked-by-peer": 0, "buffer-full": 0, "no-buffer": 0,
                                                  "connection-end": 0, "snaplen": 4}, f"gaps {r}")
check(meta["snaplen_truncated"] == 4 and meta["frames_dropped"] == {}, "cut frames counted, none dropped")
PY

# Reordered: the SMTP EHLO in three segments (two wait) and its reply in
# two (one waits) come out whole; an SMTPS ClientHello in three segments,
# last first, parses as the whole one does (split, below).
run reorder
check reorder <<'PY'
check(sorted(recs) == [40200, 40201], f"records {sorted(recs)}")
smtp, smtps = recs[40200], recs[40201]
check(smtp["result"]["before_tls"] == {"auth_mechanisms": ["PLAIN", "LOGIN"],
                                       "capabilities": ["STARTTLS", "AUTH PLAIN LOGIN"]},
      f"smtp listing {smtp['result'].get('before_tls')}")
check(smtp["result"]["starttls"]["offered"] is True, "starttls offered")
check(smtp["streams"]["client"]["out_of_order"] == 2 and smtp["streams"]["server"]["out_of_order"] == 1,
      f"out of order {smtp['streams']}")
check(smtp["streams"]["client"]["bytes"] == 17 + 6, "client bytes: EHLO and QUIT")
ch = smtps["result"]["tls"]["client_hello"]
check(ch["parse"] == "ok" and ch["server_name"] == "reorder.lab", f"client hello {ch.get('parse')}")
check(smtps["result"]["tls"]["handshake_log"]["server_hello"]["cipher_suite"]["value"] == 5, "suite")
check(smtps["streams"]["client"]["out_of_order"] == 1, "hello segments waited")
r = meta["reassembly"]
check(r["out_of_order_segments"] == 4 and r["gaps"] == 0 and r["overlaps_differing"] == 0, f"reassembly {r}")
PY

# Every frame twice: the same record as once, each data segment's copy
# counted as a retransmission; the copies after the flow ended are strays.
run duplicate
check duplicate <<'PY'
check(sorted(recs) == [40300], f"records {sorted(recs)}")
pop = recs[40300]
check(pop["result"]["auth"] == {"before_tls": True, "method": "pop3-user", "plaintext_credentials": True,
                                "succeeded": True}, f"pop3 auth {pop['result'].get('auth')}")
check(pop["result"]["before_tls"]["capabilities"] == ["CAPA", "USER", "STLS"], "capabilities once")
check(pop["streams"]["client"]["retransmitted"] == 3 and pop["streams"]["server"]["retransmitted"] == 4,
      f"retransmissions {pop['streams']}")
check(pop["streams"]["client"]["bytes"] == 6 + 27 + 26, "client bytes once")
check(meta["reassembly"]["retransmitted_segments"] == 7 and meta["reassembly"]["gaps"] == 0, "meta")
check(meta["packets"] == 26 and meta["segments"]["stray"] == 3, f"packets {meta['packets']} {meta['segments']}")
PY

# Overlaps: the buffered AUTH line's tail overlapped by a copy that says
# LOGIN where it said PLAIN: the first copy wins (mechanism PLAIN), the
# difference is counted. A delivered EHLO retransmitted with other bytes
# is not compared (delivered bytes are not kept): a retransmission.
run overlap
check overlap <<'PY'
check(sorted(recs) == [40400], f"records {sorted(recs)}")
smtp = recs[40400]
check(smtp["result"]["auth"] == {"before_tls": True, "mechanism": "PLAIN", "method": "sasl",
                                 "plaintext_credentials": True, "succeeded": True},
      f"auth {smtp['result'].get('auth')}")
c = smtp["streams"]["client"]
check((c["overlaps_differing"], c["retransmitted"], c["out_of_order"], c["gaps"]) == (1, 2, 2, 0), f"client {c}")
check(meta["reassembly"]["overlaps_differing"] == 1, "meta overlaps")
PY

# Mid-stream: plaintext SMTP, IMAP and POP3 joined at a client command
# line, credentials after the join flagged (never kept: the grep above);
# SUBMISSION joined at its ClientHello; IMAPS (only records), XMPP (a
# stanza) and an SMTP server alone only counted.
run midstream
check midstream <<'PY'
check(sorted(recs) == [40500, 40501, 40502, 40503], f"records {sorted(recs)}")
for port, method in ((40500, "sasl"), (40501, "imap-login"), (40502, "pop3-user")):
    r = recs[port]["result"]
    check(r["picked_up_midstream"] is True and r["midstream_pickup"] == "plaintext-dialogue", f"{port} pickup")
    check(r["auth"]["method"] == method and r["auth"]["plaintext_credentials"] is True
          and r["auth"]["succeeded"] is True, f"{port} auth {r.get('auth')}")
    check("banner" not in r and recs[port]["syn_seen"] is False, f"{port} no banner, no SYN")
check(recs[40500]["result"]["auth"]["mechanism"] == "PLAIN", "smtp mechanism")
check("before_tls" not in recs[40500]["result"], "smtp: the listing before the join is not read")
check(recs[40502]["result"]["starttls"] == {"accepted": False, "attempted": False, "offered": True},
      "pop3: a CAPA after the join is read")
sub = recs[40503]["result"]
check(sub["midstream_pickup"] == "client-hello" and sub["tls"]["client_hello"]["server_name"] == "midstream.lab"
      and "starttls" not in sub, f"submission {sub.get('midstream_pickup')}")
f = meta["flows"]
check(f["midstream"] == 7 and f["midstream_outcomes"] == {"picked-up-plaintext": 3, "picked-up-tls": 1,
                                                          "skipped-plaintext": 2, "skipped-tls": 1},
      f"outcomes {f}")
# smtp's listing before the join; imaps' two records and FIN; xmpp's stanza
# and FIN; the lone 421 and the FIN.
check(meta["segments"]["midstream"] == 8, f"midstream segments {meta['segments']}")
PY

# One ClientHello whole, over three TCP segments (its record header split),
# over three TLS records: the same parse, SNI, JA3 and JA4.
run split
check split <<'PY'
check(sorted(recs) == [40600, 40601, 40602], f"records {sorted(recs)}")
hellos = [recs[p]["result"]["tls"]["client_hello"] for p in (40600, 40601, 40602)]
check(all(h["parse"] == "ok" and h["server_name"] == "split.lab" for h in hellos), "all parse")
for k in ("ja3", "ja3_md5", "ja4", "cipher_suites"):
    check(hellos[0][k] == hellos[1][k] == hellos[2][k], f"{k} differs")
check(all(recs[p]["result"]["tls"]["server_flight"] == "server-hello-done" for p in recs), "flights")
PY

# 100k connections open at once (handshake and greeting each), closed 5 s
# later. A 65536-flow table evicts the oldest 34464 as the rest open (their
# FIN, FIN, ACK then find no flow: strays), a 131072-flow table keeps all
# to their FINs, a 1 s idle timeout ends all of them idle at the first
# close. Every connection gives one record either way. Memory: the peak RSS
# above a run on a tiny capture stays within 4 KiB per table slot (about
# 2 KiB is measured, bench/RESULTS.md 13.passhostile15).
name=empty run split --max-flows 65536
name=flows64k run flows 100000 --max-flows 65536
name=flows128k run flows 100000 --max-flows 131072
name=flowsidle run flows 100000 --max-flows 131072 --idle-timeout 1
for name in flows64k flows128k flowsidle; do
  check $name <<'PY'
name = sys.argv[3]
f, seg = meta["flows"], meta["segments"]
ended = {k: v for k, v in f["ended"].items() if v}
want = {"flows64k": ({"evicted": 34464, "fin": 65536}, 3 * 34464 + 65536),
        "flows128k": ({"fin": 100000}, 100000),
        "flowsidle": ({"idle": 100000}, 300000)}[name]
check(len(lines) == len(connections) == 100000 and meta["records"] == 100000 and f["created"] == 100000, "100000 records")
check(ended == want[0], f"ended {f['ended']}")
check(seg["stray"] == want[1], f"stray {seg['stray']}")
check(all(r["result"].get("banner") == "+OK" for r in lines), "every greeting read")
PY
done
empty_rss=$(cat "$dir/empty.rss")
rss=$(cat "$dir/flows64k.rss")
echo "peak RSS: ${empty_rss} KiB on a tiny capture, ${rss} KiB with 100k flows on 65536 slots," \
     "$(cat "$dir/flows128k.rss") KiB on 131072 (--max-flows)"
[ $((rss - empty_rss)) -le $((65536 * 4)) ] ||
  fail "100k flows on 65536 slots took $((rss - empty_rss)) KiB above a tiny capture"

[ "$failed" -eq 0 ] && echo "passive: hostile captures give the records and counts they should"
exit "$failed"
