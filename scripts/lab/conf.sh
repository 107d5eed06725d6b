# Reads scripts/lab/lab.conf (format described in that file) into arrays and
# derives the expected scan results from it. Sourced by scripts/lab.sh.

# One entry per target line, same index in every array.
T_IP=()     # 10.77.0.10
T_ROLE=()   # postfix | dovecot | prosody | inspircd | closed | filtered | unreachable
T_CERT=()   # valid | selfsigned | expired | wrongname | -
T_OPTS=()   # "key=value key=value"
# Derived once by conf_load (this machine forks slowly: no $(...) per row).
T_PORTS=()     # 25,587,465 (the ports served)
T_NAME=()      # the name the server claims, - for roles without TLS
T_STARTTLS=()  # offered | required | none
T_CERTNAME=()  # the name written into the certificate
PROBE_PORTS="25,587,465,143,993,110,995,5222,5269,5223,6667,6697"

# Port -> "service tls-mode" (DESIGN.md's protocol table).
declare -A PORT_SERVICE=(
  [25]="smtp starttls"       [587]="submission starttls" [465]="smtps implicit"
  [143]="imap starttls"      [993]="imaps implicit"
  [110]="pop3 starttls"      [995]="pop3s implicit"
  [5222]="xmpp-c2s starttls" [5269]="xmpp-s2s starttls"  [5223]="xmpps implicit"
  [6667]="irc starttls"      [6697]="ircs implicit"
)
port_service() { echo "${PORT_SERVICE[$1]:-unknown none}"; }

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
  local file=$1 line ip role cert opts n=0 i
  [ -r "$file" ] || lab_die "cannot read $file"
  T_IP=(); T_ROLE=(); T_CERT=(); T_OPTS=(); T_PORTS=(); T_NAME=(); T_STARTTLS=(); T_CERTNAME=()
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
    for i in "${!T_IP[@]}"; do
      [ "${T_IP[$i]}" = "$ip" ] && lab_die "$file:$n: $ip listed twice"
    done
    T_IP+=("$ip"); T_ROLE+=("$role"); T_CERT+=("$cert"); T_OPTS+=("${opts:-}")
    i=$((${#T_IP[@]} - 1))
    opt_get "$i" ports "$(role_ports "$role")"; T_PORTS+=("$REPLY")
    opt_get "$i" name "$(role_name "$role")"; T_NAME+=("$REPLY")
    if [ "$role" = prosody ]; then opt_get "$i" starttls required; else opt_get "$i" starttls offered; fi
    T_STARTTLS+=("$REPLY")
    if [ "$cert" = wrongname ]; then opt_get "$i" certname other.example; else REPLY=${T_NAME[$i]}; fi
    T_CERTNAME+=("$REPLY")
  done <"$file"
  [ ${#T_IP[@]} -gt 0 ] || lab_die "$file: no targets"
  lab_auth_mechs >/dev/null   # fails when auth= lines disagree
  # Every port must belong to its role (a later step would fail less clearly).
  for i in "${!T_IP[@]}"; do
    local p rp
    rp=",$(role_ports "${T_ROLE[$i]}"),"
    for p in ${T_PORTS[$i]//,/ }; do
      [[ $rp == *",$p,"* ]] || lab_die "$file: ${T_IP[$i]}: ${T_ROLE[$i]} cannot serve port $p"
    done
  done
}

# opt_get INDEX KEY DEFAULT: sets REPLY to the option's value on target INDEX,
# else to DEFAULT. opt: the same, printed.
opt_get() {
  local o
  REPLY=$3
  for o in ${T_OPTS[$1]}; do
    [ "${o%%=*}" = "$2" ] && { REPLY=${o#*=}; return 0; }
  done
  return 0
}
opt() { opt_get "$@"; echo "$REPLY"; }

# Derived per-target values.
t_ports() { echo "${T_PORTS[$1]}"; }
t_name() { echo "${T_NAME[$1]}"; }
t_starttls() { echo "${T_STARTTLS[$1]}"; }
t_certname() { echo "${T_CERTNAME[$1]}"; }
# has_port INDEX PORT
has_port() { [[ ",${T_PORTS[$1]}," == *",$2,"* ]]; }

# The SASL mechanisms of the lab's one Dovecot auth service.
lab_auth_mechs() {
  local i m found=""
  for i in "${!T_IP[@]}"; do
    opt_get "$i" auth ""; m=$REPLY
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
  local dir=$1 i p state svc tls cert name auth mechs ports starttls role seen
  mechs=$(lab_auth_mechs)
  {
    printf '#ip\tport\tstate\tservice\ttls\tcert\tname\tauth\n'
    for i in "${!T_IP[@]}"; do
      seen=""
      role=${T_ROLE[$i]}; ports=${T_PORTS[$i]}; starttls=${T_STARTTLS[$i]}
      for p in ${PROBE_PORTS//,/ } ${ports//,/ }; do
        [[ " $seen " == *" $p "* ]] && continue
        seen+=" $p"
        read -r svc tls <<<"${PORT_SERVICE[$p]:-unknown none}"
        state=closed; cert=-; name=-; auth=-
        case "$role" in
          closed|filtered|unreachable) state=$role ;;
          *)
            if [[ ",$ports," == *",$p,"* ]]; then
              state=open; cert=${T_CERT[$i]}; name=${T_NAME[$i]}
              if [ "$tls" = starttls ]; then
                case "$starttls" in
                  none) tls=none; cert=- ;;
                  required) tls="starttls-required" ;;
                esac
              fi
              case "$role:$p" in
                postfix:587|postfix:465|dovecot:*) auth=$mechs ;;
              esac
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
