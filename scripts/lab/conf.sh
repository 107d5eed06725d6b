# Reads scripts/lab/lab.conf (format described in that file) into arrays and
# derives the expected scan results from it. Sourced by scripts/lab.sh.

# One entry per target line, same index in every array.
T_IP=()     # 10.77.0.10
T_ROLE=()   # postfix | dovecot | prosody | inspircd | closed | filtered | unreachable
T_CERT=()   # valid | selfsigned | expired | wrongname | -
T_OPTS=()   # "key=value key=value"
PROBE_PORTS="25,587,465,143,993,110,995,5222,5269,5223,6667,6697"

# Port -> "service tls-mode" (DESIGN.md's protocol table).
port_service() {
  case "$1" in
    25) echo "smtp starttls" ;;       587) echo "submission starttls" ;;
    465) echo "smtps implicit" ;;     143) echo "imap starttls" ;;
    993) echo "imaps implicit" ;;     110) echo "pop3 starttls" ;;
    995) echo "pop3s implicit" ;;     5222) echo "xmpp-c2s starttls" ;;
    5269) echo "xmpp-s2s starttls" ;; 5223) echo "xmpps implicit" ;;
    6667) echo "irc starttls" ;;      6697) echo "ircs implicit" ;;
    *) echo "unknown none" ;;
  esac
}

role_ports() {
  case "$1" in
    postfix) echo "25,587,465" ;;
    dovecot) echo "143,993,110,995" ;;
    prosody) echo "5222,5223,5269" ;;
    inspircd) echo "6667,6697" ;;
    *) echo "" ;;
  esac
}

role_name() {
  case "$1" in
    postfix|dovecot) echo "mail.lab.test" ;;
    prosody) echo "xmpp.lab.test" ;;
    inspircd) echo "irc.lab.test" ;;
    *) echo "-" ;;
  esac
}

lab_die() { echo "lab: $*" >&2; exit 1; }

# conf_load FILE: fills the arrays, validating every field.
conf_load() {
  local file=$1 line ip role cert opts n=0
  [ -r "$file" ] || lab_die "cannot read $file"
  T_IP=(); T_ROLE=(); T_CERT=(); T_OPTS=()
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%%#*}
    read -r ip role cert opts <<<"$line" || true
    [ -z "${ip:-}" ] && continue
    if [ "$ip" = set ]; then
      case "$role" in
        probe_ports) PROBE_PORTS=$cert ;;
        *) lab_die "$file:$n: unknown directive 'set $role'" ;;
      esac
      continue
    fi
    [[ $ip =~ ^10\.77\.0\.([0-9]+)$ ]] || lab_die "$file:$n: address $ip not in 10.77.0.0/24"
    local last=${BASH_REMATCH[1]}
    { [ "$last" -ge 10 ] && [ "$last" -le 249 ]; } || lab_die "$file:$n: $ip outside .10-.249"
    case "$role" in
      postfix|dovecot|prosody|inspircd)
        case "$cert" in valid|selfsigned|expired|wrongname) ;;
          *) lab_die "$file:$n: bad cert kind '$cert'" ;; esac ;;
      closed|filtered|unreachable) cert="-" ;;
      *) lab_die "$file:$n: unknown role '$role'" ;;
    esac
    local o
    for o in $opts; do
      case "$o" in
        ports=*|name=*|certname=*|auth=*) ;;
        starttls=offered|starttls=required|starttls=none) ;;
        plaintext_auth=yes|plaintext_auth=no) ;;
        *) lab_die "$file:$n: bad option '$o'" ;;
      esac
    done
    local i
    for i in "${!T_IP[@]}"; do
      [ "${T_IP[$i]}" = "$ip" ] && lab_die "$file:$n: $ip listed twice"
    done
    T_IP+=("$ip"); T_ROLE+=("$role"); T_CERT+=("$cert"); T_OPTS+=("${opts:-}")
  done <"$file"
  [ ${#T_IP[@]} -gt 0 ] || lab_die "$file: no targets"
}

# opt INDEX KEY DEFAULT: the option's value on target INDEX, else DEFAULT.
opt() {
  local o
  for o in ${T_OPTS[$1]}; do
    [ "${o%%=*}" = "$2" ] && { echo "${o#*=}"; return; }
  done
  echo "$3"
}

# Derived per-target values.
t_ports() { opt "$1" ports "$(role_ports "${T_ROLE[$1]}")"; }
t_name() { opt "$1" name "$(role_name "${T_ROLE[$1]}")"; }
t_starttls() {
  local d=offered
  [ "${T_ROLE[$1]}" = prosody ] && d=required
  opt "$1" starttls "$d"
}
# The name written into the certificate.
t_certname() {
  if [ "${T_CERT[$1]}" = wrongname ]; then opt "$1" certname other.example; else t_name "$1"; fi
}
# has_port INDEX PORT
has_port() { [[ ",$(t_ports "$1")," == *",$2,"* ]]; }

# The SASL mechanisms of the lab's one Dovecot auth service.
lab_auth_mechs() {
  local i m found=""
  for i in "${!T_IP[@]}"; do
    m=$(opt "$i" auth "")
    [ -z "$m" ] && continue
    [ -n "$found" ] && [ "$found" != "$m" ] && lab_die "lab.conf: auth= differs between lines ($found vs $m); one lab has one auth_mechanisms"
    found=$m
  done
  echo "${found:-PLAIN,LOGIN}"
}

# Indices of the targets with a given role.
targets_of() {
  local i
  for i in "${!T_IP[@]}"; do [ "${T_ROLE[$i]}" = "$1" ] && echo "$i"; done
  return 0
}

# write_expected DIR: expected.tsv (every address x every probe port) and
# expected_open.txt (ip,port of every open port, sorted with LC_ALL=C sort so
# that comm(1) can compare it with a scan's output).
write_expected() {
  local dir=$1 i p state svc tls cert name auth
  {
    printf '#ip\tport\tstate\tservice\ttls\tcert\tname\tauth\n'
    for i in "${!T_IP[@]}"; do
      for p in ${PROBE_PORTS//,/ } $(t_ports "$i" | tr , ' '); do echo "$p"; done |
        sort -nu | while read -r p; do
          read -r svc tls <<<"$(port_service "$p")"
          cert=-; name=-; auth=-
          case "${T_ROLE[$i]}" in
            closed) state=closed ;;
            filtered) state=filtered ;;
            unreachable) state=unreachable ;;
            *)
              if has_port "$i" "$p"; then
                state=open; cert=${T_CERT[$i]}; name=$(t_name "$i")
                if [ "$tls" = starttls ]; then
                  case "$(t_starttls "$i")" in
                    none) tls=none; cert=- ;;
                    required) tls=starttls-required ;;
                  esac
                fi
                case "${T_ROLE[$i]}:$p" in
                  postfix:587|dovecot:*) auth=$(lab_auth_mechs) ;;
                esac
              else
                state=closed
              fi ;;
          esac
          [ "$state" = open ] || { svc=-; tls=-; }
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
            "${T_IP[$i]}" "$p" "$state" "$svc" "$tls" "$cert" "$name" "$auth"
        done
    done | sort -t$'\t' -k1,1V -k2,2n
  } >"$dir/expected.tsv"
  awk -F'\t' '$3 == "open" { print $1 "," $2 }' "$dir/expected.tsv" | LC_ALL=C sort -u >"$dir/expected_open.txt"
}
