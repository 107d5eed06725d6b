// What a server's first flight, as the handshake codec parsed it
// (server_flight.h), says about its choice, in the typed result structs the
// OpenSSL path fills (tls_result.h): so a raw probe's record has the same
// fields as a full handshake's and `tlsweep report` counts both alike.
//
// I/O-free like the codec: a raw probe (grab/raw_probe.h) and, later, a
// passive observer of captured handshakes use it alike. The suite's name,
// class, key exchange and forward secrecy come from the IANA registry
// (tls_registry.h), not from OpenSSL, which does not know RC4, 3DES, EXPORT
// or SSLv3 suites any more; each certificate goes through the same
// extraction as the OpenSSL path (cert_info.h's ParseCertificate); a DHE
// prime is recorded by size, SHA-256 and well-known name (dh_primes.h).
#ifndef TLSWEEP_TLS_RAW_FLIGHT_H_
#define TLSWEEP_TLS_RAW_FLIGHT_H_

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/server_flight.h"
#include "tls/tls_result.h"

namespace tlsweep {

struct RawFlightSummary {
  // The server's choice; absent when no ServerHello arrived (an alert, an
  // SSLv2 ERROR, a flight that did not parse).
  std::optional<TlsNegotiated> negotiated;
  // TLS <= 1.2 and SSLv2: the chain as sent, leaf first; certificates
  // OpenSSL cannot decode are left out (counted in undecodable_certificates).
  std::vector<CertificateInfo> chain;
  size_t undecodable_certificates = 0;
  // The chain verified as the full handshake's is (cert_info.h
  // ValidateChain); absent without a trust store or a decodable leaf.
  std::optional<CertificateValidation> validation;
  std::optional<TlsAlert> alert;  // received
};

// "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" (OpenSSL's
// SSL_get_version names, so both paths write the same), "SSLv2", or
// "0xXXXX" for anything else.
std::string TlsVersionName(uint16_t version);

// Reads the flight's facts. Allocates (the result's strings and the
// certificates): call it once per probe, after the verdict is final. With a
// `trust` context (the grab's TlsContext), the chain is verified against its
// root store and the leaf checked against `server_name` exactly as the
// OpenSSL path's handshake does; null: not verified (no trust store, as in
// a passive observer). The one I/O then is OpenSSL's: a root store read
// from a hashed directory (the system's) opens issuer files as it looks
// them up, as it does in the full handshake.
RawFlightSummary SummarizeServerFlight(const ServerFlight& flight, SSL_CTX* trust,
                                       std::string_view server_name);

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_RAW_FLIGHT_H_
