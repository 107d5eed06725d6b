// The well-known DH primes table against OpenSSL 3's copies of the RFC
// groups: every RFC entry's SHA-256 is re-derived here, not copied.
#include "tls/dh_primes.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

std::vector<uint8_t> Bytes(const BIGNUM* p) {
  std::vector<uint8_t> out(static_cast<size_t>(BN_num_bytes(p)));
  BN_bn2bin(p, out.data());
  return out;
}

// The prime of one of OpenSSL's named finite-field groups.
std::vector<uint8_t> NamedGroupPrime(const char* type, const char* group) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  OSSL_PARAM params[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                             const_cast<char*>(group), 0),
      OSSL_PARAM_END};
  EVP_PKEY_paramgen_init(ctx);
  EVP_PKEY_CTX_set_params(ctx, params);
  EVP_PKEY_paramgen(ctx, &key);
  BIGNUM* p = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_FFC_P, &p);
  std::vector<uint8_t> out = p != nullptr ? Bytes(p) : std::vector<uint8_t>();
  BN_free(p);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

std::vector<uint8_t> RfcPrime(BIGNUM* (*get)(BIGNUM*)) {
  BIGNUM* p = get(nullptr);
  std::vector<uint8_t> out = Bytes(p);
  BN_free(p);
  return out;
}

struct Case {
  std::vector<uint8_t> prime;
  std::string name;
};

TEST(DhPrimesTest, EveryRfcGroupIsNamed) {
  const std::vector<Case> cases = {
      {RfcPrime(BN_get_rfc2409_prime_768), "RFC 2409 group 1 (768-bit MODP)"},
      {RfcPrime(BN_get_rfc2409_prime_1024), "RFC 2409 group 2 (1024-bit MODP)"},
      {RfcPrime(BN_get_rfc3526_prime_1536), "RFC 3526 group 5 (1536-bit MODP)"},
      {RfcPrime(BN_get_rfc3526_prime_2048), "RFC 3526 group 14 (2048-bit MODP)"},
      {RfcPrime(BN_get_rfc3526_prime_3072), "RFC 3526 group 15 (3072-bit MODP)"},
      {RfcPrime(BN_get_rfc3526_prime_4096), "RFC 3526 group 16 (4096-bit MODP)"},
      {RfcPrime(BN_get_rfc3526_prime_6144), "RFC 3526 group 17 (6144-bit MODP)"},
      {RfcPrime(BN_get_rfc3526_prime_8192), "RFC 3526 group 18 (8192-bit MODP)"},
      {NamedGroupPrime("DHX", "dh_1024_160"),
       "RFC 5114 2.1 (1024-bit MODP, 160-bit subgroup)"},
      {NamedGroupPrime("DHX", "dh_2048_224"),
       "RFC 5114 2.2 (2048-bit MODP, 224-bit subgroup)"},
      {NamedGroupPrime("DHX", "dh_2048_256"),
       "RFC 5114 2.3 (2048-bit MODP, 256-bit subgroup)"},
      {NamedGroupPrime("DH", "ffdhe2048"), "RFC 7919 ffdhe2048"},
      {NamedGroupPrime("DH", "ffdhe3072"), "RFC 7919 ffdhe3072"},
      {NamedGroupPrime("DH", "ffdhe4096"), "RFC 7919 ffdhe4096"},
      {NamedGroupPrime("DH", "ffdhe6144"), "RFC 7919 ffdhe6144"},
      {NamedGroupPrime("DH", "ffdhe8192"), "RFC 7919 ffdhe8192"},
  };
  for (const Case& c : cases) {
    ASSERT_FALSE(c.prime.empty()) << c.name;
    const WellKnownDhPrime* known =
        FindWellKnownDhPrime(DhPrimeSha256Hex(c.prime));
    ASSERT_NE(known, nullptr) << c.name;
    EXPECT_EQ(known->name, c.name);
    EXPECT_EQ(known->bits, c.prime.size() * 8) << c.name;
  }
}

TEST(DhPrimesTest, LeadingZeroBytesDoNotChangeTheHash) {
  std::vector<uint8_t> p = RfcPrime(BN_get_rfc2409_prime_1024);
  const std::string plain = DhPrimeSha256Hex(p);
  p.insert(p.begin(), 0);
  EXPECT_EQ(DhPrimeSha256Hex(p), plain);
  EXPECT_EQ(plain.size(), 64u);
}

TEST(DhPrimesTest, UnknownPrimeIsNotNamed) {
  std::vector<uint8_t> p = RfcPrime(BN_get_rfc3526_prime_2048);
  p.back() ^= 2;
  EXPECT_EQ(FindWellKnownDhPrime(DhPrimeSha256Hex(p)), nullptr);
}

TEST(DhPrimesTest, TableIsWellFormed) {
  std::set<std::string_view> hashes;
  for (const WellKnownDhPrime& p : WellKnownDhPrimes()) {
    EXPECT_EQ(p.sha256_hex.size(), 64u) << p.name;
    EXPECT_TRUE(hashes.insert(p.sha256_hex).second) << p.name;
    EXPECT_FALSE(p.source.empty()) << p.name;
    EXPECT_GE(p.bits, 512u) << p.name;
  }
}

}  // namespace
}  // namespace tlsweep
