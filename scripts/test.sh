#!/usr/bin/env bash
# Installs what is missing, builds tlsweep and runs every test suite.
#
# Meant for a fresh Debian 12 machine as root (CI runs it through .ci/run);
# on a machine that has everything it only builds and tests. Exits non-zero
# on any failure; the last lines are meson test's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh

install_build_deps
install_test_deps
install_lab_deps

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
