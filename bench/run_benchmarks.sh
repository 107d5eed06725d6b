#!/bin/sh
# Runs every benchmark program given as an argument, one after the other.
set -e
for b in "$@"; do "$b" --benchmark_counters_tabular=true; done
