// The Toeplitz hash against Microsoft's published RSS verification vectors
// (the "Verifying the RSS Hash Calculation" table of Microsoft's RSS
// documentation, also in DPDK's app/test/test_thash.c), and the symmetric
// key's property: both directions of a connection hash alike, so they meet
// on one analyzer lcore.
#include "passive/symmetric_rss.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "common/byte_order.h"
#include "gtest/gtest.h"
#include "passive/analyzer.h"
#include "testing/tcp_conversation.h"

namespace tlsweep {
namespace {

// Microsoft's default RSS key.
constexpr std::array<uint8_t, 40> kMicrosoftKey = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

struct Vector {
  std::array<uint8_t, 4> src, dst;
  uint16_t sport, dport;
  uint32_t ipv4_hash, tcp_hash;
};

// Microsoft's IPv4 vectors: source, destination, the hash over the two
// addresses, and over addresses and ports.
constexpr Vector kVectors[] = {
    {{66, 9, 149, 187}, {161, 142, 100, 80}, 2794, 1766, 0x323e8fc2, 0x51ccc178},
    {{199, 92, 111, 2}, {65, 69, 140, 83}, 14230, 4739, 0xd718262a, 0xc626b0ea},
    {{24, 19, 198, 95}, {12, 22, 207, 184}, 12898, 38024, 0xd2d0a5de, 0x5c2b394a},
    {{38, 27, 205, 30}, {209, 142, 163, 6}, 48228, 2217, 0x82989176, 0xafc7327f},
    {{153, 39, 163, 191}, {202, 188, 127, 2}, 44251, 1303, 0x5d1809c5, 0x10e828a2},
};

std::array<uint8_t, 12> Tuple(const Vector& v) {
  std::array<uint8_t, 12> t{};
  for (size_t i = 0; i < 4; ++i) {
    t[i] = v.src[i];
    t[4 + i] = v.dst[i];
  }
  StoreBe16(t.data() + 8, v.sport);
  StoreBe16(t.data() + 10, v.dport);
  return t;
}

TEST(ToeplitzHashTest, MicrosoftVerificationVectors) {
  for (const Vector& v : kVectors) {
    const std::array<uint8_t, 12> t = Tuple(v);
    EXPECT_EQ(ToeplitzHash(kMicrosoftKey, std::span<const uint8_t>(t.data(), 8)), v.ipv4_hash);
    EXPECT_EQ(ToeplitzHash(kMicrosoftKey, t), v.tcp_hash);
  }
}

TEST(ToeplitzHashTest, DefaultKeyIsNotSymmetric) {
  // Why the key matters: Microsoft's key sends the two directions apart.
  const Vector& v = kVectors[0];
  const Vector back = {v.dst, v.src, v.dport, v.sport, 0, 0};
  EXPECT_NE(ToeplitzHash(kMicrosoftKey, Tuple(v)), ToeplitzHash(kMicrosoftKey, Tuple(back)));
}

TEST(SymmetricRssTest, KeyRepeats6d5a) {
  std::array<uint8_t, 52> key{};  // i40e's length
  SymmetricRssKey(key);
  for (size_t i = 0; i < key.size(); i += 2) {
    EXPECT_EQ(key[i], 0x6d);
    EXPECT_EQ(key[i + 1], 0x5a);
  }
}

TEST(SymmetricRssTest, BothDirectionsHashAlikeAndFlowsSpread) {
  std::set<uint32_t> workers_used;
  std::set<uint32_t> hashes;
  for (uint32_t i = 0; i < 64; ++i) {
    testing::TcpConversation c(0x0a000001 + i * 7919, static_cast<uint16_t>(40000 + i * 13),
                               0x0a4d000a + (i % 3), i % 2 == 0 ? 25 : 993);
    c.Handshake();
    c.Server("220 mx ESMTP\r\n");
    c.Client("EHLO x\r\n");
    const uint32_t h = SymmetricFrameHash(c.frames()[0].bytes);
    for (const testing::TimedFrame& f : c.frames()) {
      EXPECT_EQ(SymmetricFrameHash(f.bytes), h) << "flow " << i;
    }
    hashes.insert(h);
    workers_used.insert(WorkerOf(h, 4));
  }
  EXPECT_GT(hashes.size(), 60u);          // distinct flows, distinct hashes
  EXPECT_EQ(workers_used.size(), 4u);     // every worker gets flows
}

TEST(SymmetricRssTest, SameAsTheTuplesToeplitz) {
  // What a NIC with the symmetric key computes for the frame's tuple.
  testing::TcpConversation c(0x420995bb, 2794, 0xa18e6450, 1766);
  c.Handshake();
  std::array<uint8_t, kRssKeyLen> key{};
  SymmetricRssKey(key);
  const std::array<uint8_t, 12> t = Tuple(kVectors[0]);
  EXPECT_EQ(SymmetricFrameHash(c.frames()[0].bytes), ToeplitzHash(key, t));
}

TEST(SymmetricRssTest, NonIpv4AndShortFramesHashToZero) {
  std::vector<uint8_t> arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  EXPECT_EQ(SymmetricFrameHash(arp), 0u);
  EXPECT_EQ(SymmetricFrameHash(std::vector<uint8_t>(10, 0)), 0u);
  std::vector<uint8_t> ip_stub(20, 0);  // IPv4 type, header cut off
  ip_stub[12] = 0x08;
  EXPECT_EQ(SymmetricFrameHash(ip_stub), 0u);
}

// The software dispatch of a DPDK capture without RSS: frames split over
// analyzers by WorkerOf(SymmetricFrameHash) give the records and counts
// of one analyzer that saw everything (each flow is whole on one of them).
TEST(SymmetricRssTest, DispatchedAnalyzersSeeWhatOneAnalyzerSees) {
  std::vector<testing::TimedFrame> frames;
  std::vector<testing::TcpConversation> flows;
  for (uint32_t i = 0; i < 40; ++i) {
    testing::TcpConversation c(0x0a000001 + i, static_cast<uint16_t>(50000 + i), 0x0a4d000a,
                               i % 2 == 0 ? 587 : 110, 1'700'000'000'000'000'000ull + i * 10);
    c.Handshake();
    if (i % 2 == 0) {
      c.Server("220 mx ESMTP\r\n");
      c.Client("EHLO x\r\n");
      c.Server("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n");
      c.Client("AUTH PLAIN AGEAYg==\r\n");
      c.Server("235 ok\r\n");
    } else {
      c.Server("+OK ready\r\n");
      c.Client("USER a\r\n");
      c.Server("+OK\r\n");
    }
    c.Close();
    flows.push_back(c);
  }
  // Interleaved, as a capture has them.
  for (size_t k = 0;; ++k) {
    bool any = false;
    for (testing::TcpConversation& c : flows) {
      if (k < c.frames().size()) {
        frames.push_back(c.frames()[k]);
        any = true;
      }
    }
    if (!any) break;
  }
  using Key = std::tuple<uint16_t, uint16_t, int, std::string, bool>;
  auto run = [&](uint32_t workers, PassiveCounters* total) {
    std::vector<Key> keys;
    std::vector<std::unique_ptr<PassiveAnalyzer>> analyzers;
    for (uint32_t w = 0; w < workers; ++w) {
      analyzers.push_back(std::make_unique<PassiveAnalyzer>(
          PassiveOptions{}, [&](const ConnectionRecord& r) {
            keys.emplace_back(r.client_port, r.server_port, static_cast<int>(r.end),
                              r.observation.module,
                              r.observation.auth && r.observation.auth->plaintext_credentials);
          }));
    }
    std::set<uint32_t> used;
    for (const testing::TimedFrame& f : frames) {
      const uint32_t w = WorkerOf(SymmetricFrameHash(f.bytes), workers);
      used.insert(w);
      analyzers[w]->Frame({f.bytes, static_cast<uint32_t>(f.bytes.size()), f.timestamp_ns});
    }
    for (auto& a : analyzers) {
      a->Finish();
      *total += a->counters();
    }
    EXPECT_EQ(used.size(), workers);
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  PassiveCounters one, three;
  const std::vector<Key> single = run(1, &one);
  const std::vector<Key> split = run(3, &three);
  ASSERT_EQ(single.size(), 40u);
  EXPECT_EQ(single, split);
  EXPECT_EQ(one.packets, three.packets);
  EXPECT_EQ(one.flows, three.flows);
  EXPECT_EQ(one.records, three.records);
  EXPECT_EQ(one.flow_ends, three.flow_ends);
  EXPECT_EQ(one.midstream_segments, 0u);
  EXPECT_EQ(three.midstream_segments, 0u);
  EXPECT_EQ(three.stray_segments, one.stray_segments);
  EXPECT_EQ(one.parse.by_result, three.parse.by_result);
}

}  // namespace
}  // namespace tlsweep
