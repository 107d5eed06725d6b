// The record's "tls" object, from the typed TLS result (tls/tls_result.h),
// in the shape of ZGrab2's tls module:
//   handshake_log.server_hello.{version{name,value}, cipher_suite{name,
//     openssl_name, hex, value}}
//   handshake_log.server_certificates.{chain[{raw, parsed}], validation}
//   handshake_log.{key_exchange{kind, group, dh_prime_bits, dh_prime_sha256,
//     dh_prime_name, rsa_export_bits (the last three: raw probes only)},
//     forward_secrecy, cipher_class, server_signature_algorithm,
//     session_ticket, ocsp_stapled}
//   profile, handshake_complete, alert{direction, level, description,
//   value} (last non-close_notify alert), error.
// docs/schema/grab_record.schema.json ($defs tls, certificate) describes
// every field and when it is absent.
#ifndef TLSWEEP_OUTPUT_TLS_JSON_H_
#define TLSWEEP_OUTPUT_TLS_JSON_H_

#include <nlohmann/json.hpp>
#include <vector>

#include "tls/tls_result.h"

namespace tlsweep {

// {"raw": base64 DER, "parsed": {...}} for one certificate.
nlohmann::json CertificateJson(const CertificateInfo& cert);

// The handshake_log's fields that follow from the server's choice
// (server_hello, key_exchange, forward_secrecy, cipher_class,
// server_signature_algorithm, session_ticket, ocsp_stapled); shared by the
// "tls" object and each raw probe's (output/record_json.h).
nlohmann::json NegotiatedLogJson(const TlsNegotiated& negotiated);

// [{"raw", "parsed"}, ...] in chain order.
nlohmann::json ChainJson(const std::vector<CertificateInfo>& chain);

// {"direction", "level", "description", "value"}.
nlohmann::json AlertJson(const TlsAlert& alert);

// The "validation" object of a chain's leaf.
nlohmann::json ValidationJson(const CertificateValidation& validation);

// The whole "tls" object.
nlohmann::json TlsJson(const TlsResult& tls);

}  // namespace tlsweep

#endif  // TLSWEEP_OUTPUT_TLS_JSON_H_
