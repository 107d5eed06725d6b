#include "packet/parse.h"

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/frames.h"

namespace tlsweep {
namespace {

using ::tlsweep::testing::IcmpUnreachableFrame;
using ::tlsweep::testing::Put16;
using ::tlsweep::testing::ReferenceChecksum;
using ::tlsweep::testing::TcpFrame;
using ::tlsweep::testing::TcpSpec;

ParseResult Parse(const std::vector<uint8_t>& f, ParsedFrame* out = nullptr) {
  ParsedFrame scratch;
  return ParseFrame(f.data(), f.size(), out ? out : &scratch);
}

// Recomputes the IPv4 header checksum after a test edited the header.
void FixIpChecksum(std::vector<uint8_t>& f) {
  const size_t ihl = (f[14] & 0x0f) * 4u;
  f[24] = f[25] = 0;
  Put16(f, 24, ReferenceChecksum({f.begin() + 14, f.begin() + 14 + static_cast<long>(ihl)}));
}

TEST(ParseTest, SynAckWithOptions) {
  TcpSpec s;
  s.seq = 0x11223344;
  s.ack = 0x55667788;
  s.options = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7};
  ParsedFrame p;
  ASSERT_EQ(Parse(TcpFrame(s), &p), ParseResult::kTcp);
  EXPECT_EQ(p.tcp.saddr.value(), s.saddr);
  EXPECT_EQ(p.tcp.daddr.value(), s.daddr);
  EXPECT_EQ(p.tcp.sport, 25);
  EXPECT_EQ(p.tcp.dport, 40000);
  EXPECT_EQ(p.tcp.seq, 0x11223344u);
  EXPECT_EQ(p.tcp.ack, 0x55667788u);
  EXPECT_EQ(p.tcp.flags, 0x12);
  EXPECT_EQ(p.tcp.window, 64240);
  EXPECT_EQ(p.tcp.ttl, 64);
  EXPECT_EQ(p.tcp.options.mss, 1460);
  EXPECT_TRUE(p.tcp.options.sack_permitted);
  EXPECT_TRUE(p.tcp.options.has_timestamps);
  EXPECT_EQ(p.tcp.options.ts_val, 1u);
  EXPECT_EQ(p.tcp.options.ts_ecr, 2u);
  EXPECT_EQ(p.tcp.options.wscale, 7);
  EXPECT_EQ(p.tcp.payload_len, 0);
  EXPECT_EQ(p.tcp.payload_offset, 14 + 20 + 20 + 20);
}

TEST(ParseTest, PayloadOffsetPointsAtTheData) {
  TcpSpec s;
  s.flags = 0x18;  // PSH|ACK
  s.options = {1, 1, 1, 0};
  s.payload = {'h', 'e', 'l', 'l', 'o'};
  const std::vector<uint8_t> f = TcpFrame(s);
  ParsedFrame p;
  ASSERT_EQ(Parse(f, &p), ParseResult::kTcp);
  EXPECT_EQ(p.tcp.payload_len, 5);
  ASSERT_EQ(p.tcp.payload_offset, 14 + 20 + 24);
  EXPECT_EQ(std::string(f.begin() + p.tcp.payload_offset,
                        f.begin() + p.tcp.payload_offset + p.tcp.payload_len),
            "hello");
}

TEST(ParseTest, RstWithoutOptions) {
  TcpSpec s;
  s.flags = 0x14;
  ParsedFrame p;
  ASSERT_EQ(Parse(TcpFrame(s), &p), ParseResult::kTcp);
  EXPECT_EQ(p.tcp.flags, 0x14);
  EXPECT_FALSE(p.tcp.options.has_mss);
}

TEST(ParseTest, IcmpUnreachableQuote) {
  TcpSpec probe;
  probe.saddr = 0x0a4d0064;
  probe.daddr = 0x0a4d0009;
  probe.sport = 40123;
  probe.dport = 143;
  probe.seq = 0xcafef00d;
  probe.flags = 0x02;
  ParsedFrame p;
  ASSERT_EQ(Parse(IcmpUnreachableFrame(0x0a4d0001, probe, 13), &p),
            ParseResult::kIcmpUnreachable);
  EXPECT_EQ(p.icmp.responder.value(), 0x0a4d0001u);
  EXPECT_EQ(p.icmp.daddr.value(), 0x0a4d0064u);
  EXPECT_EQ(p.icmp.code, 13);
  EXPECT_EQ(p.icmp.quoted_saddr.value(), probe.saddr);
  EXPECT_EQ(p.icmp.quoted_daddr.value(), probe.daddr);
  EXPECT_EQ(p.icmp.quoted_sport, 40123);
  EXPECT_EQ(p.icmp.quoted_dport, 143);
  EXPECT_EQ(p.icmp.quoted_seq, 0xcafef00du);
}

TEST(ParseTest, ArpIsDispatched) {
  std::vector<uint8_t> f = ::tlsweep::testing::EthernetFrame(
      std::vector<uint8_t>(28, 0), 0x0806);
  EXPECT_EQ(Parse(f), ParseResult::kArp);
}

// Each malformation of a valid SYN-ACK ends in its own, named result.
TEST(ParseTest, MalformedFramesAreClassified) {
  const std::vector<uint8_t> good = TcpFrame(TcpSpec{});
  struct Case {
    std::string name;
    std::function<void(std::vector<uint8_t>&)> mutate;
    ParseResult expected;
  };
  const std::vector<Case> cases = {
      {"empty", [](auto& f) { f.clear(); }, ParseResult::kTruncated},
      {"eth only", [](auto& f) { f.resize(14); }, ParseResult::kTruncated},
      {"short ip", [](auto& f) { f.resize(30); }, ParseResult::kTruncated},
      {"ipv6", [](auto& f) { f[12] = 0x86; f[13] = 0xdd; }, ParseResult::kOtherEtherType},
      {"vlan", [](auto& f) { f[12] = 0x81; f[13] = 0x00; }, ParseResult::kOtherEtherType},
      {"short arp", [](auto& f) { f[12] = 0x08; f[13] = 0x06; f.resize(30); }, ParseResult::kTruncated},
      {"version 6", [](auto& f) { f[14] = 0x65; }, ParseResult::kBadIpVersion},
      {"ihl 4", [](auto& f) { f[14] = 0x44; }, ParseResult::kBadIhl},
      {"ihl 0", [](auto& f) { f[14] = 0x40; }, ParseResult::kBadIhl},
      {"ihl past end", [](auto& f) { f[14] = 0x4f; f.resize(40); }, ParseResult::kBadIhl},
      {"ip options", [](auto& f) { f[14] = 0x46; }, ParseResult::kIpOptions},
      {"total < ihl", [](auto& f) { Put16(f, 16, 10); FixIpChecksum(f); }, ParseResult::kBadIpLength},
      {"total > frame", [](auto& f) { Put16(f, 16, 1500); FixIpChecksum(f); }, ParseResult::kBadIpLength},
      {"ip checksum", [](auto& f) { f[24] ^= 0x01; }, ParseResult::kBadIpChecksum},
      {"more fragments", [](auto& f) { f[20] = 0x20; FixIpChecksum(f); }, ParseResult::kFragment},
      {"frag offset", [](auto& f) { f[20] = 0x40; f[21] = 0x01; FixIpChecksum(f); }, ParseResult::kFragment},
      {"udp", [](auto& f) { f[23] = 17; FixIpChecksum(f); }, ParseResult::kOtherProtocol},
      {"tcp truncated", [](auto& f) { Put16(f, 16, 30); FixIpChecksum(f); }, ParseResult::kTruncated},
      {"data offset 4", [](auto& f) { f[46] = 0x40; }, ParseResult::kBadTcpHeader},
      {"data offset past end", [](auto& f) { f[46] = 0xf0; }, ParseResult::kBadTcpHeader},
      {"tcp checksum", [](auto& f) { f[50] ^= 0x80; }, ParseResult::kBadTcpChecksum},
      {"payload bit flip", [](auto& f) { f[40] ^= 0x10; }, ParseResult::kBadTcpChecksum},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> f = good;
    c.mutate(f);
    EXPECT_EQ(Parse(f), c.expected)
        << c.name << ": got " << ParseResultName(Parse(f));
  }
}

TEST(ParseTest, MalformedTcpOptions) {
  TcpSpec s;
  s.options = {2, 4, 5};  // MSS running past the header
  s.options.resize(4, 0);
  s.options[3] = 0xb4;
  s.options = {2, 1, 0, 0};  // length < 2
  EXPECT_EQ(Parse(TcpFrame(s)), ParseResult::kBadTcpHeader);
  s.options = {8, 40, 0, 0};  // length past the end
  EXPECT_EQ(Parse(TcpFrame(s)), ParseResult::kBadTcpHeader);
  s.options = {2, 6, 0, 0, 0, 0, 0, 0};  // MSS of the wrong size
  EXPECT_EQ(Parse(TcpFrame(s)), ParseResult::kBadTcpHeader);
  s.options = {1, 1, 1, 0};  // NOPs then end
  EXPECT_EQ(Parse(TcpFrame(s)), ParseResult::kTcp);
  s.options = {254, 4, 0xaa, 0xbb};  // unknown option skipped
  EXPECT_EQ(Parse(TcpFrame(s)), ParseResult::kTcp);
  s.options = {1, 1, 1, 2};  // a kind with no length byte
  EXPECT_EQ(Parse(TcpFrame(s)), ParseResult::kBadTcpHeader);
}

TEST(ParseTest, MalformedIcmp) {
  TcpSpec probe;
  probe.saddr = 0x0a4d0064;
  const std::vector<uint8_t> good = IcmpUnreachableFrame(0x0a4d0001, probe);
  ASSERT_EQ(Parse(good), ParseResult::kIcmpUnreachable);
  {
    std::vector<uint8_t> f = good;
    f[34 + 2] ^= 1;
    EXPECT_EQ(Parse(f), ParseResult::kBadIcmpChecksum);
  }
  {
    // Echo reply with a correct checksum.
    std::vector<uint8_t> f = good;
    f[34] = 0;
    f[36] = f[37] = 0;
    const size_t icmp_len = f.size() - 34;
    Put16(f, 36, ReferenceChecksum({f.begin() + 34, f.begin() + 34 + static_cast<long>(icmp_len)}));
    EXPECT_EQ(Parse(f), ParseResult::kOtherIcmp);
  }
  {
    // Quote of a UDP packet.
    std::vector<uint8_t> f = good;
    f[42 + 9] = 17;
    f[36] = f[37] = 0;
    Put16(f, 36, ReferenceChecksum({f.begin() + 34, f.end()}));
    EXPECT_EQ(Parse(f), ParseResult::kBadIcmpQuote);
  }
  {
    // A quote cut short: drop the last 4 quoted TCP bytes.
    std::vector<uint8_t> f = good;
    f.resize(f.size() - 4);
    Put16(f, 16, static_cast<uint32_t>(f.size() - 14));
    FixIpChecksum(f);
    f[36] = f[37] = 0;
    Put16(f, 36, ReferenceChecksum({f.begin() + 34, f.end()}));
    EXPECT_EQ(Parse(f), ParseResult::kBadIcmpQuote);
  }
}

TEST(ParseTest, ChecksumVerificationCanBeLeftToTheNic) {
  std::vector<uint8_t> f = TcpFrame(TcpSpec{});
  f[50] ^= 0x80;
  ParsedFrame p;
  EXPECT_EQ(ParseFrame(f.data(), f.size(), &p, /*verify_checksums=*/false),
            ParseResult::kTcp);
}

// Random bytes and every truncation of valid frames: the parser returns a
// result for each (sanitizers and the absence of crashes are the check),
// and a drop is never reported as a valid segment.
TEST(ParseTest, SurvivesGarbage) {
  std::mt19937 rng(2024);
  ParseCounters counters;
  for (int i = 0; i < 200000; ++i) {
    std::vector<uint8_t> f(rng() % 120);
    for (auto& b : f) b = static_cast<uint8_t>(rng());
    if (f.size() > 14 && (i & 1)) {  // often look like IPv4 to go deeper
      f[12] = 0x08;
      f[13] = 0x00;
      f[14] = 0x45;
    }
    ParsedFrame p;
    counters.Count(ParseFrame(f.data(), f.size(), &p));
  }
  // Random bytes essentially never carry two valid checksums.
  EXPECT_EQ(counters[ParseResult::kTcp], 0u);
  EXPECT_EQ(counters[ParseResult::kIcmpUnreachable], 0u);
  EXPECT_EQ(counters.dropped() + counters[ParseResult::kArp], 200000u);

  for (const auto& valid : {TcpFrame(TcpSpec{}),
                            IcmpUnreachableFrame(1, TcpSpec{})}) {
    for (size_t len = 0; len < valid.size(); ++len) {
      ParsedFrame p;
      const ParseResult r = ParseFrame(valid.data(), len, &p);
      // A cut inside the Ethernet padding is still a valid frame.
      if (len < 54) {
        EXPECT_NE(r, ParseResult::kTcp) << len;
        EXPECT_NE(r, ParseResult::kIcmpUnreachable) << len;
      }
    }
  }
}

TEST(ParseTest, CountersSumDrops) {
  ParseCounters c;
  c.Count(ParseResult::kTcp);
  c.Count(ParseResult::kFragment);
  c.Count(ParseResult::kBadIcmpQuote);
  c.Count(ParseResult::kArp);
  EXPECT_EQ(c.dropped(), 2u);
  EXPECT_EQ(ParseResultName(ParseResult::kBadTcpChecksum), "bad_tcp_checksum");
}

}  // namespace
}  // namespace tlsweep
