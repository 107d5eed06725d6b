// GrabScheduler's limits: concurrency, connect rate, grabs per address and
// the per-host table they need, ports without a module, server names, and
// the counts by status.
#include "grab/scheduler.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "output/record_json.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

constexpr uint32_t kServerIp = 0x0a4d000a;  // 10.77.0.10

GrabTarget Target(uint32_t ip, uint16_t port) { return {Ipv4Address(ip), port, ""}; }

class GrabSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = TlsContext::Create(TlsProfile::kModern, "");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
  }
  std::unique_ptr<TlsContext> tls_;
  GrabOptions options_;
};

TEST_F(GrabSchedulerTest, PerHostLimitDefersAHostsPortsNotOthers) {
  options_.per_host = 2;
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  for (uint16_t port : {25, 587, 465}) s.Push({Target(kServerIp, port), std::nullopt});
  s.Push({Target(kServerIp + 1, 25), std::nullopt});
  std::vector<GrabTarget> started;
  while (auto g = s.Next(0)) started.push_back(g->grab.target);
  // 10.77.0.10's third port waits; 10.77.0.11 goes ahead of it.
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(started[2], Target(kServerIp + 1, 25));
  EXPECT_EQ(s.in_flight(), 3u);
  EXPECT_EQ(s.queued(), 1u);
  s.Recorded(GrabStatus::kSuccess);
  s.Release(started[0]);
  auto next = s.Next(0);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->grab.target, Target(kServerIp, 465));
  EXPECT_EQ(s.stats().by_status[static_cast<size_t>(GrabStatus::kSuccess)], 1u);
}

TEST_F(GrabSchedulerTest, ConcurrencyRateAndPortsWithoutModule) {
  options_.concurrency = 2;
  options_.connect_rate = 20;  // one token per 50 ms, a bucket of one
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  s.Push({Target(kServerIp, 8080), std::nullopt});  // no module: dropped
  for (uint32_t i = 1; i <= 3; ++i) s.Push({Target(kServerIp + i, 25), std::nullopt});
  EXPECT_FALSE(s.Next(0).has_value());  // no token yet
  auto a = s.Next(50);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(s.stats().no_module, 1u);
  EXPECT_FALSE(s.Next(50).has_value());  // the rate
  ASSERT_TRUE(s.Next(100).has_value());
  EXPECT_FALSE(s.Next(1000).has_value());  // concurrency 2 reached
  s.Recorded(GrabStatus::kIoTimeout);
  EXPECT_FALSE(s.Next(1000).has_value()) << "a recorded grab holds its slot until released";
  s.Release(a->grab.target);
  EXPECT_TRUE(s.Next(1000).has_value());
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_FALSE(s.Pop().has_value());
}

TEST_F(GrabSchedulerTest, EnumerationConnectionsAreSpacedPerAddress) {
  options_.enumeration = {.enabled = true, .budget = 200, .interval_ms = 250, .tls13 = true};
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  for (uint16_t port : {25, 587}) s.Push({Target(kServerIp, port), std::nullopt});
  s.Push({Target(kServerIp + 1, 25), std::nullopt});
  std::vector<GrabTarget> started;
  while (auto g = s.Next(0)) started.push_back(g->grab.target);
  ASSERT_EQ(started.size(), 3u);
  // One address's ports share the spacing; another address has its own.
  EXPECT_TRUE(s.AcquireEnumerationConnection(Target(kServerIp, 25), 1000));
  EXPECT_FALSE(s.AcquireEnumerationConnection(Target(kServerIp, 587), 1000));
  EXPECT_FALSE(s.AcquireEnumerationConnection(Target(kServerIp, 25), 1249));
  EXPECT_TRUE(s.AcquireEnumerationConnection(Target(kServerIp + 1, 25), 1001));
  EXPECT_TRUE(s.AcquireEnumerationConnection(Target(kServerIp, 587), 1250));
  // The spacing lives as long as the address has grabs in flight.
  for (const GrabTarget& t : started) s.Release(t);
  EXPECT_EQ(s.hosts_in_flight(), 0u);
  s.Push({Target(kServerIp, 25), std::nullopt});
  ASSERT_TRUE(s.Next(1300).has_value());
  EXPECT_TRUE(s.AcquireEnumerationConnection(Target(kServerIp, 25), 1300));
}

// A target's server name (SNI, name check, the record's "domain"): its input
// line's, else its address's in --names, else --server-name, else none.
TEST_F(GrabSchedulerTest, ServerNameFromInputThenNamesThenDefault) {
  options_.names = {{kServerIp, "mail.lab.test"}, {kServerIp + 1, "xmpp.lab.test"}};
  options_.server_name = "default.lab.test";
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  s.Push({{Ipv4Address(kServerIp), 25, "mx.example"}, std::nullopt});
  s.Push({Target(kServerIp, 587), std::nullopt});
  s.Push({Target(kServerIp + 1, 5222), std::nullopt});
  s.Push({Target(kServerIp + 2, 25), std::nullopt});
  std::vector<std::string> domains;
  while (auto g = s.Next(0)) domains.push_back(GrabRecordJson(g->session->Result(), std::nullopt).value("domain", ""));
  EXPECT_EQ(domains, (std::vector<std::string>{"mx.example", "mail.lab.test", "xmpp.lab.test",
                                                "default.lab.test"}));
  options_.server_name.clear();
  GrabScheduler unnamed(*tls_, options_);
  unnamed.Start(0);
  unnamed.Push({Target(kServerIp + 2, 25), std::nullopt});
  auto g = unnamed.Next(0);
  ASSERT_TRUE(g.has_value());
  EXPECT_FALSE(GrabRecordJson(g->session->Result(), std::nullopt).contains("domain"));
}

// Only addresses with a grab in flight hold an entry of the per-host table:
// a target skipped for want of a module leaves none, a released grab's
// entry goes with it.
TEST_F(GrabSchedulerTest, PerHostTableHoldsOnlyAddressesInFlight) {
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  for (uint32_t i = 0; i < 100; ++i) s.Push({Target(kServerIp + i, 8080), std::nullopt});
  s.Push({Target(kServerIp, 25), std::nullopt});
  auto g = s.Next(0);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(s.stats().no_module, 100u);
  EXPECT_EQ(s.hosts_in_flight(), 1u);
  s.Recorded(GrabStatus::kSuccess);
  s.Release(g->grab.target);
  EXPECT_EQ(s.hosts_in_flight(), 0u);
  EXPECT_EQ(s.in_flight(), 0u);
  EXPECT_EQ(s.stats().finished, 1u);
}

}  // namespace
}  // namespace tlsweep
