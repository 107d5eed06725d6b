# Lab CA and one certificate per TLS target, made with openssl. Sourced by
# scripts/lab.sh after conf.sh. Files:
#   $LAB_STATE/ca/ca.crt                      the lab CA (what clients trust)
#   $LAB_STATE/certs/<ip>.key / <ip>.crt      the target's key and leaf cert

# make_ca: a fresh RSA-2048 CA valid for ten years, plus the small `openssl ca`
# setup that lets leaf certificates be back-dated (`x509 -req` cannot).
make_ca() {
  local d=$LAB_STATE/ca
  mkdir -p "$d/newcerts"
  : >"$d/index.txt"
  echo 1000 >"$d/serial"
  cat >"$d/ca.cnf" <<EOF
[ ca ]
default_ca = lab_ca
[ lab_ca ]
dir = $d
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
default_md = sha256
policy = lab_policy
unique_subject = no
copy_extensions = none
[ lab_policy ]
commonName = supplied
[ server_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=tlsweep lab CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
}

# make_leaf IP KIND NAME [CERTKEY]: key and certificate for one target.
#   valid/wrongname  signed by the lab CA for NAME, valid from yesterday for a year
#   expired          signed by the lab CA, valid 2020-01-01 .. 2021-01-01
#   selfsigned       self-signed for NAME
# With CERTKEY (not -) the key is the shared one of that name,
# $LAB_STATE/certs/shared-CERTKEY.key (made by the first target naming it),
# copied to <ip>.key: every target naming it presents the same public key;
# self-signed ones for the same NAME also share one certificate.
make_leaf() {
  local ip=$1 kind=$2 name=$3 certkey=${4:--} d=$LAB_STATE/certs
  local key=$d/$ip.key crt=$d/$ip.crt csr=$d/$ip.csr ext=$d/$ip.ext
  local keyargs=(-newkey rsa:2048 -nodes -keyout "$key")
  mkdir -p "$d"
  if [ "$certkey" != - ]; then
    local shared=$d/shared-$certkey.key
    [ -f "$shared" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
      -out "$shared" 2>/dev/null
    cp "$shared" "$key"
    keyargs=(-key "$key")
  fi
  if [ "$kind" = selfsigned ]; then
    # Self-signed on a shared key for the same name: the very same
    # certificate (an appliance's default one), made once.
    local same=$d/shared-$certkey-$name.crt
    if [ "$certkey" != - ] && [ -f "$same" ]; then
      cp "$same" "$crt"
      return
    fi
    openssl req -x509 "${keyargs[@]}" -sha256 -days 365 -subj "/CN=$name" \
      -addext "subjectAltName=DNS:$name" -addext "basicConstraints=critical,CA:FALSE" \
      -addext "extendedKeyUsage=serverAuth" \
      -out "$crt" 2>/dev/null
    if [ "$certkey" != - ]; then cp "$crt" "$same"; fi
    return
  fi
  local start end
  if [ "$kind" = expired ]; then
    start=20200101000000Z; end=20210101000000Z
  else
    start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ); end=$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)
  fi
  openssl req -new "${keyargs[@]}" -subj "/CN=$name" -out "$csr" 2>/dev/null
  { sed -n '/^\[ server_ext \]/,$p' "$LAB_STATE/ca/ca.cnf"; echo "subjectAltName = DNS:$name"; } >"$ext"
  openssl ca -batch -notext -config "$LAB_STATE/ca/ca.cnf" -in "$csr" -out "$crt" \
    -startdate "$start" -enddate "$end" -extfile "$ext" -extensions server_ext 2>"$d/$ip.ca.log" \
    || { cat "$d/$ip.ca.log" >&2; lab_die "openssl ca failed for $ip"; }
  rm -f "$csr"
}

# make_dh BITS: Diffie-Hellman parameters for the dh=BITS servers,
# $LAB_STATE/certs/dh<BITS>.pem: 2048 is RFC 7919's ffdhe2048 (instant),
# 1024 a fresh safe prime (about a second).
make_dh() {
  local f=$LAB_STATE/certs/dh$1.pem
  [ -f "$f" ] && return 0
  case "$1" in
    2048) openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$f" 2>/dev/null ;;
    *) openssl dhparam -out "$f" "$1" 2>/dev/null ;;
  esac || lab_die "DH parameters of $1 bits failed"
}

# make_certs: the CA and every TLS target's certificate.
make_certs() {
  make_ca
  local i
  for i in "${!T_IP[@]}"; do
    [ "${T_CERT[$i]}" = - ] && continue
    make_leaf "${T_IP[$i]}" "${T_CERT[$i]}" "${T_CERTNAME[$i]}" "${T_CERTKEY[$i]}"
    if [ "${T_DH[$i]}" != - ]; then make_dh "${T_DH[$i]}"; fi
  done
  chmod 600 "$LAB_STATE"/certs/*.key "$LAB_STATE/ca/ca.key"
}
