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

# make_leaf IP KIND NAME: key and certificate for one target.
#   valid/wrongname  signed by the lab CA for NAME, valid from yesterday for a year
#   expired          signed by the lab CA, valid 2020-01-01 .. 2021-01-01
#   selfsigned       self-signed for NAME
make_leaf() {
  local ip=$1 kind=$2 name=$3 d=$LAB_STATE/certs
  local key=$d/$ip.key crt=$d/$ip.crt csr=$d/$ip.csr ext=$d/$ip.ext
  mkdir -p "$d"
  if [ "$kind" = selfsigned ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj "/CN=$name" \
      -addext "subjectAltName=DNS:$name" -addext "basicConstraints=critical,CA:FALSE" \
      -addext "extendedKeyUsage=serverAuth" \
      -keyout "$key" -out "$crt" 2>/dev/null
    return
  fi
  local start end
  if [ "$kind" = expired ]; then
    start=20200101000000Z; end=20210101000000Z
  else
    start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ); end=$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)
  fi
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$key" -out "$csr" 2>/dev/null
  { sed -n '/^\[ server_ext \]/,$p' "$LAB_STATE/ca/ca.cnf"; echo "subjectAltName = DNS:$name"; } >"$ext"
  openssl ca -batch -notext -config "$LAB_STATE/ca/ca.cnf" -in "$csr" -out "$crt" \
    -startdate "$start" -enddate "$end" -extfile "$ext" -extensions server_ext 2>"$d/$ip.ca.log" \
    || { cat "$d/$ip.ca.log" >&2; lab_die "openssl ca failed for $ip"; }
  rm -f "$csr"
}

# make_certs: the CA and every TLS target's certificate.
make_certs() {
  make_ca
  local i
  for i in "${!T_IP[@]}"; do
    [ "${T_CERT[$i]}" = - ] && continue
    make_leaf "${T_IP[$i]}" "${T_CERT[$i]}" "$(t_certname "$i")"
  done
  chmod 600 "$LAB_STATE"/certs/*.key "$LAB_STATE/ca/ca.key"
}
