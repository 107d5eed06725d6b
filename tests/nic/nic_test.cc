// The DPDK layer on net_ring, which loops each TX queue back to the RX queue
// of the same index: no NIC, no hugepages, no lab. Every probe a sender
// transmits comes back to the receive path, where it must be parsed and
// rejected as "not for us" (it is addressed to the target), so the counters
// prove that both halves moved every frame.
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "nic/dpdk_scanner.h"
#include "nic/grab_pool.h"
#include "nic/eal.h"
#include "nic/port.h"
#include "nlohmann/json.hpp"
#include "packet/headers.h"
#include "packet/probe.h"
#include "scan/scan_config.h"
#include "testing/frames.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

// One EAL and one net_ring port (two queue pairs) for the whole program:
// the EAL starts once per process.
Port* g_port = nullptr;

class EalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto args = ReadEalConfigFile(TLSWEEP_RING_CONF);
    ASSERT_TRUE(args.ok()) << args.status();
    const absl::Status s = StartEal(*args);
    ASSERT_TRUE(s.ok()) << s;
    auto port = Port::Open(0, 2);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *std::move(port);
    g_port = port_.get();
  }
  void TearDown() override {
    port_.reset();
    StopEal();
  }

 private:
  std::unique_ptr<Port> port_;
};

const ::testing::Environment* const kEal =
    ::testing::AddGlobalTestEnvironment(new EalEnvironment);

std::unique_ptr<ScanPlan> Plan() {
  ScanConfig c;
  c.targets.target_args = {"198.51.100.0/26"};
  c.targets.no_blocklist = true;
  c.ports = {25, 993};
  c.seed = 3;
  c.rate = RateSpec::Unlimited();
  c.sources = SourceRange{*Ipv4Address::Parse("192.0.2.1"), 1};
  auto plan = ScanPlan::Create(c, SipKey{5, 6});
  EXPECT_TRUE(plan.ok()) << plan.status();
  return *std::move(plan);
}

// A directory of one test's own under ::testing::TempDir() (mkdtemp),
// removed with its files at the end: two runs of nic_test at once (a CI run
// and a helper's) must not write or read each other's files.
class TestDir {
 public:
  TestDir() {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "nic_test.XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    EXPECT_FALSE(path_.empty()) << "mkdtemp " << pattern << ": " << std::strerror(errno);
  }
  ~TestDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  std::string File(std::string_view name) const {
    return (std::filesystem::path(path_) / name).string();
  }

 private:
  std::string path_;
};

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(EalConfigTest, ReadsTokensAndSkipsComments) {
  const TestDir dir;
  const std::string path = dir.File("eal.conf");
  std::ofstream(path) << "# comment\n--no-huge -m 64  # trailing\n\n--vdev=net_null0\n";
  auto args = ReadEalConfigFile(path);
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(*args, (std::vector<std::string>{"--no-huge", "-m", "64", "--vdev=net_null0"}));
  std::ofstream(path) << "# nothing\n";
  EXPECT_FALSE(ReadEalConfigFile(path).ok());
  const auto missing = ReadEalConfigFile("/nonexistent/eal.conf");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/eal.conf"), std::string::npos);
}

TEST(PortTest, OpensRingPort) {
  ASSERT_NE(g_port, nullptr);
  EXPECT_EQ(g_port->driver(), "net_ring");
  EXPECT_EQ(g_port->queues(), 2);
  EXPECT_TRUE(g_port->LinkUp());
}

TEST(PortTest, MissingPortIsNamed) {
  auto port = Port::Open(7, 2);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("port 7"), std::string::npos);
}

// Taken raw (rte_mempool_get_bulk, as the senders do), every mbuf is a
// ready-made probe, also after a round through rte_pktmbuf_free.
TEST(PortTest, TemplatePoolHoldsReadyMadeProbes) {
  ASSERT_NE(g_port, nullptr);
  const uint8_t frame[60] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto pool = g_port->CreateTemplatePool(1023, frame);
  ASSERT_TRUE(pool.ok()) << pool.status();
  for (int round = 0; round < 3; ++round) {
    rte_mbuf* m[32];
    ASSERT_EQ(rte_mempool_get_bulk(*pool, reinterpret_cast<void**>(m), 32), 0);
    for (rte_mbuf* mbuf : m) {
      EXPECT_EQ(std::memcmp(rte_pktmbuf_mtod(mbuf, uint8_t*), frame, sizeof(frame)), 0);
      EXPECT_EQ(mbuf->data_len, sizeof(frame));
      EXPECT_EQ(mbuf->pkt_len, sizeof(frame));
      EXPECT_EQ(mbuf->nb_segs, 1);
      EXPECT_EQ(mbuf->next, nullptr);
      EXPECT_EQ(rte_mbuf_refcnt_read(mbuf), 1);
    }
    rte_pktmbuf_free_bulk(m, 32);
  }
}

TEST(DpdkScannerTest, EveryProbeIsSentAndComesBackThroughTheReceiver) {
  const auto plan = Plan();
  ASSERT_NE(g_port, nullptr);
  const TestDir dir;
  DpdkScanOptions options;
  options.gateway_mac = *MacAddress::Parse("02:00:00:00:00:02");
  options.cooldown_s = 0.2;
  options.quiet = true;
  options.output_file = dir.File("out.txt");
  options.metadata_file = dir.File("meta.json");
  const absl::Status s = RunDpdkScan(*plan, *g_port, options, StopToken());
  ASSERT_TRUE(s.ok()) << s;
  const nlohmann::json meta = ReadJson(options.metadata_file);
  const uint64_t targets = 64 * 2;
  EXPECT_EQ(meta["counters"]["sent"], targets);
  EXPECT_EQ(meta["counters"]["tx_failed"], 0);
  EXPECT_EQ(meta["counters"]["frames_received"], targets);
  EXPECT_EQ(meta["counters"]["validate_drops"]["not_for_us"], targets);
  EXPECT_EQ(meta["counters"]["synack"], 0);
  EXPECT_EQ(meta["complete"], true);
  EXPECT_EQ(meta["dpdk"]["driver"], "net_ring");
  EXPECT_EQ(meta["targets"], targets);
}

TEST(DpdkScannerTest, SilentGatewayIsAnError) {
  const auto plan = Plan();
  ASSERT_NE(g_port, nullptr);
  DpdkScanOptions options;
  options.gateway_ip = *Ipv4Address::Parse("192.0.2.254");
  options.arp_timeout_s = 0.3;
  options.quiet = true;
  options.output_file = "/dev/null";
  const absl::Status s = RunDpdkScan(*plan, *g_port, options, StopToken());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("192.0.2.254 did not answer ARP"), std::string::npos) << s;
}

TEST(DpdkScannerTest, TooManySendersForTheLcores) {
  ScanConfig c = Plan()->config();
  c.sender_threads = 4;
  auto plan = ScanPlan::Create(c, SipKey{5, 6});
  ASSERT_TRUE(plan.ok());
  ASSERT_NE(g_port, nullptr);
  DpdkScanOptions options;
  options.gateway_mac = *MacAddress::Parse("02:00:00:00:00:02");
  const absl::Status s = RunDpdkScan(**plan, *g_port, options, StopToken());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("-T 4 needs 5 lcores"), std::string::npos) << s;
}

// `tlsweep run` on net_ring: the probes come back "not for us", so no port
// is open, the pool gets nothing, and the run ends after the cooldown with
// the pool's metadata.
TEST(DpdkScannerTest, RunWithNothingOpenEndsAfterTheCooldown) {
  const auto plan = Plan();
  ASSERT_NE(g_port, nullptr);
  auto tls = TlsContext::Create(TlsProfile::kModern, "");
  ASSERT_TRUE(tls.ok()) << tls.status();
  const TestDir dir;
  DpdkScanOptions options;
  options.gateway_mac = *MacAddress::Parse("02:00:00:00:00:02");
  options.cooldown_s = 0.2;
  options.quiet = true;
  options.output_file = dir.File("out.jsonl");
  options.metadata_file = dir.File("meta.json");
  options.grab = GrabPoolOptions{};
  options.tls = tls->get();
  // The plan's source ports are ZMap's 32768-61000: the grab's must not
  // overlap them.
  const absl::Status overlap = RunDpdkScan(*plan, *g_port, options, StopToken());
  EXPECT_NE(overlap.message().find("overlap the grab's 49152-65535"), std::string::npos) << overlap;
  options.grab->port_first = 62000;
  const absl::Status s = RunDpdkScan(*plan, *g_port, options, StopToken());
  ASSERT_TRUE(s.ok()) << s;
  const nlohmann::json meta = ReadJson(options.metadata_file);
  EXPECT_EQ(meta["mode"], "run");
  EXPECT_EQ(meta["counters"]["sent"], 64 * 2);
  EXPECT_EQ(meta["grab"]["offered"], 0);
  EXPECT_EQ(meta["grab"]["finished"], 0);
  EXPECT_EQ(meta["grab"]["workers"].size(), 1u);
}

class GrabPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(g_port, nullptr);
    auto tls = TlsContext::Create(TlsProfile::kModern, "");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
    options_.port_first = 50000;
    options_.port_last = 50999;
    options_.queue_limit = 64;  // a ring of 64 slots holds 63
  }

  std::unique_ptr<GrabPool> Make() {
    auto pool = GrabPool::Create(*g_port, options_, *tls_, kSource,
                                 *MacAddress::Parse("02:00:00:00:00:01"),
                                 *MacAddress::Parse("02:00:00:00:00:02"), 1, stop_);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  const Ipv4Address kSource = *Ipv4Address::Parse("192.0.2.1");
  std::unique_ptr<TlsContext> tls_;
  GrabPoolOptions options_;
  StopToken stop_;
};

TEST_F(GrabPoolTest, ClaimsOnlyTcpToTheSourceAndAGrabPort) {
  const auto pool = Make();
  ASSERT_NE(pool, nullptr);
  testing::TcpSpec t;
  t.daddr = kSource.value();
  t.dport = 50000;
  auto frame = testing::TcpFrame(t);
  EXPECT_TRUE(pool->Claims(frame.data(), static_cast<uint16_t>(frame.size())));
  t.dport = 50999;
  frame = testing::TcpFrame(t);
  EXPECT_TRUE(pool->Claims(frame.data(), static_cast<uint16_t>(frame.size())));
  t.dport = 40000;  // a scan source port: the cookie check's
  frame = testing::TcpFrame(t);
  EXPECT_FALSE(pool->Claims(frame.data(), static_cast<uint16_t>(frame.size())));
  t.dport = 50000;
  t.daddr = kSource.value() + 1;
  frame = testing::TcpFrame(t);
  EXPECT_FALSE(pool->Claims(frame.data(), static_cast<uint16_t>(frame.size())));
  testing::TcpSpec probe;  // our probe, quoted; the ICMP comes back to its source
  probe.saddr = kSource.value();
  probe.sport = 50000;
  frame = testing::IcmpUnreachableFrame(0x0a000001, probe);
  EXPECT_FALSE(pool->Claims(frame.data(), static_cast<uint16_t>(frame.size())));
  EXPECT_FALSE(pool->Claims(frame.data(), 20));  // truncated
}

// --grab-overflow drop: the scan never waits for the pool; past the queue's
// bound an open port is written at once as not grabbed, with the scan's
// answer.
TEST_F(GrabPoolTest, FullQueueRecordsTheHostAsNotGrabbedWhenDropping) {
  options_.drop_when_full = true;
  const auto pool = Make();
  ASSERT_NE(pool, nullptr);
  std::vector<nlohmann::json> written;
  // Each record comes with the open port it is about (the checkpoint's
  // pending list goes by it).
  const GrabRecordWriter write = [&](const AnswerKey& key, std::string_view line) {
    written.push_back(nlohmann::json::parse(line));
    EXPECT_EQ(written.back()["ip"], key.target.ToString());
    EXPECT_EQ(written.back()["port"], key.port);
  };
  for (uint32_t i = 0; i < 70; ++i) {
    ScanResult r;
    r.response.target = Ipv4Address(0xc6336400 + i);  // 198.51.100.i
    r.response.port = 25;
    r.response.success = true;
    pool->Offer(r, write);
  }
  ASSERT_EQ(written.size(), 7u);
  EXPECT_EQ(written[0]["not_grabbed"], "queue-full");
  EXPECT_EQ(written[0]["port"], 25);
  EXPECT_EQ(written[0]["scan"]["classification"], "synack");
  const GrabPoolCounters c = pool->Counters();
  EXPECT_EQ(c.offered, 70u);
  EXPECT_EQ(c.not_grabbed, 7u);
  EXPECT_FALSE(pool->Backlogged());  // dropping never pauses the scan
}

// The default: past the queue's bound the port waits on the control lcore
// (no record, no loss), and from half the queue's room on the pool asks
// the senders to pause.
TEST_F(GrabPoolTest, FullQueueHoldsTheHostAndPausesTheScan) {
  const auto pool = Make();
  ASSERT_NE(pool, nullptr);
  std::vector<std::string> written;
  const GrabRecordWriter write = [&](const AnswerKey&, std::string_view line) {
    written.emplace_back(line);
  };
  ScanResult r;
  r.response.port = 25;
  r.response.success = true;
  for (uint32_t i = 0; i < 70; ++i) {
    r.response.target = Ipv4Address(0xc6336400 + i);  // 198.51.100.i
    pool->Offer(r, write);
    // The queue holds 64 (its ring's size); the pause starts at 32.
    EXPECT_EQ(pool->Backlogged(), i + 1 >= 32) << i;
  }
  EXPECT_TRUE(written.empty());
  const GrabPoolSummary s = pool->Summary();
  EXPECT_EQ(s.offered, 70u);
  EXPECT_EQ(s.not_grabbed, 0u);
  EXPECT_EQ(s.queue_full, 0u);
  EXPECT_EQ(s.peak_waiting, 70u);
  EXPECT_EQ(s.scan_pauses, 1u);
  EXPECT_EQ(s.overflow, "pause");
}

// A grab lcore of its own (--grab-lcores 1) under a flood of segments that
// never lets its segment ring run empty (a peer that ignores our window,
// here segments for no connection of ours, each answered with a reset): the
// worker still polls between bounded steps, so a grab's deadline holds and
// its record leaves. A step that drained the ring until it was empty never
// polled while the flood lasted: no record (section 12.hostile13b of
// bench/RESULTS.md).
TEST_F(GrabPoolTest, FloodOfSegmentsCannotHoldAGrabPastItsDeadline) {
  options_.lcores = 1;
  options_.grab.timeouts.connect_ms = 100;  // the target never answers
  const auto pool = Make();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Launch(0).ok());
  std::vector<nlohmann::json> written;
  const GrabRecordWriter write = [&](const AnswerKey&, std::string_view line) {
    written.push_back(nlohmann::json::parse(line));
  };
  ScanResult r;
  r.response.target = *Ipv4Address::Parse("198.51.100.9");
  r.response.port = 25;
  r.response.success = true;
  pool->Offer(r, write);
  testing::TcpSpec t;  // data from a host we never connected to
  t.saddr = 0xcb007107;  // 203.0.113.7
  t.daddr = kSource.value();
  t.dport = 50500;
  t.flags = kTcpAck | kTcpPsh;
  t.payload.assign(1024, 'x');
  const std::vector<uint8_t> frame = testing::TcpFrame(t);
  // One mbuf, dispatched again and again (a reference each time, which the
  // worker drops): the flood costs the test a few nanoseconds per segment,
  // far less than the worker's parse, look-up and reset, so the ring stays
  // full while the test thread runs.
  rte_mbuf* m = rte_pktmbuf_alloc(g_port->pool());
  ASSERT_NE(m, nullptr);
  std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size())), frame.data(),
              frame.size());
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::steady_clock::now() - start; };
  uint64_t flooded = 0;
  while (written.empty() && elapsed() < std::chrono::seconds(5)) {
    for (int i = 0; i < 256; ++i) {
      rte_mbuf_refcnt_update(m, 1);
      pool->Dispatch(m);
    }
    flooded += 256;
    pool->Poll(write);
  }
  rte_pktmbuf_free(m);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed()).count();
  ASSERT_EQ(written.size(), 1u) << "no record " << took << " ms after a 100 ms deadline, "
                                << flooded << " segments in";
  EXPECT_EQ(written[0]["data"]["smtp"]["status"], "connection-timeout");
  // The deadline, the sweep's 10 ms and a step's bound, with room for a
  // loaded machine. A worker that drained its ring before polling
  // recorded the grab only when the flood paused: under chrt -f 1 (no
  // other thread takes the CPUs) at about 990 ms, when the kernel's RT
  // throttling (950 ms of every second) stopped the test thread.
  EXPECT_LT(took, 700) << flooded << " segments in";
  pool->Finish();
  while (!pool->Done()) pool->Poll(write);
  pool->Join();
  // Our SYNs and resets looped back to queue 1 by net_ring.
  rte_mbuf* back[32];
  uint16_t n;
  while ((n = rte_eth_rx_burst(g_port->id(), 1, back, 32)) > 0) rte_pktmbuf_free_bulk(back, n);
  EXPECT_GT(pool->Summary().workers.at(0).tcp.rst_sent, 0u) << "the flood reached the stack";
}

}  // namespace
}  // namespace tlsweep
