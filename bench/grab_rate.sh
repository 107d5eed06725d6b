#!/usr/bin/env bash
# tlsweep grab against the lab's real servers: grabs per second, client CPU
# per grab and peak RSS at several concurrency levels. Each run grabs the
# lab's STARTTLS services (SMTP 25, IMAP 143, POP3 110, submission 587) and
# their implicit-TLS twins over and over, from a list of N targets.
#
# usage: bench/grab_rate.sh TLSWEEP_BINARY [N] [CONCURRENCY...]   (root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tlsweep=$(realpath "$1")
n=${2:-2000}
shift 2 || true
levels=("${@:-1 100 1000}")
source "$root/scripts/lab/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bench() {
  local services=(10.77.0.10,25 10.77.0.10,587 10.77.0.10,465 10.77.0.11,143
                  10.77.0.11,993 10.77.0.11,110 10.77.0.11,995)
  for ((i = 0; i < n; i++)); do echo "${services[i % ${#services[@]}]}"; done > "$work/targets.txt"
  printf '%-12s %8s %10s %12s %14s %10s\n' concurrency grabs grabs/s "cpu_ms/grab" "max_rss_MiB" success
  local c
  for c in ${levels[*]}; do
    ip netns exec "$LAB_SCAN_NS" /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
      "$tlsweep" grab -q --ca-file "$LAB_CA_FILE" --concurrency "$c" --per-host "$c" \
      -m "$work/meta.json" < "$work/targets.txt" > "$work/out.jsonl"
    read -r wall user sys rss < "$work/time.txt"
    python3 - "$c" "$wall" "$user" "$sys" "$rss" "$work/meta.json" <<'PY'
import json, sys
c, wall, user, sys_t, rss, meta = sys.argv[1:]
m = json.load(open(meta))
done = m["grabs_finished"]
ok = m["by_status"].get("success", 0)
print(f"{c:<12} {done:>8} {done / float(wall):>10.1f} {1000 * (float(user) + float(sys_t)) / done:>12.2f} "
      f"{int(rss) / 1024:>14.1f} {ok:>10}  {json.dumps(m['by_status'])}")
PY
  done
}

lab_with bench
