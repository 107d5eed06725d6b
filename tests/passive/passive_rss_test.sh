#!/usr/bin/env bash
# `tlsweep passive` with "rss" dispatch: each analyzer lcore polls an RX queue
# of its own and nothing moves frames between lcores, so the records are
# right only if the port puts both directions of every connection in one
# queue. net_pcap has one queue; DPDK's net_tap has several, and the kernel
# spreads what is sent into a multi-queue tap by its symmetric flow hash
# (tun's automatic queue selection), so the tap is a port on which the rss
# path runs for real. The test makes a tap inside a network namespace of its
# own (nothing leaves it), writes a capture of mixed traffic into the tap
# from the kernel side, and requires the records the file path gives for the
# same capture (timing fields aside), frames on both queues, and no drop.
#
# usage: passive_rss_test.sh TLSWEEP PYTHON3 MIX_PCAP_PY VALIDATE_RECORDS_PY
set -uo pipefail
tlsweep=$1 python=$2 mix=$3 validator=$4
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: needs root (a network namespace and a tap device)"
  exit 77
fi
dir=$(mktemp -d)
ns=tlsw-rss-$$
tap=tlswrss$$
cleanup() { ip netns del "$ns" 2> /dev/null; rm -rf "$dir"; }
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# 8000 frames, a quarter of them in 130 mail sessions (STARTTLS and TLS,
# AUTH, IMAP), the rest bulk HTTPS and DNS that passive mode drops early.
"$python" "$mix" mix "$dir/mix.pcap" --frames 8000 --mail-share 0.5 --seed 3 ||
  { echo "FAIL: passive_mix_pcap.py"; exit 1; }
"$tlsweep" passive -r "$dir/mix.pcap" -o "$dir/file.jsonl" -m "$dir/file.json" -q ||
  fail "tlsweep passive -r exited $?"

ip netns add "$ns" || { echo "FAIL: ip netns add"; exit 1; }
# No IPv6: the kernel would send its own solicitations into the tap.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
  net.ipv6.conf.default.disable_ipv6=1
eal="--no-huge -m 256 --no-shconf --no-pci --file-prefix tlsweep-rss-$$
     --log-level=lib.eal:error
     --vdev=net_tap0,iface=$tap --lcores=0@0,1@$(( $(nproc) > 1 ? 1 : 0 ))"
ip netns exec "$ns" "$tlsweep" passive --eal "$eal" --analyzers 2 --end-after-idle 3 \
  -o "$dir/tap.jsonl" -m "$dir/tap.json" 2> "$dir/tap.err" &
pid=$!
# The PMD creates the tap, then brings it up when the port starts: frames
# written before that fail with "Network is down".
for _ in $(seq 300); do
  ip netns exec "$ns" ip link show "$tap" 2> /dev/null | grep -q "[<,]UP[,>]" && break
  sleep 0.1
done
# The tun rings take every frame of the capture, so nothing is dropped even
# if the lcores do not poll while the frames are written.
ip netns exec "$ns" ip link set "$tap" txqueuelen 16384 || fail "txqueuelen"
ip netns exec "$ns" "$python" - "$dir/mix.pcap" "$tap" <<'PY' || fail "writing the frames"
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[2], 0))
with open(sys.argv[1], "rb") as f:
    f.read(24)  # classic pcap, microseconds (passive_mix_pcap.py)
    while len(h := f.read(16)) == 16:
        s.send(f.read(struct.unpack("<IIII", h)[2]))
PY
tx_dropped=$(ip netns exec "$ns" cat "/sys/class/net/$tap/statistics/tx_dropped")
wait "$pid" || fail "tlsweep passive on net_tap exited $?"
cat "$dir/tap.err"
[ "$tx_dropped" = 0 ] || fail "the tap dropped $tx_dropped frames"
"$python" "$validator" passive_metadata "$dir/tap.json" || fail "metadata does not validate"
"$python" "$validator" passive_record "$dir/tap.jsonl" || fail "records do not validate"

"$python" - "$dir" <<'PY' || fail "rss dispatch records or counters differ from the file's"
import json, sys
d = sys.argv[1]
def records(name):
    out = []
    for line in open(f"{d}/{name}.jsonl"):
        r = json.loads(line)
        r.pop("timestamp"); r.pop("end_timestamp")
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)
want, got = records("file"), records("tap")
file_meta, meta = json.load(open(f"{d}/file.json")), json.load(open(f"{d}/tap.json"))
dpdk = meta["dpdk"]
queues = sorted(l["rx_queue"] for l in dpdk["lcores"])
checks = {
    "records": (got == want and len(want) > 60, f"{len(got)} vs {len(want)} records"),
    "dispatch": ((dpdk["driver"], dpdk["dispatch"], dpdk["analyzers"]) == ("net_tap", "rss", 2),
                 (dpdk["driver"], dpdk["dispatch"], dpdk["analyzers"])),
    "each lcore its queue": (queues == [0, 1] and
                             all(l["role"] == "rx+analyzer" for l in dpdk["lcores"]),
                             dpdk["lcores"]),
    "both queues used": (all(l["packets"] > 0 for l in dpdk["lcores"]), dpdk["lcores"]),
    "received": (meta["packets"] == file_meta["packets"] == 8000,
                 (meta["packets"], file_meta["packets"])),
    "no drops": (dpdk["nic"]["imissed"] == dpdk["nic"]["rx_nombuf"] == 0 and
                 all(l["ring_drops"] == 0 for l in dpdk["lcores"]), dpdk["nic"]),
    "same flows": (meta["flows"] == file_meta["flows"] and
                   meta["segments"] == file_meta["segments"] and
                   meta["reassembly"] == file_meta["reassembly"],
                   (meta["flows"], file_meta["flows"])),
}
ok = True
for what, (good, detail) in checks.items():
    if not good:
        print(f"{what}: {detail}")
        ok = False
if ok:
    print("net_tap rss dispatch: %d records identical to the file's, queue packets %s"
          % (len(want), [l["packets"] for l in dpdk["lcores"]]))
sys.exit(0 if ok else 1)
PY
exit $failed
