#!/usr/bin/env bash
# The cost of --enumerate per server (bench/RESULTS.md 12.enum14): every
# priority string of scripts/lab/gnutls_priorities.conf plus a modern TLS
# 1.3/1.2 one, each on gnutls-serv at its own loopback address (a port of its
# own above 20000, mapped to smtps: implicit TLS), enumerated by `tlsweep grab
# --enumerate` with the flag's defaults unless flags say otherwise; prints per
# server its connections, seconds and the versions accepted (suites, S: the
# server's order, C: the client's), then the metadata's totals and the
# grab's peak RSS.
# Runs in a network namespace of its own with only loopback; makes its files
# (a self-signed certificate, records) in a temporary directory.
# usage: bench/enum_cost.sh TLSWEEP [grab flags...]
#   e.g. bench/enum_cost.sh build/src/app/tlsweep --enumerate-interval 0
set -u
tlsweep=$(realpath "$1"); shift
conf=$(cd "$(dirname "$0")/.." && pwd)/scripts/lab/gnutls_priorities.conf
if [ "${ENUM_COST_IN_NETNS:-}" != 1 ]; then
  exec unshare -n env ENUM_COST_IN_NETNS=1 bash "$0" "$tlsweep" "$@"
fi
ip link set lo up
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; cd "$dir"
certtool --generate-privkey --key-type rsa --bits 2048 --outfile key.pem 2> /dev/null
printf 'cn = mail.lab.test\nexpiration_days = 2\nsigning_key\nencryption_key\ntls_www_server\n' > tpl
certtool --generate-self-signed --load-privkey key.pem --template tpl --outfile cert.pem > /dev/null 2>&1
: > targets
n=2; pids=()
while read -r name string; do
  case $name in ''|\#*) continue ;; esac
  port=$((20000 + n))
  gnutls-serv -a --priority "$string" --x509certfile cert.pem --x509keyfile key.pem -p $port \
    > s.$name.log 2>&1 &
  pids+=($!)
  echo "127.0.0.$n,mail.lab.test,,$port" >> targets
  n=$((n + 1))
done < <(cat "$conf"; echo "modern NONE:+VERS-TLS1.3:+VERS-TLS1.2:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+ECDHE-RSA:+RSA:+AEAD:+GROUP-ALL:+COMP-NULL:+SIGN-ALL:+CTYPE-X509")
sleep 1
# Ports above 20000 have no module: map each to smtps (implicit TLS).
mods=(); for p in $(cut -d, -f4 targets); do mods+=(--module "$p=smtps"); done
/usr/bin/time -f "%M KB max RSS, %e s wall, %U s user" "$tlsweep" grab -q --raw-probes none \
  --enumerate --timeout 2 --session-timeout 3 "${mods[@]}" "$@" -o rec.jsonl -m meta.json < targets
kill "${pids[@]}"
python3 - <<'PY'
import json
for l in open("rec.jsonl"):
    r = json.loads(l); (m, d), = r["data"].items(); e = d["result"]["enumeration"]
    acc = " ".join("%s:%d%s" % (v["version"], len(v["suites"]), {True: "S", False: "C", None: ""}[v["server_order"]]) for v in e["versions"] if v["accepted"])
    print("%-18s %3d connections %6.2f s  %s%s" % (
        "%s:%d" % (r["ip"], r["port"]), e["connections"], e["milliseconds"] / 1000, acc,
        " TRUNCATED " + e.get("stopped", "") if e["truncated"] else ""))
print(json.load(open("meta.json"))["enumerations"])
PY
