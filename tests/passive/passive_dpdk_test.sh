#!/usr/bin/env bash
# `tlsweep passive` on DPDK: the capture of passive_capture.cc replayed by
# DPDK's net_pcap vdev (no NIC, no hugepages) must give the records the
# file path gives, compared as sorted JSON lines without the two timing
# fields (timestamp, end_timestamp: a live port stamps frames with the
# clock of their arrival, the file with the capture's), once on one
# analyzer ("single") and once on two analyzer lcores fed by the
# software symmetric-hash dispatch ("software": net_pcap has no RSS). The
# metadata validates and its counters add up: the port received every
# frame of the file, the lcores' counts sum to it, nothing was dropped.
# Ctrl-C ends a capture that has no idle end, with every record written.
#
# usage: passive_dpdk_test.sh TLSWEEP PASSIVE_CAPTURE PYTHON3 VALIDATE_RECORDS_PY
set -uo pipefail
tlsweep=$1 capture=$2 python=$3 validator=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

"$capture" "$dir/in.pcap" || { echo "FAIL: passive_capture"; exit 1; }
"$tlsweep" passive -r "$dir/in.pcap" -o "$dir/file.jsonl" -m "$dir/file.json" -q ||
  fail "tlsweep passive -r exited $?"

# --no-shconf and a prefix of our own: runs in parallel never meet.
eal="--no-huge -m 256 --no-shconf --no-pci --file-prefix tlsweep-passive-dpdk-$$
     --log-level=lib.eal:error --vdev=net_pcap0,rx_pcap=$dir/in.pcap"
run() {  # NAME LCORES ANALYZERS
  "$tlsweep" passive --eal "$eal --lcores=$2" --analyzers "$3" --end-after-idle 1 \
    -o "$dir/$1.jsonl" -m "$dir/$1.json" 2> "$dir/$1.err" || fail "$1: tlsweep passive exited $?"
  cat "$dir/$1.err"
  "$python" "$validator" passive_metadata "$dir/$1.json" || fail "$1: metadata does not validate"
  "$python" "$validator" passive_record "$dir/$1.jsonl" || fail "$1: records do not validate"
}
run single 0@0 1
# Ctrl-C: with no idle end (a live port), SIGINT ends the capture cleanly,
# every flow still ends as a record, the metadata says interrupted.
"$tlsweep" passive --eal "$eal --lcores=0@0" --end-after-idle 0 \
  -o "$dir/sigint.jsonl" -m "$dir/sigint.json" 2> "$dir/sigint.err" &
pid=$!
sleep 4
kill -INT "$pid"
wait "$pid" || fail "SIGINT: tlsweep passive exited $?"
"$python" - "$dir/sigint.json" "$dir/sigint.jsonl" "$dir/file.jsonl" <<'PY' || fail "SIGINT run"
import json, sys
meta = json.load(open(sys.argv[1]))
n, want = sum(1 for _ in open(sys.argv[2])), sum(1 for _ in open(sys.argv[3]))
ok = meta["interrupted"] and not meta["dpdk"]["ended_idle"] and n == want
print("SIGINT:", "interrupted" if meta["interrupted"] else "not interrupted", n, "records of", want)
sys.exit(0 if ok else 1)
PY
# Three lcores on whatever CPUs there are (a 2-CPU CI machine shares one).
run software "0@0,1@1,2@$(( $(nproc) > 2 ? 2 : 0 ))" 2

"$python" - "$dir" <<'PY' || fail "DPDK records or counters differ from the file's"
import json, sys
d = sys.argv[1]
def records(name):
    out = []
    for line in open(f"{d}/{name}.jsonl"):
        r = json.loads(line)
        r.pop("timestamp"); r.pop("end_timestamp")
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)
ok = True
want = records("file")
file_meta = json.load(open(f"{d}/file.json"))
for name, dispatch, analyzers in (("single", "single", 1), ("software", "software", 2)):
    got = records(name)
    meta = json.load(open(f"{d}/{name}.json"))
    dpdk = meta["dpdk"]
    lanes = [l for l in dpdk["lcores"] if l["role"] != "rx"]
    checks = {
        "records": (got == want and len(want) > 0, f"{len(got)} vs {len(want)} records"),
        "driver": (dpdk["driver"] == "net_pcap", dpdk["driver"]),
        "dispatch": (dpdk["dispatch"] == dispatch and dpdk["analyzers"] == analyzers,
                     (dpdk["dispatch"], dpdk["analyzers"])),
        "received": (dpdk["nic"]["ipackets"] == file_meta["packets"] == meta["packets"],
                     (dpdk["nic"]["ipackets"], file_meta["packets"], meta["packets"])),
        "lcores sum": (sum(l["packets"] for l in lanes) == meta["packets"], dpdk["lcores"]),
        "no drops": (dpdk["nic"]["imissed"] == dpdk["nic"]["rx_nombuf"] == 0 and
                     all(l["ring_drops"] == 0 for l in dpdk["lcores"]), dpdk),
        "ended idle": (dpdk["ended_idle"] and not meta["interrupted"], dpdk["ended_idle"]),
        "same flows": (meta["flows"] == file_meta["flows"] and
                       meta["segments"] == file_meta["segments"] and
                       meta["reassembly"] == file_meta["reassembly"],
                       (meta["flows"], file_meta["flows"])),
    }
    if dispatch == "software":
        rx = [l for l in dpdk["lcores"] if l["role"] == "rx"]
        checks["rx lcore"] = (len(rx) == 1 and rx[0]["packets"] == meta["packets"], rx)
    for what, (good, detail) in checks.items():
        if not good:
            print(f"{name}: {what}: {detail}")
            ok = False
if ok:
    print(f"net_pcap single and software dispatch: {len(want)} records identical to the file's")
sys.exit(0 if ok else 1)
PY

# Flags: -r with a port, and more analyzers than lcores, are refused.
"$tlsweep" passive -r "$dir/in.pcap" --eal "$eal" > /dev/null 2> "$dir/both.err"
[ $? -eq 2 ] && grep -q "one or the other" "$dir/both.err" || fail "-r with --eal not refused"
"$tlsweep" passive --eal "$eal --lcores=0@0" --analyzers 2 -o /dev/null 2> "$dir/lcores.err"
[ $? -eq 1 ] && grep -q "need 3 EAL lcores" "$dir/lcores.err" || {
  cat "$dir/lcores.err"; fail "too few lcores not refused"; }
exit $failed
