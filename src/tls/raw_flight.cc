// See raw_flight.h.
#include "tls/raw_flight.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

#include "tls/cert_info.h"
#include "tls/client_hello.h"
#include "tls/dh_primes.h"
#include "tls/openssl_util.h"
#include "tls/tls_registry.h"

namespace tlsweep {
namespace {

std::string Hex16(uint16_t value) {
  char hex[8];
  std::snprintf(hex, sizeof(hex), "0x%04X", value);
  return hex;
}

// The OpenSSL path's names for the key exchange kinds it reports (tls_client.cc
// ReadKeyExchange), the registry's for the rest.
std::string KeyExchangeKind(const CipherSuiteInfo* suite, uint16_t version) {
  if (version >= kTls13Version) return "TLS1.3";
  if (suite == nullptr) return "unknown";
  switch (suite->key_exchange) {
    case KeyExchange::kEcdhePsk: return "ECDHE";
    case KeyExchange::kDhePsk: return "DHE";
    case KeyExchange::kRsaPsk: return "RSA";
    default: return std::string(KeyExchangeName(suite->key_exchange));
  }
}

std::string GroupLabel(uint16_t id) {
  const NamedGroupInfo* group = FindNamedGroup(id);
  return group != nullptr ? std::string(group->name) : Hex16(id);
}

// Decodes and records one certificate; false when OpenSSL cannot decode
// it. A decoded one is appended to `decoded` (owned there), for the
// verification.
bool AddCertificate(std::span<const uint8_t> der, RawFlightSummary* out, STACK_OF(X509)* decoded) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr || p != der.data() + der.size()) {
    ++out->undecodable_certificates;
    DrainOpenSslErrors();
    return false;
  }
  out->chain.push_back(ParseCertificate(cert.get()));
  if (decoded != nullptr && sk_X509_push(decoded, cert.get()) > 0) cert.release();
  DrainOpenSslErrors();
  return true;
}

TlsNegotiated Negotiated(const ServerFlight& flight) {
  const ServerHelloInfo& hello = flight.server_hello;
  const ServerKeyExchangeInfo& skx = flight.server_key_exchange;
  TlsNegotiated n;
  n.version_value = hello.version;
  n.version_name = TlsVersionName(hello.version);
  n.cipher_value = hello.cipher_suite;
  n.cipher_hex = Hex16(hello.cipher_suite);
  const CipherSuiteInfo* suite = FindCipherSuite(hello.cipher_suite);
  if (suite != nullptr) {
    n.cipher_name = std::string(suite->name);
    n.cipher_class = std::string(CipherClassName(suite->cipher_class));
    n.forward_secrecy = suite->forward_secret;
    // OpenSSL's own name when it still knows the suite (nothing for RC4,
    // 3DES, EXPORT: OPENSSL_cipher_name answers "(NONE)").
    const std::string standard(suite->name);
    const char* openssl_name = OPENSSL_cipher_name(standard.c_str());
    if (openssl_name != nullptr && std::string_view(openssl_name) != "(NONE)") {
      n.cipher_openssl_name = openssl_name;
    }
  } else {
    n.cipher_name = n.cipher_hex;  // not registered: recorded by id alone
    n.cipher_class = "unknown";
  }
  n.kx_kind = KeyExchangeKind(suite, hello.version);
  if (hello.version >= kTls13Version) {
    n.forward_secrecy = true;
    if (hello.key_share_group != 0) n.kx_group = GroupLabel(hello.key_share_group);
  }
  switch (skx.kind) {
    case ServerKeyExchangeKind::kDhe: {
      n.kx_dh_prime_bits = static_cast<int>(skx.dh_p_bits);
      const std::string sha = DhPrimeSha256Hex(skx.dh_p);
      if (const WellKnownDhPrime* known = FindWellKnownDhPrime(sha)) {
        n.kx_dh_prime_name = std::string(known->name);
      }
      n.kx_dh_prime_sha256 = sha;
      break;
    }
    case ServerKeyExchangeKind::kEcdhe:
      if (skx.curve_type == 3) {
        n.kx_group = GroupLabel(skx.named_curve);
      } else {
        n.kx_group = skx.curve_type == 1 ? "explicit_prime" : "explicit_char2";
      }
      break;
    case ServerKeyExchangeKind::kRsaExport:
      n.kx_rsa_export_bits = static_cast<int>(skx.rsa_modulus_bits);
      break;
    case ServerKeyExchangeKind::kNone:
    case ServerKeyExchangeKind::kOther:
      break;
  }
  n.session_ticket = hello.session_ticket;
  n.ocsp_stapled = flight.certificate_status;
  return n;
}

// SSL 2.0: the server lists every cipher spec it shares with the client and
// the client picks, so the first one stands for its choice. Classes after
// the seven specs of Hickman 1995, Appendix A, and RC4_64 (0x080080).
TlsNegotiated Sslv2Negotiated(const Sslv2ServerHelloInfo& v2) {
  TlsNegotiated n;
  n.version_value = v2.version;
  n.version_name = TlsVersionName(v2.version);
  n.kx_kind = "RSA";
  if (v2.cipher_specs.size() < 3) {
    n.cipher_name = n.cipher_hex = "none";
    n.cipher_class = "unknown";
    return n;
  }
  const uint32_t spec = static_cast<uint32_t>(v2.cipher_specs[0]) << 16 |
                        static_cast<uint32_t>(v2.cipher_specs[1]) << 8 | v2.cipher_specs[2];
  char hex[12];
  std::snprintf(hex, sizeof(hex), "0x%06X", spec);
  n.cipher_hex = hex;
  n.cipher_name = hex;
  switch (spec) {
    case 0x010080: case 0x080080: n.cipher_class = "RC4"; break;
    case 0x020080: case 0x040080: n.cipher_class = "EXPORT"; break;
    case 0x0700C0: n.cipher_class = "3DES"; break;
    case 0x030080: case 0x050080: case 0x060040: n.cipher_class = "CBC"; break;
    default: n.cipher_class = "unknown";
  }
  return n;
}

}  // namespace

std::string TlsVersionName(uint16_t version) {
  switch (version) {
    case 0x0002: return "SSLv2";
    case kSsl3Version: return "SSLv3";
    case kTls10Version: return "TLSv1";
    case kTls11Version: return "TLSv1.1";
    case kTls12Version: return "TLSv1.2";
    case kTls13Version: return "TLSv1.3";
    default: return Hex16(version);
  }
}

RawFlightSummary SummarizeServerFlight(const ServerFlight& flight, SSL_CTX* trust,
                                       std::string_view server_name) {
  RawFlightSummary out;
  if (flight.has_server_hello) {
    out.negotiated = Negotiated(flight);
  } else if (flight.sslv2.version != 0) {
    out.negotiated = Sslv2Negotiated(flight.sslv2);
  }
  if (flight.has_alert) {
    const int ret = flight.alert_level << 8 | flight.alert_description;
    out.alert = TlsAlert{.received = true,
                         .level = JsonSafe(SSL_alert_type_string_long(ret)),
                         .description = JsonSafe(SSL_alert_desc_string_long(ret)),
                         .value = flight.alert_description};
  }
  // The decoded certificates in the order sent: the untrusted chain the
  // verification gets, as OpenSSL's handshake gives it the peer's.
  X509StackPtr decoded(trust != nullptr ? sk_X509_new_null() : nullptr);
  bool leaf_decoded = false;
  bool first = true;
  for (std::span<const uint8_t> der : flight.certificates()) {
    const bool ok = AddCertificate(der, &out, decoded.get());
    if (first) leaf_decoded = ok;
    first = false;
  }
  // Without the leaf there is nothing to check: the next certificate is not
  // the server's.
  if (decoded != nullptr && leaf_decoded && sk_X509_num(decoded.get()) > 0) {
    out.validation = ValidateChain(trust, decoded.get(), server_name);
  }
  return out;
}

}  // namespace tlsweep
