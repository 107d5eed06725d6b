# Helpers for tests and benchmarks that need the lab. Source this file:
#
#   source scripts/lab/lib.sh
#   lab_with bash tests/something.sh      # up, run, always down
#
#   lab_up      builds the lab (scripts/lab.sh up) and exports its variables
#               (LAB_SCAN_NS, LAB_GATEWAY_MAC, LAB_EXPECTED_TSV, ...; see
#               `scripts/lab.sh env`) into the calling shell.
#   lab_down    removes the lab (safe to call repeatedly).
#   lab_with CMD...  lab_up, runs CMD, and tears the lab down whatever happens
#               (exit, error, Ctrl-C, SIGTERM to the calling shell); returns
#               CMD's exit status (130/143 exits the caller after a signal).
#   lab_impair_on FLAGS...  puts impair_relay between scanner and targets
#               (scripts/lab.sh impair on), e.g. --loss 20 --direction b2a
#               (a = the scanner's side). Needs LAB_IMPAIR_RELAY, the binary.
#   lab_impair_stats   the relay's counters so far, one line per direction.
#   lab_impair_off     back to the plain bridged wire; prints the relay's
#               final counters on stderr. lab_down also stops the relay.

LAB_SH=${LAB_SH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lab.sh}

lab_up() {
  bash "$LAB_SH" up || return
  lab_env
}

# Exports the lab's variables into the current shell.
lab_env() {
  local envtext
  envtext=$(bash "$LAB_SH" env) || return
  set -a
  eval "$envtext"
  set +a
}

lab_down() {
  bash "$LAB_SH" down
}

lab_impair_on() { bash "$LAB_SH" impair on "$@"; }
lab_impair_off() { bash "$LAB_SH" impair off; }
lab_impair_stats() { bash "$LAB_SH" impair stats; }

# lab_with runs in the calling shell (not a subshell), so a SIGTERM or SIGINT
# sent to that shell's pid reaches its traps: the command runs in the
# background and `wait` is interrupted by the signal, the command is sent
# SIGTERM and the lab comes down. The caller's own EXIT/INT/TERM traps are
# restored afterwards.
_LAB_CHILD=""
_lab_cleanup() {
  if [ -n "$_LAB_CHILD" ]; then
    kill -TERM "$_LAB_CHILD" 2>/dev/null || true
    wait "$_LAB_CHILD" 2>/dev/null || true
    _LAB_CHILD=""
  fi
  lab_down || true
}

lab_with() {
  local prev_traps rc=0
  prev_traps=$(trap -p EXIT INT TERM)
  trap '_lab_cleanup' EXIT
  trap 'trap - EXIT; _lab_cleanup; exit 130' INT
  trap 'trap - EXIT; _lab_cleanup; exit 143' TERM
  if lab_up; then
    # An explicit <&0: a background command would otherwise read /dev/null.
    "$@" <&0 &
    _LAB_CHILD=$!
    wait "$_LAB_CHILD" || rc=$?
    _LAB_CHILD=""
  else
    rc=$?
  fi
  trap - EXIT INT TERM
  _lab_cleanup
  eval "$prev_traps"
  return "$rc"
}
