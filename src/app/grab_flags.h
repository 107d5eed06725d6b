// The grab's flags, shared by `tlsweep grab` (kernel sockets) and
// `tlsweep run` (the DPDK grab pool): modules, limits, deadlines, TLS.
// Long options only, so they never collide with the scan's short ones.
#ifndef TLSWEEP_APP_GRAB_FLAGS_H_
#define TLSWEEP_APP_GRAB_FLAGS_H_

#include <string>

#include "absl/status/status.h"
#include "app/flag_table.h"
#include "grab/scheduler.h"
#include "tls/tls_context.h"

namespace tlsweep {

// The raw probes a grab runs unless --raw-probes says otherwise:
// thunderbird31, the 2015 mail client's offer (conf/tls_profiles.conf) with
// ECDHE, DHE, RSA, 3DES and RC4 suites in its own order. The study's tables
// (RC4 and 3DES shares, forward secrecy, DH sizes) are about what a client
// of 2015 got, which the OpenSSL 3 handshake cannot offer; one profile that
// offers all of it answers every column with one connection. Cost: one more
// connection per server whose grab reached the TLS handshake (two in all),
// none for the others. java7, export, rc4, 3des, sslv3, tls1.0 ... are one
// connection each, on request.
inline constexpr char kDefaultRawProbes[] = "thunderbird31";

struct GrabFlags {
  GrabOptions options;
  TlsProfile profile = TlsProfile::kModern;
  std::string ca_file;
  std::string names_file;  // --names, "" if none
  // --raw-probes and --tls-profiles as given; ResolveRawProbes() turns them
  // into options.raw_probes.
  std::string raw_probes = kDefaultRawProbes;
  std::string tls_profiles_file;  // "" = DefaultTlsProfilesPath()
};

// The grab's flag group, writing into `flags`; its defaults are those
// `flags` holds.
FlagGroup GrabFlagGroup(GrabFlags* flags);

// Reads the profile file and fills options.raw_probes with the profiles
// --raw-probes names ("none": no probes), in its order. Call it after the
// flags are parsed; InvalidArgument naming the flag for an unknown or
// repeated profile, NotFound when the file cannot be read.
absl::Status ResolveRawProbes(GrabFlags* flags);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_GRAB_FLAGS_H_
