// An in-process OpenSSL 3 server for the handshake codec's tests and
// benchmarks: it takes a
// ClientHello's bytes over a memory BIO and returns its first flight, the
// real bytes a probe would read. Keys and certificates are made here
// (a P-256 root that signs an RSA-2048 leaf), so no files and no network.
#ifndef TLSWEEP_TESTS_TESTING_TLS_SERVER_H_
#define TLSWEEP_TESTS_TESTING_TLS_SERVER_H_

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tls/openssl_util.h"

namespace tlsweep::testing {

inline std::vector<uint8_t> CertDer(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::vector<uint8_t> out(der, der + (len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

inline X509Ptr SignCert(const char* cn, EVP_PKEY* key, X509* issuer,
                        EVP_PKEY* issuer_key, bool ca) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ca ? 1 : 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr
                                       ? X509_get_subject_name(issuer)
                                       : name);
  if (ca) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "CA:TRUE");
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key,
            EVP_sha256());
  return cert;
}

// Finite-field DH parameters from a known prime, g = 2.
inline EvpPkeyPtr DhParamsFromPrime(BIGNUM* p) {
  BIGNUM* g = BN_new();
  BN_set_word(g, 2);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr);
  EVP_PKEY* pkey = nullptr;
  EVP_PKEY_fromdata_init(pctx);
  EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEY_PARAMETERS, params);
  EVP_PKEY_CTX_free(pctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(p);
  BN_free(g);
  return EvpPkeyPtr(pkey);
}

struct ServerConfig {
  int min_version = TLS1_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string ciphers = "ALL:@SECLEVEL=0";  // TLS <= 1.2
  std::string groups;                       // "" = OpenSSL's default
  EvpPkeyPtr dh;                            // fixed DHE parameters
};

class TestServer {
 public:
  explicit TestServer(ServerConfig config) {
    static const Identity* identity = new Identity();
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_set_security_level(ctx_.get(), 0);
    SSL_CTX_set_min_proto_version(ctx_.get(), config.min_version);
    SSL_CTX_set_max_proto_version(ctx_.get(), config.max_version);
    SSL_CTX_set_cipher_list(ctx_.get(), config.ciphers.c_str());
    if (!config.groups.empty()) {
      SSL_CTX_set1_groups_list(ctx_.get(), config.groups.c_str());
    }
    if (config.dh != nullptr) {
      SSL_CTX_set0_tmp_dh_pkey(ctx_.get(), config.dh.release());
    }
    SSL_CTX_use_certificate(ctx_.get(), identity->leaf.get());
    SSL_CTX_use_PrivateKey(ctx_.get(), identity->leaf_key.get());
    X509_up_ref(identity->root.get());
    SSL_CTX_add_extra_chain_cert(ctx_.get(), identity->root.get());
    chain_ = {CertDer(identity->leaf.get()), CertDer(identity->root.get())};
  }

  // The server's answer to `client_hello` (its whole first flight, or an
  // alert), as it would go on the wire.
  std::vector<uint8_t> Respond(const std::vector<uint8_t>& client_hello) {
    SslPtr ssl(SSL_new(ctx_.get()));
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl.get(), in, out);
    SSL_set_accept_state(ssl.get());
    BIO_write(in, client_hello.data(), static_cast<int>(client_hello.size()));
    SSL_do_handshake(ssl.get());
    DrainOpenSslErrors();
    std::vector<uint8_t> flight;
    uint8_t buf[4096];
    for (int n; (n = BIO_read(out, buf, sizeof(buf))) > 0;) {
      flight.insert(flight.end(), buf, buf + n);
    }
    return flight;
  }

  // The chain the server sends, DER, leaf first.
  const std::vector<std::vector<uint8_t>>& chain() const { return chain_; }

 private:
  struct Identity {
    EvpPkeyPtr root_key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    EvpPkeyPtr leaf_key{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})};
    X509Ptr root = SignCert("tlsweep codec root", root_key.get(), nullptr,
                            nullptr, true);
    X509Ptr leaf = SignCert("mail.example", leaf_key.get(), root.get(),
                            root_key.get(), false);
  };

  SslCtxPtr ctx_;
  std::vector<std::vector<uint8_t>> chain_;
};

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_TLS_SERVER_H_
