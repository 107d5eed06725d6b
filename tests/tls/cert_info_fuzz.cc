// libFuzzer target: certificate fields from arbitrary DER, as a server's
// Certificate message delivers them.
//
// Whatever OpenSSL accepts as an X509 goes through everything the record
// takes from a certificate: ParseCertificate (names, SANs, serial, validity,
// key, signature algorithm, digests) and ValidateLeaf for a DNS name, an
// IP literal and no name. Both must serialize (dump() throws on invalid
// UTF-8, which the fuzzer reports as a crash).
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "output/tls_json.h"
#include "tls/cert_info.h"
#include "tls/openssl_util.h"
#include "tls/tls_context.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  // An unconnected SSL: ValidationJson reads its (default) verify result.
  static SSL* const ssl = [] {
    auto ctx = TlsContext::Create(TlsProfile::kModern, "");
    if (!ctx.ok()) std::abort();
    return SSL_new((*ctx)->ssl_ctx());
  }();
  const unsigned char* p = data;
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(size)));
  if (!cert) {
    DrainOpenSslErrors();
    return 0;
  }
  (void)CertificateJson(ParseCertificate(cert.get())).dump();
  for (std::string_view name : {"mail.example.com", "192.0.2.1", ""}) {
    (void)ValidationJson(ValidateLeaf(ssl, cert.get(), name)).dump();
  }
  DrainOpenSslErrors();
  return 0;
}
