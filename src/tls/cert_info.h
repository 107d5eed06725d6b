// Certificate fields for the TLS record, in ZGrab2's shape.
//
// The study counts chains that verify, are self-signed, expired or reuse the
// same key across hosts, so each certificate is recorded both raw (the DER as
// sent, base64) and parsed (names, SANs, serial, validity, key type and size,
// signature algorithm, SHA-256 of the certificate and of the SPKI). Everything
// here reads peer-supplied data: nothing asserts, every string goes through
// JsonSafe(), and fields OpenSSL cannot decode are recorded as null.
#ifndef TLSWEEP_TLS_CERT_INFO_H_
#define TLSWEEP_TLS_CERT_INFO_H_

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace tlsweep {

// The DER encoding of `cert` ("" if it cannot be encoded).
std::string CertificateDer(X509* cert);

// {"raw": base64 DER, "parsed": {...}} for one certificate.
nlohmann::json CertificateJson(X509* cert);

// The "validation" object for the connection `ssl` whose leaf is `leaf`:
// browser_trusted (chain verifies to the configured root store),
// verify_result / verify_error (OpenSSL's code and text), self_signed,
// expired, not_yet_valid and name_matches (null when `server_name` is empty;
// an IP literal is matched against IP SANs).
nlohmann::json ValidationJson(const SSL* ssl, X509* leaf,
                              std::string_view server_name);

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_CERT_INFO_H_
