// See tls_json.h.
#include "output/tls_json.h"

#include <string>

#include "output/record_fields.h"
#include "tls/openssl_util.h"

namespace tlsweep {
namespace {

using nlohmann::json;
namespace f = field;

// {"common_name": [...], "organization": [...]}: each attribute's values in
// certificate order.
json NameJson(const std::vector<std::pair<std::string, std::string>>& attributes) {
  json out = json::object();
  for (const auto& [key, value] : attributes) out[key].push_back(value);
  return out;
}

json OptionalString(const std::optional<std::string>& s) {
  return s.has_value() ? json(*s) : json(nullptr);
}

json AltNamesJson(const std::optional<CertificateInfo::AltNames>& names) {
  if (!names.has_value()) return nullptr;
  json out = json::object();
  const auto add = [&out](std::string_view key, const std::vector<std::string>& v) {
    if (!v.empty()) out[key] = v;
  };
  add(f::kDnsNames, names->dns_names);
  add(f::kIpAddresses, names->ip_addresses);
  add(f::kEmailAddresses, names->email_addresses);
  add(f::kUris, names->uris);
  return out;
}

json SubjectKeyInfoJson(const CertificateInfo& cert) {
  json out = json::object();
  if (cert.spki_fingerprint_sha256) out[f::kFingerprintSha256] = *cert.spki_fingerprint_sha256;
  if (cert.key_algorithm) out[f::kKeyAlgorithm] = {{f::kName, *cert.key_algorithm}};
  out[f::kKeyBits] = cert.key_bits.has_value() ? json(*cert.key_bits) : json(nullptr);
  if (cert.curve) out[f::kCurve] = *cert.curve;
  return out;
}

json HandshakeLogJson(const TlsResult& tls) {
  json log = tls.negotiated ? NegotiatedLogJson(*tls.negotiated) : json::object();
  if (tls.certificates) {
    log[f::kServerCertificates] = {{f::kChain, ChainJson(tls.certificates->chain)},
                                   {f::kValidation, ValidationJson(tls.certificates->validation)}};
  }
  return log;
}

}  // namespace

json NegotiatedLogJson(const TlsNegotiated& n) {
  json log = json::object();
  log[f::kServerHello] = {
      {f::kVersion, {{f::kName, n.version_name}, {f::kValue, n.version_value}}},
      {f::kCipherSuite,
       {{f::kName, n.cipher_name},
        {f::kOpensslName, n.cipher_openssl_name},
        {f::kHex, n.cipher_hex},
        {f::kValue, n.cipher_value}}},
  };
  json kx = {{f::kKind, n.kx_kind}};
  if (n.kx_group) kx[f::kGroup] = *n.kx_group;
  if (n.kx_dh_prime_bits) kx[f::kDhPrimeBits] = *n.kx_dh_prime_bits;
  if (n.kx_dh_prime_sha256) kx[f::kDhPrimeSha256] = *n.kx_dh_prime_sha256;
  if (n.kx_dh_prime_name) kx[f::kDhPrimeName] = *n.kx_dh_prime_name;
  if (n.kx_rsa_export_bits) kx[f::kRsaExportBits] = *n.kx_rsa_export_bits;
  log[f::kKeyExchange] = std::move(kx);
  log[f::kForwardSecrecy] = n.forward_secrecy;
  log[f::kCipherClass] = n.cipher_class;
  if (n.server_signature) {
    json sig = {{f::kType, n.server_signature->type}, {f::kHash, n.server_signature->hash}};
    if (!n.server_signature->scheme.empty()) sig[f::kName] = n.server_signature->scheme;
    log[f::kServerSignatureAlgorithm] = std::move(sig);
  }
  log[f::kSessionTicket] = n.session_ticket;
  log[f::kOcspStapled] = n.ocsp_stapled;
  return log;
}

json ChainJson(const std::vector<CertificateInfo>& chain) {
  json out = json::array();
  for (const CertificateInfo& cert : chain) out.push_back(CertificateJson(cert));
  return out;
}

json AlertJson(const TlsAlert& alert) {
  return {
      {f::kDirection, alert.received ? "received" : "sent"},
      {f::kLevel, alert.level},
      {f::kDescription, alert.description},
      {f::kValue, alert.value},
  };
}

json CertificateJson(const CertificateInfo& cert) {
  json parsed = json::object();
  parsed[f::kVersion] = cert.version;
  parsed[f::kSerialNumber] = OptionalString(cert.serial_number);
  parsed[f::kSubject] = NameJson(cert.subject);
  parsed[f::kSubjectDn] = cert.subject_dn;
  parsed[f::kIssuer] = NameJson(cert.issuer);
  parsed[f::kIssuerDn] = cert.issuer_dn;
  json validity = {{f::kStart, OptionalString(cert.not_before)},
                   {f::kEnd, OptionalString(cert.not_after)}};
  if (cert.validity_seconds) validity[f::kLength] = *cert.validity_seconds;
  parsed[f::kValidity] = std::move(validity);
  parsed[f::kSubjectKeyInfo] = SubjectKeyInfoJson(cert);
  json sig = {{f::kName, cert.signature_algorithm}};
  if (cert.signature_algorithm_oid) sig[f::kOid] = *cert.signature_algorithm_oid;
  parsed[f::kSignatureAlgorithm] = std::move(sig);
  parsed[f::kSubjectAltName] = AltNamesJson(cert.alt_names);
  parsed[f::kIsCa] = cert.is_ca;
  parsed[f::kFingerprintSha256] = cert.fingerprint_sha256;
  return {{f::kRaw, Base64Encode(cert.der)}, {f::kParsed, std::move(parsed)}};
}

json ValidationJson(const CertificateValidation& v) {
  return {
      {f::kVerifyResult, v.verify_result},
      {f::kVerifyError, v.verify_error},
      {f::kBrowserTrusted, v.browser_trusted},
      {f::kSelfSigned, v.self_signed},
      {f::kExpired, v.expired},
      {f::kNotYetValid, v.not_yet_valid},
      {f::kNameMatches, v.name_matches.has_value() ? json(*v.name_matches) : json(nullptr)},
  };
}

json TlsJson(const TlsResult& tls) {
  json record = json::object();
  record[f::kHandshakeLog] = HandshakeLogJson(tls);
  record[f::kProfile] = tls.profile;
  record[f::kHandshakeComplete] = tls.handshake_complete;
  if (tls.alert) record[f::kAlert] = AlertJson(*tls.alert);
  if (!tls.error.empty()) record[f::kError] = tls.error;
  return record;
}

}  // namespace tlsweep
