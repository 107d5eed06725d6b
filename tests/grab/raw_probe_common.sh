# Set-up shared by the raw-probe tests against a real server
# (raw_probe_*_test.sh), sourced by them:
#
#   source "$(dirname "$0")/raw_probe_common.sh"
#   need_tools TOOL...   skips the test (77) unless every TOOL is installed
#   own_netns "$@"       runs the test again, with its arguments, inside a
#                        network namespace of its own with only loopback
#                        (unshare -n), so its server is never reachable from
#                        any other network; skips (77) where none can be made
#
# After own_netns: $dir, a scratch directory removed at exit; $server, set
# by the test to its server's pid, killed at exit; fail MESSAGE, which
# prints FAIL and sets $failed to 1.

need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" > /dev/null || { echo "SKIP: no $tool"; exit 77; }
  done
}

own_netns() {
  if [ "${RAW14_IN_NETNS:-}" != 1 ]; then
    unshare -n true 2> /dev/null || { echo "SKIP: cannot make a network namespace"; exit 77; }
    exec unshare -n env RAW14_IN_NETNS=1 bash "$0" "$@"
  fi
  ip link set lo up
  dir=$(mktemp -d)
  server=
  failed=0
  trap _raw_probe_cleanup EXIT
}

_raw_probe_cleanup() {
  [ -n "$server" ] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
  rm -rf "$dir"
}

fail() { echo "FAIL: $*"; failed=1; }
