#!/usr/bin/env bash
# The tlsweep lab: a scanner and a target namespace joined through a middle
# namespace, with real Debian mail/chat servers in the target namespace, built
# from the declarative description scripts/lab/lab.conf.
#
#   scripts/lab.sh up       (re)build the lab and wait until every server answers
#   scripts/lab.sh down     remove everything (safe to repeat, safe when absent)
#   scripts/lab.sh status   namespaces, addresses, listening sockets, impairment
#   scripts/lab.sh env      shell assignments for other scripts: eval "$(scripts/lab.sh env)"
#   scripts/lab.sh impair on [RELAY FLAGS]   loss/delay/reordering between the two
#   scripts/lab.sh impair off                back to a plain wire; prints the counters
#   scripts/lab.sh impair stats              the relay's counters so far
#   scripts/lab.sh synth on [CIDR]  a synthetic Internet: every address of CIDR
#                           (in 10.79.0.0/16, default /20) a server on every lab port
#   scripts/lab.sh synth off        removes it (see scripts/lab/synth.sh)
#
#   tls-scan: s0 10.77.0.1/24 (kernel tools); tlsweep's DPDK uses 10.77.0.250 on s0,
#             which the kernel does not own. 10.78.0.0/16 is routed via 10.77.0.2.
#   tls-imp:  i0 (s0's peer) and i1 (t0's peer), no addresses. Normally both are
#             ports of the bridge br0 (kernel forwarding, a transparent wire);
#             `impair on` takes them off the bridge and runs impair_relay
#             between them instead.
#   tls-tgt:  t0 10.77.0.2/24 (gateway) plus one address per lab.conf line;
#             10.78.0.0/16 is dropped in the raw table (rate tests).
#
# Impairment (this kernel has no sch_netem): `impair on` passes its flags to
# tests/lab/impair_relay (--loss PCT --delay MS --jitter MS --reorder PCT
# --seed N --direction both|a2b|b2a; a is the scanner's side, so a2b is
# scanner -> targets and b2a targets -> scanner; semantics in
# impair_relay.cc). The binary is $LAB_IMPAIR_RELAY, else
# build/tests/lab/impair_relay. Its pid and log are $LAB_STATE/impair.{pid,log}.
#
# Network safety: everything lives in the tls-* namespaces. The veth pairs are
# created directly between them, so they never exist in the root namespace, and
# no root-namespace interface, route or firewall rule is touched.
#
# Environment: LAB_STATE (default /run/tlsweep-lab) holds configs, certificates,
# logs and pids; LAB_CONF (default scripts/lab/lab.conf); LAB_WAIT_SECS (30);
# LAB_IMPAIR_RELAY (the impair_relay binary, for `impair on`); LAB_DIRECT=1
# at `up` joins s0 and t0 by one veth pair, without tls-imp (no bridge hop for
# rate benchmarks on a small machine; no impairment either).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_STATE=${LAB_STATE:-/run/tlsweep-lab}
LAB_CONF=${LAB_CONF:-$LAB_DIR/lab/lab.conf}
LAB_WAIT_SECS=${LAB_WAIT_SECS:-30}

# Fixed lab addressing (other code depends on these values).
LAB_SCAN_NS="tls-scan"
LAB_TGT_NS="tls-tgt"
LAB_IMP_NS="tls-imp"
LAB_SCAN_IF=s0
LAB_TGT_IF=t0
# In tls-imp: the peers of s0 and t0, and the bridge that joins them.
LAB_IMP_SCAN_IF=i0
LAB_IMP_TGT_IF=i1
LAB_IMP_BRIDGE=br0
LAB_SCAN_KERNEL_IP=10.77.0.1
LAB_GATEWAY_IP=10.77.0.2
LAB_SCAN_DPDK_IP=10.77.0.250
LAB_RANGE=10.77.0.0/24
LAB_DROP_RANGE=10.78.0.0/16
# Locally administered, fixed MACs: the same on every run.
LAB_SCAN_MAC=02:77:00:00:00:01
LAB_GATEWAY_MAC=02:77:00:00:00:02
LAB_IMP_SCAN_MAC=02:77:00:00:01:01
LAB_IMP_TGT_MAC=02:77:00:00:01:02

source "$LAB_DIR/lab/conf.sh"
source "$LAB_DIR/lab/certs.sh"
source "$LAB_DIR/lab/servers.sh"
source "$LAB_DIR/lab/synth.sh"
source "$LAB_DIR/lib/deps.sh"

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
in_scan() { ip netns exec "$LAB_SCAN_NS" "$@"; }
in_imp() { ip netns exec "$LAB_IMP_NS" "$@"; }

require_root() {
  [ "$(id -u)" -eq 0 ] || lab_die "must run as root (network namespaces, servers)"
}

# ------------------------------------------------------------------ network
# The middle namespace: a bridge, no addresses, no IPv6, nothing local that
# would answer or send anything; s0 and t0 are the far ends of its two ports.
wire_bridged() {
  ip netns add "$LAB_IMP_NS"
  ip -n "$LAB_IMP_NS" link set lo up
  in_imp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  in_imp sysctl -qw net.ipv4.ip_forward=0
  # Bridged frames skip iptables (br_netfilter is built in here); older
  # kernels have no per-namespace switch, and the namespace has no rules.
  in_imp sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-arptables=0 \
    2>/dev/null || true
  # The pairs are born in their namespaces: they never exist in the root one.
  ip link add "$LAB_SCAN_IF" netns "$LAB_SCAN_NS" address "$LAB_SCAN_MAC" type veth \
    peer name "$LAB_IMP_SCAN_IF" netns "$LAB_IMP_NS" address "$LAB_IMP_SCAN_MAC"
  ip link add "$LAB_TGT_IF" netns "$LAB_TGT_NS" address "$LAB_GATEWAY_MAC" type veth \
    peer name "$LAB_IMP_TGT_IF" netns "$LAB_IMP_NS" address "$LAB_IMP_TGT_MAC"
  # No STP, no forwarding delay, no multicast snooping: a wire from the start.
  ip -n "$LAB_IMP_NS" link add "$LAB_IMP_BRIDGE" type bridge stp_state 0 forward_delay 0 \
    mcast_snooping 0
  local port
  for port in "$LAB_IMP_SCAN_IF" "$LAB_IMP_TGT_IF"; do
    # Offloads off here too: the relay reads at most 2048-byte frames.
    in_imp ethtool -K "$port" tx off tso off gso off gro off >/dev/null
    ip -n "$LAB_IMP_NS" link set "$port" master "$LAB_IMP_BRIDGE"
    ip -n "$LAB_IMP_NS" link set "$port" up
  done
  ip -n "$LAB_IMP_NS" link set "$LAB_IMP_BRIDGE" up
}

net_up() {
  ip netns add "$LAB_SCAN_NS"
  ip netns add "$LAB_TGT_NS"
  # Each namespace gets its own hosts file and a resolver that answers at once
  # (nothing listens on 127.0.0.1:53), so no server waits on DNS.
  local ns
  for ns in "$LAB_SCAN_NS" "$LAB_TGT_NS"; do
    mkdir -p "/etc/netns/$ns"
    echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
    {
      echo "127.0.0.1 localhost"
      local i
      for i in "${!T_IP[@]}"; do
        [ "$(t_name "$i")" != - ] && echo "${T_IP[$i]} $(t_name "$i")"
      done
    } >"/etc/netns/$ns/hosts"
    ip -n "$ns" link set lo up
    # No IPv6 chatter (router solicitations, MLD) on the lab wire.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0
  done
  if [ "${LAB_DIRECT:-0}" = 1 ]; then
    # One pair straight between scanner and targets: no impairment possible.
    ip link add "$LAB_SCAN_IF" netns "$LAB_SCAN_NS" address "$LAB_SCAN_MAC" type veth \
      peer name "$LAB_TGT_IF" netns "$LAB_TGT_NS" address "$LAB_GATEWAY_MAC"
  else
    wire_bridged
  fi

  ip -n "$LAB_SCAN_NS" addr add "$LAB_SCAN_KERNEL_IP/24" dev "$LAB_SCAN_IF"
  ip -n "$LAB_TGT_NS" addr add "$LAB_GATEWAY_IP/24" dev "$LAB_TGT_IF"
  local i
  for i in "${!T_IP[@]}"; do
    ip -n "$LAB_TGT_NS" addr add "${T_IP[$i]}/24" dev "$LAB_TGT_IF"
  done
  # Offloads off: otherwise replies reach DPDK's af_packet PMD with unfinished
  # checksums and as GSO super-frames (TESTBED.md).
  in_scan ethtool -K "$LAB_SCAN_IF" tx off tso off gso off >/dev/null
  in_tgt ethtool -K "$LAB_TGT_IF" tx off tso off gso off >/dev/null
  ip -n "$LAB_SCAN_NS" link set "$LAB_SCAN_IF" up
  ip -n "$LAB_TGT_NS" link set "$LAB_TGT_IF" up
  ip -n "$LAB_SCAN_NS" route add "$LAB_DROP_RANGE" via "$LAB_GATEWAY_IP"
  # The drop range arrives in tls-tgt without being local; drop it before
  # routing (forwarding stays off, so nothing would leave anyway).
  in_tgt iptables -t raw -A PREROUTING -d "$LAB_DROP_RANGE" -j DROP
  # Unreachable targets answer with ICMP at any rate: no per-host ICMP limit.
  in_tgt sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000
  for i in "${!T_IP[@]}"; do
    case "${T_ROLE[$i]}" in
      filtered) in_tgt iptables -A INPUT -d "${T_IP[$i]}" -j DROP ;;
      # Host unreachable (ICMP type 3 code 1): connect() fails at once with
      # EHOSTUNREACH, unlike a closed port's RST (ECONNREFUSED).
      unreachable) in_tgt iptables -A INPUT -d "${T_IP[$i]}" -j REJECT --reject-with icmp-host-unreachable ;;
    esac
  done
}

net_down() {
  local ns
  for ns in "$LAB_SCAN_NS" "$LAB_TGT_NS" "$LAB_IMP_NS"; do
    # Deleting a namespace deletes its veth end, and with it the peer.
    ns_exists "$ns" && ip netns del "$ns"
    rm -rf "/etc/netns/$ns"
  done
  return 0
}

# ---------------------------------------------------------------- readiness
# Waits until every expected open port accepts a TCP connection from the
# scanner namespace; on timeout shows the server's log tail and fails.
wait_ready() {
  local deadline=$((SECONDS + LAB_WAIT_SECS)) i p ok
  for i in "${!T_IP[@]}"; do
    case "${T_ROLE[$i]}" in closed|filtered|unreachable) continue ;; esac
    for p in $(t_ports "$i" | tr , ' '); do
      ok=0
      while [ $SECONDS -lt $deadline ]; do
        if in_scan timeout 1 bash -c "exec 3<>/dev/tcp/${T_IP[$i]}/$p" 2>/dev/null; then
          ok=1; break
        fi
        sleep 0.2
      done
      if [ $ok -eq 0 ]; then
        echo "lab: ${T_ROLE[$i]} on ${T_IP[$i]}:$p not accepting after ${LAB_WAIT_SECS}s" >&2
        local f
        for f in $(server_log "$i"); do
          [ -f "$f" ] && { echo "--- tail $f" >&2; tail -n 25 "$f" >&2; }
        done
        return 1
      fi
    done
  done
}

# Phase timings for the closing message of `up`.
phase_start() { PHASE_T=$(date +%s%N); PHASES=""; }
phase() {
  local now
  now=$(date +%s%N)
  local ds=$(( (now - PHASE_T) / 100000000 ))   # tenths of a second
  PHASES+="${PHASES:+, }$1 $((ds / 10)).$((ds % 10))s"
  PHASE_T=$now
}

# ------------------------------------------------------------------ commands
# --------------------------------------------------------------- impairment
IMPAIR_PID=$LAB_STATE/impair.pid
IMPAIR_LOG=$LAB_STATE/impair.log

# alive PID: the process exists and is not a zombie.
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# bridge_ports on|off: i0 and i1 are ports of the bridge (on) or not (off).
bridge_ports() {
  local port
  for port in "$LAB_IMP_SCAN_IF" "$LAB_IMP_TGT_IF"; do
    if [ "$1" = on ]; then
      ip -n "$LAB_IMP_NS" link set "$port" master "$LAB_IMP_BRIDGE"
    else
      ip -n "$LAB_IMP_NS" link set "$port" nomaster
    fi
  done
}

# impair_stop [keep-off]: stops the relay (it prints its final counters to
# the log) and, unless told otherwise, puts i0 and i1 back on the bridge.
# Any other process left in tls-imp is the lab's too and is stopped as well.
impair_stop() {
  local pid pids="" p i
  if [ -f "$IMPAIR_PID" ]; then
    pid=$(cat "$IMPAIR_PID")
    [[ $pid =~ ^[0-9]+$ ]] && pids=$pid
  fi
  if ns_exists "$LAB_IMP_NS"; then
    for p in $(ip netns pids "$LAB_IMP_NS" 2>/dev/null); do
      [[ " $pids " == *" $p "* ]] || pids+=" $p"
    done
  fi
  for p in $pids; do
    alive "$p" || continue
    # Only a process in tls-imp is ours (a stale pid file may name another).
    [ "$(ip netns identify "$p" 2>/dev/null)" = "$LAB_IMP_NS" ] || continue
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 50); do alive "$p" || break; sleep 0.1; done
    alive "$p" && kill -KILL "$p" 2>/dev/null
  done
  rm -f "$IMPAIR_PID" "$LAB_STATE/impair.args"
  if [ "${1:-}" != keep-off ] && ns_exists "$LAB_IMP_NS"; then bridge_ports on; fi
  return 0
}

impair_relay_bin() {
  local bin=${LAB_IMPAIR_RELAY:-$LAB_DIR/../build/tests/lab/impair_relay}
  [ -x "$bin" ] || lab_die "impair: no relay binary at $bin (build with -Dlab_tests=enabled and set LAB_IMPAIR_RELAY)"
  echo "$bin"
}

# impair_start RELAY-FLAGS...: i0 and i1 off the bridge, the relay between them.
impair_start() {
  local bin log pid i
  bin=$(impair_relay_bin) || exit 1
  ns_exists "$LAB_TGT_NS" || lab_die "impair: the lab is not up"
  ns_exists "$LAB_IMP_NS" || lab_die "impair: the lab was built with LAB_DIRECT=1 (no $LAB_IMP_NS)"
  impair_stop keep-off
  log=$IMPAIR_LOG
  : >"$log"
  bridge_ports off
  # A simple command (not a function, which would run in a subshell), and
  # ip netns exec execs the relay: $! is the relay's pid. Our flags come last
  # and win.
  ip netns exec "$LAB_IMP_NS" "$bin" "$@" --a "$LAB_IMP_SCAN_IF" --b "$LAB_IMP_TGT_IF" \
    </dev/null >/dev/null 2>>"$log" &
  pid=$!
  echo "$pid" >"$IMPAIR_PID"
  for i in $(seq 100); do
    grep -q '^impair_relay: ready' "$log" && break
    alive "$pid" || break
    sleep 0.05
  done
  if ! grep -q '^impair_relay: ready' "$log"; then
    impair_stop
    echo "lab: impair: the relay did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "$*" >"$LAB_STATE/impair.args"
  echo "lab: impair on: $*" >&2
}

cmd_impair() {
  require_root
  local sub=${1:-}
  shift || true
  case "$sub" in
    on) impair_start "$@" ;;
    off)
      impair_stop
      grep '^impair_relay: final' "$IMPAIR_LOG" >&2 2>/dev/null || true
      echo "lab: impair off" >&2 ;;
    stats)
      local pid
      pid=$(cat "$IMPAIR_PID" 2>/dev/null) || pid=""
      if [ -n "$pid" ] && alive "$pid"; then
        local before
        before=$(grep -c '^impair_relay: now' "$IMPAIR_LOG" || true)
        kill -USR1 "$pid"
        for _ in $(seq 20); do
          [ "$(grep -c '^impair_relay: now' "$IMPAIR_LOG" || true)" -ge $((before + 2)) ] && break
          sleep 0.05
        done
        grep '^impair_relay: now' "$IMPAIR_LOG" | tail -n 2
      else
        grep '^impair_relay: final' "$IMPAIR_LOG" 2>/dev/null | tail -n 2 || true
        echo "lab: impair: no relay running" >&2
      fi ;;
    *) echo "usage: $0 impair on [--loss PCT] [--delay MS] [--jitter MS] [--reorder PCT] [--seed N] [--direction both|a2b|b2a] | impair off | impair stats" >&2
       exit 2 ;;
  esac
}

cmd_down() {
  require_root
  servers_stop
  impair_stop keep-off
  net_down
  rm -rf "$LAB_STATE"
  echo "lab: down" >&2
}

up_failed() {
  echo "lab: up failed, tearing down (logs kept in $LAB_STATE)" >&2
  servers_stop
  impair_stop keep-off
  net_down
}

cmd_up() {
  require_root
  local t0=$SECONDS
  conf_load "$LAB_CONF"
  install_lab_deps
  # Idempotent: whatever a previous run left is removed first.
  cmd_down 2>/dev/null
  mkdir -p "$LAB_STATE"
  chmod 755 "$LAB_STATE"
  cp "$LAB_CONF" "$LAB_STATE/lab.conf"
  readlink -f "$LAB_CONF" >"$LAB_STATE/conf_path"
  # From here on a failure (error, lab_die, Ctrl-C) leaves nothing running;
  # the logs stay in $LAB_STATE for a post-mortem until the next up or down.
  trap 'up_failed' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  phase_start
  net_up; phase network
  make_certs; phase certificates
  servers_setup_start; phase servers
  wait_ready; phase ready
  write_expected "$LAB_STATE"
  trap - EXIT INT TERM
  echo "lab: up in $((SECONDS - t0))s ($PHASES): ${#T_IP[@]} targets, $(wc -l <"$LAB_STATE/expected_open.txt") open ports (state $LAB_STATE)" >&2
}

cmd_env() {
  local scan_mac=$LAB_SCAN_MAC gw_mac=$LAB_GATEWAY_MAC conf=$LAB_CONF
  # The description the running lab was built from.
  [ -f "$LAB_STATE/conf_path" ] && conf=$(cat "$LAB_STATE/conf_path")
  if ns_exists "$LAB_SCAN_NS"; then
    scan_mac=$(ip -n "$LAB_SCAN_NS" -o link show "$LAB_SCAN_IF" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
  fi
  if ns_exists "$LAB_TGT_NS"; then
    gw_mac=$(ip -n "$LAB_TGT_NS" -o link show "$LAB_TGT_IF" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
  fi
  cat <<EOF
LAB_STATE=$LAB_STATE
LAB_CONF=$conf
LAB_SCAN_NS=$LAB_SCAN_NS
LAB_TGT_NS=$LAB_TGT_NS
LAB_IMP_NS=$LAB_IMP_NS
LAB_SCAN_IF=$LAB_SCAN_IF
LAB_TGT_IF=$LAB_TGT_IF
LAB_SCAN_KERNEL_IP=$LAB_SCAN_KERNEL_IP
LAB_SCAN_DPDK_IP=$LAB_SCAN_DPDK_IP
LAB_SCAN_MAC=$scan_mac
LAB_GATEWAY_IP=$LAB_GATEWAY_IP
LAB_GATEWAY_MAC=$gw_mac
LAB_CA_FILE=$LAB_STATE/ca/ca.crt
LAB_RANGE=$LAB_RANGE
LAB_DROP_RANGE=$LAB_DROP_RANGE
LAB_EXPECTED_OPEN=$LAB_STATE/expected_open.txt
LAB_EXPECTED_TSV=$LAB_STATE/expected.tsv
LAB_NAMES=$LAB_STATE/names.csv
LAB_SYNTH_RANGE=$(cat "$LAB_STATE/synth.range" 2>/dev/null)
LAB_SYNTH_TSV=$LAB_STATE/synth.tsv
EOF
}

cmd_status() {
  local ns up=1
  for ns in "$LAB_SCAN_NS" "$LAB_TGT_NS"; do
    if ns_exists "$ns"; then
      echo "== $ns"
      ip -n "$ns" -br addr show | grep -v '^lo '
      ip -n "$ns" route show | sed 's/^/   route: /'
    else
      echo "== $ns: absent"; up=0
    fi
  done
  [ $up -eq 1 ] || return 1
  if ns_exists "$LAB_IMP_NS"; then
    local pid
    pid=$(cat "$IMPAIR_PID" 2>/dev/null) || pid=""
    if [ -n "$pid" ] && alive "$pid"; then
      echo "== $LAB_IMP_NS: impaired by impair_relay (pid $pid): $(cat "$LAB_STATE/impair.args" 2>/dev/null)"
    else
      echo "== $LAB_IMP_NS: bridged ($(ip -n "$LAB_IMP_NS" -o link show master "$LAB_IMP_BRIDGE" | awk -F': ' '{print $2}' | cut -d@ -f1 | paste -sd' '))"
    fi
  else
    echo "== $LAB_IMP_NS: absent (LAB_DIRECT=1: s0 and t0 are one veth pair)"
  fi
  echo "== listening in $LAB_TGT_NS"
  in_tgt ss -Hltnp | awk '{print "   " $4, $6}' | sort -V
  echo "== firewall in $LAB_TGT_NS"
  { in_tgt iptables -t raw -S PREROUTING; in_tgt iptables -S INPUT; } | grep -- '^-A' | sed 's/^/   /'
  [ -f "$LAB_STATE/expected_open.txt" ] && echo "== $(wc -l <"$LAB_STATE/expected_open.txt") expected open ports: $LAB_STATE/expected_open.txt"
  return 0
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  impair) shift; cmd_impair "$@" ;;
  synth)
    require_root
    case "${2:-}" in
      on) synth_on "${3:-}" ;;
      off) synth_off; echo "lab: synth off" >&2 ;;
      *) echo "usage: $0 synth on [CIDR] | synth off" >&2; exit 2 ;;
    esac ;;
  *) echo "usage: $0 up|down|status|env|impair on [FLAGS]|impair off|impair stats|synth on [CIDR]|synth off" >&2; exit 2 ;;
esac
