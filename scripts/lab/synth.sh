# The lab's synthetic Internet (`scripts/lab.sh synth on [CIDR] | off`):
# every address of CIDR (inside 10.79.0.0/16; default 10.79.0.0/20) looks
# like a server of its own on every port some lab server serves.
#
# In tls-tgt, nftables (table ip synth):
#   - prerouting: a packet for CIDR is DNAT'ed by its port onto one lab
#     server that serves that port (a valid-certificate one when there is
#     one), so a scan finds every address open on those ports and every grab
#     reaches a real Postfix, Dovecot, Prosody or InspIRCd;
#   - input: its source is SNAT'ed to 10.80.x.y, the address that mirrors
#     its original destination 10.79.x.y (`ct original ip daddr` looked up in
#     a map), so each target is another client to the server, as on the real
#     Internet where each address is another server: per-client limits
#     (Postfix's smtpd_client_connection_count_limit, anvil) bind per target,
#     not on the scanner's one address.
# Replies are translated back by conntrack. tls-scan gets a route to CIDR via
# the gateway for kernel tools (openssl s_client, tlsweep grab). Files in
# $LAB_STATE: synth.range (CIDR) and synth.tsv (port -> server address).
#
# Costs: one conntrack entry per connection and probe in tls-tgt; a /16 is a
# 65,536-element map (about a second to load).

LAB_SYNTH_DEFAULT=10.79.0.0/20
LAB_SYNTH_CLIENTS=10.80.0.0/16

# synth_check CIDR: a prefix of 16..30 bits inside 10.79.0.0/16.
synth_check() {
  [[ $1 =~ ^10\.79\.([0-9]+)\.([0-9]+)/([0-9]+)$ ]] &&
    [ "${BASH_REMATCH[1]}" -le 255 ] && [ "${BASH_REMATCH[2]}" -le 255 ] &&
    [ "${BASH_REMATCH[3]}" -ge 16 ] && [ "${BASH_REMATCH[3]}" -le 30 ] ||
    lab_die "synth: $1 is not a CIDR of /16 to /30 inside 10.79.0.0/16"
}

# The nftables ruleset for CIDR, with the port -> server map of synth.tsv.
synth_ruleset() {
  python3 - "$1" "$LAB_STATE/synth.tsv" <<'PY'
import ipaddress, sys
net = ipaddress.ip_network(sys.argv[1], strict=False)
ports = [l.split() for l in open(sys.argv[2]) if not l.startswith("#")]
mirror = int(ipaddress.ip_address("10.80.0.0")) - int(ipaddress.ip_address("10.79.0.0"))
print("table ip synth {\n map client {\n  type ipv4_addr : ipv4_addr")
elements = ", ".join("%s : %s" % (a, ipaddress.ip_address(int(a) + mirror)) for a in net)
print("  elements = { %s }\n }" % elements)
print(" chain pre {\n  type nat hook prerouting priority -100")
print("  ip daddr %s dnat to tcp dport map { %s }\n }" % (
    net, ", ".join("%s : %s" % (p, s) for p, s in ports)))
print(" chain in {\n  type nat hook input priority 100")
print("  ct original ip daddr %s snat to ct original ip daddr map @client\n }\n}" % net)
PY
}

synth_off() {
  if ns_exists "$LAB_TGT_NS"; then
    in_tgt nft delete table ip synth 2>/dev/null || true
    ip -n "$LAB_TGT_NS" route del "$LAB_SYNTH_CLIENTS" 2>/dev/null || true
  fi
  if ns_exists "$LAB_SCAN_NS" && [ -f "$LAB_STATE/synth.range" ]; then
    ip -n "$LAB_SCAN_NS" route del "$(cat "$LAB_STATE/synth.range")" 2>/dev/null || true
  fi
  rm -f "$LAB_STATE/synth.range" "$LAB_STATE/synth.tsv"
  return 0
}

synth_on() {
  local cidr=${1:-$LAB_SYNTH_DEFAULT} i p server
  synth_check "$cidr"
  ns_exists "$LAB_TGT_NS" || lab_die "synth: the lab is not up"
  conf_load "$(cat "$LAB_STATE/conf_path")"
  synth_off
  {
    printf '#port\tserver\n'
    for p in 25 465 587 110 995 143 993 5222 5223 5269 6667 6697; do
      server=""
      for i in "${!T_IP[@]}"; do
        has_port "$i" "$p" || continue
        case "${T_ROLE[$i]}" in closed|filtered|unreachable) continue ;; esac
        [ -z "$server" ] && server=${T_IP[$i]}
        [ "${T_CERT[$i]}" = valid ] && { server=${T_IP[$i]}; break; }
      done
      [ -n "$server" ] && printf '%s\t%s\n' "$p" "$server"
    done
  } >"$LAB_STATE/synth.tsv"
  synth_ruleset "$cidr" | in_tgt nft -f - || lab_die "synth: nft failed"
  ip -n "$LAB_TGT_NS" route add "$LAB_SYNTH_CLIENTS" dev "$LAB_TGT_IF"
  ip -n "$LAB_SCAN_NS" route add "$cidr" via "$LAB_GATEWAY_IP"
  echo "$cidr" >"$LAB_STATE/synth.range"
  echo "lab: synth on: $cidr on ports $(awk '!/^#/ {print $1}' "$LAB_STATE/synth.tsv" | paste -sd,)" >&2
}
