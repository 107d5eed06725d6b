// TLS extraction against in-process OpenSSL servers.
//
// No network: every test builds its own PKI with OpenSSL (keys, a root CA, an
// intermediate, leaves), runs an OpenSSL server over memory BIOs and pumps
// bytes between it and a TlsClient until both sides go quiet. The server is
// permissive (security level 0) so that what a test observes is what the
// client's profile accepts.
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

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "output/tls_json.h"
#include "testing/tls_peer.h"
#include "tls/openssl_util.h"
#include "tls/raw_flight.h"
#include "tls/server_flight.h"
#include "tls/tls_client.h"
#include "tls/tls_context.h"
#include "tls/tls_registry.h"

namespace tlsweep {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using State = TlsClient::State;
using tls_peer::Base64Decode;
using tls_peer::CertSpec;
using tls_peer::Der;
using tls_peer::DhParams;
using tls_peer::EcKey;
using tls_peer::IndependentSha256;
using tls_peer::MakeCert;
using tls_peer::Pump;
using tls_peer::RsaKey;
using tls_peer::ServerOptions;
using tls_peer::TestServer;

// ---- Fixture: one PKI for the whole suite (RSA key generation is slow) ----

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_key_ = RsaKey(2048).release();
    inter_key_ = RsaKey(2048).release();
    rsa_key_ = RsaKey(2048).release();
    ec_key_ = EcKey().release();
    root_ = MakeCert(CertSpec()
                         .set_common_name("tlsweep Test Root")
                         .set_ca(true)
                         .set_serial(1),
                     root_key_, nullptr, nullptr)
                .release();
    inter_ = MakeCert(CertSpec()
                          .set_common_name("tlsweep Test Intermediate")
                          .set_ca(true)
                          .set_serial(2),
                      inter_key_, root_, root_key_)
                 .release();
    ca_file_ = new std::string(tls_peer::WriteCaFile(root_, "tls"));
  }
  static void TearDownTestSuite() {
    std::remove(ca_file_->c_str());
    delete ca_file_;
    X509_free(root_);
    X509_free(inter_);
    EVP_PKEY_free(root_key_);
    EVP_PKEY_free(inter_key_);
    EVP_PKEY_free(rsa_key_);
    EVP_PKEY_free(ec_key_);
  }

  // A leaf for mail.example.com signed by the intermediate.
  static X509Ptr Leaf(EVP_PKEY* key, long not_before = -3600,
                      long not_after = 30 * 86400) {
    return MakeCert(CertSpec()
                        .set_common_name("mail.example.com")
                        .set_san("DNS:mail.example.com,DNS:*.mail.example.com")
                        .set_not_before(not_before)
                        .set_not_after(not_after)
                        .set_serial(1234567890123L),
                    key, inter_, inter_key_);
  }

  static std::unique_ptr<TlsContext> Context(TlsProfile profile) {
    auto ctx = TlsContext::Create(profile, *ca_file_);
    EXPECT_TRUE(ctx.ok()) << ctx.status();
    return ctx.ok() ? std::move(*ctx) : nullptr;
  }

  static std::unique_ptr<TlsClient> Client(const TlsContext& ctx,
                                           std::string_view name) {
    auto client = TlsClient::Create(ctx, name);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // Runs one handshake of `profile` against a server with `leaf`+`chain`,
  // returns the client's record; `state` receives the final state.
  static json Handshake(TlsProfile profile, std::string_view name, X509* leaf,
                        EVP_PKEY* key, const std::vector<X509*>& chain,
                        ServerOptions options, State* state,
                        TestServer** server_out = nullptr) {
    auto ctx = Context(profile);
    auto client = Client(*ctx, name);
    static std::unique_ptr<TestServer> last_server;
    last_server =
        std::make_unique<TestServer>(leaf, key, chain, std::move(options));
    *state = Pump(*client, *last_server);
    if (server_out != nullptr) *server_out = last_server.get();
    json record = TlsJson(client->Result());
    // Every record must serialize (json::dump throws on invalid UTF-8).
    EXPECT_FALSE(record.dump().empty());
    // TLSWEEP_TLS_TEST_DUMP=1 prints every record, to eyeball the shape.
    if (std::getenv("TLSWEEP_TLS_TEST_DUMP") != nullptr) {
      std::fprintf(stderr, "%s\n", record.dump(2).c_str());
    }
    return record;
  }

  static json& Log(json& record) { return record["handshake_log"]; }
  static json& LeafParsed(json& record) {
    return record["handshake_log"]["server_certificates"]["chain"][0]["parsed"];
  }
  static json& Validation(json& record) {
    return record["handshake_log"]["server_certificates"]["validation"];
  }

  static inline EVP_PKEY* root_key_ = nullptr;
  static inline EVP_PKEY* inter_key_ = nullptr;
  static inline EVP_PKEY* rsa_key_ = nullptr;
  static inline EVP_PKEY* ec_key_ = nullptr;
  static inline X509* root_ = nullptr;
  static inline X509* inter_ = nullptr;
  static inline std::string* ca_file_ = nullptr;
};

// ---- Profiles and context ------------------------------------------------

TEST(TlsProfileTest, ParsesAndNames) {
  EXPECT_EQ(*ParseTlsProfile("modern"), TlsProfile::kModern);
  EXPECT_EQ(*ParseTlsProfile("legacy"), TlsProfile::kLegacy);
  EXPECT_FALSE(ParseTlsProfile("ssl3").ok());
  EXPECT_EQ(TlsProfileName(TlsProfile::kModern), "modern");
  EXPECT_EQ(TlsProfileName(TlsProfile::kLegacy), "legacy");
}

TEST(TlsContextTest, MissingCaFileIsAnError) {
  auto ctx = TlsContext::Create(TlsProfile::kModern, "/nonexistent/ca.pem");
  ASSERT_FALSE(ctx.ok());
  EXPECT_THAT(std::string(ctx.status().message()),
              HasSubstr("SSL_CTX_load_verify_locations"));
}

TEST(TlsContextTest, SystemStoreLoads) {
  EXPECT_TRUE(TlsContext::Create(TlsProfile::kModern, "").ok());
  EXPECT_TRUE(TlsContext::Create(TlsProfile::kLegacy, "").ok());
}

TEST(TlsClientCreateTest, RejectsUnsendableNames) {
  auto ctx = TlsContext::Create(TlsProfile::kModern, "");
  ASSERT_TRUE(ctx.ok());
  EXPECT_FALSE(TlsClient::Create(**ctx, std::string("a\0b", 3)).ok());
  EXPECT_FALSE(TlsClient::Create(**ctx, std::string(300, 'a')).ok());
}

TEST(JsonSafeTest, EscapesInvalidUtf8AndControls) {
  EXPECT_EQ(JsonSafe("mail.example.com"), "mail.example.com");
  EXPECT_EQ(JsonSafe("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(JsonSafe("a\xff"
                     "b"),
            "a\\xffb");
  EXPECT_EQ(JsonSafe(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(JsonSafe("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(JsonSafe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  json j = JsonSafe("\xfe\xff\x80");
  EXPECT_FALSE(j.dump().empty());
}

// ---- Certificates and validation -----------------------------------------

TEST_F(TlsTest, CaSignedChainVerifies) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  TestServer* server = nullptr;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_}, ServerOptions(), &state, &server);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(r["profile"], "modern");
  EXPECT_TRUE(r["handshake_complete"]);
  EXPECT_FALSE(r.contains("error"));
  EXPECT_STREQ(SSL_get_servername(server->ssl(), TLSEXT_NAMETYPE_host_name),
               "mail.example.com");

  json& chain = Log(r)["server_certificates"]["chain"];
  ASSERT_EQ(chain.size(), 2u);
  json& v = Validation(r);
  EXPECT_EQ(v["verify_result"], 0);
  EXPECT_EQ(v["verify_error"], "ok");
  EXPECT_TRUE(v["browser_trusted"]);
  EXPECT_FALSE(v["self_signed"]);
  EXPECT_FALSE(v["expired"]);
  EXPECT_TRUE(v["name_matches"]);

  json& p = LeafParsed(r);
  EXPECT_EQ(p["subject"]["common_name"][0], "mail.example.com");
  EXPECT_EQ(p["subject"]["organization"][0], "tlsweep test");
  EXPECT_EQ(p["issuer"]["common_name"][0], "tlsweep Test Intermediate");
  EXPECT_EQ(p["subject_dn"], "O=tlsweep test, CN=mail.example.com");
  EXPECT_EQ(p["serial_number"], "1234567890123");
  EXPECT_EQ(p["version"], 3);
  EXPECT_FALSE(p["is_ca"]);
  EXPECT_EQ(p["subject_alt_name"]["dns_names"],
            json({"mail.example.com", "*.mail.example.com"}));
  EXPECT_EQ(p["signature_algorithm"]["name"], "sha256WithRSAEncryption");
  EXPECT_EQ(p["signature_algorithm"]["oid"], "1.2.840.113549.1.1.11");
  EXPECT_EQ(p["validity"]["length"], 30 * 86400 + 3600);
  EXPECT_THAT(p["validity"]["start"].get<std::string>(),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"));
  EXPECT_EQ(chain[1]["parsed"]["subject"]["common_name"][0],
            "tlsweep Test Intermediate");
  EXPECT_TRUE(chain[1]["parsed"]["is_ca"]);
}

TEST_F(TlsTest, SelfSigned) {
  X509Ptr self = MakeCert(CertSpec()
                              .set_common_name("mail.example.com")
                              .set_san("DNS:mail.example.com"),
                          rsa_key_, nullptr, nullptr);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", self.get(),
                     rsa_key_, {}, ServerOptions(), &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  json& v = Validation(r);
  EXPECT_EQ(v["verify_result"], X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  EXPECT_EQ(v["verify_result"], 18);
  EXPECT_EQ(v["verify_error"], "self-signed certificate");
  EXPECT_TRUE(v["self_signed"]);
  EXPECT_FALSE(v["browser_trusted"]);
  EXPECT_TRUE(v["name_matches"]);
}

TEST_F(TlsTest, Expired) {
  X509Ptr leaf = Leaf(rsa_key_, -10 * 86400, -86400);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_}, ServerOptions(), &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  json& v = Validation(r);
  EXPECT_EQ(v["verify_result"], X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(v["verify_result"], 10);
  EXPECT_EQ(v["verify_error"], "certificate has expired");
  EXPECT_TRUE(v["expired"]);
  EXPECT_FALSE(v["self_signed"]);
  EXPECT_FALSE(v["browser_trusted"]);
}

TEST_F(TlsTest, WrongNameAndNoName) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "imap.other.example", leaf.get(),
                     rsa_key_, {inter_}, ServerOptions(), &state);
  ASSERT_EQ(state, State::kEstablished);
  EXPECT_FALSE(Validation(r)["name_matches"]);
  // The name is recorded separately; the chain itself still verifies.
  EXPECT_EQ(Validation(r)["verify_result"], 0);

  // The wildcard SAN covers one label.
  r = Handshake(TlsProfile::kModern, "smtp.mail.example.com", leaf.get(),
                rsa_key_, {inter_}, ServerOptions(), &state);
  EXPECT_TRUE(Validation(r)["name_matches"]);

  TestServer* server = nullptr;
  r = Handshake(TlsProfile::kModern, "", leaf.get(), rsa_key_, {inter_},
                ServerOptions(), &state, &server);
  ASSERT_EQ(state, State::kEstablished);
  EXPECT_TRUE(Validation(r).contains("name_matches"));
  EXPECT_TRUE(Validation(r)["name_matches"].is_null());
  EXPECT_EQ(SSL_get_servername(server->ssl(), TLSEXT_NAMETYPE_host_name),
            nullptr);
}

TEST_F(TlsTest, IpLiteralMatchesIpSanWithoutSni) {
  X509Ptr leaf = MakeCert(CertSpec()
                              .set_common_name("192.0.2.7")
                              .set_san("IP:192.0.2.7,IP:2001:db8::7"),
                          rsa_key_, inter_, inter_key_);
  State state;
  TestServer* server = nullptr;
  json r = Handshake(TlsProfile::kModern, "192.0.2.7", leaf.get(), rsa_key_,
                     {inter_}, ServerOptions(), &state, &server);
  ASSERT_EQ(state, State::kEstablished);
  EXPECT_EQ(SSL_get_servername(server->ssl(), TLSEXT_NAMETYPE_host_name),
            nullptr);
  EXPECT_TRUE(Validation(r)["name_matches"]);
  EXPECT_EQ(LeafParsed(r)["subject_alt_name"]["ip_addresses"],
            json({"192.0.2.7", "2001:db8::7"}));
  r = Handshake(TlsProfile::kModern, "192.0.2.8", leaf.get(), rsa_key_,
                {inter_}, ServerOptions(), &state);
  EXPECT_FALSE(Validation(r)["name_matches"]);
}

TEST_F(TlsTest, RsaKey) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_}, ServerOptions(), &state);
  ASSERT_EQ(state, State::kEstablished);
  json& ski = LeafParsed(r)["subject_key_info"];
  EXPECT_EQ(ski["key_algorithm"]["name"], "RSA");
  EXPECT_EQ(ski["key_bits"], 2048);
  EXPECT_EQ(Log(r)["server_signature_algorithm"]["name"],
            "rsa_pss_rsae_sha256");
}

TEST_F(TlsTest, EcdsaP256Key) {
  X509Ptr leaf = Leaf(ec_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     ec_key_, {inter_}, ServerOptions(), &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  json& ski = LeafParsed(r)["subject_key_info"];
  EXPECT_EQ(ski["key_algorithm"]["name"], "ECDSA");
  EXPECT_EQ(ski["key_bits"], 256);
  // The IANA name (OpenSSL's own is prime256v1), as for the handshake's group.
  EXPECT_EQ(ski["curve"], "secp256r1");
  EXPECT_EQ(Log(r)["server_signature_algorithm"]["name"],
            "ecdsa_secp256r1_sha256");
}

TEST_F(TlsTest, FingerprintsAndRawMatchIndependentDigests) {
  X509Ptr leaf = Leaf(ec_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     ec_key_, {inter_}, ServerOptions(), &state);
  ASSERT_EQ(state, State::kEstablished);
  json& chain = Log(r)["server_certificates"]["chain"];
  ASSERT_EQ(chain.size(), 2u);
  const X509* sent[] = {leaf.get(), inter_};
  for (size_t i = 0; i < 2; ++i) {
    const std::string der = Der(const_cast<X509*>(sent[i]));
    EXPECT_EQ(Base64Decode(chain[i]["raw"].get<std::string>()), der);
    EXPECT_EQ(chain[i]["parsed"]["fingerprint_sha256"], IndependentSha256(der));
  }
  // SPKI: encode the public key on its own (i2d_PUBKEY), not via the cert.
  unsigned char* spki = nullptr;
  const int len = i2d_PUBKEY(ec_key_, &spki);
  ASSERT_GT(len, 0);
  const std::string spki_der(reinterpret_cast<char*>(spki),
                             static_cast<size_t>(len));
  OPENSSL_free(spki);
  EXPECT_EQ(chain[0]["parsed"]["subject_key_info"]["fingerprint_sha256"],
            IndependentSha256(spki_der));
}

TEST_F(TlsTest, HostileCertificateStringsStaySerializable) {
  // A dNSName with a byte that is not UTF-8 and a control character, and a
  // UTF-8 common name: the first two are escaped, the last kept.
  X509Ptr leaf = MakeCert(CertSpec()
                              .set_common_name("m\xc3\xa4il.example")
                              .set_san("DNS:bad\xff\x01name.example"),
                          rsa_key_, inter_, inter_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_}, ServerOptions(), &state);
  ASSERT_EQ(state, State::kEstablished);
  EXPECT_EQ(LeafParsed(r)["subject_alt_name"]["dns_names"][0],
            "bad\\xff\\x01name.example");
  EXPECT_EQ(LeafParsed(r)["subject"]["common_name"][0], "m\xc3\xa4il.example");
  EXPECT_FALSE(Validation(r)["name_matches"]);
  EXPECT_FALSE(r.dump().empty());
}

// ---- Key exchange, versions, ciphers -------------------------------------

TEST_F(TlsTest, Tls12EcdheX25519) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("ECDHE-RSA-AES128-GCM-SHA256"),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  json& hello = Log(r)["server_hello"];
  EXPECT_EQ(hello["version"]["name"], "TLSv1.2");
  EXPECT_EQ(hello["version"]["value"], 0x0303);
  EXPECT_EQ(hello["cipher_suite"]["name"],
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(hello["cipher_suite"]["openssl_name"],
            "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(hello["cipher_suite"]["hex"], "0xC02F");
  EXPECT_EQ(hello["cipher_suite"]["value"], 0xC02F);
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "ECDHE");
  EXPECT_EQ(Log(r)["key_exchange"]["group"], "x25519");
  EXPECT_TRUE(Log(r)["forward_secrecy"]);
  EXPECT_EQ(Log(r)["cipher_class"], "AEAD");
  EXPECT_EQ(Log(r)["server_signature_algorithm"]["name"],
            "rsa_pss_rsae_sha256");
  EXPECT_TRUE(Log(r)["session_ticket"]);
  EXPECT_FALSE(Log(r)["ocsp_stapled"]);
}

TEST_F(TlsTest, Tls12EcdheP256) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("ECDHE-RSA-AES256-GCM-SHA384")
                         .set_groups("P-256"),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "ECDHE");
  EXPECT_EQ(Log(r)["key_exchange"]["group"], "secp256r1");
  EXPECT_EQ(Log(r)["server_hello"]["cipher_suite"]["hex"], "0xC030");
}

TEST_F(TlsTest, Tls12Dhe2048) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("DHE-RSA-AES128-GCM-SHA256")
                         .set_dh(DhParams(&BN_get_rfc3526_prime_2048)),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["server_hello"]["cipher_suite"]["name"],
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "DHE");
  EXPECT_EQ(Log(r)["key_exchange"]["dh_prime_bits"], 2048);
  EXPECT_TRUE(Log(r)["forward_secrecy"]);
}

TEST_F(TlsTest, Tls12Dhe1024UnderLegacy) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kLegacy, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("DHE-RSA-AES128-GCM-SHA256")
                         .set_dh(DhParams(&BN_get_rfc2409_prime_1024)),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(r["profile"], "legacy");
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "DHE");
  EXPECT_EQ(Log(r)["key_exchange"]["dh_prime_bits"], 1024);
}

TEST_F(TlsTest, Tls12Dhe1024UnderModernFailsWithError) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("DHE-RSA-AES128-GCM-SHA256")
                         .set_dh(DhParams(&BN_get_rfc2409_prime_1024)),
                     &state);
  ASSERT_EQ(state, State::kFailed) << r.dump(2);
  EXPECT_FALSE(r["handshake_complete"]);
  EXPECT_THAT(r["error"].get<std::string>(), HasSubstr("dh key too small"));
  // The refused size is still recorded, and the client said why it stopped.
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "DHE");
  EXPECT_EQ(Log(r)["key_exchange"]["dh_prime_bits"], 1024);
  EXPECT_EQ(r["alert"]["direction"], "sent");
  // The server's Certificate came before its key exchange: still recorded.
  EXPECT_EQ(Log(r)["server_certificates"]["chain"].size(), 2u);
  EXPECT_EQ(Log(r)["server_hello"]["version"]["name"], "TLSv1.2");
}

TEST_F(TlsTest, Tls13X25519) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r =
      Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(), rsa_key_,
                {inter_}, ServerOptions().set_groups("X25519"), &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["server_hello"]["version"]["name"], "TLSv1.3");
  EXPECT_EQ(Log(r)["server_hello"]["version"]["value"], 772);
  EXPECT_EQ(Log(r)["server_hello"]["cipher_suite"]["name"],
            "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(Log(r)["server_hello"]["cipher_suite"]["hex"], "0x1302");
  EXPECT_EQ(Log(r)["server_hello"]["cipher_suite"]["value"], 4866);
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "TLS1.3");
  EXPECT_EQ(Log(r)["key_exchange"]["group"], "x25519");
  EXPECT_TRUE(Log(r)["forward_secrecy"]);
  EXPECT_EQ(Log(r)["cipher_class"], "AEAD");
  // Tickets arrive after the handshake; Pump lets the client read them.
  EXPECT_TRUE(Log(r)["session_ticket"]);
}

// A raw probe's chain (the server's first flight, parsed by the codec and
// summarized by raw_flight.h) is verified as the full handshake's is: with
// the same context, the same chain and name, the validation is the same,
// field for field, whether the chain verifies or not and why.
TEST_F(TlsTest, RawFlightValidationEqualsTheHandshakes) {
  X509Ptr good = Leaf(rsa_key_);
  X509Ptr expired = Leaf(rsa_key_, -10 * 86400, -86400);
  X509Ptr not_yet = Leaf(rsa_key_, 86400, 10 * 86400);
  X509Ptr self = MakeCert(CertSpec().set_common_name("mail.example.com").set_san("DNS:mail.example.com"),
                          rsa_key_, nullptr, nullptr);
  X509Ptr by_ip = MakeCert(CertSpec().set_common_name("192.0.2.7").set_san("IP:192.0.2.7"), rsa_key_,
                           inter_, inter_key_);
  struct Case {
    const char* what;
    X509* leaf;
    std::vector<X509*> chain;
    const char* name;
    TlsProfile profile;
    int64_t verify_result;
  };
  const Case cases[] = {
      {"trusted", good.get(), {inter_}, "mail.example.com", TlsProfile::kModern, X509_V_OK},
      {"trusted, legacy profile", good.get(), {inter_}, "mail.example.com", TlsProfile::kLegacy,
       X509_V_OK},
      {"wrong name", good.get(), {inter_}, "imap.other.example", TlsProfile::kModern, X509_V_OK},
      {"no name", good.get(), {inter_}, "", TlsProfile::kModern, X509_V_OK},
      {"intermediate missing", good.get(), {}, "mail.example.com", TlsProfile::kModern,
       X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
      {"expired", expired.get(), {inter_}, "mail.example.com", TlsProfile::kModern,
       X509_V_ERR_CERT_HAS_EXPIRED},
      {"not yet valid", not_yet.get(), {inter_}, "mail.example.com", TlsProfile::kModern,
       X509_V_ERR_CERT_NOT_YET_VALID},
      {"self-signed", self.get(), {}, "mail.example.com", TlsProfile::kModern,
       X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
      {"IP literal", by_ip.get(), {inter_}, "192.0.2.7", TlsProfile::kModern, X509_V_OK},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    // TLS 1.2: the Certificate message is in the clear, as a probe reads it.
    const auto options = [] { return ServerOptions().set_max_version(TLS1_2_VERSION); };
    State state;
    json full = Handshake(c.profile, c.name, c.leaf, rsa_key_, c.chain, options(), &state);
    ASSERT_EQ(state, State::kEstablished) << full.dump(2);
    const json& want = Validation(full);
    EXPECT_EQ(want["verify_result"], c.verify_result);

    // The same offer, but only the server's first flight is read.
    auto ctx = Context(c.profile);
    auto client = Client(*ctx, c.name);
    client->Advance();
    std::string hello;
    client->DrainNetwork(&hello);
    TestServer server(c.leaf, rsa_key_, c.chain, options());
    server.Feed(hello);
    server.Step();
    const std::string flight = server.Drain();
    ServerFlightParser parser;
    ASSERT_EQ(parser.Feed(std::span<const uint8_t>(
                  reinterpret_cast<const uint8_t*>(flight.data()), flight.size())),
              FlightVerdict::kServerHelloDone);
    const RawFlightSummary summary = SummarizeServerFlight(parser.flight(), ctx->ssl_ctx(), c.name);
    ASSERT_TRUE(summary.validation.has_value());
    EXPECT_EQ(ValidationJson(*summary.validation), want);
    EXPECT_EQ(summary.chain.size(), 1 + c.chain.size());

    // Without a trust store (a passive observer): the chain, not verified.
    const RawFlightSummary unverified = SummarizeServerFlight(parser.flight(), nullptr, c.name);
    EXPECT_FALSE(unverified.validation.has_value());
    EXPECT_EQ(unverified.chain.size(), summary.chain.size());
  }
}

// The full handshake names each group as a raw probe's record does (the
// IANA registry's name for the id in the ServerHello or ServerKeyExchange,
// tls/raw_flight.cc), whatever OpenSSL calls it, so `tlsweep report` counts
// both paths' groups together.
TEST_F(TlsTest, GroupNamesAreTheRawProbesIanaNames) {
  struct Case {
    const char* openssl_name;  // as the server is configured
    uint16_t id;               // the group's IANA id
  };
  for (const Case& c : {Case{"X25519", 29}, Case{"X448", 30}, Case{"P-256", 23},
                        Case{"P-384", 24}, Case{"P-521", 25}, Case{"ffdhe2048", 256}}) {
    SCOPED_TRACE(c.openssl_name);
    X509Ptr leaf = Leaf(rsa_key_);
    State state;
    json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(), rsa_key_, {inter_},
                       ServerOptions().set_groups(c.openssl_name), &state);
    ASSERT_EQ(state, State::kEstablished) << r.dump(2);
    ASSERT_NE(FindNamedGroup(c.id), nullptr);
    EXPECT_EQ(Log(r)["key_exchange"]["group"], std::string(FindNamedGroup(c.id)->name));
  }
  // TLS 1.2 ECDHE: the group comes from the ServerKeyExchange's curve.
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(), rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
                         .set_groups("P-384"),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["key_exchange"]["group"], std::string(FindNamedGroup(24)->name));
}

TEST_F(TlsTest, Tls13P256NeedsHelloRetry) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r =
      Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(), rsa_key_,
                {inter_}, ServerOptions().set_groups("P-256"), &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["server_hello"]["version"]["name"], "TLSv1.3");
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "TLS1.3");
  EXPECT_EQ(Log(r)["key_exchange"]["group"], "secp256r1");
}

TEST_F(TlsTest, CbcSuiteUnderTls12) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("ECDHE-RSA-AES128-SHA"),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["server_hello"]["cipher_suite"]["name"],
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
  EXPECT_EQ(Log(r)["server_hello"]["cipher_suite"]["hex"], "0xC013");
  EXPECT_EQ(Log(r)["cipher_class"], "CBC");
}

TEST_F(TlsTest, RsaKeyTransportHasNoForwardSecrecy) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_max_version(TLS1_2_VERSION)
                         .set_ciphers("AES128-GCM-SHA256"),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["key_exchange"]["kind"], "RSA");
  EXPECT_FALSE(Log(r)["forward_secrecy"]);
  EXPECT_FALSE(Log(r).contains("server_signature_algorithm"));
}

TEST_F(TlsTest, LegacyReachesTls10OnlyServer) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kLegacy, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_min_version(TLS1_VERSION)
                         .set_max_version(TLS1_VERSION)
                         .set_ciphers("ALL:@SECLEVEL=0"),
                     &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_EQ(Log(r)["server_hello"]["version"]["name"], "TLSv1");
  EXPECT_EQ(Log(r)["server_hello"]["version"]["value"], 0x0301);
  EXPECT_EQ(Log(r)["cipher_class"], "CBC");
}

TEST_F(TlsTest, ModernAgainstTls10OnlyServerFails) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(TlsProfile::kModern, "mail.example.com", leaf.get(),
                     rsa_key_, {inter_},
                     ServerOptions()
                         .set_min_version(TLS1_VERSION)
                         .set_max_version(TLS1_VERSION)
                         .set_ciphers("ALL:@SECLEVEL=0"),
                     &state);
  ASSERT_EQ(state, State::kFailed) << r.dump(2);
  EXPECT_FALSE(r["handshake_complete"]);
  EXPECT_THAT(r["error"].get<std::string>(), HasSubstr("protocol version"));
  ASSERT_TRUE(r.contains("alert")) << r.dump(2);
  EXPECT_EQ(r["alert"]["direction"], "received");
  EXPECT_EQ(r["alert"]["value"], SSL_AD_PROTOCOL_VERSION);
  EXPECT_FALSE(Log(r).contains("server_hello"));
}

TEST_F(TlsTest, OcspStaple) {
  X509Ptr leaf = Leaf(rsa_key_);
  State state;
  json r = Handshake(
      TlsProfile::kModern, "mail.example.com", leaf.get(), rsa_key_, {inter_},
      ServerOptions().set_ocsp_response(std::string("\x30\x03\x0a\x01\x06", 5)),
      &state);
  ASSERT_EQ(state, State::kEstablished) << r.dump(2);
  EXPECT_TRUE(Log(r)["ocsp_stapled"]);
}

// ---- Hostile and unusual peers -------------------------------------------

TEST_F(TlsTest, NonTlsAnswer) {
  auto ctx = Context(TlsProfile::kModern);
  auto client = Client(*ctx, "mail.example.com");
  EXPECT_EQ(client->Advance(), State::kHandshaking);
  std::string hello;
  client->DrainNetwork(&hello);
  ASSERT_FALSE(hello.empty());
  EXPECT_EQ(hello[0], 0x16);  // a handshake record
  client->FeedNetwork("220 smtp ready\r\n");
  EXPECT_EQ(client->Advance(), State::kFailed);
  EXPECT_THAT(client->error(), HasSubstr("handshake: SSL_ERROR_SSL"));
  json r = TlsJson(client->Result());
  EXPECT_EQ(r["error"], client->error());
  EXPECT_FALSE(r["handshake_log"].contains("server_hello"));
  // A failed session ignores further input.
  client->FeedNetwork("more");
  EXPECT_EQ(client->Advance(), State::kFailed);
}

TEST_F(TlsTest, PeerClosesDuringHandshake) {
  auto ctx = Context(TlsProfile::kModern);
  auto client = Client(*ctx, "mail.example.com");
  client->Advance();
  client->FeedEof();
  EXPECT_EQ(client->Advance(), State::kFailed);
  EXPECT_THAT(client->error(), Not(IsEmpty()));
}

TEST_F(TlsTest, HandshakeInputIsBounded) {
  auto ctx = Context(TlsProfile::kModern);
  auto client = Client(*ctx, "mail.example.com");
  client->Advance();
  // A record header announcing a handshake message, then endless bytes fed
  // without the session getting a chance to reject them.
  const std::string chunk(64 * 1024, '\x16');
  for (int i = 0; i < 5; ++i) client->FeedNetwork(chunk);
  EXPECT_EQ(client->state(), State::kFailed);
  EXPECT_THAT(client->error(), HasSubstr("more than 262144 bytes"));
}

TEST_F(TlsTest, ApplicationDataBothWaysAndShutdown) {
  X509Ptr leaf = Leaf(rsa_key_);
  auto ctx = Context(TlsProfile::kModern);
  auto client = Client(*ctx, "mail.example.com");
  TestServer server(leaf.get(), rsa_key_, {inter_}, ServerOptions());
  client->Write("EHLO tlsweep\r\n");  // queued until the handshake completes
  ASSERT_EQ(Pump(*client, server), State::kEstablished);
  EXPECT_EQ(server.received(), "EHLO tlsweep\r\n");
  server.Write("250-mail.example.com\r\n250 AUTH PLAIN LOGIN\r\n");
  client->FeedNetwork(server.Drain());
  EXPECT_EQ(client->Advance(), State::kEstablished);
  std::string plain;
  client->ReadPlaintext(&plain);
  EXPECT_EQ(plain, "250-mail.example.com\r\n250 AUTH PLAIN LOGIN\r\n");
  client->Shutdown();
  EXPECT_EQ(client->state(), State::kClosed);
  std::string out;
  client->DrainNetwork(&out);
  server.Feed(out);
  server.Step();
  EXPECT_TRUE(server.got_close_notify());
  EXPECT_TRUE(TlsJson(client->Result())["handshake_complete"]);
}

TEST_F(TlsTest, ServerCloseNotifyClosesClient) {
  X509Ptr leaf = Leaf(rsa_key_);
  auto ctx = Context(TlsProfile::kModern);
  auto client = Client(*ctx, "mail.example.com");
  TestServer server(leaf.get(), rsa_key_, {inter_}, ServerOptions());
  ASSERT_EQ(Pump(*client, server), State::kEstablished);
  SSL_shutdown(server.ssl());
  client->FeedNetwork(server.Drain());
  EXPECT_EQ(client->Advance(), State::kClosed);
  EXPECT_FALSE(TlsJson(client->Result()).contains("error"));
}

TEST_F(TlsTest, BareEofAfterHandshakeIsAClose) {
  X509Ptr leaf = Leaf(rsa_key_);
  auto ctx = Context(TlsProfile::kModern);
  auto client = Client(*ctx, "mail.example.com");
  TestServer server(leaf.get(), rsa_key_, {inter_}, ServerOptions());
  ASSERT_EQ(Pump(*client, server), State::kEstablished);
  client->FeedEof();  // FIN without close_notify: common among mail servers
  EXPECT_EQ(client->Advance(), State::kClosed);
  EXPECT_FALSE(TlsJson(client->Result()).contains("error"));
  client->Write("ignored");
  std::string out;
  client->DrainNetwork(&out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace tlsweep
