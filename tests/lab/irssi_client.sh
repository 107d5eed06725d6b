# irssi, a real IRC client, for the passive lab tests; sourced after
# checks.sh (in_scan). irssi has no batch mode: it runs in a pipe without
# a terminal (TERM set, stdin held open until it quits) with
# passive_irssi.pl autoloaded, which writes the transcript at the server's
# 001 and quits; timeout bounds a run that never gets there.
#
# irssi_connect HOME PORT PASSWORD: one connection from the scanner
# namespace to the lab's InspIRCd (10.77.0.13): STARTTLS on 6667 (irssi
# first sends CAP LS 302, then STARTTLS), TLS from the first byte on
# 6697; PASSWORD as the server password (PASS, sent after TLS). HOME gets
# the config, the transcript (HOME/transcript, HOME/transcript.raw) and
# what irssi drew (HOME/screen.txt).
irssi_connect() {
  local home=$1 port=$2 password=$3 tls_opts='use_tls = "no"; starttls = "yes";'
  [ "$port" = 6697 ] && tls_opts='use_tls = "yes";'
  mkdir -p "$home/scripts/autorun"
  cp "$(dirname "${BASH_SOURCE[0]}")/passive_irssi.pl" "$home/scripts/autorun/"
  cat > "$home/config" <<CFG
servers = ({ address = "10.77.0.13"; chatnet = "lab"; port = "$port"; $tls_opts
             tls_verify = "no"; autoconnect = "yes"; password = "$password"; });
chatnets = { lab = { type = "IRC"; }; };
settings = { core = { real_name = "passive lab"; user_name = "lab"; nick = "passivelab"; }; };
CFG
  PASSIVE_IRSSI_OUT=$home/transcript TERM=xterm in_scan timeout 20 \
    irssi --home="$home" --config="$home/config" < <(exec sleep 20 2> /dev/null) \
    > "$home/screen.txt" 2>&1
  kill "$!" 2> /dev/null
  return 0
}
