# The lab tests' shared harness, sourced after scripts/lab/lib.sh: a work
# directory, checks that print PASS/FAIL and are counted, a file comparison
# that shows the difference, validation against the published schema,
# commands in the scanner namespace, and the final tally that decides the
# exit status.

work=$(mktemp -d)

# check NAME COMMAND...: runs COMMAND, prints and counts the outcome, and
# returns COMMAND's success.
check() {
  local name=$1; shift
  if "$@"; then
    echo "PASS: $name"; echo pass >> "$work/results"
  else
    echo "FAIL: $name"; echo fail >> "$work/results"
    return 1
  fi
}

# same A B: the files are equal; otherwise the start of their diff. Both are
# copied first: a process substitution can be read only once.
same() {
  cat "$1" > "$work/same.a" && cat "$2" > "$work/same.b" || return 1
  cmp -s "$work/same.a" "$work/same.b" ||
    { diff "$work/same.a" "$work/same.b" | cut -c1-300 | head -20; return 1; }
}

# valid SCHEMA FILE...: every record (JSON Lines) or metadata document in the
# files validates against docs/schema/SCHEMA.schema.json; otherwise the
# validator's "FILE:LINE: path.to.field: message" lines.
valid() {
  local out
  out=$(python3 "$(dirname "${BASH_SOURCE[0]}")/../../scripts/validate_records.py" "$@" 2>&1) &&
    return 0
  head -20 <<<"$out" | sed 's/^/    /'
  return 1
}

in_scan() { ip netns exec "$LAB_SCAN_NS" "$@"; }

# finish_checks SUITE RC: prints the tally, removes the work directory and
# succeeds only if the lab ran (RC 0), every check passed and some ran.
finish_checks() {
  local passed failed
  passed=$(grep -c pass "$work/results" 2> /dev/null)
  failed=$(grep -c fail "$work/results" 2> /dev/null)
  rm -rf "$work"
  echo "lab $1: ${passed:-0} passed, ${failed:-0} failed"
  [ "$2" -eq 0 ] && [ "${failed:-0}" -eq 0 ] && [ "${passed:-0}" -gt 0 ]
}
