// The TLS handshake bytes of the passive-mode capture generators
// (tests/passive/passive_capture.cc, passive_hostile_capture.cc): a client's
// ClientHello built by tlsweep's own builder with fixed random and key
// share, and a TLS 1.2 server flight choosing RC4, so that records and
// their JA3/JA4 are the same in every run.
#ifndef TLSWEEP_TESTS_TESTING_TLS_HANDSHAKE_BYTES_H_
#define TLSWEEP_TESTS_TESTING_TLS_HANDSHAKE_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tls/client_hello.h"

namespace tlsweep::testing {

// A ClientHello record offering TLS 1.3 and 1.2, four suites (one RC4),
// x25519 and secp256r1, with `sni`.
inline std::string SampleClientHello(std::string_view sni) {
  ClientHelloProfile p;
  p.cipher_suites = {0x1301, 0xC02F, 0xC013, 0x0005};
  p.supported_versions = {kTls13Version, kTls12Version};
  p.groups = {kGroupX25519, kGroupSecp256r1};
  p.point_formats = {0};
  p.signature_algorithms = {0x0804, 0x0403};
  p.key_shares = {kGroupX25519};
  std::vector<uint8_t> random(32, 0x42), x25519(32, 0x24), out(kMaxClientHelloRecord);
  const ClientHelloInputs in{sni, random, {}, x25519};
  out.resize(BuildClientHello(p, in, out).value());
  return std::string(out.begin(), out.end());
}

// ServerHello choosing TLS_RSA_WITH_RC4_128_SHA (TLS 1.2), then
// ServerHelloDone (RFC 5246 7.4.1.3, 7.4.5), in one record.
inline std::string SampleServerFlightRc4() {
  std::string hs = {0x02, 0x00, 0x00, 0x26, 0x03, 0x03};
  hs += std::string(32, '\x11');
  hs += {0x00, 0x00, 0x05, 0x00};
  hs += {0x0e, 0x00, 0x00, 0x00};
  return std::string({0x16, 0x03, 0x03, 0x00, static_cast<char>(hs.size())}) + hs;
}

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_TLS_HANDSHAKE_BYTES_H_
