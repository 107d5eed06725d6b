// The server-flight parser against real OpenSSL 3 flights (TLS 1.0-1.3,
// ECDHE, DHE with a known prime, HelloRetryRequest, alerts), the same
// flights in every fragmentation, and truncated and malformed flights.
#include "tls/server_flight.h"

#include <openssl/bn.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/tls_peer.h"
#include "tls/client_hello.h"
#include "tls/dh_primes.h"

namespace tlsweep {
namespace {

using ::testing::ElementsAreArray;

std::vector<uint8_t> Hello(const ClientHelloProfile& profile) {
  const std::vector<uint8_t> random(32, 0x11);
  const std::vector<uint8_t> session_id(32, 0x22);
  const std::vector<uint8_t> share(32, 0x33);
  std::vector<uint8_t> out(kMaxClientHelloRecord);
  const std::optional<size_t> n = BuildClientHello(
      profile, {"mail.example", random, session_id, share}, out);
  out.resize(n.value_or(0));
  return out;
}

ClientHelloProfile Tls12Profile(std::vector<uint16_t> suites) {
  ClientHelloProfile p;
  p.cipher_suites = std::move(suites);
  p.groups = {kGroupX25519, kGroupSecp256r1};
  p.point_formats = {0};
  p.signature_algorithms = {0x0804, 0x0401, 0x0403, 0x0201};
  p.renegotiation_info = true;
  p.extended_master_secret = true;
  p.session_ticket = true;
  return p;
}

// Everything the parser learned, as one comparable value.
std::string Summary(const ServerFlightParser& parser) {
  const ServerFlight& f = parser.flight();
  const ServerHelloInfo& sh = f.server_hello;
  const ServerKeyExchangeInfo& ske = f.server_key_exchange;
  std::string s = std::string(FlightVerdictName(parser.verdict()));
  s += " v=" + std::to_string(sh.version) + " suite=" +
       std::to_string(sh.cipher_suite) + " ks=" +
       std::to_string(sh.key_share_group) + " ri=" +
       std::to_string(sh.renegotiation_info) + " ems=" +
       std::to_string(sh.extended_master_secret) + " ske=" +
       std::to_string(static_cast<int>(ske.kind)) + " curve=" +
       std::to_string(ske.named_curve) + " p=" + std::to_string(ske.dh_p_bits) +
       " certs=" + std::to_string(f.certificate_count);
  for (std::span<const uint8_t> der : f.certificates()) {
    s += " " + std::to_string(der.size()) + ":" +
         std::to_string(der.empty() ? 0 : der.back());
  }
  if (!ske.dh_p.empty()) s += " " + DhPrimeSha256Hex(ske.dh_p);
  s += " alert=" + std::to_string(f.alert_description);
  return s;
}

std::string ParseWhole(const std::vector<uint8_t>& flight) {
  ServerFlightParser parser;
  parser.Feed(flight);
  parser.Finish();
  return Summary(parser);
}

std::string ParseByteByByte(const std::vector<uint8_t>& flight) {
  ServerFlightParser parser;
  for (uint8_t b : flight) parser.Feed(std::span<const uint8_t>(&b, 1));
  parser.Finish();
  return Summary(parser);
}

// Re-frames every handshake and alert record of `flight` as records of at
// most `size` bytes each (1: a record per byte).
std::vector<uint8_t> Reframe(const std::vector<uint8_t>& flight, size_t size) {
  std::vector<uint8_t> out;
  size_t i = 0;
  while (i + 5 <= flight.size()) {
    const size_t len = (size_t{flight[i + 3]} << 8) | flight[i + 4];
    for (size_t off = 0; off < len; off += size) {
      const size_t n = std::min(size, len - off);
      out.insert(out.end(), flight.begin() + static_cast<long>(i),
                 flight.begin() + static_cast<long>(i) + 3);
      out.push_back(static_cast<uint8_t>(n >> 8));
      out.push_back(static_cast<uint8_t>(n));
      out.insert(out.end(), flight.begin() + static_cast<long>(i + 5 + off),
                 flight.begin() + static_cast<long>(i + 5 + off + n));
    }
    i += 5 + len;
  }
  return out;
}

// All handshake bytes of `flight` coalesced into as few records as 2^14
// allows.
std::vector<uint8_t> Coalesce(const std::vector<uint8_t>& flight) {
  std::vector<uint8_t> payload;
  size_t i = 0;
  while (i + 5 <= flight.size()) {
    const size_t len = (size_t{flight[i + 3]} << 8) | flight[i + 4];
    payload.insert(payload.end(), flight.begin() + static_cast<long>(i + 5),
                   flight.begin() + static_cast<long>(i + 5 + len));
    i += 5 + len;
  }
  std::vector<uint8_t> out;
  for (size_t off = 0; off < payload.size(); off += 1u << 14) {
    const size_t n = std::min<size_t>(1u << 14, payload.size() - off);
    out.insert(out.end(), {22, 3, 3, static_cast<uint8_t>(n >> 8),
                           static_cast<uint8_t>(n)});
    out.insert(out.end(), payload.begin() + static_cast<long>(off),
               payload.begin() + static_cast<long>(off + n));
  }
  return out;
}

class OpenSslFlightTest : public ::testing::Test {
 protected:
  // A TLS 1.2 ECDHE-RSA flight with the two-certificate chain.
  static const std::vector<uint8_t>& EcdheFlight() {
    static const auto* flight = new std::vector<uint8_t>(
        Server().Respond(Hello(Tls12Profile({0xC02F, 0x009E}))));
    return *flight;
  }
  static tls_peer::TestServer& Server() {
    tls_peer::ServerOptions config;
    config.max_version = TLS1_2_VERSION;
    config.ciphers = "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256";
    static auto* server = new tls_peer::TestServer(std::move(config));
    return *server;
  }
};

TEST_F(OpenSslFlightTest, Tls12EcdheFlight) {
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(EcdheFlight()), FlightVerdict::kServerHelloDone);
  EXPECT_EQ(parser.bytes_consumed(), EcdheFlight().size());
  const ServerFlight& f = parser.flight();
  EXPECT_EQ(f.server_hello.version, kTls12Version);
  EXPECT_EQ(f.server_hello.cipher_suite, 0xC02F);
  EXPECT_TRUE(f.server_hello.renegotiation_info);
  EXPECT_TRUE(f.server_hello.extended_master_secret);
  EXPECT_TRUE(f.server_hello.session_ticket);
  EXPECT_TRUE(f.server_hello.ec_point_uncompressed);
  EXPECT_EQ(f.server_key_exchange.kind, ServerKeyExchangeKind::kEcdhe);
  EXPECT_EQ(f.server_key_exchange.curve_type, 3);
  EXPECT_EQ(f.server_key_exchange.named_curve, kGroupX25519);
  EXPECT_EQ(f.server_key_exchange.ec_point_bytes, 32u);
  ASSERT_EQ(f.certificate_count, 2u);
  EXPECT_THAT(f.certificates()[0], ElementsAreArray(Server().chain()[0]));
  EXPECT_THAT(f.certificates()[1], ElementsAreArray(Server().chain()[1]));
  EXPECT_TRUE(f.server_hello_done);
}

TEST_F(OpenSslFlightTest, EveryFragmentationGivesTheSameResult) {
  const std::vector<uint8_t>& flight = EcdheFlight();
  const std::string whole = ParseWhole(flight);
  EXPECT_THAT(whole, ::testing::StartsWith("server-hello-done"));
  EXPECT_EQ(ParseByteByByte(flight), whole);
  const std::vector<uint8_t> one_byte_records = Reframe(flight, 1);
  EXPECT_GT(one_byte_records.size(), 5 * flight.size() / 2);
  EXPECT_EQ(ParseWhole(one_byte_records), whole);
  EXPECT_EQ(ParseByteByByte(one_byte_records), whole);
  EXPECT_EQ(ParseWhole(Reframe(flight, 7)), whole);
  EXPECT_EQ(ParseWhole(Coalesce(flight)), whole);
  // Every split of the stream into two reads.
  for (size_t cut = 1; cut < flight.size(); ++cut) {
    ServerFlightParser parser;
    parser.Feed(std::span<const uint8_t>(flight).first(cut));
    parser.Feed(std::span<const uint8_t>(flight).subspan(cut));
    ASSERT_EQ(Summary(parser), whole) << "cut at " << cut;
  }
}

// Summary() plus how much of the stream the parser read: what the same
// stream must give in every split.
std::string Outcome(const ServerFlightParser& parser) {
  return Summary(parser) + " consumed=" + std::to_string(parser.bytes_consumed());
}

// Feeds `stream` cut at `cuts` (ascending offsets) and finishes.
std::string ParseSplit(const std::vector<uint8_t>& stream,
                       const std::vector<size_t>& cuts,
                       FlightLimits limits = {}) {
  ServerFlightParser parser(limits);
  size_t from = 0;
  for (size_t cut : cuts) {
    parser.Feed(std::span<const uint8_t>(stream).subspan(from, cut - from));
    from = cut;
  }
  parser.Feed(std::span<const uint8_t>(stream).subspan(from));
  parser.Finish();
  return Outcome(parser);
}

// The verdict, the flight and bytes_consumed() of `stream` in one piece,
// a byte at a time, in every split into two reads and in 200 random splits
// into up to 8 reads are all the same; returns the one-piece outcome.
std::string ExpectSameInEverySplit(const std::vector<uint8_t>& stream,
                                   FlightLimits limits = {}) {
  const std::string whole = ParseSplit(stream, {}, limits);
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(ParseSplit(stream, every_byte, limits), whole) << "byte by byte";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    const std::string split = ParseSplit(stream, {cut}, limits);
    EXPECT_EQ(split, whole) << "cut at " << cut;
    if (split != whole) break;
  }
  std::mt19937 rng(13);
  for (int i = 0; i < 200; ++i) {
    std::vector<size_t> cuts(std::uniform_int_distribution<size_t>(1, 7)(rng));
    for (size_t& c : cuts) {
      c = std::uniform_int_distribution<size_t>(0, stream.size())(rng);
    }
    std::sort(cuts.begin(), cuts.end());
    const std::string split = ParseSplit(stream, cuts, limits);
    EXPECT_EQ(split, whole) << "random split " << i;
    if (split != whole) break;
  }
  return whole;
}

TEST_F(OpenSslFlightTest, BytesConsumedIsTheSameInEverySplit) {
  std::vector<uint8_t> flight = EcdheFlight();
  const size_t n = flight.size();
  // Bytes after the flight, in a record of their own and inside the last
  // one (a ServerHelloDone followed by more handshake bytes).
  flight.insert(flight.end(), {22, 3, 3, 0, 4, 14, 0, 0, 0});
  EXPECT_THAT(ExpectSameInEverySplit(flight),
              ::testing::EndsWith(" consumed=" + std::to_string(n)));
  std::vector<uint8_t> last_record_longer = EcdheFlight();
  last_record_longer.insert(last_record_longer.end(), {0, 0, 0, 0});
  last_record_longer[n - 9 + 3] = 0;
  last_record_longer[n - 9 + 4] = 8;  // ServerHelloDone is its own record
  ASSERT_THAT(std::vector<uint8_t>(EcdheFlight().end() - 9, EcdheFlight().end()),
              ElementsAreArray({22, 3, 3, 0, 4, 14, 0, 0, 0}));
  EXPECT_THAT(ExpectSameInEverySplit(last_record_longer),
              ::testing::AllOf(::testing::StartsWith("server-hello-done"),
                               ::testing::EndsWith(" consumed=" + std::to_string(n))));
  // The flight in one-byte records: every message ends in its own record.
  const std::vector<uint8_t> one_byte_records = Reframe(EcdheFlight(), 1);
  EXPECT_THAT(ExpectSameInEverySplit(one_byte_records),
              ::testing::EndsWith(" consumed=" + std::to_string(one_byte_records.size())));
  // All of it coalesced: the verdict comes at the last byte of the last record.
  EXPECT_THAT(ExpectSameInEverySplit(Coalesce(EcdheFlight())),
              ::testing::StartsWith("server-hello-done"));
}

TEST_F(OpenSslFlightTest, EveryTruncationIsTruncated) {
  const std::vector<uint8_t>& flight = EcdheFlight();
  ServerFlightParser parser;
  for (size_t len = 0; len < flight.size(); ++len) {
    parser.Reset();
    EXPECT_EQ(parser.Feed(std::span<const uint8_t>(flight).first(len)),
              FlightVerdict::kIncomplete);
    ASSERT_EQ(parser.Finish(), FlightVerdict::kTruncated) << len;
  }
}

TEST_F(OpenSslFlightTest, BytesAfterTheFlightAreNotRead) {
  std::vector<uint8_t> flight = EcdheFlight();
  const size_t n = flight.size();
  flight.insert(flight.end(), {'g', 'a', 'r', 'b', 'a', 'g', 'e'});
  ServerFlightParser parser;
  EXPECT_EQ(parser.Feed(flight), FlightVerdict::kServerHelloDone);
  EXPECT_EQ(parser.bytes_consumed(), n);
}

TEST_F(OpenSslFlightTest, EveryCorruptedByteEndsInAVerdict) {
  const std::vector<uint8_t>& flight = EcdheFlight();
  ServerFlightParser parser;
  for (size_t i = 0; i < flight.size(); ++i) {
    std::vector<uint8_t> bad = flight;
    bad[i] ^= 0xFF;
    parser.Reset();
    parser.Feed(bad);
    const FlightVerdict v = parser.Finish();
    ASSERT_NE(FlightVerdictName(v), "unknown");
    ASSERT_NE(v, FlightVerdict::kIncomplete);
  }
}

// DHE with a known prime: the parser reports its size and the lookup names
// it.
struct DhCase {
  BIGNUM* (*prime)(BIGNUM*);
  uint32_t bits;
  std::string_view name;
};

class DheFlightTest : public ::testing::TestWithParam<DhCase> {};

TEST_P(DheFlightTest, NamesTheServersPrime) {
  tls_peer::ServerOptions config;
  config.max_version = TLS1_2_VERSION;
  config.ciphers = "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA";
  config.dh = tls_peer::DhParams(GetParam().prime);
  tls_peer::TestServer server(std::move(config));
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(server.Respond(Hello(Tls12Profile({0x009E, 0x0033})))),
            FlightVerdict::kServerHelloDone);
  const ServerKeyExchangeInfo& ske = parser.flight().server_key_exchange;
  ASSERT_EQ(ske.kind, ServerKeyExchangeKind::kDhe);
  EXPECT_EQ(ske.dh_p_bits, GetParam().bits);
  EXPECT_THAT(ske.dh_g, ElementsAreArray({2}));
  EXPECT_GT(ske.dh_ys_bits, GetParam().bits - 64);
  const WellKnownDhPrime* known =
      FindWellKnownDhPrime(DhPrimeSha256Hex(ske.dh_p));
  ASSERT_NE(known, nullptr);
  EXPECT_EQ(known->name, GetParam().name);
  EXPECT_EQ(known->bits, GetParam().bits);
}

INSTANTIATE_TEST_SUITE_P(
    Primes, DheFlightTest,
    ::testing::Values(
        DhCase{BN_get_rfc3526_prime_2048, 2048,
               "RFC 3526 group 14 (2048-bit MODP)"},
        DhCase{BN_get_rfc2409_prime_1024, 1024,
               "RFC 2409 group 2 (1024-bit MODP)"}));

TEST(ServerFlightTest, Tls10FromTheTls10Profile) {
  tls_peer::ServerOptions config;
  config.max_version = TLS1_VERSION;
  config.ciphers = "AES128-SHA:@SECLEVEL=0";
  tls_peer::TestServer server(std::move(config));
  ClientHelloProfile p;
  p.record_version = kTls10Version;
  p.client_version = kTls10Version;
  p.cipher_suites = {0x0005, 0x002F, 0x000A};
  p.renegotiation_scsv = true;
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(server.Respond(Hello(p))),
            FlightVerdict::kServerHelloDone);
  EXPECT_EQ(parser.flight().server_hello.version, kTls10Version);
  EXPECT_EQ(parser.flight().server_hello.cipher_suite, 0x002F);
  EXPECT_TRUE(parser.flight().server_hello.renegotiation_info);
  EXPECT_EQ(parser.flight().server_key_exchange.kind,
            ServerKeyExchangeKind::kNone);
  EXPECT_EQ(parser.flight().certificate_count, 2u);
}

TEST(ServerFlightTest, Tls13StopsAfterServerHello) {
  tls_peer::TestServer server({});
  ClientHelloProfile p = Tls12Profile({0x1301, 0x1303, 0xC02F});
  p.supported_versions = {kTls13Version, kTls12Version};
  p.key_shares = {kGroupX25519};
  const std::vector<uint8_t> flight = server.Respond(Hello(p));
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(flight), FlightVerdict::kTls13ServerHello);
  const ServerHelloInfo& sh = parser.flight().server_hello;
  EXPECT_EQ(sh.legacy_version, kTls12Version);
  EXPECT_EQ(sh.version, kTls13Version);
  EXPECT_EQ(sh.cipher_suite, 0x1301);
  EXPECT_EQ(sh.key_share_group, kGroupX25519);
  EXPECT_EQ(sh.session_id_length, 32);
  EXPECT_LT(parser.bytes_consumed(), flight.size());  // the rest is encrypted
  EXPECT_EQ(parser.flight().certificate_count, 0u);
  EXPECT_EQ(ParseByteByByte(flight), ParseWhole(flight));
}

TEST(ServerFlightTest, HelloRetryRequestNamesTheGroup) {
  tls_peer::ServerOptions config;
  config.groups = "X25519";
  tls_peer::TestServer server(std::move(config));
  ClientHelloProfile p = Tls12Profile({0x1301});
  p.supported_versions = {kTls13Version};
  p.key_shares = {kGroupSecp256r1};
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(server.Respond(Hello(p))),
            FlightVerdict::kHelloRetryRequest);
  EXPECT_TRUE(parser.flight().server_hello.hello_retry_request);
  EXPECT_EQ(parser.flight().server_hello.key_share_group, kGroupX25519);
}

TEST(ServerFlightTest, NoCommonSuiteIsAHandshakeFailureAlert) {
  tls_peer::TestServer server({});
  // RC4: OpenSSL 3 has none, so the server refuses.
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(server.Respond(Hello(Tls12Profile({0x0005, 0x0004})))),
            FlightVerdict::kAlert);
  EXPECT_EQ(parser.flight().alert_level, 2);
  EXPECT_EQ(parser.flight().alert_description, 40);  // handshake_failure
}

// ---- Hand-made flights ------------------------------------------------------

std::vector<uint8_t> Record(uint8_t type, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> r = {type, 3, 3, static_cast<uint8_t>(payload.size() >> 8),
                            static_cast<uint8_t>(payload.size())};
  r.insert(r.end(), payload.begin(), payload.end());
  return r;
}

std::vector<uint8_t> Message(uint8_t type, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> m = {type, static_cast<uint8_t>(body.size() >> 16),
                            static_cast<uint8_t>(body.size() >> 8),
                            static_cast<uint8_t>(body.size())};
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

std::vector<uint8_t> ServerHelloBody(uint16_t suite,
                                     const std::vector<uint8_t>& extensions) {
  std::vector<uint8_t> b = {3, 3};
  b.insert(b.end(), 32, 0x42);
  b.push_back(0);  // session id
  b.push_back(static_cast<uint8_t>(suite >> 8));
  b.push_back(static_cast<uint8_t>(suite));
  b.push_back(0);
  if (!extensions.empty()) {
    b.push_back(static_cast<uint8_t>(extensions.size() >> 8));
    b.push_back(static_cast<uint8_t>(extensions.size()));
    b.insert(b.end(), extensions.begin(), extensions.end());
  }
  return b;
}

std::vector<uint8_t> Cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

FlightVerdict Parse(const std::vector<uint8_t>& bytes,
                    FlightLimits limits = {}) {
  ServerFlightParser parser(limits);
  parser.Feed(bytes);
  return parser.Finish();
}

TEST(ServerFlightTest, MalformedFlightsNameWhatWasWrong) {
  const auto sh = [](const std::vector<uint8_t>& ext) {
    return Message(2, ServerHelloBody(0x002F, ext));
  };
  const std::vector<uint8_t> done = Message(14, {});
  const std::vector<uint8_t> banner = {'2', '2', '0', ' ', 'm', 'x', '\r', '\n'};
  EXPECT_EQ(Parse(banner), FlightVerdict::kNotTls);
  // A TLS record type after an SSLv2-looking first record is not TLS.
  EXPECT_EQ(Parse(Cat({Record(22, sh({})), {0x80, 0x2e, 4, 0, 1}})),
            FlightVerdict::kNotTls);
  EXPECT_EQ(Parse({22, 3, 1, 0x48, 0x01}), FlightVerdict::kRecordOverflow);
  EXPECT_EQ(Parse({22, 3, 1, 0, 0}), FlightVerdict::kEmptyRecord);
  EXPECT_EQ(Parse(Record(20, {1})), FlightVerdict::kUnexpectedRecord);
  EXPECT_EQ(Parse(Record(23, {1, 2, 3})), FlightVerdict::kUnexpectedRecord);
  EXPECT_EQ(Parse(Record(22, Message(11, {0, 0, 0}))),
            FlightVerdict::kUnexpectedMessage);
  EXPECT_EQ(Parse(Record(22, Cat({sh({}), Message(2, ServerHelloBody(0x2F, {}))}))),
            FlightVerdict::kUnexpectedMessage);
  // ServerHello: extension block longer than the message; a short body; a
  // session id over 32 bytes; a supported_versions of the wrong size.
  EXPECT_EQ(Parse(Record(22, Cat({Message(2, Cat({ServerHelloBody(0x2F, {}),
                                                  {0, 9, 0xff, 1}})),
                                  done}))),
            FlightVerdict::kMalformedServerHello);
  EXPECT_EQ(Parse(Record(22, Message(2, {3, 3, 1, 2}))),
            FlightVerdict::kMalformedServerHello);
  std::vector<uint8_t> long_sid = ServerHelloBody(0x2F, {});
  long_sid[34] = 33;
  EXPECT_EQ(Parse(Record(22, Message(2, long_sid))),
            FlightVerdict::kMalformedServerHello);
  EXPECT_EQ(Parse(Record(22, sh({0, 43, 0, 1, 3}))),
            FlightVerdict::kMalformedServerHello);
  EXPECT_EQ(Parse(Record(22, sh({0xff, 0x01, 0, 2, 5, 0}))),
            FlightVerdict::kMalformedServerHello);
  // Certificate: inner length past the list; an empty certificate.
  EXPECT_EQ(Parse(Record(22, Cat({sh({}), Message(11, {0, 0, 4, 0, 0, 9, 1}), done}))),
            FlightVerdict::kMalformedCertificate);
  EXPECT_EQ(Parse(Record(22, Cat({sh({}), Message(11, {0, 0, 3, 0, 0, 0}), done}))),
            FlightVerdict::kMalformedCertificate);
  // Seventeen one-byte certificates against a limit of sixteen.
  std::vector<uint8_t> list = {0, 0, 17 * 4};
  for (int i = 0; i < 17; ++i) list.insert(list.end(), {0, 0, 1, 0x30});
  EXPECT_EQ(Parse(Record(22, Cat({sh({}), Message(11, list), done}))),
            FlightVerdict::kTooManyCertificates);
  // DHE ServerKeyExchange whose p runs past the message.
  const std::vector<uint8_t> dhe_sh = Message(2, ServerHelloBody(0x0033, {}));
  EXPECT_EQ(Parse(Record(22, Cat({dhe_sh, Message(12, {0, 200, 1, 2}), done}))),
            FlightVerdict::kMalformedServerKeyExchange);
  // ECDHE named curve without its point.
  const std::vector<uint8_t> ecdhe_sh = Message(2, ServerHelloBody(0xC013, {}));
  EXPECT_EQ(Parse(Record(22, Cat({ecdhe_sh, Message(12, {3, 0, 23}), done}))),
            FlightVerdict::kMalformedServerKeyExchange);
  EXPECT_EQ(Parse(Record(22, Cat({sh({}), Message(14, {1})}))),
            FlightVerdict::kMalformedHandshake);
  // A message larger than the flight may be.
  EXPECT_EQ(Parse(Record(22, Cat({sh({}), {11, 0, 0x40, 0}})),
                  FlightLimits{.max_flight_bytes = 4096}),
            FlightVerdict::kFlightTooLarge);
  // Records adding up past the limit.
  std::vector<uint8_t> big = Record(22, sh({}));
  for (int i = 0; i < 3; ++i) big = Cat({big, Record(22, std::vector<uint8_t>(2000, 0))});
  EXPECT_EQ(Parse(big, FlightLimits{.max_flight_bytes = 4096}),
            FlightVerdict::kFlightTooLarge);
}

TEST(ServerFlightTest, HandMadeFlightParsesEveryPart) {
  // ServerHello (RSA_EXPORT suite, renegotiation_info, EMS, status_request),
  // Certificate, CertificateStatus, the export ServerKeyExchange (a 512-bit
  // temporary modulus), CertificateRequest, ServerHelloDone, after a
  // HelloRequest that clients ignore.
  const std::vector<uint8_t> ext = {0xff, 0x01, 0, 1, 0, 0, 23, 0, 0, 0, 5, 0, 0};
  std::vector<uint8_t> modulus(64, 0xC5);
  std::vector<uint8_t> ske = {0, 64};
  ske.insert(ske.end(), modulus.begin(), modulus.end());
  ske.insert(ske.end(), {0, 3, 1, 0, 1});
  const std::vector<uint8_t> flight = Record(
      22, Cat({Message(0, {}), Message(2, ServerHelloBody(0x0003, ext)),
               Message(11, {0, 0, 5, 0, 0, 2, 0x30, 0x00}),
               Message(22, {1, 0, 0, 1, 0}), Message(12, ske),
               Message(13, {1, 1, 0, 0, 0, 0}), Message(14, {})}));
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(flight), FlightVerdict::kServerHelloDone);
  const ServerFlight& f = parser.flight();
  EXPECT_EQ(f.server_hello.cipher_suite, 0x0003);
  EXPECT_TRUE(f.server_hello.renegotiation_info);
  EXPECT_TRUE(f.server_hello.extended_master_secret);
  EXPECT_TRUE(f.server_hello.status_request);
  EXPECT_EQ(f.server_hello.extension_count, 3);
  ASSERT_EQ(f.certificate_count, 1u);
  EXPECT_THAT(f.certificates()[0], ElementsAreArray({0x30, 0x00}));
  EXPECT_TRUE(f.certificate_status);
  EXPECT_EQ(f.server_key_exchange.kind, ServerKeyExchangeKind::kRsaExport);
  EXPECT_EQ(f.server_key_exchange.rsa_modulus_bits, 512u);
  EXPECT_TRUE(f.certificate_request);
  EXPECT_EQ(ParseByteByByte(Reframe(flight, 1)), ParseWhole(flight));
}

TEST(ServerFlightTest, AbbreviatedHandshakeIsResumption) {
  // RFC 5246 7.3 figure 2: ServerHello, then ChangeCipherSpec.
  std::vector<uint8_t> body = ServerHelloBody(0xC02F, {});
  body[2 + 32] = 4;  // a 4-byte session id
  body.insert(body.begin() + 2 + 32 + 1, {9, 8, 7, 6});
  const std::vector<uint8_t> ccs = Record(20, {1});
  ServerFlightParser parser;
  EXPECT_EQ(parser.Feed(Cat({Record(22, Message(2, body)), ccs})),
            FlightVerdict::kAbbreviatedHandshake);
  EXPECT_FALSE(IsFlightError(parser.verdict()));
  EXPECT_EQ(FlightVerdictName(parser.verdict()), "abbreviated-handshake");
  EXPECT_EQ(parser.flight().server_hello.session_id_length, 4);
  EXPECT_THAT(std::span(parser.flight().server_hello.session_id).first(4),
              ElementsAreArray({9, 8, 7, 6}));
  // The bytes consumed end with the ChangeCipherSpec's header.
  EXPECT_EQ(parser.bytes_consumed(), Record(22, Message(2, body)).size() + 5);
  // RFC 5077 3.1 figure 2: a NewSessionTicket before it.
  const std::vector<uint8_t> ticket = Message(4, {0, 0, 0, 60, 0, 2, 0xAB, 0xCD});
  EXPECT_EQ(Parse(Cat({Record(22, Cat({Message(2, body), ticket})), ccs})),
            FlightVerdict::kAbbreviatedHandshake);
  // A NewSessionTicket in a full handshake, or anything after one, is not.
  const std::vector<uint8_t> cert = Message(11, {0, 0, 5, 0, 0, 2, 0x30, 0x00});
  EXPECT_EQ(Parse(Record(22, Cat({Message(2, body), cert, ticket}))),
            FlightVerdict::kUnexpectedMessage);
  EXPECT_EQ(Parse(Record(22, Cat({Message(2, body), ticket, Message(14, {})}))),
            FlightVerdict::kUnexpectedMessage);
  // A ChangeCipherSpec after the Certificate is no resumption.
  EXPECT_EQ(Parse(Cat({Record(22, Cat({Message(2, body), cert})), ccs})),
            FlightVerdict::kUnexpectedRecord);
}

TEST(ServerFlightTest, Tls13PreSharedKeySelected) {
  // supported_versions 0x0304, key_share x25519, pre_shared_key identity 0.
  std::vector<uint8_t> ext = {0, 43, 0, 2, 3, 4, 0, 51, 0, 36, 0, 29, 0, 32};
  ext.insert(ext.end(), 32, 0x55);
  ext.insert(ext.end(), {0, 41, 0, 2, 0, 0});
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(Record(22, Message(2, ServerHelloBody(0x1301, ext)))),
            FlightVerdict::kTls13ServerHello);
  EXPECT_TRUE(parser.flight().server_hello.pre_shared_key);
}

std::vector<uint8_t> Sslv2ServerHello() {
  std::vector<uint8_t> m = {4, 0, 1, 0, 2, 0, 3, 0, 6, 0, 16,  // lengths
                            0x30, 0x01, 0x00,                  // certificate
                            0x01, 0x00, 0x80, 0x07, 0x00, 0xC0};  // specs
  m.insert(m.end(), 16, 0xC1);  // connection id
  std::vector<uint8_t> r = {static_cast<uint8_t>(0x80 | (m.size() >> 8)),
                            static_cast<uint8_t>(m.size())};
  r.insert(r.end(), m.begin(), m.end());
  return r;
}

TEST(ServerFlightTest, Sslv2ServerHello) {
  const std::vector<uint8_t> hello = Sslv2ServerHello();
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed(hello), FlightVerdict::kSslv2ServerHello);
  const ServerFlight& f = parser.flight();
  EXPECT_EQ(f.sslv2.version, 2);
  EXPECT_EQ(f.sslv2.certificate_type, 1);
  EXPECT_FALSE(f.sslv2.session_id_hit);
  EXPECT_THAT(f.sslv2.cipher_specs,
              ElementsAreArray({0x01, 0x00, 0x80, 0x07, 0x00, 0xC0}));
  ASSERT_EQ(f.certificate_count, 1u);
  EXPECT_THAT(f.certificates()[0], ElementsAreArray({0x30, 0x01, 0x00}));
  EXPECT_FALSE(IsFlightError(parser.verdict()));
  EXPECT_EQ(ParseByteByByte(hello), ParseWhole(hello));
  for (size_t len = 0; len < hello.size(); ++len) {
    parser.Reset();
    parser.Feed(std::span<const uint8_t>(hello).first(len));
    ASSERT_EQ(parser.Finish(), FlightVerdict::kTruncated) << len;
  }
}

TEST(ServerFlightTest, Sslv2ErrorsAndMalformedRecords) {
  ServerFlightParser parser;
  ASSERT_EQ(parser.Feed({{0x80, 0x03, 0x00, 0x00, 0x01}}),
            FlightVerdict::kSslv2Error);
  EXPECT_EQ(parser.flight().sslv2.error_code, 1);
  EXPECT_EQ(Parse({0x80, 0x02, 0x00, 0x00, 0x01}),
            FlightVerdict::kMalformedSslv2);
  std::vector<uint8_t> bad = Sslv2ServerHello();
  bad[10] = 5;  // cipher specs length not a multiple of 3
  EXPECT_EQ(Parse(bad), FlightVerdict::kMalformedSslv2);
  bad = Sslv2ServerHello();
  bad[2] = 2;  // CLIENT-MASTER-KEY from a server
  EXPECT_EQ(Parse(bad), FlightVerdict::kMalformedSslv2);
}

TEST(ServerFlightTest, DowngradeSentinel) {
  std::vector<uint8_t> body = ServerHelloBody(0xC02F, {});
  const uint8_t sentinel[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};
  std::copy(sentinel, sentinel + 8, body.begin() + 2 + 24);
  ServerFlightParser parser;
  parser.Feed(Record(22, Message(2, body)));
  EXPECT_TRUE(parser.flight().server_hello.downgrade_sentinel_tls12);
  EXPECT_FALSE(parser.flight().server_hello.downgrade_sentinel_tls11);
}

TEST(ServerFlightTest, AlertSplitOverRecords) {
  ServerFlightParser parser;
  EXPECT_EQ(parser.Feed(Record(21, {2})), FlightVerdict::kIncomplete);
  EXPECT_EQ(parser.Feed(Record(21, {70})), FlightVerdict::kAlert);
  EXPECT_EQ(parser.flight().alert_description, 70);
  EXPECT_EQ(FlightVerdictName(parser.verdict()), "alert");
  EXPECT_FALSE(IsFlightError(parser.verdict()));
  EXPECT_TRUE(IsFlightError(FlightVerdict::kTruncated));
}


TEST(ServerFlightTest, BytesConsumedEndsAtTheDecidingByte) {
  // TLS 1.3: ServerHello, then the encrypted rest, never read.
  tls_peer::TestServer server({});
  ClientHelloProfile p = Tls12Profile({0x1301});
  p.supported_versions = {kTls13Version};
  p.key_shares = {kGroupX25519};
  const std::vector<uint8_t> tls13 = server.Respond(Hello(p));
  const size_t server_hello_record = 5 + ((size_t{tls13[3]} << 8) | tls13[4]);
  ASSERT_LT(server_hello_record, tls13.size());
  EXPECT_THAT(ExpectSameInEverySplit(tls13),
              ::testing::AllOf(::testing::StartsWith("tls13-server-hello"),
                               ::testing::EndsWith(" consumed=" +
                                                   std::to_string(server_hello_record))));
  // ServerHello and ServerHelloDone in one record with another message
  // after them: decided at ServerHelloDone's last byte.
  const std::vector<uint8_t> sh = Message(2, ServerHelloBody(0x002F, {}));
  EXPECT_THAT(ExpectSameInEverySplit(
                  Record(22, Cat({sh, Message(14, {}), Message(14, {})}))),
              ::testing::AllOf(::testing::StartsWith("server-hello-done"),
                               ::testing::EndsWith(" consumed=" +
                                                   std::to_string(5 + sh.size() + 4))));
  // An alert record longer than its alert: decided at the alert's 2nd byte.
  EXPECT_THAT(ExpectSameInEverySplit(Record(21, {2, 40, 2, 70})),
              ::testing::AllOf(::testing::StartsWith("alert"),
                               ::testing::EndsWith("alert=40 consumed=7")));
  // A record header decides on its fifth byte.
  EXPECT_THAT(ExpectSameInEverySplit({'2', '2', '0', ' ', 'm', 'x', '\r', '\n'}),
              ::testing::AllOf(::testing::StartsWith("not-tls"),
                               ::testing::EndsWith(" consumed=5")));
  const FlightLimits small{.max_flight_bytes = 4096};
  // A malformed message early in a record longer than the flight may be:
  // the message decides, in every split (read whole, the record used to
  // end in flight-too-large, read a byte at a time in malformed-handshake).
  EXPECT_THAT(
      ExpectSameInEverySplit(
          Record(22, Cat({sh, Message(14, {1}), std::vector<uint8_t>(5000, 0)})), small),
      ::testing::AllOf(::testing::StartsWith("malformed-handshake"),
                       ::testing::EndsWith(" consumed=" +
                                           std::to_string(5 + sh.size() + 5))));
  // A message header announcing more than fits decides on its 4th byte.
  EXPECT_THAT(
      ExpectSameInEverySplit(
          Record(22, Cat({sh, Message(13, std::vector<uint8_t>(5000, 0))})), small),
      ::testing::AllOf(::testing::StartsWith("flight-too-large"),
                       ::testing::EndsWith(" consumed=" +
                                           std::to_string(5 + sh.size() + 4))));
  // Well-formed messages (empty HelloRequests) past the limit: the first
  // byte that does not fit decides.
  std::vector<uint8_t> requests = Record(22, sh);
  for (int i = 0; i < 3; ++i) {
    requests = Cat({requests, Record(22, std::vector<uint8_t>(2000, 0))});
  }
  // After ServerHello, 4096 - |ServerHello| handshake bytes fit: more than
  // two records' 4000, so the first one over is in the third's.
  const size_t fits = 4096 - sh.size();
  ASSERT_GT(fits, 4000u);
  const size_t first_over = 5 + sh.size() + 3 * 5 + fits + 1;
  EXPECT_THAT(ExpectSameInEverySplit(requests, small),
              ::testing::AllOf(::testing::StartsWith("flight-too-large"),
                               ::testing::EndsWith(" consumed=" +
                                                   std::to_string(first_over))));
}

}  // namespace
}  // namespace tlsweep
