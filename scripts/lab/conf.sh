# Reads scripts/lab/lab.conf (format described in that file) into arrays and
# derives the expected scan results from it. Sourced by scripts/lab.sh.
#
# Besides expected.tsv and expected_open.txt, write_expected writes
# names.csv (address,name of every server: `tlsweep run --names`) and
# expected_report.json: what `tlsweep report` must count per port for a
# `tlsweep run --names names.csv` of the whole lab (rules at
# write_expected_report).

# One entry per target line, same index in every array.
T_IP=()     # 10.77.0.10
T_ROLE=()   # postfix | dovecot | prosody | inspircd | exim | gnutls | closed | filtered | unreachable
T_CERT=()   # valid | selfsigned | expired | wrongname | -
T_OPTS=()   # "key=value key=value"
# Derived once by conf_load (this machine forks slowly: no $(...) per row).
T_PORTS=()     # 25,587,465 (the ports served)
T_NAME=()      # the name the server claims, - for roles without TLS
T_STARTTLS=()  # offered | required | none
T_CERTNAME=()  # the name written into the certificate
T_AUTH=()      # PLAIN,LOGIN: SASL mechanisms in the order offered (- without AUTH)
T_DH=()        # 1024 | 2048 | - (DHE-only TLS 1.2 with that prime; postfix)
T_CERTKEY=()   # the shared key's name, - for a key of its own
T_GNUTLS=()    # exim and gnutls: the name of their GnuTLS priority string, else -
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
    postfix|exim) echo "25,587,465" ;;
    dovecot) echo "143,993,110,995" ;;
    prosody) echo "5222,5223,5269" ;;
    inspircd) echo "6667,6697" ;;
    gnutls) echo "993" ;;
    *) echo "" ;;
  esac
}

# The ports a role can serve: its default ones, and for gnutls-serv (TLS from
# the first byte, no dialogue) every implicit-TLS port.
role_allowed_ports() {
  case "$1" in
    gnutls) echo "465,993,995,5223,6697" ;;
    *) role_ports "$1" ;;
  esac
}

# The legacy servers' GnuTLS priority strings by name (format in the file).
GNUTLS_PRIORITIES=${GNUTLS_PRIORITIES:-$(dirname "${BASH_SOURCE[0]}")/gnutls_priorities.conf}

# gnutls_priority NAME: prints the priority string called NAME; fails if none.
gnutls_priority() {
  awk -v n="$1" '$1 == n && $1 !~ /^#/ { print $2; found = 1 } END { exit !found }' \
    "$GNUTLS_PRIORITIES"
}

role_name() {
  case "$1" in
    postfix|dovecot|exim|gnutls) echo "mail.lab.test" ;;
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
  T_AUTH=(); T_DH=(); T_CERTKEY=(); T_GNUTLS=()
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
      postfix|dovecot|prosody|inspircd|exim|gnutls)
        case "$cert" in valid|selfsigned|expired|wrongname) ;;
          *) lab_die "$file:$n: bad cert kind '$cert'" ;; esac ;;
      closed|filtered|unreachable) cert="-" ;;
      *) lab_die "$file:$n: unknown role '$role'" ;;
    esac
    local o
    for o in $opts; do
      case "$o" in
        ports=*|name=*|certname=*) ;;
        auth=*)
          local m
          for m in ${o//[=,]/ }; do
            [ "$m" = auth ] && continue   # the key itself
            [[ " $LAB_AUTH_MECHS " == *" $m "* ]] \
              || lab_die "$file:$n: auth mechanism '$m' not one of:$LAB_AUTH_MECHS"
          done
          [[ $role == postfix || $role == dovecot ]] || lab_die "$file:$n: auth= needs postfix or dovecot" ;;
        starttls=offered|starttls=required|starttls=none)
          [[ $role != exim && $role != gnutls ]] || [ "$o" = starttls=offered ] ||
            lab_die "$file:$n: $role offers STARTTLS as it is (starttls=offered only)" ;;
        gnutls=*)
          [[ $role == exim || $role == gnutls ]] || lab_die "$file:$n: gnutls= needs exim or gnutls"
          gnutls_priority "${o#gnutls=}" >/dev/null ||
            lab_die "$file:$n: no priority string '${o#gnutls=}' in $GNUTLS_PRIORITIES" ;;
        plaintext_auth=yes|plaintext_auth=no)
          [[ $role == postfix || $role == dovecot ]] || lab_die "$file:$n: plaintext_auth= needs postfix or dovecot" ;;
        dh=1024|dh=2048)
          [ "$role" = postfix ] || lab_die "$file:$n: dh= needs postfix" ;;
        tls=legacy)
          [ "$role" = postfix ] || lab_die "$file:$n: tls=legacy needs postfix" ;;
        certkey=*)
          [[ ${o#certkey=} =~ ^[a-z0-9][a-z0-9-]*$ ]] || lab_die "$file:$n: bad certkey name in '$o'"
          [ "$cert" != - ] || lab_die "$file:$n: certkey= needs a certificate" ;;
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
    case "$role" in postfix|dovecot) opt_get "$i" auth PLAIN,LOGIN ;; *) REPLY=- ;; esac
    T_AUTH+=("$REPLY")
    opt_get "$i" dh -; T_DH+=("$REPLY")
    opt_get "$i" certkey -; T_CERTKEY+=("$REPLY")
    opt_get "$i" gnutls -; T_GNUTLS+=("$REPLY")
    if [[ $role == exim || $role == gnutls ]] && [ "$REPLY" = - ]; then
      lab_die "$file:$n: $role needs gnutls=NAME (a priority string of $GNUTLS_PRIORITIES)"
    fi
    if [ "${T_DH[$i]}" != - ] && [ "$(opt "$i" tls modern)" = legacy ]; then
      lab_die "$file:$n: dh= and tls=legacy exclude each other"
    fi
  done <"$file"
  [ ${#T_IP[@]} -gt 0 ] || lab_die "$file: no targets"
  # Every port must belong to its role (a later step would fail less clearly).
  for i in "${!T_IP[@]}"; do
    local p rp
    rp=",$(role_allowed_ports "${T_ROLE[$i]}"),"
    for p in ${T_PORTS[$i]//,/ }; do
      [[ $rp == *",$p,"* ]] || lab_die "$file: ${T_IP[$i]}: ${T_ROLE[$i]} cannot serve port $p"
    done
    # Dovecot without STARTTLS is ssl=no for the address: no 993/995 then.
    if [ "${T_ROLE[$i]}" = dovecot ] && [ "${T_STARTTLS[$i]}" = none ] &&
       [[ ",${T_PORTS[$i]}," =~ ,(993|995), ]]; then
      lab_die "$file: ${T_IP[$i]}: dovecot with starttls=none cannot serve 993/995 (ssl = no)"
    fi
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

# The mechanisms auth= may name: those Dovecot's auth service offers with a
# passwd-file of {PLAIN} passwords (every one can look up the credentials).
LAB_AUTH_MECHS=" PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 "

# The distinct auth= values of the postfix and dovecot lines, in order of
# first appearance, one a line: one Dovecot instance (auth service) each.
lab_auth_sets() {
  local i seen=" "
  for i in "${!T_IP[@]}"; do
    case "${T_ROLE[$i]}" in postfix|dovecot) ;; *) continue ;; esac
    [[ $seen == *" ${T_AUTH[$i]} "* ]] && continue
    seen+="${T_AUTH[$i]} "
    echo "${T_AUTH[$i]}"
  done
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
  local dir=$1 i p state svc tls cert name auth ports starttls role seen
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
                postfix:587|postfix:465|dovecot:*) auth=${T_AUTH[$i]} ;;
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
  awk -F'\t' '$3 == "open" && $7 != "-" { print $1 "," $7 }' "$dir/expected.tsv" | LC_ALL=C sort -u >"$dir/names.csv"
  write_expected_report "$dir"
}

# write_expected_report DIR: expected_report.json, what `tlsweep report` must
# count per port for a `tlsweep run` of the whole lab with the default
# (modern) ClientHello profile, --ca-file the lab CA and --names names.csv
# (scripts/demo.sh, tests/lab/demo_lab_test.sh). Derived from the
# description alone, by these rules, per open address and port:
#   - TLS offered: implicit-TLS ports always; STARTTLS ports unless
#     starttls=none (InspIRCd without STARTTLS answers nothing before
#     registration: the grab ends in io-timeout, STARTTLS not offered).
#     starttls=required is visible to a client on XMPP only (<required/>).
#   - ServerHello and certificate chain whenever TLS is offered; the
#     handshake completes (status success) unless dh=1024: the modern
#     profile (security level 2) refuses a 1024-bit prime after the
#     ServerKeyExchange (tls-error; the chain and the prime size are
#     recorded). Without STARTTLS the status is no-starttls (io-timeout
#     for InspIRCd, see above).
#   - Every server chooses TLS 1.3 with an AEAD suite, but the dh= ones
#     (TLS 1.2, DHE with AES-GCM) and tls=legacy (TLS 1.2, RSA key
#     exchange with AES-CBC-SHA: no forward secrecy, CBC).
#   - The chain: valid verifies; wrongname verifies too, but its name
#     does not match the server's (names.csv); selfsigned and expired fail
#     verification as such.
#   - The key: certkey=NAME is shared by every line naming it; otherwise
#     each address has its own. The certificate too for the self-signed
#     ones among them (certs.sh); every other address has its own.
#   - AUTH after TLS (postfix 587/465, dovecot): auth= in its order, when
#     the handshake completes; postfix 25 offers none. Before TLS (STARTTLS
#     ports): postfix 587 offers auth= with plaintext_auth=yes, else none;
#     dovecot offers auth= with plaintext_auth=yes, none with
#     starttls=required, else only the non-plaintext mechanisms of auth=.
#   - IMAP 143 LOGINDISABLED unless plaintext_auth=yes. Plaintext auth
#     before TLS: a PLAIN or LOGIN mechanism, IMAP without LOGINDISABLED,
#     POP3 with USER (dovecot with plaintext_auth=yes).
# XMPP and IRC mechanisms are not predicted (Prosody's order varies).
write_expected_report() {
  local dir=$1 i p svc tls
  command -v python3 >/dev/null || lab_die "python3 is needed for expected_report.json"
  for i in "${!T_IP[@]}"; do
    # The legacy servers (exim, gnutls) are not predicted here: what a grab
    # records of them is tests/lab/legacy_expected.tsv's business.
    case "${T_ROLE[$i]}" in closed|filtered|unreachable|exim|gnutls) continue ;; esac
    for p in ${T_PORTS[$i]//,/ }; do
      read -r svc tls <<<"${PORT_SERVICE[$p]}"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${T_IP[$i]}" "$p" "$svc" "$tls" \
        "${T_ROLE[$i]}" "${T_STARTTLS[$i]}" "${T_CERT[$i]}" "${T_CERTKEY[$i]}" "${T_DH[$i]}" \
        "${T_AUTH[$i]}" "$(opt "$i" plaintext_auth no)" "$(opt "$i" tls modern)"
    done
  done | python3 -c "$(cat <<'PY'
import json, sys
NON_PLAINTEXT = {"CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"}
conf, probe_ports = sys.argv[1], [int(p) for p in sys.argv[2].split(",")]
ports = {}
for line in sys.stdin:
    ip, port, svc, mode, role, starttls, cert, certkey, dh, auth, plain, suites = \
        line.rstrip("\n").split("\t")
    port = int(port)
    g = ports.setdefault(port, {
        "port": port, "service": svc, "tls_mode": mode, "open": 0, "tls_offered": 0,
        "starttls_not_offered": 0, "starttls_required": 0, "server_hellos": 0,
        "handshake_complete": 0, "versions": {}, "without_forward_secrecy": 0, "cbc": 0,
        "chains": 0, "verifies": 0, "self_signed": 0,
        "expired": 0, "wrong_name": 0, "dhe": {}, "dhe_at_most_1024": 0,
        "keys": {}, "certs": {}, "auth_before_tls": {}, "auth_after_tls": {},
        "plaintext_auth_before_tls": 0, "status": {}, "addresses": []})
    g["open"] += 1
    g["addresses"].append(ip)
    offered = mode == "implicit" or starttls != "none"
    complete = offered and dh != "1024"
    status = ("success" if complete else "tls-error") if offered else \
        "io-timeout" if role == "inspircd" else "no-starttls"
    g["status"][status] = g["status"].get(status, 0) + 1
    mechs = auth.split(",") if auth != "-" else []
    if mode == "starttls":
        g["starttls_not_offered"] += starttls == "none"
        g["starttls_required"] += starttls == "required"
    if role in ("postfix", "dovecot"):
        if mode == "starttls":
            if role == "postfix":
                before = mechs if port == 587 and plain == "yes" else []
            elif plain == "yes":
                before = mechs
            elif starttls == "required":
                before = []
            else:
                before = [m for m in mechs if m in NON_PLAINTEXT]
            label = ", ".join(before)
            g["auth_before_tls"][label] = g["auth_before_tls"].get(label, 0) + 1
            g["plaintext_auth_before_tls"] += plain == "yes" and (role == "dovecot" or port == 587)
            if svc == "imap":
                g["login_disabled"] = g.get("login_disabled", 0) + (plain != "yes")
        if complete:
            after = [] if (role, port) == ("postfix", 25) else mechs
            label = ", ".join(after)
            g["auth_after_tls"][label] = g["auth_after_tls"].get(label, 0) + 1
    if not offered:
        continue
    g["tls_offered"] += 1
    g["server_hellos"] += 1
    version = "TLSv1.2" if dh != "-" or suites == "legacy" else "TLSv1.3"
    g["versions"][version] = g["versions"].get(version, 0) + 1
    g["without_forward_secrecy"] += suites == "legacy"
    g["cbc"] += suites == "legacy"
    g["handshake_complete"] += complete
    g["chains"] += 1
    g["verifies"] += cert in ("valid", "wrongname")
    g["self_signed"] += cert == "selfsigned"
    g["expired"] += cert == "expired"
    g["wrong_name"] += cert == "wrongname"
    if dh != "-":
        g["dhe"][dh] = g["dhe"].get(dh, 0) + 1
        g["dhe_at_most_1024"] += int(dh) <= 1024
    key = certkey if certkey != "-" else ip
    g["keys"][key] = g["keys"].get(key, 0) + 1
    crt = certkey if certkey != "-" and cert == "selfsigned" else ip
    g["certs"][crt] = g["certs"].get(crt, 0) + 1
out = []
for port in sorted(ports, key=lambda p: probe_ports.index(p) if p in probe_ports else 99):
    g = ports[port]
    shared = {k: n for k, n in g["keys"].items() if n > 1}
    g["distinct_keys"] = len(g["keys"])
    g["shared_keys"] = dict(sorted(shared.items()))
    g["servers_sharing_their_key"] = sum(shared.values())
    del g["keys"]
    same = [n for n in g["certs"].values() if n > 1]
    g["distinct_certificates"] = len(g["certs"])
    g["servers_sharing_their_certificate"] = sum(same)
    g["largest_certificate_group"] = max(same + [1])
    del g["certs"]
    out.append(g)
json.dump({
    "description": conf,
    "run": {"tls_profile": "modern", "names": "names.csv", "ca_file": "the lab CA"},
    "records": sum(g["open"] for g in out),
    "ports": out,
}, sys.stdout, indent=1, sort_keys=False)
print()
PY
)" "$(basename "${LAB_CONF:-lab.conf}")" "$PROBE_PORTS" >"$dir/expected_report.json"
}
