# The fuzzing configuration shared by scripts/fuzz.sh and scripts/test.sh:
# clang with libFuzzer, ASan and UBSan (-Dfuzzing=enabled) in its own build
# directory, with the unit tests, so one build gives both the sanitizer run
# of the unit suites and the fuzz targets. The normal gcc build is untouched.

# clang for the fuzz build; libclang-rt holds libFuzzer and the sanitizers.
FUZZ_PACKAGES=(clang libclang-rt-14-dev)

install_fuzz_deps() { apt_install_missing "${FUZZ_PACKAGES[@]}"; }

# Configures $1 for fuzzing unless it already is. CXX may name the compiler
# (e.g. "ccache clang++"); it must be clang.
setup_fuzz_build() {
  local dir=$1
  [ -f "$dir/build.ninja" ] && return 0
  CXX="${FUZZ_CXX:-clang++}" meson setup "$dir" --buildtype=debugoptimized \
    -Dwerror=true -Dfuzzing=enabled -Dtests=enabled -Dbenchmarks=disabled \
    -Dtshark_tests=disabled -Dlab_tests=disabled
}
