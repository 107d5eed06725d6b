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
#               (exit, error, Ctrl-C, SIGTERM); returns CMD's exit status.

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

lab_with() {
  (
    trap 'lab_down' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    lab_up || exit
    rc=0
    "$@" || rc=$?
    exit "$rc"
  )
}
