#!/usr/bin/env bash
# `tlsweep run` on the lab's synthetic Internet (scripts/lab/synth.sh), the
# figures of bench/RESULTS.md section 11.rx12: per round, each CONFIG in
# turn (alternated, as the machine is shared), then one line per run:
# open ports, records, distinct (ip, port), duplicates, wall s, tlsweep CPU
# s (user + sys, all its processes), grabs/s (records / wall), CPU ms per
# record, ring drops, scan pauses, the servers' CPU s and the shares of
# one CPU that tlsweep and the servers used over the wall time, the load
# average (1 min) at the start and at the end, statuses.
#
# The servers' CPU: user + sys of every process in the target namespace
# (`ip netns pids`), with its reaped children's (cutime + cstime, so the
# per-connection smtpd and imap-login processes that ended count through
# their master), sampled before and after each run. Not in it: the kernel's
# softirq work (TCP, conntrack, NAT) done outside process context.
#
# listen_drops: TcpExtListenDrops in the target namespace over the run (SYNs
# the servers' full listen queues dropped: open ports that did not answer).
# With CAPTURE=1, dumpcap on the scanner's veth records every SYN-ACK from
# CIDR during each run (the ground truth of tests/lab/synth_run_lab_test.sh)
# and the line adds: answered (distinct (ip, port) that SYN-ACK'ed), answered
# without a record, records of a port that never answered, dumpcap's own
# drops. Off by default: dumpcap takes CPU from the runs it measures.
#
# usage (root, under the lab lock; brings the lab up and always down):
#   [CAPTURE=1] flock /tmp/tlsweep-lab.lock bench/synth_run.sh TLSWEEP [BEFORE_TLSWEEP] \
#     [CIDR] [ROUNDS] [CONFIGS]
# CONFIGS, space-separated, of: run (default flags), run_r100k (-r 100000),
#   run_q1k (--grab-queue 1024: the senders must pause), pipe (tlsweep scan | tlsweep grab, kernel sockets), before (run with
#   BEFORE_TLSWEEP, default flags). Default: "run pipe".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tlsweep=$(realpath "$1")
before=${2:+$(realpath "$2")}
cidr=${3:-10.79.0.0/22}
rounds=${4:-1}
configs=${5:-run pipe}
source "$root/scripts/lab/lib.sh"
out=$(mktemp -d /tmp/synth_run.XXXXXX)
echo "output in $out" >&2

# CPU seconds of the lab's servers so far (see above).
servers_cpu() {
  ip netns pids "$LAB_TGT_NS" | python3 -c '
import os, sys
hz = os.sysconf("SC_CLK_TCK")
ticks = 0
for pid in sys.stdin.read().split():
    try:
        f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:  # ended meanwhile
        continue
    ticks += sum(int(x) for x in f[11:15])  # utime stime cutime cstime
print(ticks / hz)'
}

# TcpExtListenDrops of the target namespace so far.
listen_drops() {
  ip netns exec "$LAB_TGT_NS" nstat -az TcpExtListenDrops | awk '$1 == "TcpExtListenDrops" {print $2}'
}

# capture_start F: dumpcap of the SYN-ACKs from CIDR on the scanner's veth
# into F.pcapng; sets cap_pid.
capture_start() {
  ip netns exec "$LAB_SCAN_NS" dumpcap -q -i "$LAB_SCAN_IF" -B 64 -w "$1.pcapng" \
    -f "src net $cidr and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)" \
    2> "$1.dumpcap.err" &
  cap_pid=$!
  for _ in $(seq 50); do grep -q "Capturing on" "$1.dumpcap.err" && break; sleep 0.1; done
}

# capture_stop F: ends the capture and writes F.synacks (ip,port, distinct).
capture_stop() {
  sleep 1
  kill -INT "$cap_pid"; wait "$cap_pid"
  tshark -r "$1.pcapng" -T fields -e ip.src -e tcp.srcport -E separator=, 2> /dev/null |
    LC_ALL=C sort -u > "$1.synacks"
}

summary() {  # summary NAME JSONL TIMEFILE SERVERS_CPU_S LOADAVG LISTEN_DROPS [METADATA]
  python3 - "$@" "$out/grid.txt" <<'PY'
import collections, json, os, re, sys
name, jsonl, timef, servers, load, ldrops = sys.argv[1:7]
meta = sys.argv[7] if len(sys.argv) > 8 else ""
grid = sys.argv[-1]
open_ports = sum(1 for _ in open(grid))
keys, status = [], collections.Counter()
for line in open(jsonl):
    r = json.loads(line)
    keys.append((r["ip"], r["port"]))
    status["not-grabbed:" + r["not_grabbed"] if "not_grabbed" in r
           else next(iter(r["data"].values()))["status"]] += 1
wall, user, sys_, rss = (float(x) for x in open(timef).read().split()[-4:])
cpu = user + sys_
extra = ""
if meta:
    m = json.load(open(meta))
    nic, g = m["counters"]["nic"], m.get("grab", {})
    extra = " ring_drops=%s(%s) imissed=%d pauses=%s paused_s=%.1f peak_waiting=%s grab_lcores=%s" % (
        nic.get("ring_drops", "n/a"), nic.get("rx_drops_counted", "not counted"), nic["imissed"],
        g.get("scan_pauses", "n/a"), g.get("scan_paused_seconds", 0), g.get("peak_waiting", "n/a"),
        g.get("grab_lcores"))
stem = jsonl[:-len(".jsonl")]
if os.path.exists(stem + ".synacks"):
    answered = set(tuple(l.strip().split(",")) for l in open(stem + ".synacks"))
    recs = set((str(ip), str(port)) for ip, port in keys)
    err = open(stem + ".dumpcap.err").read()
    d = re.search(r"received/dropped on interface .*: (\d+)/(\d+)", err)
    extra += " answered=%d answered_no_record=%d record_not_answered=%d dumpcap=%s" % (
        len(answered), len(answered - recs), len(recs - answered),
        "%s/%s" % d.groups() if d else "?")
servers = float(servers)
extra += " listen_drops=%s" % ldrops
print("%s open=%d records=%d distinct=%d dup=%d wall=%.1f cpu=%.1f grabs/s=%.1f cpu_ms/grab=%.2f rss_kb=%d servers_cpu=%.1f tlsweep_share=%.2f servers_share=%.2f load=%s%s | %s" % (
    name, open_ports, len(keys), len(set(keys)), len(keys) - len(set(keys)), wall, cpu,
    len(keys) / wall, 1000 * cpu / max(1, len(keys)), rss, servers, cpu / wall, servers / wall,
    load, extra,
    ", ".join("%s %d" % kv for kv in status.most_common())))
PY
}

bench() {
  bash "$root/scripts/lab.sh" synth on "$cidr" > /dev/null || return
  lab_env
  local ports i c
  ports=$(awk '!/^#/ {print $1}' "$LAB_SYNTH_TSV" | paste -sd,)
  python3 -c "
import ipaddress, sys
for a in ipaddress.ip_network('$cidr'):
    for p in '$ports'.split(','): print('%s,%s' % (a, p))" > "$out/grid.txt"
  local common=(--gateway-ip "$LAB_GATEWAY_IP" -S "$LAB_SCAN_DPDK_IP" --no-blocklist -p "$ports" "$cidr")
  local grabflags=(--ca-file "$LAB_CA_FILE" --xmpp-domain xmpp.lab.test -q)
  for i in $(seq "$rounds"); do
    for c in $configs; do
      local f="$out/$c.$i" cpu0 load ld0
      load=$(cut -d' ' -f1 /proc/loadavg)
      cpu0=$(servers_cpu)
      ld0=$(listen_drops)
      [ "${CAPTURE:-0}" = 1 ] && capture_start "$f"
      case $c in
        run|run_r100k|run_q1k|before)
          local bin=$tlsweep extra=()
          [ "$c" = before ] && bin=$before
          [ "$c" = run_r100k ] && extra=(-r 100000)
          [ "$c" = run_q1k ] && extra=(--grab-queue 1024)
          ip netns exec "$LAB_SCAN_NS" /usr/bin/time -o "$f.time" -f '%e %U %S %M' \
            "$bin" run -i "$LAB_SCAN_IF" "${common[@]}" "${grabflags[@]}" "${extra[@]}" \
            -o "$f.jsonl" -m "$f.json" 2> "$f.err"
          [ "${CAPTURE:-0}" = 1 ] && capture_stop "$f"
          summary "$c#$i" "$f.jsonl" "$f.time" "$(echo "$(servers_cpu) - $cpu0" | bc)" "$load/$(cut -d" " -f1 /proc/loadavg)" \
            "$(($(listen_drops) - ld0))" "$f.json" ;;
        pipe)
          ip netns exec "$LAB_SCAN_NS" /usr/bin/time -o "$f.time" -f '%e %U %S %M' sh -c \
            '"$0" scan -i "$1" --gateway-ip "$2" -S "$3" --no-blocklist -p "$4" "$5" -q -m "$6.scan.json" |
             "$0" grab --ca-file "$7" --xmpp-domain xmpp.lab.test -q -m "$6.grab.json" > "$6.jsonl"' \
            "$tlsweep" "$LAB_SCAN_IF" "$LAB_GATEWAY_IP" "$LAB_SCAN_DPDK_IP" "$ports" "$cidr" "$f" \
            "$LAB_CA_FILE" 2> "$f.err"
          [ "${CAPTURE:-0}" = 1 ] && capture_stop "$f"
          summary "$c#$i" "$f.jsonl" "$f.time" "$(echo "$(servers_cpu) - $cpu0" | bc)" "$load/$(cut -d" " -f1 /proc/loadavg)" \
            "$(($(listen_drops) - ld0))" ;;
      esac
      sleep 5  # the servers' lingering connections close
    done
  done
}

lab_with bench
