// In-process TLS peers for tests and benchmarks: a PKI made on the fly (keys,
// CA and leaf certificates) and an OpenSSL server over memory BIOs, so TLS
// extraction, the handshake codec and the records built from them run without
// a network. A test either pumps a whole session through the server (Pump) or
// takes its first flight for a ClientHello (Respond), the real bytes a probe
// would read. The server is permissive (every suite, security level 0) so that
// what a test observes is what the client's offer accepts.
#ifndef TLSWEEP_TESTS_TESTING_TLS_PEER_H_
#define TLSWEEP_TESTS_TESTING_TLS_PEER_H_

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tls/openssl_util.h"
#include "tls/tls_client.h"

namespace tlsweep::tls_peer {

// ---- PKI made by the test ------------------------------------------------

inline EvpPkeyPtr RsaKey(size_t bits) {
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

inline EvpPkeyPtr EcKey() {
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

struct CertSpec {
  std::string common_name;
  std::string san;  // X509V3 config syntax, e.g. "DNS:a.example,IP:192.0.2.1"
  long not_before = -3600;      // seconds from now
  long not_after = 30 * 86400;  // seconds from now
  bool ca = false;
  long serial = 1;

  CertSpec&& set_common_name(std::string v) && {
    common_name = std::move(v);
    return std::move(*this);
  }
  CertSpec&& set_san(std::string v) && {
    san = std::move(v);
    return std::move(*this);
  }
  CertSpec&& set_not_before(long v) && {
    not_before = std::move(v);
    return std::move(*this);
  }
  CertSpec&& set_not_after(long v) && {
    not_after = std::move(v);
    return std::move(*this);
  }
  CertSpec&& set_ca(bool v) && {
    ca = std::move(v);
    return std::move(*this);
  }
  CertSpec&& set_serial(long v) && {
    serial = std::move(v);
    return std::move(*this);
  }
};

inline void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << DrainOpenSslErrors();
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Signs `key`'s certificate with `issuer_key` (self-signed when `issuer` is
// null).
inline X509Ptr MakeCert(const CertSpec& spec, EVP_PKEY* key, X509* issuer,
                 EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), spec.serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>("tlsweep test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1,
      0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (spec.ca) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage,
                 "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
  }
  if (!spec.san.empty()) {
    AddExtension(cert.get(), signer, NID_subject_alt_name, spec.san.c_str());
  }
  EVP_PKEY* sign_key = issuer_key != nullptr ? issuer_key : key;
  EXPECT_GT(X509_sign(cert.get(), sign_key, EVP_sha256()), 0)
      << DrainOpenSslErrors();
  return cert;
}

// Writes `root` as a PEM CA file in the test's temporary directory, named
// for `test` and this process so parallel runs do not collide; returns its
// path. The caller removes it.
inline std::string WriteCaFile(X509* root, const std::string& test) {
  std::string path = ::testing::TempDir() + "/tlsweep_" + test + "_ca_" +
                     std::to_string(getpid()) + ".pem";
  FILE* f = std::fopen(path.c_str(), "w");
  EXPECT_NE(f, nullptr) << path;
  if (f != nullptr) {
    PEM_write_X509(f, root);
    std::fclose(f);
  }
  return path;
}

inline std::string Der(X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

inline std::string IndependentSha256(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

inline std::string Base64Decode(const std::string& b64) {
  std::string out(b64.size(), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(b64.data()),
                      static_cast<int>(b64.size()));
  if (n < 0) return "";
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes.
  for (size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) --len;
  out.resize(len);
  return out;
}

// Finite-field DH parameters from a well-known prime with g = 2 (generating
// fresh 2048-bit parameters would take seconds to minutes).
inline EvpPkeyPtr DhParams(BIGNUM* (*prime)(BIGNUM*)) {
  BIGNUM* p = prime(nullptr);
  BIGNUM* g = BN_new();
  BN_set_word(g, 2);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr);
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata_init(pctx) != 1 ||
      EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
    ADD_FAILURE() << "DH params: " << DrainOpenSslErrors();
  }
  EVP_PKEY_CTX_free(pctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(p);
  BN_free(g);
  return EvpPkeyPtr(pkey);
}

// The identity a server gets unless a test makes its own: a P-256 root that
// signs an RSA-2048 leaf for mail.example (the usual shape of a mail server's
// chain), made once per process because RSA key generation takes a while.
struct Identity {
  EvpPkeyPtr root_key = EcKey();
  EvpPkeyPtr leaf_key = RsaKey(2048);
  X509Ptr root = MakeCert(CertSpec().set_common_name("tlsweep test root").set_ca(true),
                          root_key.get(), nullptr, nullptr);
  X509Ptr leaf = MakeCert(
      CertSpec().set_common_name("mail.example").set_san("DNS:mail.example").set_serial(2),
      leaf_key.get(), root.get(), root_key.get());
};

inline const Identity& DefaultIdentity() {
  static const Identity* identity = new Identity();
  return *identity;
}

// ---- The in-process server -----------------------------------------------

struct ServerOptions {
  int min_version = 0;  // 0 = OpenSSL's range
  int max_version = 0;
  std::string ciphers = "ALL:@SECLEVEL=0";  // TLS <= 1.2 cipher list
  std::string groups;         // "" = default
  EvpPkeyPtr dh;              // fixed DH parameters for DHE suites
  std::string ocsp_response;  // stapled when non-empty

  ServerOptions&& set_min_version(int v) && {
    min_version = std::move(v);
    return std::move(*this);
  }
  ServerOptions&& set_max_version(int v) && {
    max_version = std::move(v);
    return std::move(*this);
  }
  ServerOptions&& set_ciphers(std::string v) && {
    ciphers = std::move(v);
    return std::move(*this);
  }
  ServerOptions&& set_groups(std::string v) && {
    groups = std::move(v);
    return std::move(*this);
  }
  ServerOptions&& set_dh(EvpPkeyPtr v) && {
    dh = std::move(v);
    return std::move(*this);
  }
  ServerOptions&& set_ocsp_response(std::string v) && {
    ocsp_response = std::move(v);
    return std::move(*this);
  }
};

inline int StapleCallback(SSL* ssl, void* arg) {
  const auto* response = static_cast<const std::string*>(arg);
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(response->size()));
  std::memcpy(copy, response->data(), response->size());
  // SSL_set_tlsext_status_ocsp_resp without its macro's C-style cast.
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP,
           static_cast<long>(response->size()), copy);
  return SSL_TLSEXT_ERR_OK;
}

class TestServer {
 public:
  // With the default identity: the leaf, then the root as its chain.
  explicit TestServer(ServerOptions options)
      : TestServer(DefaultIdentity().leaf.get(), DefaultIdentity().leaf_key.get(),
                   {DefaultIdentity().root.get()}, std::move(options)) {}

  TestServer(X509* leaf, EVP_PKEY* key, const std::vector<X509*>& chain,
             ServerOptions options)
      : options_(std::move(options)) {
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_set_security_level(ctx_.get(), 0);
    if (options_.min_version != 0) {
      SSL_CTX_set_min_proto_version(ctx_.get(), options_.min_version);
    }
    if (options_.max_version != 0) {
      SSL_CTX_set_max_proto_version(ctx_.get(), options_.max_version);
    }
    if (!options_.ciphers.empty()) {
      EXPECT_EQ(SSL_CTX_set_cipher_list(ctx_.get(), options_.ciphers.c_str()),
                1)
          << DrainOpenSslErrors();
    }
    if (!options_.groups.empty()) {
      EXPECT_EQ(SSL_CTX_set1_groups_list(ctx_.get(), options_.groups.c_str()),
                1)
          << DrainOpenSslErrors();
    }
    if (options_.dh != nullptr) {
      EXPECT_EQ(SSL_CTX_set0_tmp_dh_pkey(ctx_.get(), options_.dh.release()), 1);
    }
    if (!options_.ocsp_response.empty()) {
      SSL_CTX_callback_ctrl(ctx_.get(), SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB,
                            reinterpret_cast<void (*)(void)>(&StapleCallback));
      SSL_CTX_ctrl(ctx_.get(), SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG, 0,
                   &options_.ocsp_response);
    }
    EXPECT_EQ(SSL_CTX_use_certificate(ctx_.get(), leaf), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx_.get(), key), 1);
    chain_.push_back(DerBytes(leaf));
    for (X509* cert : chain) {
      // SSL_CTX_add1_chain_cert without its macro's C-style cast.
      EXPECT_EQ(SSL_CTX_ctrl(ctx_.get(), SSL_CTRL_CHAIN_CERT, 1, cert), 1);
      chain_.push_back(DerBytes(cert));
    }
    ssl_.reset(SSL_new(ctx_.get()));
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_.get(), rbio_, wbio_);
    SSL_set_accept_state(ssl_.get());
  }

  void Feed(const std::string& bytes) {
    if (!bytes.empty())
      BIO_write(rbio_, bytes.data(), static_cast<int>(bytes.size()));
  }
  std::string Drain() {
    std::string out;
    char buf[4096];
    for (int n; (n = BIO_read(wbio_, buf, sizeof(buf))) > 0;)
      out.append(buf, n);
    return out;
  }
  void Step() {
    ERR_clear_error();
    if (!SSL_is_init_finished(ssl_.get())) {
      const int ret = SSL_do_handshake(ssl_.get());
      if (ret != 1) {
        const int err = SSL_get_error(ssl_.get(), ret);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
          error_ = DrainOpenSslErrors();
        }
        return;
      }
    }
    char buf[4096];
    size_t n = 0;
    while (SSL_read_ex(ssl_.get(), buf, sizeof(buf), &n) == 1)
      received_.append(buf, n);
    if (SSL_get_error(ssl_.get(), 0) == SSL_ERROR_ZERO_RETURN)
      got_close_notify_ = true;
    ERR_clear_error();
  }
  void Write(const std::string& data) {
    size_t n = 0;
    SSL_write_ex(ssl_.get(), data.data(), data.size(), &n);
  }

  // The server's whole answer to `client_hello` on a connection of its own
  // (its first flight, or an alert), as it goes on the wire. The session that
  // Feed/Step/Drain drive is not touched.
  std::vector<uint8_t> Respond(const std::vector<uint8_t>& client_hello) const {
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
  SSL* ssl() { return ssl_.get(); }
  const std::string& received() const { return received_; }
  const std::string& error() const { return error_; }
  bool got_close_notify() const { return got_close_notify_; }

 private:
  static std::vector<uint8_t> DerBytes(X509* cert) {
    const std::string der = Der(cert);
    return {der.begin(), der.end()};
  }

  ServerOptions options_;
  SslCtxPtr ctx_;
  std::vector<std::vector<uint8_t>> chain_;
  SslPtr ssl_;
  BIO* rbio_ = nullptr;
  BIO* wbio_ = nullptr;
  std::string received_;
  std::string error_;
  bool got_close_notify_ = false;
};

// Moves bytes both ways until neither side has anything to say.
inline TlsClient::State Pump(TlsClient& client, TestServer& server) {
  client.Advance();
  for (int round = 0; round < 64; ++round) {
    std::string to_server;
    client.DrainNetwork(&to_server);
    server.Feed(to_server);
    server.Step();
    const std::string to_client = server.Drain();
    client.FeedNetwork(to_client);
    client.Advance();
    if (to_server.empty() && to_client.empty()) break;
  }
  return client.state();
}

}  // namespace tlsweep::tls_peer

#endif  // TLSWEEP_TESTS_TESTING_TLS_PEER_H_
