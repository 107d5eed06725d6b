// Profiles as data: the shipped conf/tls_profiles.conf (every profile the
// issue asks for, the cited lists byte-for-byte, each one answered by a real
// server), and parse errors that name file:line.
#include "tls/tls_profiles.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/tls_peer.h"
#include "tls/client_hello.h"
#include "tls/server_flight.h"
#include "tls/tls_registry.h"

#ifndef TLSWEEP_SOURCE_CONF_DIR
#define TLSWEEP_SOURCE_CONF_DIR "conf"
#endif

namespace tlsweep {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

const std::vector<ClientHelloProfile>& Shipped() {
  static const auto* profiles = new std::vector<ClientHelloProfile>(
      LoadTlsProfiles(TLSWEEP_SOURCE_CONF_DIR "/tls_profiles.conf").value());
  return *profiles;
}

std::vector<uint8_t> SuiteBytes(const ClientHelloProfile& p) {
  std::vector<uint8_t> out;
  for (uint16_t s : p.cipher_suites) {
    out.push_back(static_cast<uint8_t>(s >> 8));
    out.push_back(static_cast<uint8_t>(s));
  }
  if (p.renegotiation_scsv) out.insert(out.end(), {0x00, 0xFF});
  return out;
}

std::vector<uint8_t> Hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(TlsProfilesTest, ShipsEveryProfileTheStudyNeeds) {
  for (const char* name : {"thunderbird31", "thunderbird38", "java7", "export",
                           "rc4", "3des", "sslv3", "tls1.0", "tls1.1",
                           "tls1.3"}) {
    const ClientHelloProfile* p = FindTlsProfile(Shipped(), name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_FALSE(p->source.empty()) << name;
  }
  EXPECT_EQ(FindTlsProfile(Shipped(), "nope"), nullptr);
  EXPECT_EQ(FindTlsProfile(Shipped(), "sslv3")->client_version, kSsl3Version);
  EXPECT_EQ(FindTlsProfile(Shipped(), "tls1.1")->client_version, kTls11Version);
  EXPECT_EQ(FindTlsProfile(Shipped(), "java7")->client_version, kTls10Version);
}

// The suites are the cited captures' bytes (testssl.sh
// etc/client-simulation.txt handshakebytes).
TEST(TlsProfilesTest, SuitesMatchTheCitedCaptures) {
  EXPECT_THAT(SuiteBytes(*FindTlsProfile(Shipped(), "thunderbird31")),
              ElementsAreArray(Hex(
                  "c02bc02fc00ac009c013c014c012c007c0110033003200450039003800"
                  "880016002f004100350084000a00050004")));
  EXPECT_THAT(SuiteBytes(*FindTlsProfile(Shipped(), "java7")),
              ElementsAreArray(Hex(
                  "c009c013002fc004c00e00330032c007c0110005c002c00cc008c01200"
                  "0ac003c00d00160013000400ff")));
  EXPECT_THAT(SuiteBytes(*FindTlsProfile(Shipped(), "thunderbird38")),
              ElementsAreArray(Hex("c02bc02fc00ac009c013c01400330039002f0035000a")));
}

TEST(TlsProfilesTest, ClassProfilesOfferOnlyTheirClass) {
  for (uint16_t s : FindTlsProfile(Shipped(), "rc4")->cipher_suites) {
    EXPECT_EQ(FindCipherSuite(s)->cipher_class, CipherClass::kRc4) << s;
  }
  for (uint16_t s : FindTlsProfile(Shipped(), "3des")->cipher_suites) {
    EXPECT_EQ(FindCipherSuite(s)->cipher_class, CipherClass::k3des) << s;
  }
  for (uint16_t s : FindTlsProfile(Shipped(), "export")->cipher_suites) {
    EXPECT_EQ(FindCipherSuite(s)->cipher_class, CipherClass::kExport) << s;
  }
}

// Every shipped profile builds, and a real OpenSSL 3 server answers each
// with a flight or an alert (never a parse error).
TEST(TlsProfilesTest, EveryProfileIsAnsweredByOpenSsl) {
  tls_peer::TestServer server({});
  const std::vector<uint8_t> random(32, 9);
  const std::vector<uint8_t> share(32, 8);
  for (const ClientHelloProfile& p : Shipped()) {
    SCOPED_TRACE(p.name);
    std::vector<uint8_t> hello(kMaxClientHelloRecord);
    const std::optional<size_t> n =
        BuildClientHello(p, {"mail.example", random, {}, share}, hello);
    ASSERT_TRUE(n.has_value());
    hello.resize(*n);
    ServerFlightParser parser;
    parser.Feed(server.Respond(hello));
    const FlightVerdict v = parser.Finish();
    EXPECT_FALSE(IsFlightError(v)) << FlightVerdictName(v);
  }
}

absl::Status ParseError(std::string_view text) {
  return ParseTlsProfiles(text, "test.conf").status();
}

TEST(TlsProfilesTest, ParsesListsSwitchesAndComments) {
  const auto profiles = ParseTlsProfiles(
      "# comment\n"
      "[a]\n"
      "source = first  # trailing comment\n"
      "source = second\n"
      "record_version = ssl3\n"
      "client_version = 0x0302\n"
      "suites = 0x0005, TLS_RSA_WITH_3DES_EDE_CBC_SHA\n"
      "suites = 47\n"
      "groups = x25519 0x0017\n"
      "key_share = x25519 secp256r1\n"
      "supported_versions = tls1.3 tls1.2\n"
      "point_formats = uncompressed 1\n"
      "signature_algorithms = ed25519 0x0401\n"
      "sni = no\n"
      "status_request = yes\n"
      "[b]\n"
      "source = s\n"
      "suites = 0xC02F\n",
      "x.conf");
  ASSERT_TRUE(profiles.ok()) << profiles.status();
  ASSERT_EQ(profiles->size(), 2u);
  const ClientHelloProfile& a = (*profiles)[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.source, "first second");
  EXPECT_EQ(a.record_version, kSsl3Version);
  EXPECT_EQ(a.client_version, kTls11Version);
  EXPECT_THAT(a.cipher_suites, ElementsAreArray({0x0005, 0x000A, 0x002F}));
  EXPECT_THAT(a.groups, ElementsAreArray({29, 23}));
  EXPECT_THAT(a.key_shares, ElementsAreArray({29, 23}));
  EXPECT_THAT(a.supported_versions, ElementsAreArray({0x0304, 0x0303}));
  EXPECT_THAT(a.point_formats, ElementsAreArray({0, 1}));
  EXPECT_THAT(a.signature_algorithms, ElementsAreArray({0x0807, 0x0401}));
  EXPECT_FALSE(a.server_name);
  EXPECT_TRUE(a.status_request);
  EXPECT_FALSE(a.session_ticket);
  EXPECT_EQ((*profiles)[1].name, "b");
  EXPECT_TRUE((*profiles)[1].server_name);
}

TEST(TlsProfilesTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"source = x\n", "test.conf:1: 'source' outside a [profile]"},
      {"[a]\nsource = s\nsuites = 0x10000\n",
       "test.conf:3: suites: cannot read '0x10000'"},
      {"[a]\nsource = s\nsuites = TLS_NOT_A_SUITE\n",
       "test.conf:3: suites: cannot read 'TLS_NOT_A_SUITE'"},
      {"[a]\nsource = s\n\nsuites = 5\ncolour = blue\n",
       "test.conf:5: unknown key 'colour'"},
      {"[a]\nsource = s\nsuites = 5\nsni = maybe\n",
       "test.conf:4: sni: expected yes or no, got 'maybe'"},
      {"[a]\nsource = s\nsuites = 5\n[a]\n",
       "test.conf:4: profile 'a' defined twice"},
      {"# none\n[a]\nsuites = 5\n", "test.conf:2: profile 'a': no source"},
      {"[a]\nsource = s\n", "test.conf:1: profile 'a': no suites"},
      {"[a]\nsource = s\nsuites = 5\ngroups = x25519\nkey_share = x25519\n",
       "test.conf:1: profile 'a': key_share without tls1.3"},
      {"[a]\nsource = s\nsuites = 5\nsupported_versions = tls1.3\n"
       "key_share = x25519\n",
       "test.conf:1: profile 'a': key_share group not in groups"},
      {"[a]\nsource = s\nsuites = 5\nkey_share = secp384r1\n",
       "test.conf:4: key_share: cannot read 'secp384r1'"},
      {"[a]\nsource = s\nrecord_version = tls9\n",
       "test.conf:3: record_version: cannot read 'tls9'"},
      {"[a b]\n", "test.conf:1: bad profile name 'a b'"},
      {"[a]\nsource = s\nsuites = 5\nsuites\n", "test.conf:4: expected key = value"},
      {"[a]\nsource = s\nsuites =\n", "test.conf:3: suites: empty list"},
      {"\n# only comments\n", "test.conf: no profiles"},
  };
  for (const Case& c : cases) {
    const absl::Status status = ParseError(c.text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.message)) << c.text;
  }
}

TEST(TlsProfilesTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadTlsProfiles("/nonexistent/tls_profiles.conf").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(DefaultTlsProfilesPath(), HasSubstr("tls_profiles.conf"));
}

}  // namespace
}  // namespace tlsweep
