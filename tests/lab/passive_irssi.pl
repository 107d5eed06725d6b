# irssi's side of passive_lab_test.sh: a script irssi autoruns from the
# home directory the test gives it. irssi has no batch mode; this script
# makes one run a single connection and leave: when the server welcomes
# the client (001) it writes the client's own transcript and quits.
#
# The transcript: in $PASSIVE_IRSSI_OUT.raw irssi's rawlog (every line it
# sent, "<< ", and received, ">> ", in order, with its own "--> Now
# talking encrypted" where STARTTLS took effect); in $PASSIVE_IRSSI_OUT
# "socket LOCAL_PORT" from the kernel's socket table for this process
# (ss -tnp, in the namespace irssi runs in) and "tls VERSION CIPHER" as
# irssi printed them after its handshake ("Protocol: TLSv1.3 (256 bit,
# TLS_AES_256_GCM_SHA384)"; the perl binding of its TLS record, signal
# "tls handshake finished", fails to bless the record in 1.4.3).
use strict;
use warnings;
use Irssi;

my $out = $ENV{PASSIVE_IRSSI_OUT} or die "PASSIVE_IRSSI_OUT not set";
my $tls = "tls none";

Irssi::signal_add('print text', sub {
  my ($dest, $text, $stripped) = @_;
  $tls = "tls $1 $2" if $stripped =~ /Protocol: (\S+) \(\d+ bit, ([^)\s]+)\)/;
});

Irssi::signal_add('event 001', sub {
  my ($server) = @_;
  $server->command("rawlog save $out.raw");
  my $port = "";
  for (`ss -tnpH state established`) {
    $port = $1 if /:(\d+)\s+\S+:\d+\s+users:.*pid=$$,/;
  }
  open(my $fh, '>', $out) or die "$out: $!";
  print $fh "socket $port\n$tls\n";
  close($fh);
  $server->command("quit passive-lab");
  Irssi::command("quit");
});
