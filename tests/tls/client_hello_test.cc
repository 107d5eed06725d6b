// The raw ClientHello builder: known-answer bytes hand-assembled from the
// RFC 5246 7.4.1.2 / RFC 8446 4.1.2 layouts, the inputs it refuses, and
// OpenSSL 3 as the judge of what it builds (a real server answers it).
#include "tls/client_hello.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/tls_peer.h"
#include "tls/server_flight.h"

namespace tlsweep {
namespace {

using ::testing::ElementsAreArray;

std::vector<uint8_t> Hex(std::string_view hex) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : hex) {
    if (c != ' ' && c != '\n') digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<uint8_t> Counting(size_t n, uint8_t first) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(first + i);
  return v;
}

struct Built {
  std::vector<uint8_t> random = Counting(32, 0);
  std::vector<uint8_t> session_id;
  std::vector<uint8_t> x25519 = std::vector<uint8_t>(32, 0xAA);
};

std::vector<uint8_t> Build(const ClientHelloProfile& profile,
                           std::string_view server_name,
                           const Built& in = Built()) {
  std::vector<uint8_t> out(kMaxClientHelloRecord);
  const ClientHelloInputs inputs{server_name, in.random, in.session_id,
                                 in.x25519};
  const std::optional<size_t> n = BuildClientHello(profile, inputs, out);
  if (!n.has_value()) return {};
  out.resize(*n);
  return out;
}

TEST(ClientHelloTest, Ssl3WithoutExtensionsKnownAnswer) {
  ClientHelloProfile p;
  p.record_version = kSsl3Version;
  p.client_version = kSsl3Version;
  p.cipher_suites = {0x0005, 0x000A};
  p.renegotiation_scsv = true;
  p.server_name = false;
  const std::vector<uint8_t> expected = Hex(
      "16 0300 0031"            // record: handshake, SSL 3.0, 49 bytes
      "01 00002d"               // ClientHello, 45 bytes
      "0300"                    // client_version
      "000102030405060708090a0b0c0d0e0f"
      "101112131415161718191a1b1c1d1e1f"  // random
      "00"                      // session_id: empty
      "0006 0005 000a 00ff"     // suites + TLS_EMPTY_RENEGOTIATION_INFO_SCSV
      "01 00");                 // compression: null; no extensions block
  EXPECT_THAT(Build(p, "mail.example"), ElementsAreArray(expected));
}

TEST(ClientHelloTest, Tls13KnownAnswer) {
  ClientHelloProfile p;
  p.record_version = kTls10Version;
  p.client_version = kTls12Version;
  p.cipher_suites = {0x1301};
  p.groups = {kGroupX25519};
  p.signature_algorithms = {0x0804};
  p.supported_versions = {kTls13Version};
  p.key_shares = {kGroupX25519};
  Built in;
  in.session_id.assign(32, 0xBB);
  const std::vector<uint8_t> expected = Hex(
      "16 0301 00a2"                      // record, 162 bytes
      "01 00009e"                         // ClientHello, 158 bytes
      "0303"
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
      "20 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
      "0002 1301"
      "01 00"
      "0053"                              // extensions, 83 bytes
      "0000 000e 000c 00 0009 612e6578616d706c65"  // server_name a.example
      "000a 0004 0002 001d"               // supported_groups: x25519
      "000d 0004 0002 0804"               // signature_algorithms
      "002b 0003 02 0304"                 // supported_versions: TLS 1.3
      "0033 0026 0024 001d 0020"          // key_share: x25519, 32 bytes
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_THAT(Build(p, "a.example", in), ElementsAreArray(expected));
}

TEST(ClientHelloTest, Tls12ExtensionsKnownAnswer) {
  ClientHelloProfile p;
  p.cipher_suites = {0xC02F};
  p.server_name = false;
  p.extended_master_secret = true;
  p.renegotiation_info = true;
  p.groups = {kGroupSecp256r1};
  p.point_formats = {0};
  p.session_ticket = true;
  p.status_request = true;
  const std::vector<uint8_t> expected = Hex(
      "16 0301 0053"
      "01 00004f"
      "0303"
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
      "00"
      "0002 c02f"
      "01 00"
      "0024"                   // extensions, 36 bytes
      "0017 0000"              // extended_master_secret
      "ff01 0001 00"           // renegotiation_info, empty
      "000a 0004 0002 0017"    // supported_groups: secp256r1
      "000b 0002 01 00"        // ec_point_formats: uncompressed
      "0023 0000"              // session_ticket, empty
      "0005 0005 01 0000 0000");  // status_request: ocsp, no ids, no exts
  EXPECT_THAT(Build(p, ""), ElementsAreArray(expected));
}

TEST(ClientHelloTest, Sslv2KnownAnswer) {
  ClientHelloProfile p;
  p.sslv2_cipher_specs = {0x010080, 0x0700C0};
  const std::vector<uint8_t> expected = Hex(
      "801f"                // SSLv2 record header: 31 bytes
      "01 0002"             // CLIENT-HELLO, SSL 2.0
      "0006 0000 0010"      // specs, session id, challenge lengths
      "010080 0700c0"       // RC4_128_WITH_MD5, DES_192_EDE3_CBC_WITH_MD5
      "000102030405060708090a0b0c0d0e0f");  // challenge
  EXPECT_THAT(Build(p, "mail.example"), ElementsAreArray(expected));
}

TEST(ClientHelloTest, IpLiteralGetsNoServerName) {
  ClientHelloProfile p;
  p.cipher_suites = {0x002F};
  const std::vector<uint8_t> by_ip = Build(p, "192.0.2.1");
  const std::vector<uint8_t> by_v6 = Build(p, "2001:db8::1");
  const std::vector<uint8_t> none = Build(p, "");
  ASSERT_FALSE(none.empty());
  EXPECT_EQ(by_ip, none);
  EXPECT_EQ(by_v6, none);
  EXPECT_GT(Build(p, "mail.example").size(), none.size());
}

TEST(ClientHelloTest, RefusesBadInputs) {
  ClientHelloProfile p;
  p.cipher_suites = {0x002F};
  std::vector<uint8_t> out(kMaxClientHelloRecord);
  const std::vector<uint8_t> random(32, 1);
  const std::vector<uint8_t> short_random(31, 1);
  const std::vector<uint8_t> long_sid(33, 1);
  EXPECT_FALSE(BuildClientHello(p, {"", short_random, {}, {}}, out));
  EXPECT_FALSE(BuildClientHello(p, {"", random, long_sid, {}}, out));
  const std::string long_name(256, 'a');
  EXPECT_FALSE(BuildClientHello(p, {long_name, random, {}, {}}, out));
  // x25519 share missing; a key_share the builder cannot make.
  p.key_shares = {kGroupX25519};
  EXPECT_FALSE(BuildClientHello(p, {"", random, {}, {}}, out));
  p.key_shares = {24};
  EXPECT_FALSE(BuildClientHello(p, {"", random, {}, {}}, out));
  // Too small a buffer, and a suite list past one record's 2^14 bytes.
  p.key_shares.clear();
  std::vector<uint8_t> tiny(40);
  EXPECT_FALSE(BuildClientHello(p, {"", random, {}, {}}, tiny));
  p.cipher_suites.assign(8200, 0x002F);
  EXPECT_FALSE(BuildClientHello(p, {"", random, {}, {}}, out));
  std::vector<uint8_t> huge(3 * kMaxClientHelloRecord);
  EXPECT_FALSE(BuildClientHello(p, {"", random, {}, {}}, huge));
}

// The generator point as a secp256r1 share is accepted by a real server:
// OpenSSL validates the point and answers with a TLS 1.3 ServerHello.
TEST(ClientHelloTest, Secp256r1GeneratorShareIsAcceptedByOpenSsl) {
  ClientHelloProfile p;
  p.cipher_suites = {0x1301};
  p.groups = {kGroupSecp256r1};
  p.signature_algorithms = {0x0804, 0x0403};
  p.supported_versions = {kTls13Version};
  p.key_shares = {kGroupSecp256r1};
  tls_peer::TestServer server({});
  Built in;
  in.session_id.assign(32, 7);
  ServerFlightParser parser;
  parser.Feed(server.Respond(Build(p, "mail.example", in)));
  EXPECT_EQ(parser.verdict(), FlightVerdict::kTls13ServerHello);
  EXPECT_EQ(parser.flight().server_hello.key_share_group, kGroupSecp256r1);
}

// Random bytes as an x25519 share (RFC 7748 5): OpenSSL answers.
TEST(ClientHelloTest, RandomX25519ShareIsAcceptedByOpenSsl) {
  ClientHelloProfile p;
  p.cipher_suites = {0x1302};
  p.groups = {kGroupX25519};
  p.signature_algorithms = {0x0804};
  p.supported_versions = {kTls13Version};
  p.key_shares = {kGroupX25519};
  tls_peer::TestServer server({});
  Built in;
  in.x25519 = Counting(32, 0x5A);
  ServerFlightParser parser;
  parser.Feed(server.Respond(Build(p, "mail.example", in)));
  EXPECT_EQ(parser.verdict(), FlightVerdict::kTls13ServerHello);
  EXPECT_EQ(parser.flight().server_hello.version, kTls13Version);
  EXPECT_EQ(parser.flight().server_hello.cipher_suite, 0x1302);
}

// The parser of captured ClientHellos, against what the builder makes.
ClientHelloProfile ParseProfile() {
  ClientHelloProfile p;
  p.record_version = kTls10Version;
  p.client_version = kTls12Version;
  p.cipher_suites = {0x1A1A, 0x1301, 0xC02F, 0x0005};  // GREASE first
  p.supported_versions = {kTls13Version, kTls12Version};
  p.groups = {kGroupX25519, kGroupSecp256r1};
  p.point_formats = {0};
  p.signature_algorithms = {0x0804, 0x0401};
  p.key_shares = {kGroupX25519};
  p.session_ticket = true;
  return p;
}

TEST(ParseClientHelloTest, ReadsBackWhatTheBuilderWrote) {
  const std::vector<uint8_t> record = Build(ParseProfile(), "mail.example");
  ASSERT_FALSE(record.empty());
  ParsedClientHello hello;
  ASSERT_EQ(ParseClientHello(record, &hello), ClientHelloParse::kOk);
  EXPECT_EQ(hello.record_version, kTls10Version);
  EXPECT_EQ(hello.client_version, kTls12Version);
  EXPECT_THAT(hello.cipher_suites, ElementsAreArray({0x1A1A, 0x1301, 0xC02F, 0x0005}));
  EXPECT_THAT(hello.supported_versions, ElementsAreArray({kTls13Version, kTls12Version}));
  EXPECT_THAT(hello.groups, ElementsAreArray({kGroupX25519, kGroupSecp256r1}));
  EXPECT_THAT(hello.point_formats, ElementsAreArray({0}));
  EXPECT_THAT(hello.signature_algorithms, ElementsAreArray({0x0804, 0x0401}));
  // The builder's fixed order: server_name, supported_groups,
  // ec_point_formats, session_ticket, signature_algorithms,
  // supported_versions, key_share.
  EXPECT_THAT(hello.extensions, ElementsAreArray({0, 10, 11, 35, 13, 43, 51}));
  EXPECT_EQ(hello.server_name, "mail.example");
  EXPECT_TRUE(hello.session_ticket);
  EXPECT_FALSE(hello.session_id);
}

TEST(ParseClientHelloTest, Ja3LeavesGreaseOutAndHashesWithMd5) {
  const std::vector<uint8_t> record = Build(ParseProfile(), "mail.example");
  ParsedClientHello hello;
  ASSERT_EQ(ParseClientHello(record, &hello), ClientHelloParse::kOk);
  EXPECT_EQ(Ja3String(hello), "771,4865-49199-5,0-10-11-35-13-43-51,29-23,0");
  // RFC 1321 A.5 test suite.
  EXPECT_EQ(Ja3Md5(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Ja3Md5("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_TRUE(IsGreaseValue(0x1A1A));
  EXPECT_TRUE(IsGreaseValue(0xFAFA));
  EXPECT_FALSE(IsGreaseValue(0x1A2A));
  EXPECT_FALSE(IsGreaseValue(0x0A0B));
}

// The worked example of FoxIO's JA4 spec (technical_details/JA4.md,
// v0.18.2, "Example" and "Raw Output"), with GREASE added in every list,
// which JA4 ignores.
ParsedClientHello Ja4SpecHello() {
  ParsedClientHello h;
  h.client_version = kTls12Version;
  h.cipher_suites = {0x0A0A, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                     0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  h.extensions = {0x2A2A, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                  0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
  h.supported_versions = {0x3A3A, kTls13Version, kTls12Version};
  h.signature_algorithms = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  h.server_name = "example.com";
  h.alpn_first = "h2";
  return h;
}

TEST(Ja4Test, SpecExample) {
  ParsedClientHello h = Ja4SpecHello();
  EXPECT_EQ(Ja4(h), "t13d1516h2_8daaf6152771_e5627efa2ab1");
  EXPECT_EQ(Ja4Raw(h),
            "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,"
            "cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,"
            "0804,0401,0503,0805,0501,0806,0601");
  // "If there are no signature algorithms ... the string ends without an
  // underscore": 6d807ffa2a79 in the spec.
  h.signature_algorithms.clear();
  EXPECT_EQ(Ja4(h), "t13d1516h2_8daaf6152771_6d807ffa2a79");
  // No ciphers: 000000000000. No ALPN: 00. A one-byte protocol ends in
  // '0', a non-ASCII byte is '9' (FoxIO's rust/ja4 first_last_alpn).
  h.cipher_suites = {0x0A0A};
  h.alpn_first = "";
  EXPECT_EQ(Ja4(h).substr(0, 23), "t13d001600_000000000000");
  h.alpn_first = "x";
  EXPECT_EQ(Ja4(h).substr(0, 10), "t13d0016x0");
  h.alpn_first = "\xC3\xA9z";
  EXPECT_EQ(Ja4(h).substr(0, 10), "t13d00169z");
  // Without supported_versions the legacy version counts; without SNI "i".
  ParsedClientHello old;
  old.client_version = kSsl3Version;
  old.cipher_suites = {0x0005, 0x000a};
  EXPECT_EQ(Ja4(old).substr(0, 10), "ts3i020000");
}

TEST(Ja4Test, ParserReadsAlpnAndResumptionOffers) {
  // A TLS 1.2 ClientHello by hand: one suite, a 4-byte session id, ALPN
  // "h2", "http/1.1", a session ticket and pre_shared_key's type.
  std::vector<uint8_t> ext = {0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 2, 'h', '2', 8,
                              'h',  't',  't',  'p',  '/',  '1',  '.', '1'};
  ext.insert(ext.end(), {0x00, 0x23, 0x00, 0x02, 0xAB, 0xCD, 0x00, 0x29, 0x00, 0x00});
  std::vector<uint8_t> body = {0x03, 0x03};
  body.insert(body.end(), 32, 0x11);
  body.insert(body.end(), {4, 1, 2, 3, 4, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00,
                           static_cast<uint8_t>(ext.size() >> 8), static_cast<uint8_t>(ext.size())});
  body.insert(body.end(), ext.begin(), ext.end());
  std::vector<uint8_t> record = {0x16, 0x03, 0x01, 0x00, static_cast<uint8_t>(body.size() + 4),
                                 0x01, 0x00, 0x00, static_cast<uint8_t>(body.size())};
  record.insert(record.end(), body.begin(), body.end());
  ParsedClientHello h;
  ASSERT_EQ(ParseClientHello(record, &h), ClientHelloParse::kOk);
  EXPECT_EQ(h.alpn_first, "h2");
  EXPECT_TRUE(h.session_ticket_data);
  EXPECT_TRUE(h.pre_shared_key);
  ASSERT_EQ(h.session_id_length, 4);
  EXPECT_THAT(std::vector<uint8_t>(h.session_id_bytes.begin(), h.session_id_bytes.begin() + 4),
              ElementsAreArray({1, 2, 3, 4}));
  EXPECT_EQ(Ja4Raw(h), "t12i0103h2_002f_0023,0029");
  // An ALPN list whose lengths do not add up makes the hello malformed.
  record[5 + 4 + body.size() - ext.size() + 5] = 0x0d;
  EXPECT_EQ(ParseClientHello(record, &h), ClientHelloParse::kMalformed);
}

TEST(ParseClientHelloTest, EveryPrefixIsIncompleteAndSplitRecordsJoin) {
  const std::vector<uint8_t> record = Build(ParseProfile(), "mail.example");
  ParsedClientHello hello;
  for (size_t n = 0; n < record.size(); ++n) {
    ASSERT_EQ(ParseClientHello(std::span<const uint8_t>(record).first(n), &hello),
              ClientHelloParse::kIncomplete) << n;
  }
  // The same message in two records (RFC 5246 6.2.1 fragmentation).
  const std::vector<uint8_t> message(record.begin() + 5, record.end());
  const size_t half = message.size() / 2;
  std::vector<uint8_t> split;
  for (auto [from, to] : {std::pair<size_t, size_t>{0, half}, {half, message.size()}}) {
    split.insert(split.end(), {22, 3, 1, static_cast<uint8_t>((to - from) >> 8),
                               static_cast<uint8_t>(to - from)});
    split.insert(split.end(), message.begin() + from, message.begin() + to);
  }
  ASSERT_EQ(ParseClientHello(split, &hello), ClientHelloParse::kOk);
  EXPECT_EQ(hello.server_name, "mail.example");
}

TEST(ParseClientHelloTest, RefusesWhatIsNotAClientHello) {
  ParsedClientHello hello;
  const std::string plain = "EHLO client.example\r\n";
  EXPECT_EQ(ParseClientHello(std::span(reinterpret_cast<const uint8_t*>(plain.data()),
                                       plain.size()), &hello),
            ClientHelloParse::kNotTls);
  // A ServerHello (type 2) in a handshake record.
  EXPECT_EQ(ParseClientHello(Hex("16 0303 0004 02 000000"), &hello), ClientHelloParse::kMalformed);
  // A zero-length handshake record.
  EXPECT_EQ(ParseClientHello(Hex("16 0301 0000"), &hello), ClientHelloParse::kMalformed);
  // The cipher suite list's length runs past the message.
  std::vector<uint8_t> record = Build(ParseProfile(), "");
  record[5 + 4 + 2 + 32 + 1] = 0xff;
  EXPECT_EQ(ParseClientHello(record, &hello), ClientHelloParse::kMalformed);
}

}  // namespace
}  // namespace tlsweep
