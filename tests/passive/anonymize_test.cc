// Client pseudonyms: stable under one key, different under another, no
// trace of the address, and a short key file refused.
#include "passive/anonymize.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(ClientPseudonymsTest, KeyedAndStable) {
  const ClientPseudonyms a = ClientPseudonyms::FromKeyMaterial("0123456789abcdef-key-one");
  const ClientPseudonyms b = ClientPseudonyms::FromKeyMaterial("0123456789abcdef-key-two");
  const Ipv4Address client(0x0a4d0064);
  const std::string p = a.Pseudonym(client);
  EXPECT_EQ(p, a.Pseudonym(client));
  EXPECT_NE(p, b.Pseudonym(client));
  EXPECT_NE(p, a.Pseudonym(Ipv4Address(0x0a4d0065)));
  ASSERT_EQ(p.size(), 5u + 16u);
  EXPECT_EQ(p.substr(0, 5), "anon-");
  EXPECT_EQ(p.find("10.77"), std::string::npos);
}

TEST(ClientPseudonymsTest, KeyFileNeedsSixteenBytes) {
  const std::string path = ::testing::TempDir() + "/tlsweep_anon_key";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("too short", f);
  std::fclose(f);
  EXPECT_FALSE(ClientPseudonyms::FromKeyFile(path).ok());
  f = std::fopen(path.c_str(), "w");
  std::fputs("sixteen bytes or more of secret", f);
  std::fclose(f);
  EXPECT_TRUE(ClientPseudonyms::FromKeyFile(path).ok());
  EXPECT_FALSE(ClientPseudonyms::FromKeyFile(path + ".missing").ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tlsweep
