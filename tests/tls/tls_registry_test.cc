// The IANA registries against OpenSSL 3's own description of every suite it
// implements (name, key exchange, authentication, AEAD-ness) and against
// spot values from the registry.
#include "tls/tls_registry.h"

#include <openssl/ssl.h>

#include <set>

#include "gtest/gtest.h"
#include "tls/openssl_util.h"

namespace tlsweep {
namespace {

TEST(TlsRegistryTest, SpotValues) {
  const CipherSuiteInfo* rc4 = FindCipherSuite(0x0005);
  ASSERT_NE(rc4, nullptr);
  EXPECT_EQ(rc4->name, "TLS_RSA_WITH_RC4_128_SHA");
  EXPECT_EQ(rc4->key_exchange, KeyExchange::kRsa);
  EXPECT_EQ(rc4->cipher_class, CipherClass::kRc4);
  EXPECT_FALSE(rc4->forward_secret);
  const CipherSuiteInfo* exp = FindCipherSuite(0x0014);
  ASSERT_NE(exp, nullptr);
  EXPECT_EQ(exp->name, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA");
  EXPECT_EQ(exp->key_exchange, KeyExchange::kDhe);
  EXPECT_EQ(exp->cipher_class, CipherClass::kExport);
  EXPECT_EQ(FindCipherSuite(0x000A)->cipher_class, CipherClass::k3des);
  EXPECT_EQ(FindCipherSuite(0x0000)->cipher_class, CipherClass::kNull);
  EXPECT_EQ(FindCipherSuite(0xC02F)->cipher, "AES_128_GCM");
  EXPECT_TRUE(FindCipherSuite(0xC02F)->forward_secret);
  EXPECT_EQ(FindCipherSuite(0x1303)->key_exchange, KeyExchange::kAny);
  EXPECT_EQ(FindCipherSuite(0x00FF)->key_exchange, KeyExchange::kSignaling);
  EXPECT_EQ(FindCipherSuite(0x5600)->name, "TLS_FALLBACK_SCSV");
  EXPECT_EQ(FindCipherSuite(0x0018)->authentication, Authentication::kAnon);
  EXPECT_EQ(FindCipherSuite(0x0062), nullptr);  // EXPORT1024: never registered
  EXPECT_EQ(FindCipherSuite(0x0A0A), nullptr);  // GREASE
  EXPECT_EQ(CipherClassName(CipherClass::kRc4), "RC4");
  EXPECT_EQ(KeyExchangeName(KeyExchange::kEcdhe), "ECDHE");
  EXPECT_EQ(AuthenticationName(Authentication::kDss), "DSS");
}

TEST(TlsRegistryTest, SelectableLeavesOutTheScsvs) {
  std::set<uint16_t> ids(SelectableCipherSuiteIds().begin(),
                         SelectableCipherSuiteIds().end());
  EXPECT_EQ(ids.size(), AllCipherSuites().size() - 2);
  EXPECT_FALSE(ids.contains(0x00FF));
  EXPECT_FALSE(ids.contains(0x5600));
  EXPECT_TRUE(ids.contains(0x0003));
  EXPECT_GT(ids.size(), 300u);
}

KeyExchange FromOpenSslKx(int nid) {
  switch (nid) {
    case NID_kx_rsa: return KeyExchange::kRsa;
    case NID_kx_ecdhe: return KeyExchange::kEcdhe;
    case NID_kx_dhe: return KeyExchange::kDhe;
    case NID_kx_psk: return KeyExchange::kPsk;
    case NID_kx_rsa_psk: return KeyExchange::kRsaPsk;
    case NID_kx_ecdhe_psk: return KeyExchange::kEcdhePsk;
    case NID_kx_dhe_psk: return KeyExchange::kDhePsk;
    case NID_kx_srp: return KeyExchange::kSrp;
    case NID_kx_any: return KeyExchange::kAny;
    default: return KeyExchange::kSignaling;
  }
}

Authentication FromOpenSslAuth(int nid) {
  switch (nid) {
    case NID_auth_rsa: return Authentication::kRsa;
    case NID_auth_ecdsa: return Authentication::kEcdsa;
    case NID_auth_dss: return Authentication::kDss;
    case NID_auth_null: return Authentication::kAnon;
    case NID_auth_psk: return Authentication::kPsk;
    case NID_auth_srp: return Authentication::kSrp;
    case NID_auth_any: return Authentication::kAny;
    default: return Authentication::kNone;
  }
}

TEST(TlsRegistryTest, AgreesWithOpenSslOnEverySuiteItKnows) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_method()));
  SSL_CTX_set_security_level(ctx.get(), 0);
  ASSERT_EQ(SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0"), 1);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 50);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    const uint16_t id = SSL_CIPHER_get_protocol_id(c);
    const CipherSuiteInfo* info = FindCipherSuite(id);
    ASSERT_NE(info, nullptr) << SSL_CIPHER_get_name(c);
    SCOPED_TRACE(info->name);
    EXPECT_EQ(info->name, SSL_CIPHER_standard_name(c));
    KeyExchange kx = info->key_exchange;
    Authentication auth = info->authentication;
    EXPECT_EQ(kx, FromOpenSslKx(SSL_CIPHER_get_kx_nid(c)));
    EXPECT_EQ(auth, FromOpenSslAuth(SSL_CIPHER_get_auth_nid(c)));
    const bool null_cipher = SSL_CIPHER_get_cipher_nid(c) == NID_undef;
    EXPECT_EQ(info->cipher_class == CipherClass::kNull, null_cipher);
    if (!null_cipher) {
      EXPECT_EQ(info->cipher_class == CipherClass::kAead,
                SSL_CIPHER_is_aead(c) == 1);
    }
  }
}

TEST(TlsRegistryTest, GroupsAndSignatureSchemes) {
  EXPECT_EQ(FindNamedGroup(29)->name, "x25519");
  EXPECT_EQ(FindNamedGroup(23)->bits, 256);
  EXPECT_EQ(FindNamedGroup(256)->name, "ffdhe2048");
  EXPECT_EQ(FindNamedGroup(4588)->name, "X25519MLKEM768");
  EXPECT_EQ(FindNamedGroup(999), nullptr);
  EXPECT_EQ(NamedGroupByName("SECP384R1"), 24);
  EXPECT_EQ(NamedGroupByName("nope"), std::nullopt);
  // Other spellings of registered groups -> the registry's names; the rest
  // unchanged.
  EXPECT_EQ(IanaGroupName("X25519"), "x25519");
  EXPECT_EQ(IanaGroupName("X448"), "x448");
  EXPECT_EQ(IanaGroupName("prime256v1"), "secp256r1");
  EXPECT_EQ(IanaGroupName("P-256"), "secp256r1");
  EXPECT_EQ(IanaGroupName("secp256r1"), "secp256r1");
  EXPECT_EQ(IanaGroupName("prime192v1"), "secp192r1");
  EXPECT_EQ(IanaGroupName("P-521"), "secp521r1");
  EXPECT_EQ(IanaGroupName("B-571"), "sect571r1");
  EXPECT_EQ(IanaGroupName("K-163"), "sect163k1");
  EXPECT_EQ(IanaGroupName("FFDHE2048"), "ffdhe2048");
  EXPECT_EQ(IanaGroupName("brainpoolP256r1"), "brainpoolP256r1");
  EXPECT_EQ(IanaGroupName("prime239v1"), "prime239v1");
  EXPECT_EQ(IanaGroupName("0x1234"), "0x1234");
  EXPECT_EQ(FindSignatureScheme(0x0804)->name, "rsa_pss_rsae_sha256");
  EXPECT_EQ(SignatureSchemeByName("ed25519"), 0x0807);
  EXPECT_EQ(FindSignatureScheme(0x0000), nullptr);
}

}  // namespace
}  // namespace tlsweep
