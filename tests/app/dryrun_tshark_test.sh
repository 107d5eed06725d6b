#!/usr/bin/env bash
# Generated frames pass tshark's own IPv4 and TCP checksum validation, for
# every TCP option profile, and tshark decodes each one as a bare SYN to the
# targets and ports that were asked for.
set -euo pipefail
tlsweep=$(realpath "$1")
tshark=${2:-tshark}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for profile in minimal mss linux; do
  pcap="$dir/$profile.pcap"
  "$tlsweep" scan --dryrun -q -r 0 --seed 7 --no-blocklist -S 192.0.2.10-192.0.2.13 \
    -p 25,110,143,465,587,993,995,5222,5223,5269,6667,6697 \
    --tcp-options "$profile" --pcap "$pcap" 198.51.100.0/26 203.0.113.7
  expected=$(( (64 + 1) * 12 ))
  count() {
    "$tshark" -r "$pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
      -Y "$1" -T fields -e frame.number 2>/dev/null | wc -l
  }
  total=$(count "frame")
  bad=$(count 'ip.checksum.status != "Good" || tcp.checksum.status != "Good"')
  syns=$(count 'tcp.flags == 0x002 && ip.src >= 192.0.2.10 && ip.src <= 192.0.2.13 && (ip.dst == 198.51.100.0/26 || ip.dst == 203.0.113.7) && ip.ttl == 255')
  distinct=$("$tshark" -r "$pcap" -T fields -e ip.dst -e tcp.dstport 2>/dev/null | sort -u | wc -l)
  echo "$profile: $total frames, $bad bad checksums, $syns SYNs, $distinct distinct targets"
  [ "$total" -eq "$expected" ] || { echo "FAIL: expected $expected frames"; exit 1; }
  [ "$bad" -eq 0 ] || { echo "FAIL: tshark reports bad checksums"; exit 1; }
  [ "$syns" -eq "$expected" ] || { echo "FAIL: not every frame is a SYN to a target"; exit 1; }
  [ "$distinct" -eq "$expected" ] || { echo "FAIL: targets repeated or missing"; exit 1; }
done
case $(count 'tcp.options.mss_val == 1460 && tcp.options.wscale.shift == 7 && tcp.options.sack_perm && tcp.options.timestamp.tsval') in
  "$expected") echo "linux options decoded" ;;
  *) echo "FAIL: linux profile options not decoded by tshark"; exit 1 ;;
esac
