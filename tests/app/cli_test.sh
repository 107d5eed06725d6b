#!/usr/bin/env bash
# End-to-end checks of `tlsweep scan --dryrun` through its command line:
# shards with one seed partition the scan, -n plus --resume covers exactly
# what one run covers, and bad input exits non-zero naming the problem.
set -euo pipefail
tlsweep=$(realpath "$1")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*"; exit 1; }
scan() { "$tlsweep" scan --dryrun -q -r 0 --no-blocklist -S 192.0.2.1 "$@"; }
targets() { tail -n +2 "$1" | cut -d, -f3,4 | sort; }

common=(--seed 12345 -p 25,143,993 198.51.100.0/25 203.0.113.0/28)

# One run.
scan "${common[@]}" -o whole.csv
targets whole.csv > whole.txt
[ "$(wc -l < whole.txt)" -eq $(( (128 + 16) * 3 )) ] || fail "whole run size"
[ "$(sort -u whole.txt | wc -l)" -eq "$(wc -l < whole.txt)" ] || fail "duplicates in one run"

# Three shards, with different thread counts per machine.
for i in 0 1 2; do
  scan "${common[@]}" --shards 3 --shard $i -T $((i + 1)) -o shard$i.csv
  targets shard$i.csv > shard$i.txt
done
cat shard0.txt shard1.txt shard2.txt | sort > shards.txt
cmp -s shards.txt whole.txt || fail "shards differ from the whole run"
[ -z "$(comm -12 shard0.txt shard1.txt)" ] || fail "shards 0 and 1 overlap"
echo "shards: 3 disjoint shards cover the $(wc -l < whole.txt) targets"

# Stop early with -n, then resume: together they equal one run.
scan "${common[@]}" -T 2 -P 2 -n 100 -o part1.csv --resume-out pos.json
[ -s pos.json ] || fail "no resume file after -n"
scan "${common[@]}" -T 2 -P 2 --resume pos.json -o part2.csv -m meta.json
cat <(targets part1.csv) <(targets part2.csv) | sort > resumed.txt
sort whole.txt whole.txt > twice.txt
cmp -s resumed.txt twice.txt || fail "-n + --resume differs from one run"
grep -q '"complete": true' meta.json || fail "metadata does not say complete"
echo "resume: 100 probes + the rest = one run with -P 2"

# A resume file for another scan is refused.
if scan --seed 1 -p 25 198.51.100.0/25 -T 2 -P 2 --resume pos.json -o x.csv 2> err.txt; then
  fail "resume with another seed accepted"
fi
grep -q "seed" err.txt || fail "resume mismatch does not name the seed"

# Ctrl-C 2 s into a scan that takes 12.8 s at 20 probes/s (at 200/s a
# loaded machine once let the scan end before the signal): the probes built
# so far are flushed, a resume file is written.
"$tlsweep" scan --dryrun -q -r 20 --no-blocklist -S 192.0.2.1 --seed 5 -p 25 \
  198.51.100.0/24 -o int.csv --resume-out int.json -m int-meta.json &
pid=$!
sleep 2
kill -INT $pid
wait $pid || fail "interrupted run exited non-zero"
[ -s int.json ] || fail "no resume file after SIGINT"
grep -q '"interrupted": true' int-meta.json || fail "metadata does not say interrupted"
"$tlsweep" scan --dryrun -q -r 0 --no-blocklist -S 192.0.2.1 --seed 5 -p 25 \
  198.51.100.0/24 --resume int.json -o int2.csv
cat <(targets int.csv) <(targets int2.csv) | sort > int-all.txt
[ "$(wc -l < int-all.txt)" -eq 256 ] && [ "$(sort -u int-all.txt | wc -l)" -eq 256 ] \
  || fail "SIGINT + resume does not cover the /24 exactly once"
echo "SIGINT: $(($(wc -l < int.csv) - 1)) probes before the signal, the rest after resume"

# Bad input: non-zero exit and a message naming the problem.
expect_error() {
  local pattern=$1; shift
  if "$tlsweep" "$@" > out.txt 2> err.txt; then fail "accepted: $*"; fi
  grep -q -- "$pattern" err.txt || { cat err.txt; fail "message for '$*' lacks '$pattern'"; }
}
expect_error "no targets" scan --dryrun -p 25 -S 192.0.2.1
expect_error "'10.0.0.0/33'" scan --dryrun -p 25 -S 192.0.2.1 10.0.0.0/33
expect_error "-p" scan --dryrun -p 0 -S 192.0.2.1 198.51.100.1
expect_error "'65536'" scan --dryrun -p 65536 -S 192.0.2.1 198.51.100.1
expect_error "/nonexistent.conf" scan --dryrun -p 25 -S 192.0.2.1 -b /nonexistent.conf 198.51.100.1
expect_error "blocklist" scan --dryrun -p 25 -S 192.0.2.1 10.1.2.0/24
expect_error "'--bogus'" scan --dryrun --bogus -p 25 198.51.100.1
expect_error "-S" scan --dryrun -p 25 198.51.100.1
expect_error "--shard" scan --dryrun -p 25 -S 192.0.2.1 --shards 2 --shard 2 198.51.100.1
expect_error "-r" scan --dryrun -p 25 -S 192.0.2.1 -r fast 198.51.100.1
expect_error "unknown command" frobnicate
printf '198.51.100.0/30\nnot-an-address\n' > bad.txt
expect_error "bad.txt:2" scan --dryrun -p 25 -S 192.0.2.1 -I bad.txt
printf '198.51.100.1,mx.example\n198.51.100.1,other.example\n' > names.csv
expect_error "names.csv:2: 198.51.100.1 is named both" grab --names names.csv 198.51.100.1,25
expect_error "--names: cannot open /nonexistent.csv" run --names /nonexistent.csv -p 25 198.51.100.1
echo "bad input: every case exits non-zero with a message naming it"

# Help: every command's is generated from its flag table; run's shows the
# scan's source ports ending below the grab's.
for command in scan grab run report; do
  "$tlsweep" $command --help > help-$command.txt || fail "$command --help exits non-zero"
  grep -q -- "-h, --help" help-$command.txt || fail "$command --help lacks -h"
done
grep -q -- "source port range (default 32768-61000)" help-scan.txt || fail "scan --help: -s default"
grep -q -- "source port range (default 32768-49151)" help-run.txt \
  || fail "run --help: the -s default does not end below --grab-ports"
echo "help: every command lists its flags"
