// See cert_info.h.
#include "tls/cert_info.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tls/openssl_util.h"
#include "tls/tls_registry.h"

namespace tlsweep {

namespace {

std::string_view AsView(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* data = ASN1_STRING_get0_data(s);
  const int len = ASN1_STRING_length(s);
  if (data == nullptr || len <= 0) return {};
  return std::string_view(reinterpret_cast<const char*>(data),
                          static_cast<size_t>(len));
}

// Dotted OID of `obj` ("" if it cannot be printed). 128 bytes holds any OID a
// real certificate uses; longer ones are truncated by OpenSSL, not overrun.
std::string OidText(const ASN1_OBJECT* obj) {
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  if (n <= 0) return "";
  return std::string(buf, std::min(static_cast<size_t>(n), sizeof(buf) - 1));
}

// ZGrab2's key for a distinguished-name attribute; the dotted OID otherwise.
std::string AttributeKey(const ASN1_OBJECT* obj) {
  switch (OBJ_obj2nid(obj)) {
    case NID_commonName:
      return "common_name";
    case NID_countryName:
      return "country";
    case NID_localityName:
      return "locality";
    case NID_stateOrProvinceName:
      return "province";
    case NID_streetAddress:
      return "street_address";
    case NID_organizationName:
      return "organization";
    case NID_organizationalUnitName:
      return "organizational_unit";
    case NID_postalCode:
      return "postal_code";
    case NID_serialNumber:
      return "serial_number";
    case NID_domainComponent:
      return "domain_component";
    case NID_pkcs9_emailAddress:
      return "email_address";
    default:
      return OidText(obj);
  }
}

// An ASN.1 string as UTF-8 (raw bytes if OpenSSL cannot convert it), made
// JSON-safe.
std::string Asn1Text(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) {
    DrainOpenSslErrors();
    return JsonSafe(AsView(s));
  }
  std::string out = JsonSafe(std::string_view(
      reinterpret_cast<const char*>(utf8), static_cast<size_t>(n)));
  OPENSSL_free(utf8);
  return out;
}

// The attributes of `name` in order, keyed by AttributeKey.
std::vector<std::pair<std::string, std::string>> NameAttributes(
    const X509_NAME* name) {
  std::vector<std::pair<std::string, std::string>> out;
  if (name == nullptr) return out;
  const int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    if (entry == nullptr) continue;
    const std::string key = AttributeKey(X509_NAME_ENTRY_get_object(entry));
    if (key.empty()) continue;
    out.emplace_back(key, Asn1Text(X509_NAME_ENTRY_get_data(entry)));
  }
  return out;
}

// "C=US, O=Example, CN=mail.example.com" (RFC 2253 escaping, forward order as
// ZGrab2 prints it, UTF-8 kept).
std::string NameString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || name == nullptr) return "";
  const unsigned long flags =
      XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
      (ASN1_STRFLGS_RFC2253 &
       ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB));
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    DrainOpenSslErrors();
    return "";
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return "";
  return JsonSafe(std::string_view(data, static_cast<size_t>(len)));
}

// RFC 3339 UTC time, or nullopt if OpenSSL cannot decode it.
std::optional<std::string> TimeText(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    DrainOpenSslErrors();
    return std::nullopt;
  }
  // Sized for any int fields, so snprintf cannot truncate.
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return std::string(buf);
}

// Decimal serial number, or nullopt if OpenSSL cannot decode it.
std::optional<std::string> SerialText(const ASN1_INTEGER* serial) {
  if (serial == nullptr) return std::nullopt;
  BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
  if (bn == nullptr) {
    DrainOpenSslErrors();
    return std::nullopt;
  }
  std::optional<std::string> out;
  if (char* dec = BN_bn2dec(bn); dec != nullptr) {
    out = std::string(dec);
    OPENSSL_free(dec);
  }
  BN_free(bn);
  return out;
}

std::string IpText(std::string_view raw) {
  char buf[INET6_ADDRSTRLEN];
  if (raw.size() == 4 && inet_ntop(AF_INET, raw.data(), buf, sizeof(buf))) {
    return buf;
  }
  if (raw.size() == 16 && inet_ntop(AF_INET6, raw.data(), buf, sizeof(buf))) {
    return buf;
  }
  // Name constraints carry address+mask (8 or 32 bytes); anything else is
  // malformed. Keep the bytes so nothing is silently lost.
  return HexEncode(raw);
}

std::optional<CertificateInfo::AltNames> AltNames(X509* cert) {
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) {
    DrainOpenSslErrors();
    return std::nullopt;
  }
  CertificateInfo::AltNames out;
  const int count = sk_GENERAL_NAME_num(names);
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names, i);
    if (gen == nullptr) continue;
    switch (gen->type) {
      case GEN_DNS:
        out.dns_names.push_back(JsonSafe(AsView(gen->d.dNSName)));
        break;
      case GEN_IPADD:
        out.ip_addresses.push_back(IpText(AsView(gen->d.iPAddress)));
        break;
      case GEN_EMAIL:
        out.email_addresses.push_back(JsonSafe(AsView(gen->d.rfc822Name)));
        break;
      case GEN_URI:
        out.uris.push_back(JsonSafe(AsView(gen->d.uniformResourceIdentifier)));
        break;
      default:
        break;
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string KeyAlgorithmName(const EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
      return "RSA";
    case EVP_PKEY_RSA_PSS:
      return "RSA-PSS";
    case EVP_PKEY_EC:
      return "ECDSA";
    case EVP_PKEY_DSA:
      return "DSA";
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_ED448:
      return "Ed448";
    default: {
      const char* name = EVP_PKEY_get0_type_name(pkey);
      return name != nullptr ? JsonSafe(name) : "unknown";
    }
  }
}

void ParseSubjectKeyInfo(X509* cert, CertificateInfo* out) {
  // The SPKI is hashed as encoded in the certificate, so two certificates for
  // the same key give the same fingerprint whatever else differs.
  const X509_PUBKEY* spki = X509_get_X509_PUBKEY(cert);
  if (spki != nullptr) {
    unsigned char* der = nullptr;
    const int len = i2d_X509_PUBKEY(spki, &der);
    if (len > 0 && der != nullptr) {
      out->spki_fingerprint_sha256 = Sha256Hex(std::string_view(
          reinterpret_cast<const char*>(der), static_cast<size_t>(len)));
      OPENSSL_free(der);
    } else {
      DrainOpenSslErrors();
    }
  }
  EVP_PKEY* pkey = X509_get0_pubkey(cert);  // borrowed
  if (pkey == nullptr) {
    DrainOpenSslErrors();
    // Unknown key type: name it by the algorithm OID so it can be counted.
    ASN1_OBJECT* alg = nullptr;
    if (spki != nullptr &&
        X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, spki) == 1 &&
        alg != nullptr) {
      out->key_algorithm = OidText(alg);
    }
    return;
  }
  out->key_algorithm = KeyAlgorithmName(pkey);
  out->key_bits = EVP_PKEY_get_bits(pkey);
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
    char group[64];
    size_t group_len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &group_len) == 1) {
      // The IANA name, as the handshake's group is recorded (secp256r1,
      // not OpenSSL's prime256v1).
      out->curve = JsonSafe(IanaGroupName(std::string_view(group, group_len)));
    } else {
      DrainOpenSslErrors();
    }
  }
}

void ParseSignatureAlgorithm(const X509* cert, CertificateInfo* out) {
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(nullptr, &alg, cert);
  const int nid = X509_get_signature_nid(cert);
  out->signature_algorithm = nid != NID_undef ? OBJ_nid2ln(nid) : "unknown";
  if (alg != nullptr) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    if (obj != nullptr) out->signature_algorithm_oid = OidText(obj);
  }
}

}  // namespace

std::string CertificateDer(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0 || der == nullptr) {
    DrainOpenSslErrors();
    return "";
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

CertificateInfo ParseCertificate(X509* cert) {
  CertificateInfo info;
  info.der = CertificateDer(cert);
  info.version = static_cast<int>(X509_get_version(cert)) + 1;
  info.serial_number = SerialText(X509_get0_serialNumber(cert));
  info.subject = NameAttributes(X509_get_subject_name(cert));
  info.subject_dn = NameString(X509_get_subject_name(cert));
  info.issuer = NameAttributes(X509_get_issuer_name(cert));
  info.issuer_dn = NameString(X509_get_issuer_name(cert));
  info.not_before = TimeText(X509_get0_notBefore(cert));
  info.not_after = TimeText(X509_get0_notAfter(cert));
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert),
                     X509_get0_notAfter(cert)) == 1) {
    info.validity_seconds = static_cast<int64_t>(days) * 86400 + secs;
  } else {
    DrainOpenSslErrors();
  }
  ParseSubjectKeyInfo(cert, &info);
  ParseSignatureAlgorithm(cert, &info);
  info.alt_names = AltNames(cert);
  // X509_check_ca also caches the decoded extensions; a value of 0 means the
  // certificate cannot act as a CA.
  info.is_ca = X509_check_ca(cert) != 0;
  info.fingerprint_sha256 = Sha256Hex(info.der);
  DrainOpenSslErrors();
  return info;
}

namespace {

// What ValidateLeaf and ValidateChain record, given OpenSSL's verdict on
// the chain.
CertificateValidation CheckLeaf(long result, X509* leaf, std::string_view server_name) {
  CertificateValidation out;
  out.verify_result = result;
  out.verify_error = X509_verify_cert_error_string(result);
  // "browser_trusted" in ZGrab2's sense: the chain verifies to the root store
  // this run was given (system store or --ca-file).
  out.browser_trusted = result == X509_V_OK;
  out.self_signed = X509_check_issued(leaf, leaf) == X509_V_OK;
  // X509_cmp_current_time returns 0 on a malformed time: neither flag is set.
  out.expired = X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0;
  out.not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0;
  if (!server_name.empty()) {
    const std::string name(server_name);
    unsigned char addr[sizeof(in6_addr)];
    const bool is_ip = inet_pton(AF_INET, name.c_str(), addr) == 1 ||
                       inet_pton(AF_INET6, name.c_str(), addr) == 1;
    const int match =
        is_ip ? X509_check_ip_asc(leaf, name.c_str(), 0)
              : X509_check_host(leaf, name.data(), name.size(), 0, nullptr);
    out.name_matches = match == 1;
  }
  DrainOpenSslErrors();
  return out;
}

}  // namespace

CertificateValidation ValidateLeaf(const SSL* ssl, X509* leaf,
                                   std::string_view server_name) {
  return CheckLeaf(SSL_get_verify_result(ssl), leaf, server_name);
}

CertificateValidation ValidateChain(SSL_CTX* ctx, STACK_OF(X509) * chain,
                                    std::string_view server_name) {
  X509* leaf = sk_X509_value(chain, 0);
  X509StoreCtxPtr store_ctx(X509_STORE_CTX_new());
  long result = X509_V_ERR_UNSPECIFIED;
  if (store_ctx != nullptr &&
      X509_STORE_CTX_init(store_ctx.get(), SSL_CTX_get_cert_store(ctx), leaf, chain) == 1) {
    // As ssl_verify_cert_chain (OpenSSL 3, ssl/ssl_cert.c) sets up a
    // client's check of the server's chain, in its order (an SSL's
    // parameters are its SSL_CTX's, tlsweep sets no others).
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(store_ctx.get());
    X509_VERIFY_PARAM_set_auth_level(param, SSL_CTX_get_security_level(ctx));
    X509_STORE_CTX_set_default(store_ctx.get(), "ssl_server");
    X509_VERIFY_PARAM_set1(param, SSL_CTX_get0_param(ctx));
    // <= 0 on a chain that does not verify: the reason is the error code.
    X509_verify_cert(store_ctx.get());
    result = X509_STORE_CTX_get_error(store_ctx.get());
  }
  DrainOpenSslErrors();
  return CheckLeaf(result, leaf, server_name);
}

}  // namespace tlsweep
