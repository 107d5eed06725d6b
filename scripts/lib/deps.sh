# Package lists and an idempotent installer shared by the scripts.
# Everything comes from Debian 12's archive; nothing is downloaded otherwise.

BUILD_PACKAGES=(
  build-essential meson ninja-build pkg-config
  libdpdk-dev dpdk libssl-dev libabsl-dev nlohmann-json3-dev libsimdjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# tshark checks the generated frames' checksums independently; zmap is the
# reference scanner the lab tests compare with; chromium (headless) renders
# the report's HTML page in the demo lab test; python3-jsonschema validates
# records and metadata against docs/schema/ (scripts/validate_records.py).
TEST_PACKAGES=(tshark zmap chromium python3-jsonschema)
# scripts/demo.sh: the build and lab packages, and chromium for the
# screenshot of the report's HTML page.
DEMO_PACKAGES=(chromium)

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
install_demo_deps() { apt_install_missing "${DEMO_PACKAGES[@]}"; }

# The lab network (scripts/lab.sh): real Debian servers run inside network
# namespaces; iproute2/iptables/ethtool build the namespaces, openssl makes the
# lab CA and is the reference client, setpriv/script come from util-linux/bsdutils,
# python3 derives expected_report.json from the description (and the lab tests
# read records with it); slurm-wlm and munge make the single-node Slurm on
# which the sharded sweep's job array (scripts/slurm/) is tested; nftables
# maps the synthetic Internet (scripts/lab/synth.sh). gnutls-bin is
# gnutls-serv, the legacy servers' implicit TLS, and gnutls-cli, their
# reference client; the libraries after it are what Exim's binary links
# (see install_exim). swaks, python3-slixmpp (an XMPP client library, for
# Debian's /usr/bin/python3) and irssi (an IRC client) are real clients
# whose own transcripts the passive lab test compares with its records.
LAB_PACKAGES=(
  iproute2 iptables ethtool openssl ca-certificates util-linux bsdutils procps python3
  python3-cryptography
  postfix dovecot-core dovecot-imapd dovecot-pop3d prosody inspircd
  slurm-wlm munge nftables swaks python3-slixmpp irssi
  gnutls-bin libgnutls30 libgnutls-dane0 libidn12 libidn2-0 libnsl2 libdb5.3 libpcre2-8-0 libcrypt1
)

# Exim (the legacy servers' SMTP, built on GnuTLS in Debian) cannot be
# installed beside Postfix: both provide and conflict with
# mail-transport-agent, so installing exim4-daemon-light would remove Postfix.
# The lab runs Exim's binary from the unpacked package instead
# (`apt-get download` + `dpkg-deb -x`, nothing installed, no init script, no
# system configuration). The binary looks up its compiled-in user
# Debian-exim at start (exim4-base's postinst would create it): made here as a
# system user without a home or shell.
EXIM_PACKAGE=exim4-daemon-light
EXIM_CACHE=${EXIM_CACHE:-/var/cache/tlsweep-lab}

# exim_binary: prints the path of an Exim binary, unpacking the package into
# $EXIM_CACHE on first use; an installed /usr/sbin/exim4 is used as it is.
exim_binary() {
  if [ -x /usr/sbin/exim4 ]; then echo /usr/sbin/exim4; return 0; fi
  local version dir
  version=$(apt-cache policy "$EXIM_PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: //p')
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "no candidate version of $EXIM_PACKAGE (apt-get update?)" >&2; return 1
  fi
  dir=$EXIM_CACHE/$EXIM_PACKAGE-$version
  if [ ! -x "$dir/usr/sbin/exim4" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "exim: run as root to unpack $EXIM_PACKAGE" >&2; return 1; }
    mkdir -p "$EXIM_CACHE"
    local tmp
    tmp=$(mktemp -d "$EXIM_CACHE/download.XXXXXX")
    # _apt cannot write into a root-only directory: the download is then
    # unsandboxed (apt's warning says so), which is harmless here.
    if ! { ( cd "$tmp" && apt-get download -qq "$EXIM_PACKAGE=$version" 2>/dev/null ) &&
           dpkg-deb -x "$tmp"/"$EXIM_PACKAGE"_*.deb "$tmp/root"; }; then
      rm -rf "$tmp"; echo "exim: could not fetch $EXIM_PACKAGE=$version" >&2; return 1
    fi
    rm -rf "$dir"
    mv "$tmp/root" "$dir"
    rm -rf "$tmp"
  fi
  if ! getent passwd Debian-exim >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "exim: user Debian-exim missing (run as root)" >&2; return 1; }
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin Debian-exim
  fi
  echo "$dir/usr/sbin/exim4"
}

# Installs the lab's packages. Debian's init scripts must not start the daemons
# in the root namespace: a policy-rc.d that denies everything keeps them down
# (the "policy-rc.d denied execution" messages are expected).
install_lab_deps() {
  if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" -eq 0 ]; then
    echo "creating /usr/sbin/policy-rc.d (exit 101) so installs start no daemons" >&2
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  if [ "$(id -u)" -eq 0 ]; then
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  fi
  apt_install_missing "${LAB_PACKAGES[@]}"
}
