# Package lists and an idempotent installer shared by the scripts.
# Everything comes from Debian 12's archive; nothing is downloaded otherwise.

BUILD_PACKAGES=(
  build-essential meson ninja-build pkg-config
  libdpdk-dev dpdk libssl-dev libabsl-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# tshark checks the generated frames' checksums independently.
TEST_PACKAGES=(tshark)

# Installs the named packages that are not installed yet.
apt_install_missing() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root to install them)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # wireshark-common asks whether non-root users may capture: no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_build_deps() { apt_install_missing "${BUILD_PACKAGES[@]}"; }
install_test_deps() { apt_install_missing "${TEST_PACKAGES[@]}"; }
