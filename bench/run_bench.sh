#!/usr/bin/env bash
# `tlsweep run` (DPDK scan + grabs over tlsweep's userspace TCP on the lab's
# veth, net_af_packet) against the lab: the figures of RESULTS.md section 7.
#
#   hold-plain  N grabs held open at once against bench/hold_server.py, which
#               accepts and never sends a banner (module smtp on port 2525):
#               RSS before the grabs (an identical run whose targets never
#               answer), RSS with N in flight, bytes per connection.
#   hold-tls    the same on port 4465 (module smtps, implicit TLS): the
#               server completes the TLS 1.3 handshake (the lab's RSA-2048 certificate of
#               10.77.0.10), then stays silent, so each grab holds an
#               established TLS session while it waits.
#   rate        the lab's 15 real services, each behind H addresses
#               (10.79.K.0/24 DNATed to service K in the target namespace):
#               grabs/s, client CPU per grab and peak RSS of `tlsweep run`
#               and of `tlsweep grab` (kernel sockets) on the same 15*H
#               targets at the same --concurrency/--per-host; plus an idle
#               `tlsweep run` (nothing answers) for the busy-poll floor.
#
# Held targets: 10.79.0.0/18 is made local in the target namespace (a local
# route on lo), so its kernel accepts connections to any of those addresses;
# tlsweep sends every frame to the gateway MAC (10.77.0.2, t0), so the
# scanner namespace needs no route for it. Each part brings the lab up and
# down itself (lab_with), holding $LAB_LOCK (default /tmp/tlsweep-lab.lock;
# "none": no locking) for that part only.
#
# usage: bench/run_bench.sh TLSWEEP_BINARY [PART...]   (root; default: all parts)
# environment: HOLD_N (12000 targets and --concurrency), HOLD_TIMEOUT (120,
#   the phase deadline; --session-timeout is 1.5x), HOLD_MIN (10000: in flight
#   to wait for), RATE_HOSTS (64 addresses per service), RATE_LEVELS ("10 100"),
#   HOLD_TLS_RATE (250: hold-tls's --connect-rate, so the Python server's
#   handshakes keep up), PERF (1: profile each grab process with `perf record
#   -e cpu-clock` and split its CPU by shared object; 0: do not), BENCH_OUT (a
#   directory to keep the runs' files in; default: a temporary one)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tlsweep=$(realpath "$1")
shift
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(hold-plain hold-tls rate)
HOLD_N=${HOLD_N:-12000}
HOLD_TIMEOUT=${HOLD_TIMEOUT:-120}
HOLD_MIN=${HOLD_MIN:-10000}
RATE_HOSTS=${RATE_HOSTS:-64}
RATE_LEVELS=${RATE_LEVELS:-10 100}
LAB_LOCK=${LAB_LOCK:-/tmp/tlsweep-lab.lock}
source "$root/scripts/lab/lib.sh"
# BENCH_OUT=DIR keeps every run's files (status, samples, metadata) there.
if [ -n "${BENCH_OUT:-}" ]; then
  work=$BENCH_OUT; mkdir -p "$work"
else
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi
tck=$(getconf CLK_TCK)
HOLD_EXTRA=()

in_scan() { ip netns exec "$LAB_SCAN_NS" "$@"; }
in_tgt() { ip netns exec "$LAB_TGT_NS" "$@"; }
# "VmRSS VmHWM" in KiB, and user+sys CPU in clock ticks, of PID.
mem_of() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {print r+0, h+0}' "/proc/$1/status" 2> /dev/null || echo "0 0"; }
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2> /dev/null || echo 0; }
# The pid /usr/bin/time started (its only child).
child_of() {
  local c=""
  for _ in $(seq 100); do
    c=$(cat "/proc/$1/task/$1/children" 2> /dev/null | awk '{print $1}')
    [ -n "$c" ] && break
    sleep 0.05
  done
  echo "$c"
}
meta() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"; }

# The target namespace's kernel: room for tens of thousands of connections
# on one listener (accept and SYN queues), and the held addresses.
tune_target() {
  in_tgt sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
  ip -n "$LAB_TGT_NS" route add local 10.79.0.0/18 dev lo
}

# ---------------------------------------------------------------- hold
# hold VARIANT PORT MODULE [SERVER FLAGS...]
hold() {
  local variant=$1 port=$2 module=$3; shift 3
  local d="$work/$variant" last=$((HOLD_N - 1))
  mkdir -p "$d"
  tune_target
  # Not through in_tgt: $! must be the server (ip netns exec execs it).
  ip netns exec "$LAB_TGT_NS" python3 "$root/bench/hold_server.py" --port "$port" "$@" \
    > "$d/server.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do grep -qx ready "$d/server.log" && break; sleep 0.1; done
  grep -qx ready "$d/server.log" || { cat "$d/server.log"; return 1; }
  local targets="10.79.0.0-10.79.$((last / 256)).$((last % 256))"
  local common=(-i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" -S "$LAB_SCAN_DPDK_IP"
    --no-blocklist -p "$port" --module "$port=$module" --ca-file "$LAB_CA_FILE"
    --per-host 4 --connect-timeout 60 --timeout "$HOLD_TIMEOUT"
    --session-timeout "$((HOLD_TIMEOUT * 3 / 2))" -r 4000 -q --seed 7 ${HOLD_EXTRA[@]+"${HOLD_EXTRA[@]}"})

  # Baseline: the same run on as many addresses of the lab's dropped range:
  # nothing answers, no grab starts; its peak RSS is the process before grabs.
  in_scan /usr/bin/time -f '%e %U %S %M' -o "$d/base.time" "$tlsweep" run "${common[@]}" \
    --concurrency "$HOLD_N" -c 3 \
    -o "$d/base.jsonl" -m "$d/base.json" "10.78.0.0-10.78.$((last / 256)).$((last % 256))" \
    2> "$d/base.err" || { tail -5 "$d/base.err"; return 1; }

  # The same with --concurrency 1: what does not grow with --concurrency
  # (EAL, RX and probe pools, code, OpenSSL). The difference to the above is
  # what --concurrency reserves up front (TX mbufs, TCP slots, rings).
  in_scan /usr/bin/time -f '%e %U %S %M' -o "$d/base1.time" "$tlsweep" run "${common[@]}" \
    --concurrency 1 -c 3 \
    -o "$d/base1.jsonl" -m "$d/base1.json" "10.78.0.0-10.78.$((last / 256)).$((last % 256))" \
    2> "$d/base1.err" || { tail -5 "$d/base1.err"; return 1; }

  # The held run, sampled every second: RSS, HWM, CPU, the status line's
  # in-flight count, and the server's counters.
  ip netns exec "$LAB_SCAN_NS" "$tlsweep" run "${common[@]}" --concurrency "$HOLD_N" -c 2 -u "$d/status.csv" -o "$d/held.jsonl" \
    -m "$d/held.json" --resume-out "$d/held.resume.json" "$targets" 2> "$d/held.err" &
  local pid=$! start=$SECONDS stable=0 prev=-1 row srv
  : > "$d/samples"
  while kill -0 "$pid" 2> /dev/null; do
    sleep 1
    row=$(tail -n 1 "$d/status.csv" 2> /dev/null | awk -F, 'NR==1 && $1 != "elapsed_s" {print $1, $13, $14, $15}')
    srv=$(tail -n 1 "$d/server.log" | sed -n 's/.*accepted=\([0-9]*\) open=\([0-9]*\).*/\1 \2/p')
    # seconds rss_kib hwm_kib cpu_ticks elapsed in_flight done not_grabbed accepted open
    echo "$((SECONDS - start)) $(mem_of "$pid") $(cpu_of "$pid") ${row:-0 0 0 0} ${srv:-0 0}" >> "$d/samples"
    read -r _ _ _ _ _ inflight _ _ accepted _ < <(tail -n 1 "$d/samples")
    # Held: at least HOLD_MIN in flight, every one past the server's accept
    # (with TLS: past the handshake), unchanged for 5 samples.
    if [ "$inflight" -ge "$HOLD_MIN" ] && [ "$accepted" -ge "$inflight" ] && [ "$inflight" -eq "$prev" ]; then
      stable=$((stable + 1))
    else
      stable=0
    fi
    prev=$inflight
    [ "$stable" -ge 5 ] && break
    [ $((SECONDS - start)) -ge $((HOLD_TIMEOUT + 30)) ] && break
  done
  # Two Ctrl-Cs: stop now (the grabs would otherwise wait out the deadline).
  kill -INT "$pid" 2> /dev/null || true
  sleep 1
  kill -INT "$pid" 2> /dev/null || true
  wait "$pid" || true
  kill -TERM "$server" 2> /dev/null || true
  wait "$server" 2> /dev/null || true

  python3 - "$variant" "$d" "$HOLD_N" <<'PY'
import json, sys
variant, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
wall, user, sys_t, base_kib = open(f"{d}/base.time").read().split()
samples = [list(map(float, l.split())) for l in open(f"{d}/samples") if l.strip()]
samples = [s for s in samples if s[1] > 0]                  # while the process lived
# seconds rss hwm cpu elapsed in_flight done not_grabbed accepted open
peak = max(samples, key=lambda s: (s[5], -s[0]))          # first sample at the peak
if peak[5] == 0:
    sys.exit(f"== {variant}: no grab was ever in flight (see {d})")
at10k = next((s for s in samples if s[5] >= 10000), None)
# The last sample before the grabs began to time out.
last_held = [s for s in samples if s[5] == peak[5]][-1]
m = json.load(open(f"{d}/held.json"))
g = m["grab"]
base = int(base_kib)
def per_conn(s):
    return (s[1] - base) * 1024 / s[5] if s[5] else float("nan")
print(f"== {variant}: {n} targets, --concurrency {n}")
base1 = int(open(f"{d}/base1.time").read().split()[3])
print(f"baseline (same run, no answers): peak RSS {base / 1024:.1f} MiB; with --concurrency 1: "
      f"{base1 / 1024:.1f} MiB, so --concurrency {n} reserves {(base - base1) / 1024:.1f} MiB "
      f"= {(base - base1) * 1024 / n:.0f} B per unit of concurrency")
if at10k:
    print(f"first sample with >= 10000 in flight (t={at10k[0]:.0f}s): {at10k[5]:.0f} in flight, "
          f"RSS {at10k[1] / 1024:.1f} MiB, {per_conn(at10k):.0f} B/conn over baseline")
print(f"peak in flight {peak[5]:.0f} (t={peak[0]:.0f}s), server accepted {peak[8]:.0f}, open {peak[9]:.0f}; "
      f"RSS {peak[1] / 1024:.1f} MiB: {per_conn(peak):.0f} B/conn over baseline")
print(f"held until t={last_held[0]:.0f}s: {last_held[5]:.0f} in flight, RSS {last_held[1] / 1024:.1f} MiB, "
      f"VmHWM {last_held[2] / 1024:.1f} MiB: (HWM - baseline) / peak in flight = "
      f"{(last_held[2] - base) * 1024 / peak[5]:.0f} B/conn")
print(f"all told, (RSS held - RSS at --concurrency 1) / in flight = "
      f"{(last_held[1] - base1) * 1024 / last_held[5]:.0f} B/conn")
print(f"tcp_bytes_per_connection (TcpStack::BytesPerConnection) {g['tcp_bytes_per_connection']}; "
      f"tcp connects {sum(w['tcp']['connects'] for w in g['workers'])}, "
      f"established {sum(w['tcp']['established'] for w in g['workers'])}, "
      f"segments_dropped {g['segments_dropped']}, not_grabbed {g['not_grabbed']}")
print("timeline (s, in flight, RSS MiB, server accepted):",
      " ".join(f"{s[0]:.0f}:{s[5]:.0f}/{s[1] / 1024:.0f}/{s[8]:.0f}" for s in samples[::3]))
PY
  grep -h "EAL\|mempool\|error" "$d/held.err" "$d/base.err" | head -5 || true
  tail -n 1 "$d/server.log"
}

hold_plain() { hold hold-plain 2525 smtp; }
# asyncio's handshakes are slow (and share 2 vCPUs with tlsweep): pace the
# connections so that the server keeps up (HOLD_TLS_RATE connections/s).
hold_tls() {
  # Not 465: the lab's Postfix has 10.77.0.10:465, so 0.0.0.0:465 is taken.
  HOLD_EXTRA=(--connect-rate "${HOLD_TLS_RATE:-250}")
  hold hold-tls 4465 smtps --cert "$LAB_STATE/certs/10.77.0.10.crt" --key "$LAB_STATE/certs/10.77.0.10.key"
}

# profile PID OUT: cpu-clock samples of PID until it exits (background),
# then OUT holds "PERCENT DSO" lines. Without perf (or PERF=0): nothing.
profile() {
  [ "${PERF:-1}" != 0 ] && command -v perf > /dev/null || return 0
  local pid=$1 out=$2
  (perf record -q -e cpu-clock -F 999 -p "$pid" -o "$out.data" > /dev/null 2>&1 || true
   perf report -i "$out.data" --stdio --sort dso -q 2> /dev/null |
     awk 'NF >= 2 {print $1, $2}' > "$out") &
}

# ---------------------------------------------------------------- rate
# Service K of the lab's open ports answers on 10.79.K.0/24 too (DNAT in the
# target namespace); the scanner namespace's kernel routes 10.79/16 to the
# gateway for `tlsweep grab`.
rate() {
  local d="$work/rate" k=0 ip port h
  mkdir -p "$d"
  : > "$d/addrs.txt"; : > "$d/targets.txt"
  while IFS=, read -r ip port; do
    k=$((k + 1))
    in_tgt iptables -t nat -A PREROUTING -d "10.79.$k.0/24" -p tcp --dport "$port" \
      -j DNAT --to-destination "$ip"
    for ((h = 0; h < RATE_HOSTS; h++)); do
      echo "10.79.$k.$h" >> "$d/addrs.txt"
      echo "10.79.$k.$h,$port" >> "$d/targets.txt"
    done
  done < "$LAB_EXPECTED_OPEN"
  ip -n "$LAB_SCAN_NS" route add 10.79.0.0/16 via "$LAB_GATEWAY_IP"
  local ports n
  ports=$(cut -d, -f2 "$LAB_EXPECTED_OPEN" | sort -un | paste -sd,)
  n=$(wc -l < "$d/targets.txt")
  local run_flags=(-i "$LAB_SCAN_IF" --gateway-ip "$LAB_GATEWAY_IP" -S "$LAB_SCAN_DPDK_IP"
    --no-blocklist --ca-file "$LAB_CA_FILE" --xmpp-domain xmpp.lab.test -q --seed 11)

  # Idle: the control lcore's busy poll with nothing to do (15 s, no answers).
  ip netns exec "$LAB_SCAN_NS" /usr/bin/time -f '%e %U %S %M' -o "$d/idle.time" "$tlsweep" run \
    "${run_flags[@]}" -p 25 -r 1000 -c 15 -o /dev/null -m "$d/idle.json" 10.78.0.0/24 2> "$d/idle.err" &
  local ipid=$!
  profile "$(child_of "$ipid")" "$d/idle.perf"
  wait "$ipid"
  wait
  read -r wall user sys rss < "$d/idle.time"
  echo "idle tlsweep run (nothing answers): wall ${wall}s, user ${user}s, sys ${sys}s:" \
    "$(python3 -c "print(f'{($user + $sys) / $wall:.2f}')") CPU-s per wall-s, peak RSS $((rss / 1024)) MiB;" \
    "CPU by object: $(awk '{printf "%s %s  ", $2, $1}' "$d/idle.perf" 2> /dev/null | head -c 300)"

  printf '%-6s %-12s %6s %7s %9s %11s %12s %12s %8s  %s\n' conc path grabs wall_s grabs/s \
    cpu_s "cpu_ms/grab" "win_cpu_ms/g" rss_MiB statuses
  local c
  for c in $RATE_LEVELS; do
    # DPDK: tlsweep run scans the 15*H addresses on the 12 lab ports; only
    # each address's own service answers.
    ip netns exec "$LAB_SCAN_NS" /usr/bin/time -f '%e %U %S %M' -o "$d/run$c.time" "$tlsweep" run "${run_flags[@]}" \
      -p "$ports" -I "$d/addrs.txt" -r 20000 -c 1 --concurrency "$c" --per-host "$c" \
      -u "$d/run$c.csv" -o "$d/run$c.jsonl" -m "$d/run$c.json" 2> "$d/run$c.err" &
    local tpid=$! pid
    pid=$(child_of "$tpid")
    profile "$pid" "$d/run$c.perf"
    : > "$d/run$c.samples"
    while kill -0 "$pid" 2> /dev/null; do
      # cpu_ticks, then the status row's elapsed, in flight, done
      echo "$(cpu_of "$pid") $(tail -n 1 "$d/run$c.csv" 2> /dev/null | awk -F, '$1 != "elapsed_s" {print $1, $13, $14}')" \
        >> "$d/run$c.samples"
      sleep 0.5
    done
    wait "$tpid" || { echo "run failed:"; tail -5 "$d/run$c.err"; }
    wait
    # Kernel sockets: tlsweep grab, the same targets, concurrency and per-host.
    ip netns exec "$LAB_SCAN_NS" /usr/bin/time -f '%e %U %S %M' -o "$d/grab$c.time" "$tlsweep" grab -q \
      --ca-file "$LAB_CA_FILE" --xmpp-domain xmpp.lab.test --concurrency "$c" --per-host "$c" \
      -m "$d/grab$c.json" < "$d/targets.txt" > "$d/grab$c.jsonl" &
    tpid=$!
    pid=$(child_of "$tpid")
    profile "$pid" "$d/grab$c.perf"
    wait "$tpid"
    wait
    python3 - "$d" "$c" "$n" "$tck" <<'PY'
import json, sys
d, c, n, tck = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def statuses(path):
    out = {}
    for line in open(path):
        r = json.loads(line)
        s = "not-grabbed" if "not_grabbed" in r else next(iter(r["data"].values()))["status"]
        out[s] = out.get(s, 0) + 1
    return out
# DPDK run: the grab window from the status file (1 s rows): from the last
# row before the first grab started to the first row with every grab done.
rows = [l.strip().split(",") for l in open(f"{d}/run{c}.csv")][1:]
rows = [(float(r[0]), int(r[12]), int(r[13])) for r in rows]
start = max((t for t, f, dn in rows if f == 0 and dn == 0), default=0.0)
done_total = rows[-1][2]
end = min(t for t, f, dn in rows if dn == done_total)
wall, user, sys_t, rss = open(f"{d}/run{c}.time").read().split()
cpu = float(user) + float(sys_t)
# CPU in the window, from the 0.5 s samples (cpu ticks, elapsed).
smp = [l.split() for l in open(f"{d}/run{c}.samples") if len(l.split()) == 4]
smp = [(int(s[0]) / tck, float(s[1])) for s in smp if int(s[0]) > 0]  # while it lived
a = max((s for s in smp if s[1] <= start), default=smp[0], key=lambda s: s[1])
b = min((s for s in smp if s[1] >= end), default=smp[-1], key=lambda s: s[1])
win_cpu = b[0] - a[0]
st = statuses(f"{d}/run{c}.jsonl")
print(f"{c:<6} {'run (DPDK)':<12} {done_total:>6} {end - start:>7.1f} {done_total / (end - start):>9.1f} "
      f"{cpu:>11.2f} {1000 * cpu / done_total:>12.2f} {1000 * win_cpu / done_total:>12.2f} "
      f"{int(rss) / 1024:>8.1f}  {json.dumps(st, sort_keys=True)}  (whole process {wall} s, window CPU {win_cpu:.2f} s)")
wall, user, sys_t, rss = open(f"{d}/grab{c}.time").read().split()
cpu = float(user) + float(sys_t)
m = json.load(open(f"{d}/grab{c}.json"))
done = m["grabs_finished"]
print(f"{c:<6} {'grab (kernel)':<12} {done:>6} {float(wall):>7.1f} {done / float(wall):>9.1f} "
      f"{cpu:>11.2f} {1000 * cpu / done:>12.2f} {'':>12} {int(rss) / 1024:>8.1f}  "
      f"{json.dumps(m['by_status'], sort_keys=True)}")
# Where the CPU went (perf, cpu-clock samples), per grab.
def profile(path, cpu_s, grabs):
    try:
        groups, total = {}, 0.0
        for line in open(path):
            pct, dso = line.split(None, 1)
            dso = dso.strip()
            g = ("TLS (libssl+libcrypto)" if dso.startswith(("libcrypto", "libssl")) else
                 "kernel" if "kernel" in dso else "DPDK (librte_*)" if dso.startswith("librte") else
                 "tlsweep" if dso == "tlsweep" else "libc" if dso.startswith("libc") else "other")
            groups[g] = groups.get(g, 0) + float(pct.rstrip("%"))
            total += float(pct.rstrip("%"))
        return "  ".join(f"{g} {v:.0f}% = {10 * v * cpu_s / grabs:.2f} ms/grab"
                         for g, v in sorted(groups.items(), key=lambda kv: -kv[1]))
    except (OSError, ValueError):
        return "(no profile)"
wall_r, user_r, sys_r, _ = open(f"{d}/run{c}.time").read().split()
print(f"   run  CPU by object: {profile(f'{d}/run{c}.perf', float(user_r) + float(sys_r), done_total)}")
print(f"   grab CPU by object: {profile(f'{d}/grab{c}.perf', cpu, done)}")
if done_total != n or done != n:
    print(f"   note: {n} targets; run grabbed {done_total}, grab {done}")
PY
  done
}

part_fn() {
  case "$1" in
    hold-plain) echo hold_plain ;;
    hold-tls) echo hold_tls ;;
    rate) echo rate ;;
    *) echo "unknown part $1 (hold-plain, hold-tls, rate)" >&2; return 2 ;;
  esac
}

rc=0
for part in "${parts[@]}"; do
  fn=$(part_fn "$part")
  if [ "$LAB_LOCK" != none ] && [ -z "${_RUN_BENCH_LOCKED:-}" ]; then
    # The lab's namespaces have fixed names: one lab at a time. Each part
    # runs under the lock in a fresh copy of this script; -o keeps the lock's
    # descriptor away from the lab's servers.
    _RUN_BENCH_LOCKED=1 flock -o "$LAB_LOCK" bash "$0" "$tlsweep" "$part" || rc=$?
    continue
  fi
  echo "### $part ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
  lab_with "$fn" || rc=$?
done
exit "$rc"
