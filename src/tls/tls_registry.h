// The IANA TLS registries tlsweep needs by id: cipher suites, supported
// groups and signature schemes.
//
// Source: https://www.iana.org/assignments/tls-parameters (TLS Cipher Suites,
// TLS Supported Groups, TLS SignatureScheme). Each suite's id and name are the
// registry's columns carried over as data; key exchange, authentication,
// cipher, class and forward secrecy are read off the registered name (the
// names follow TLS_<kx>_<auth>[_EXPORT]_WITH_<cipher>_<mac>, and TLS 1.3
// suites TLS_<aead>_<hash>), and tests/tls/tls_registry_test.cc checks them
// against OpenSSL's own description of every suite it implements. Reserved
// and unassigned ranges, the GREASE values and private-use suites (e.g. the
// pre-standard 0x0060-0x0066 "EXPORT1024" suites) are not in the registry
// and so not here; a server choosing one is recorded by id alone.
//
// Lookups are binary searches over static sorted tables: no allocation, safe
// on the data plane.
#ifndef TLSWEEP_TLS_TLS_REGISTRY_H_
#define TLSWEEP_TLS_TLS_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tlsweep {

enum class KeyExchange : uint8_t {
  kNull,       // TLS_NULL_WITH_NULL_NULL
  kRsa,        // RSA key transport (RSA_EXPORT: a temporary 512-bit key)
  kDh,         // static DH in the certificate
  kDhe,        // ephemeral finite-field DH (also DH_anon)
  kEcdh,       // static ECDH in the certificate
  kEcdhe,      // ephemeral ECDH (also ECDH_anon)
  kPsk,
  kDhePsk,
  kRsaPsk,
  kEcdhePsk,
  kKrb5,
  kSrp,
  kEccpwd,
  kGost,       // GOST R 34.10-2012 key transport (TLS <= 1.2)
  kAny,        // TLS 1.3: negotiated separately (key_share)
  kSignaling,  // SCSVs: not a suite a server may choose
};

enum class Authentication : uint8_t {
  kNone,  // no authentication and no key exchange (NULL, SCSV)
  kAnon,  // DH_anon, ECDH_anon
  kRsa,
  kDss,
  kEcdsa,
  kPsk,
  kKrb5,
  kSrp,
  kEccpwd,
  kGost,
  kAny,  // TLS 1.3: by the certificate's signature scheme
};

// The classes the study's tables count. EXPORT wins over the cipher (an
// export RC4 suite is EXPORT); kOther is the GOST counter-mode ciphers.
enum class CipherClass : uint8_t {
  kAead,
  kCbc,
  kRc4,
  k3des,
  kNull,
  kExport,
  kOther,
  kSignaling,
};

struct CipherSuiteInfo {
  uint16_t id;
  std::string_view name;  // the IANA description, e.g. "TLS_RSA_WITH_RC4_128_SHA"
  KeyExchange key_exchange;
  Authentication authentication;
  std::string_view cipher;  // e.g. "RC4_128", "AES_128_GCM", "NULL"
  CipherClass cipher_class;
  // The key exchange uses ephemeral keys only: DHE, ECDHE (also anonymous),
  // their PSK forms, SRP, ECCPWD and every TLS 1.3 suite.
  bool forward_secret;
};

// The registered suite with `id`, or null when `id` is not registered.
const CipherSuiteInfo* FindCipherSuite(uint16_t id);
// Every registered suite, sorted by id.
std::span<const CipherSuiteInfo> AllCipherSuites();
// Every registered suite a server can choose (the SCSVs left out), sorted by
// id: the list an enumeration offers.
std::span<const uint16_t> SelectableCipherSuiteIds();

std::string_view KeyExchangeName(KeyExchange kx);          // "ECDHE"
std::string_view AuthenticationName(Authentication auth);  // "RSA"
std::string_view CipherClassName(CipherClass c);           // "RC4"

struct NamedGroupInfo {
  uint16_t id;
  std::string_view name;  // IANA description, e.g. "secp256r1", "x25519"
  uint16_t bits;          // the group's security-relevant size (field or prime)
};

// The registered group with `id`, or null.
const NamedGroupInfo* FindNamedGroup(uint16_t id);
// Case-insensitive lookup by IANA name; nullopt when unknown.
std::optional<uint16_t> NamedGroupByName(std::string_view name);
// The IANA name of a group or curve however OpenSSL, ANSI X9.62 or NIST
// spell it ("X25519" -> "x25519", "prime256v1" and "P-256" -> "secp256r1"),
// so a full handshake, a raw probe and a certificate's key name the same
// curve alike; `name` itself when the registry has no such group (the view
// then refers to the caller's string).
std::string_view IanaGroupName(std::string_view name);

struct SignatureSchemeInfo {
  uint16_t id;
  std::string_view name;  // e.g. "rsa_pkcs1_sha256"; legacy (hash, sig) pairs
                          // of RFC 5246 as "rsa_sha224" etc.
};

const SignatureSchemeInfo* FindSignatureScheme(uint16_t id);
std::optional<uint16_t> SignatureSchemeByName(std::string_view name);

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_TLS_REGISTRY_H_
