// What a TLS handshake and the certificates it delivered tell us, as plain
// structs.
//
// tls/ fills them (TlsClient::Result, ParseCertificate, ValidateLeaf) and
// output/ turns them into the record's "tls" object, so the field names live
// in one place (output/record_fields.h) and anything else that learns the
// same facts (a raw handshake codec, a passive observer) can fill the same
// structs and reuse the same serializer. Every string here comes from
// OpenSSL or the peer and has already been made valid UTF-8 (JsonSafe).
#ifndef TLSWEEP_TLS_TLS_RESULT_H_
#define TLSWEEP_TLS_TLS_RESULT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tlsweep {

// One X.509 certificate as sent, and its parsed fields. std::nullopt marks a
// field OpenSSL could not decode (recorded as null or left out, see
// output/tls_json.h).
struct CertificateInfo {
  std::string der;  // the encoding as sent ("" if it could not be encoded)
  int version = 0;  // 1, 2 or 3
  std::optional<std::string> serial_number;  // decimal
  // Distinguished-name attributes in certificate order: (ZGrab2's key such as
  // "common_name", or the dotted OID; value).
  std::vector<std::pair<std::string, std::string>> subject;
  std::vector<std::pair<std::string, std::string>> issuer;
  std::string subject_dn;  // RFC 2253 text, "C=US, O=..., CN=..."
  std::string issuer_dn;
  std::optional<std::string> not_before;  // RFC 3339 UTC
  std::optional<std::string> not_after;
  std::optional<int64_t> validity_seconds;  // not_after - not_before
  std::optional<std::string> spki_fingerprint_sha256;  // nullopt: SPKI not encodable
  // "RSA", "ECDSA", ...; the algorithm OID for a key OpenSSL cannot load;
  // nullopt when not even that is known.
  std::optional<std::string> key_algorithm;
  std::optional<int> key_bits;        // nullopt: the key could not be loaded
  std::optional<std::string> curve;   // EC keys only
  std::string signature_algorithm;    // OpenSSL's long name, or "unknown"
  std::optional<std::string> signature_algorithm_oid;
  struct AltNames {
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::vector<std::string> email_addresses;
    std::vector<std::string> uris;
  };
  std::optional<AltNames> alt_names;  // nullopt: no subjectAltName extension
  bool is_ca = false;
  std::string fingerprint_sha256;  // of `der`
};

// The leaf checked against the run's root store and the expected name.
struct CertificateValidation {
  int64_t verify_result = 0;  // OpenSSL's X509_V_* code
  std::string verify_error;   // its text
  bool browser_trusted = false;
  bool self_signed = false;
  bool expired = false;
  bool not_yet_valid = false;
  std::optional<bool> name_matches;  // nullopt: no name was known
};

// One TLS alert (the last one other than close_notify).
struct TlsAlert {
  bool received = false;  // false: we sent it
  std::string level;
  std::string description;
  int value = 0;
};

// What the ServerHello chose and what follows from it (TlsResult::negotiated;
// absent when the handshake never got a cipher). The parts of a TlsResult
// stand at namespace scope because clang 14 does not take a nested struct with
// default member initialisers as default-constructible inside its enclosing
// class (std::optional<Nested>::emplace() fails to compile there).
struct TlsNegotiated {
  std::string version_name;  // "TLSv1.3"
  int version_value = 0;     // 0x0304
  std::string cipher_name;   // IANA ("TLS_AES_128_GCM_SHA256")
  std::string cipher_openssl_name;
  std::string cipher_hex;  // "0x1301"
  uint16_t cipher_value = 0;
  std::string kx_kind;                   // "ECDHE", "DHE", "RSA", "TLS1.3", ...
  std::optional<std::string> kx_group;   // nullopt when unknown
  std::optional<int> kx_dh_prime_bits;   // DHE only
  // DHE, raw probes only (tls/raw_flight.h): the prime's SHA-256 (lower-case
  // hex, tls/dh_primes.h) and its well-known name when it has one.
  std::optional<std::string> kx_dh_prime_sha256;
  std::optional<std::string> kx_dh_prime_name;
  // RSA_EXPORT, raw probes only: the temporary RSA key's modulus bits.
  std::optional<int> kx_rsa_export_bits;
  bool forward_secrecy = false;
  std::string cipher_class;  // AEAD, CBC, RC4, 3DES, NULL, EXPORT
  struct Signature {
    std::string type;  // OpenSSL short names, or "unknown"
    std::string hash;
    std::string scheme;  // RFC 8446 SignatureScheme name, "" when none
  };
  std::optional<Signature> server_signature;
  bool session_ticket = false;
  bool ocsp_stapled = false;
};

// The chain as sent (leaf first) and the leaf's validation
// (TlsResult::certificates; absent when no certificate arrived).
struct TlsCertificates {
  std::vector<CertificateInfo> chain;
  CertificateValidation validation;
};

struct TlsResult {
  using Negotiated = TlsNegotiated;
  std::optional<Negotiated> negotiated;
  using Certificates = TlsCertificates;
  std::optional<Certificates> certificates;
  std::string profile;  // the ClientHello profile's name
  bool handshake_complete = false;
  std::optional<TlsAlert> alert;
  std::string error;  // "" unless the session failed
};

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_TLS_RESULT_H_
