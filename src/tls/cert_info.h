// Certificate fields for the TLS record (CertificateInfo, tls_result.h).
//
// The study counts chains that verify, are self-signed, expired or reuse the
// same key across hosts, so each certificate is recorded both raw (the DER as
// sent, base64) and parsed (names, SANs, serial, validity, key type and size,
// signature algorithm, SHA-256 of the certificate and of the SPKI). Everything
// here reads peer-supplied data: nothing asserts, every string goes through
// JsonSafe(), and fields OpenSSL cannot decode are left empty (nullopt).
#ifndef TLSWEEP_TLS_CERT_INFO_H_
#define TLSWEEP_TLS_CERT_INFO_H_

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "tls/tls_result.h"

namespace tlsweep {

// The DER encoding of `cert` ("" if it cannot be encoded).
std::string CertificateDer(X509* cert);

// The DER and the parsed fields of one certificate.
CertificateInfo ParseCertificate(X509* cert);

// The leaf `leaf` of the connection `ssl` checked: browser_trusted (the chain
// verifies to the configured root store), verify_result / verify_error
// (OpenSSL's code and text), self_signed, expired, not_yet_valid and
// name_matches (nullopt when `server_name` is empty; an IP literal is matched
// against IP SANs).
CertificateValidation ValidateLeaf(const SSL* ssl, X509* leaf,
                                   std::string_view server_name);

// The same for a chain that arrived without a handshake OpenSSL finished (a
// raw probe's, grab/raw_probe.h): `chain` (leaf first, as sent) is verified
// as the handshake of an SSL made from `ctx` verifies it (OpenSSL's
// ssl_verify_cert_chain: ctx's root store and verify parameters, purpose
// ssl_server, ctx's security level as the authentication level), then the
// leaf gets ValidateLeaf's checks. `chain` must not be empty.
CertificateValidation ValidateChain(SSL_CTX* ctx, STACK_OF(X509) * chain,
                                    std::string_view server_name);

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_CERT_INFO_H_
