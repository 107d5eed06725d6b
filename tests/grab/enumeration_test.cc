// Enumerator (grab/enumeration.h) against model servers: each offer is
// answered as a TLS server picks (the highest version it has up to the
// client's, then a suite by its own or the client's order), so the tests
// check the result against what the model was given, and count connections.
#include "grab/enumeration.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "tls/tls_registry.h"

namespace tlsweep {
namespace {

constexpr int kHandshakeFailure = 40;
constexpr int kProtocolVersion = 70;

struct ModelServer {
  bool server_order = true;
  // Answer a lower version instead of an alert when the offer's is not had.
  bool downgrade = true;
  std::map<uint16_t, std::vector<uint16_t>> suites;  // version -> suites, server's order

  RawProbeChoice Answer(const ClientHelloProfile& offer) const {
    RawProbeChoice c{.status = GrabStatus::kTlsError, .hello_sent = true, .server_hello = false,
                     .version = 0, .suite = 0, .alert = -1, .error = {}};
    const uint16_t offered = offer.supported_versions.empty()
                                 ? offer.client_version
                                 : offer.supported_versions.front();
    std::optional<uint16_t> version;
    for (const auto& [v, list] : suites) {
      if (v <= offered && (offered == kTls13Version) == (v == kTls13Version)) version = v;
    }
    if (!version || (*version != offered && !downgrade)) {
      c.alert = kProtocolVersion;
      return c;
    }
    const std::vector<uint16_t>& mine = suites.at(*version);
    std::optional<uint16_t> pick;
    if (server_order) {
      for (uint16_t s : mine) {
        if (std::count(offer.cipher_suites.begin(), offer.cipher_suites.end(), s)) {
          pick = s;
          break;
        }
      }
    } else {
      for (uint16_t s : offer.cipher_suites) {
        if (std::count(mine.begin(), mine.end(), s)) {
          pick = s;
          break;
        }
      }
    }
    if (!pick) {
      c.alert = kHandshakeFailure;
      return c;
    }
    return {.status = GrabStatus::kSuccess, .hello_sent = true, .server_hello = true,
            .version = *version, .suite = *pick, .alert = -1, .error = {}};
  }
};

struct EnumerationRun {
  EnumerationResult result;
  std::vector<ClientHelloProfile> offers;
};

EnumerationRun Enumerate(const ModelServer& server, EnumerationOptions options = {}) {
  options.enabled = true;
  Enumerator e(options);
  EnumerationRun run;
  uint64_t now = 1000;
  while (const ClientHelloProfile* offer = e.Pending()) {
    EXPECT_LE(offer->cipher_suites.size(), kEnumerationBatch);
    e.Started(now);
    run.offers.push_back(*offer);
    now += 10;
    e.OnChoice(server.Answer(*offer), now);
    if (run.offers.size() > 10000) break;  // a loop that never ends fails below
  }
  EXPECT_TRUE(e.done());
  run.result = e.Result();
  return run;
}

const EnumeratedVersion* Find(const EnumerationResult& r, uint16_t version) {
  for (const EnumeratedVersion& v : r.versions) {
    if (v.version == version) return &v;
  }
  return nullptr;
}

TEST(EnumerationTest, Rc4OnlyTls10ServerCostsEightConnections) {
  // The lab's "rc4" GnuTLS server: TLS 1.0, TLS_RSA_WITH_RC4_128_SHA.
  const EnumerationRun run = Enumerate({.server_order = true, .downgrade = true, .suites = {{kTls10Version, {0x0005}}}});
  const EnumerationResult& r = run.result;
  EXPECT_FALSE(r.truncated);
  ASSERT_EQ(r.versions.size(), 5u);
  for (const EnumeratedVersion& v : r.versions) {
    EXPECT_EQ(v.accepted, v.version == kTls10Version) << v.version;
    EXPECT_TRUE(v.complete);
    EXPECT_FALSE(v.server_order.has_value());
  }
  EXPECT_EQ(Find(r, kTls10Version)->suites, std::vector<uint16_t>{0x0005});
  // TLS 1.3, 1.2, 1.1 and SSLv3 one each (a lower version, or
  // protocol_version); TLS 1.0: the suite, then each of 3 batches refused.
  EXPECT_EQ(r.connections, 8u);
  EXPECT_EQ(run.offers.size(), 8u);
  EXPECT_EQ(r.milliseconds, 80u);
}

TEST(EnumerationTest, ServerOrderAcrossBatchesIsRead) {
  // RC4 first, then suites from the second and third batches (ids above the
  // 128th registered one), as the lab's "mix" server orders RC4 first.
  const std::vector<uint16_t> order = {0x0005, 0xC030, 0x009C, 0x000A, 0xCCA8, 0x002F};
  const EnumerationRun run = Enumerate({.server_order = true, .downgrade = true, .suites = {{kTls12Version, order}}});
  const EnumeratedVersion* v12 = Find(run.result, kTls12Version);
  ASSERT_NE(v12, nullptr);
  EXPECT_TRUE(v12->accepted);
  EXPECT_EQ(v12->suites, order);
  EXPECT_EQ(v12->server_order, std::optional<bool>(true));
  EXPECT_FALSE(Find(run.result, kTls11Version)->accepted);
  // Discovery 6 + 3 refusals, order 2, sort 5; 1 each for 1.3, 1.1, 1.0, SSLv3.
  EXPECT_EQ(run.result.connections, 6u + 3 + 2 + 5 + 4);
}

TEST(EnumerationTest, ClientOrderIsSeenAndNotSorted) {
  const std::vector<uint16_t> mine = {0xC030, 0x0005, 0x002F};
  const EnumerationRun run = Enumerate({.server_order = false, .downgrade = true, .suites = {{kTls12Version, mine}}});
  const EnumeratedVersion* v12 = Find(run.result, kTls12Version);
  ASSERT_NE(v12, nullptr);
  EXPECT_EQ(v12->server_order, std::optional<bool>(false));
  // Found in the offer's (IANA id) order.
  EXPECT_EQ(v12->suites, (std::vector<uint16_t>{0x0005, 0x002F, 0xC030}));
  EXPECT_EQ(run.result.connections, 3u + 3 + 2 + 4);
}

TEST(EnumerationTest, EveryVersionAndTls13) {
  const ModelServer server{.server_order = true, .downgrade = true, .suites = {{kSsl3Version, {0x000A}},
                                      {kTls10Version, {0x002F, 0x000A}},
                                      {kTls11Version, {0x002F}},
                                      {kTls12Version, {0xC02F, 0x002F}},
                                      {kTls13Version, {0x1302, 0x1301}}}};
  const EnumerationRun run = Enumerate(server);
  ASSERT_EQ(run.result.versions.size(), 5u);
  for (const EnumeratedVersion& v : run.result.versions) {
    EXPECT_TRUE(v.accepted) << v.version;
    EXPECT_EQ(v.suites, server.suites.at(v.version)) << v.version;
  }
  EXPECT_EQ(Find(run.result, kTls13Version)->server_order, std::optional<bool>(true));
  // TLS 1.3 offers only TLS 1.3 suites, with supported_versions; SSLv3 has
  // no extensions.
  EXPECT_EQ(run.offers.front().supported_versions, std::vector<uint16_t>{kTls13Version});
  for (uint16_t s : run.offers.front().cipher_suites) {
    EXPECT_EQ(FindCipherSuite(s)->key_exchange, KeyExchange::kAny);
  }
  const ClientHelloProfile& ssl3 = run.offers.back();
  EXPECT_EQ(ssl3.client_version, kSsl3Version);
  EXPECT_TRUE(ssl3.groups.empty());
  EXPECT_FALSE(ssl3.server_name);
}

TEST(EnumerationTest, EveryRegisteredSuiteIsOfferedOncePerVersion) {
  // A server that refuses everything still sees the whole registry.
  const EnumerationRun run = Enumerate({.server_order = true, .downgrade = false, .suites = {{kTls12Version, {}}}});
  std::set<uint16_t> offered12;
  for (const ClientHelloProfile& o : run.offers) {
    if (o.client_version == kTls12Version && o.supported_versions.empty()) {
      offered12.insert(o.cipher_suites.begin(), o.cipher_suites.end());
    }
  }
  size_t expected = 0;
  for (uint16_t id : SelectableCipherSuiteIds()) {
    if (FindCipherSuite(id)->key_exchange != KeyExchange::kAny) {
      ++expected;
      EXPECT_TRUE(offered12.count(id)) << id;
    }
  }
  EXPECT_EQ(offered12.size(), expected);
  EXPECT_FALSE(Find(run.result, kTls12Version)->accepted);
}

TEST(EnumerationTest, BudgetTruncates) {
  std::vector<uint16_t> many;
  for (uint16_t id : SelectableCipherSuiteIds()) {
    if (FindCipherSuite(id)->key_exchange != KeyExchange::kAny) many.push_back(id);
  }
  const EnumerationRun run = Enumerate({.server_order = true, .downgrade = true, .suites = {{kTls12Version, many}}},
                                     {.enabled = true, .budget = 20, .interval_ms = 0, .tls13 = true});
  EXPECT_TRUE(run.result.truncated);
  EXPECT_EQ(run.result.stopped, "budget");
  EXPECT_EQ(run.result.connections, 20u);
  const EnumeratedVersion* v12 = Find(run.result, kTls12Version);
  ASSERT_NE(v12, nullptr);
  EXPECT_FALSE(v12->complete);
  EXPECT_EQ(v12->suites.size(), 19u);  // one connection went to TLS 1.3
  EXPECT_EQ(Find(run.result, kTls11Version), nullptr);  // never reached
}

TEST(EnumerationTest, ProbeErrorStops) {
  Enumerator e({.enabled = true, .budget = 200, .interval_ms = 0, .tls13 = true});
  ASSERT_NE(e.Pending(), nullptr);
  e.Started(5);
  e.OnChoice({.status = GrabStatus::kIoTimeout, .hello_sent = true, .server_hello = false,
              .version = 0, .suite = 0, .alert = -1, .error = "server flight: timed out"},
             7);
  EXPECT_TRUE(e.done());
  EXPECT_EQ(e.Pending(), nullptr);
  const EnumerationResult r = e.Result();
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.stopped, "probe-error");
  EXPECT_EQ(r.error, "io-timeout: server flight: timed out");
  EXPECT_EQ(r.connections, 1u);
  EXPECT_EQ(r.milliseconds, 2u);
}

TEST(EnumerationTest, StopRecordsAborted) {
  Enumerator e({.enabled = true, .budget = 200, .interval_ms = 0, .tls13 = true});
  ASSERT_NE(e.Pending(), nullptr);
  e.Stop("aborted");
  EXPECT_TRUE(e.Result().truncated);
  EXPECT_EQ(e.Result().stopped, "aborted");
  EXPECT_EQ(e.Result().connections, 0u);
}

TEST(EnumerationTest, OffersBuildClientHellos) {
  // Every version's offer with a full batch fits one ClientHello record.
  for (uint16_t version : {kSsl3Version, kTls10Version, kTls12Version, kTls13Version}) {
    std::vector<uint16_t> batch(SelectableCipherSuiteIds().begin(),
                                SelectableCipherSuiteIds().begin() + kEnumerationBatch);
    const ClientHelloProfile p = EnumerationOffer(version, batch);
    std::array<uint8_t, 32> random{}, x25519{};
    std::vector<uint8_t> out(kMaxClientHelloRecord);
    EXPECT_TRUE(BuildClientHello(p, {.server_name = "mail.example", .random = random,
                                     .session_id = {}, .x25519_share = x25519},
                                 out)
                    .has_value())
        << version;
  }
}

}  // namespace
}  // namespace tlsweep
