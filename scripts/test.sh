#!/usr/bin/env bash
# Installs what is missing, builds tlsweep and runs every test suite.
#
# Meant for a fresh Debian 12 machine as root (CI runs it through .ci/run);
# on a machine that has everything it only builds and tests. Exits non-zero
# on any failure. First it builds a second configuration (clang with ASan,
# UBSan and libFuzzer, scripts/lib/fuzz_build.sh), runs the unit suites and
# the fuzz targets' corpora there and fuzzes each target for FUZZ_SECONDS
# (default 12) from its corpus; then the normal build and every suite, so
# the last lines are meson test's summary of the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/fuzz_build.sh

install_build_deps
install_test_deps
install_lab_deps
install_fuzz_deps

# The sanitizer run: any ASan or UBSan report aborts the test that made it
# (-fno-sanitize-recover=all), leaks included. The fuzz suite replays each
# target's checked-in corpus once.
fuzzdir=${FUZZ_BUILDDIR:-build-fuzz}
setup_fuzz_build "$fuzzdir"
ninja -C "$fuzzdir"
meson test -C "$fuzzdir" --print-errorlogs --num-processes "$(nproc)" --suite unit --suite fuzz
FUZZ_BUILDDIR="$fuzzdir" scripts/fuzz.sh all "${FUZZ_SECONDS:-12}"

builddir=${BUILDDIR:-build}
# Warnings are errors here (and so in CI); a developer's own build dir may
# relax that with `meson configure -Dwerror=false`.
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" --buildtype=debugoptimized -Dwerror=true \
    -Dtests=enabled -Dbenchmarks=enabled -Dtshark_tests=enabled -Dlab_tests=enabled
else
  meson configure "$builddir" -Dwerror=true -Dtests=enabled \
    -Dbenchmarks=enabled -Dtshark_tests=enabled -Dlab_tests=enabled
fi
# A lab left behind by an interrupted earlier run would collide with the tests.
scripts/lab.sh down >/dev/null 2>&1 || true
ninja -C "$builddir"
meson test -C "$builddir" --print-errorlogs --num-processes "$(nproc)"
