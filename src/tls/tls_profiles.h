// ClientHello profiles as data: conf/tls_profiles.conf, read at start-up.
//
// A study's tables name the offer that produced them, and the offers come
// from published sources (a 2015 mail client's captured ClientHello, a JDK's
// default suites), so the lists live in a file that cites its sources rather
// than in code. Format, one setting per line, '#' to end of line a comment:
//
//   [mail2015]                      starts the profile "mail2015"
//   source = testssl.sh etc/...     required; repeated lines are joined
//   record_version = tls1.0         ssl3 | tls1.0 | tls1.1 | tls1.2 | 0x0301
//   client_version = tls1.2
//   suites = 0xC02B 0xC02F TLS_RSA_WITH_RC4_128_SHA ...
//   supported_versions = tls1.3 tls1.2
//   groups = x25519 secp256r1       IANA names or ids
//   point_formats = uncompressed    or 0..2
//   signature_algorithms = rsa_pkcs1_sha256 0x0401 ...
//   key_share = x25519              x25519 and/or secp256r1
//   sslv2_ciphers = 0x010080 ...    SSL 2.0 cipher specs: an SSLv2 hello
//   sni = yes                       yes | no, also for the switches below:
//   extended_master_secret, renegotiation_info, renegotiation_scsv,
//   session_ticket, status_request
//
// Unset settings: record_version tls1.0, client_version tls1.2, sni yes, the
// other switches no, the lists empty (no extension). List settings may
// repeat and then append, so a long suite list can span
// lines. Suites are IANA ids (any 16-bit value, so unregistered ones can be
// offered) or registered IANA names. Errors name file:line.
#ifndef TLSWEEP_TLS_TLS_PROFILES_H_
#define TLSWEEP_TLS_TLS_PROFILES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tls/client_hello.h"

namespace tlsweep {

// Parses a profile file's text; `file_name` is used only in messages.
// InvalidArgument "file:line: what" on the first error.
absl::StatusOr<std::vector<ClientHelloProfile>> ParseTlsProfiles(
    std::string_view text, std::string_view file_name);

// Reads and parses `path`; NotFound when it cannot be read.
absl::StatusOr<std::vector<ClientHelloProfile>> LoadTlsProfiles(
    const std::string& path);

// The installed conf/tls_profiles.conf, or the source tree's when running
// from a build directory.
std::string DefaultTlsProfilesPath();

// The profile called `name` in `profiles`, or null.
const ClientHelloProfile* FindTlsProfile(
    const std::vector<ClientHelloProfile>& profiles, std::string_view name);

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_TLS_PROFILES_H_
