#!/usr/bin/env bash
# The demo: a lab network of real mail and chat servers, scanned and grabbed
# by `tlsweep run` over DPDK, then `tlsweep report`.
#
#   scripts/demo.sh            (Debian 12, as root)
#
# 1. installs what is missing (build, lab and demo packages: scripts/lib/deps.sh),
# 2. builds tlsweep into build/ (meson setup when needed, then ninja),
# 3. brings up the lab described by scripts/lab/demo.conf: forty-odd
#    addresses in 10.77.0.0/24 with Postfix, Dovecot, Prosody and InspIRCd
#    (valid, self-signed, expired and wrong-name certificates, weak DHE,
#    servers with STARTTLS offered, required or absent, different AUTH
#    mechanism sets and orders, a key shared by several hosts),
# 4. runs `tlsweep run` over DPDK (net_af_packet on the lab's veth) across
#    the lab's range and every default port,
# 5. writes the records, the run's metadata and the report (Markdown, shown
#    here; HTML and CSV) into the output folder, with a screenshot of the
#    HTML page from headless Chromium,
# 6. tears the lab down (always, also on error or Ctrl-C) and says where
#    everything is.
#
# Environment: DEMO_OUT (output folder; default out/demo-<date>-<time>),
# BUILDDIR (default build), LAB_STATE (the lab's files, default
# /run/tlsweep-lab). A few minutes on a machine with the packages installed
# and tlsweep built; the first build takes longer.
#
# The lab uses fixed namespace names (tls-scan, tls-imp, tls-tgt): one lab
# at a time on a machine, and `up` replaces a lab that is already up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/deps.sh

T0=$SECONDS
step() { printf '\n==> [%3ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (network namespaces, servers, DPDK)" >&2; exit 1; }

step "packages"
install_build_deps
install_lab_deps
install_demo_deps

step "build"
builddir=${BUILDDIR:-build}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" --buildtype=debugoptimized >/dev/null
fi
ninja -C "$builddir" src/app/tlsweep
case $builddir in
  /*) tlsweep=$builddir/src/app/tlsweep ;;
  *) tlsweep=$root/$builddir/src/app/tlsweep ;;
esac

out=${DEMO_OUT:-out/demo-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out/csv" "$out/lab"
out=$(cd "$out" && pwd)

# ------------------------------------------------------------------ the lab
export LAB_CONF=$root/scripts/lab/demo.conf
source scripts/lab/lib.sh
demo_down() {
  trap - EXIT INT TERM
  step "lab down"
  lab_down || true
}
trap demo_down EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "lab up ($(grep -c '^10\.' "$LAB_CONF") addresses from scripts/lab/demo.conf)"
lab_up
cp "$LAB_CONF" "$LAB_STATE/expected_report.json" "$LAB_STATE/expected.tsv" "$LAB_NAMES" "$out/lab/"
cp "$LAB_CA_FILE" "$out/lab/ca.crt"

# Every port of tlsweep's module registry (`tlsweep run --help`, --module):
# SMTP, SUBMISSION, SMTPS, IMAP, IMAPS, POP3, POP3S, XMPP c2s, s2s and
# direct TLS, IRC and IRCS.
PORTS=25,587,465,143,993,110,995,5222,5269,5223,6667,6697

step "tlsweep run over $LAB_RANGE, ports $PORTS"
# --no-blocklist: a lab override. The lab is 10.77.0.0/24, private space
# that the default blocklist (IANA special-purpose ranges) excludes; only
# the lab's own namespaces are reachable from tls-scan. Real scans keep the
# blocklist on.
# DPDK's net_af_packet runs on s0, the scanner namespace's end of the lab
# wire; 10.77.0.250 is tlsweep's own address (the kernel does not own it).
# A scan finds addresses, not names: --names gives each lab server the
# name it claims (the lab's names.csv; for the Internet, e.g. the MX names
# a study resolved), for SNI and the certificate's name check. Chains are
# verified against the lab CA; XMPP streams name the lab's domain.
ip netns exec "$LAB_SCAN_NS" "$tlsweep" run -i "$LAB_SCAN_IF" \
  --gateway-ip "$LAB_GATEWAY_IP" -S "$LAB_SCAN_DPDK_IP" --no-blocklist \
  -p "$PORTS" --ca-file "$LAB_CA_FILE" --names "$LAB_NAMES" --xmpp-domain xmpp.lab.test \
  -r 5000 -c 2 -q -o "$out/records.jsonl" -m "$out/metadata.json" "$LAB_RANGE" \
  2> "$out/run.log" || { tail -n 20 "$out/run.log" >&2; echo "demo: tlsweep run failed" >&2; exit 1; }
echo "$(wc -l < "$out/records.jsonl") records ($(wc -l < "$LAB_EXPECTED_OPEN") open ports in demo.conf)" >&2

demo_down

# ------------------------------------------------------------------- report
step "tlsweep report"
"$tlsweep" report --metadata "$out/metadata.json" --csv-dir "$out/csv" \
  --html "$out/report.html" "$out/records.jsonl" > "$out/report.md"
cat "$out/report.md"

shot=""
if command -v chromium > /dev/null; then
  step "screenshot of report.html (headless Chromium)"
  profile=$(mktemp -d)
  if timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" --window-size=1280,4000 \
      --screenshot="$out/screenshot.png" "file://$out/report.html" \
      > /dev/null 2> "$out/chromium.log" && [ -s "$out/screenshot.png" ]; then
    shot=$out/screenshot.png
  else
    echo "demo: chromium made no screenshot (see $out/chromium.log)" >&2
  fi
  rm -rf "$profile"
fi

step "done in $((SECONDS - T0)) s"
cat >&2 <<EOF
  output folder   $out
  records         $out/records.jsonl   (one JSON record per open port)
  run metadata    $out/metadata.json
  report          $out/report.md       (shown above)
                  $out/report.html
                  $out/csv/            ($(find "$out/csv" -name '*.csv' | wc -l) tables as CSV)
  screenshot      ${shot:-none (chromium missing or failed)}
  the lab         $out/lab/demo.conf   (the description)
                  $out/lab/expected_report.json (what the report should count, from demo.conf)
                  $out/lab/ca.crt      (the lab CA the chains were verified against)
                  $out/lab/names.csv   (the servers' names: --names)
EOF
