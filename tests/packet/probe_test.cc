#include "packet/probe.h"

#include <algorithm>
#include <random>
#include <vector>

#include "common/byte_order.h"
#include "gtest/gtest.h"
#include "packet/headers.h"
#include "packet/parse.h"
#include "testing/frames.h"

namespace tlsweep {
namespace {

using ::tlsweep::testing::ReferenceChecksum;

ProbeConfig Config(TcpOptionProfile profile) {
  ProbeConfig c;
  c.src_mac = *MacAddress::Parse("02:00:00:00:00:01");
  c.dst_mac = *MacAddress::Parse("02:00:00:00:00:02");
  c.options = profile;
  return c;
}

std::vector<uint8_t> Build(const SynProbe& probe, const ProbeFields& f) {
  std::vector<uint8_t> frame(probe.frame_len());
  probe.WriteTemplate(frame.data());
  probe.Finish(frame.data(), f);
  return frame;
}

const ProbeFields kFields = {*Ipv4Address::Parse("10.77.0.100"),
                             *Ipv4Address::Parse("10.77.0.3"), 40001, 25,
                             0xdeadbeef, 0x4242};

TEST(ProbeTest, FrameLengthsPerProfile) {
  EXPECT_EQ(SynProbe(Config(TcpOptionProfile::kMinimal)).frame_len(), 60u);
  EXPECT_EQ(SynProbe(Config(TcpOptionProfile::kMinimal)).wire_len(), 84u);
  EXPECT_EQ(SynProbe(Config(TcpOptionProfile::kMss)).frame_len(), 60u);
  EXPECT_EQ(SynProbe(Config(TcpOptionProfile::kLinux)).frame_len(), 74u);
}

TEST(ProbeTest, FieldsAreWrittenWhereTheyBelong) {
  const SynProbe probe(Config(TcpOptionProfile::kMinimal));
  const std::vector<uint8_t> f = Build(probe, kFields);
  EXPECT_EQ(LoadBe16(&f[12]), kEtherTypeIpv4);
  EXPECT_EQ(f[0], 0x02);
  EXPECT_EQ(f[5], 0x02);
  EXPECT_EQ(f[11], 0x01);
  const uint8_t* ip = &f[14];
  EXPECT_EQ(ip[0], 0x45);
  EXPECT_EQ(LoadBe16(ip + 2), 40);
  EXPECT_EQ(LoadBe16(ip + 4), 0x4242);
  EXPECT_EQ(LoadBe16(ip + 6), kIpv4FlagDontFragment);
  EXPECT_EQ(ip[8], 255);
  EXPECT_EQ(ip[9], kIpProtoTcp);
  EXPECT_EQ(LoadBe32(ip + 12), kFields.saddr.value());
  EXPECT_EQ(LoadBe32(ip + 16), kFields.daddr.value());
  const uint8_t* tcp = ip + 20;
  EXPECT_EQ(LoadBe16(tcp), 40001);
  EXPECT_EQ(LoadBe16(tcp + 2), 25);
  EXPECT_EQ(LoadBe32(tcp + 4), 0xdeadbeefu);
  EXPECT_EQ(LoadBe32(tcp + 8), 0u);
  EXPECT_EQ(tcp[12], 0x50);
  EXPECT_EQ(tcp[13], kTcpSyn);
  EXPECT_EQ(LoadBe16(tcp + 14), 65535);
  // Ethernet padding stays zero.
  for (size_t i = 54; i < 60; ++i) EXPECT_EQ(f[i], 0) << i;
}

TEST(ProbeTest, LinuxOptionsParseBack) {
  const SynProbe probe(Config(TcpOptionProfile::kLinux));
  const std::vector<uint8_t> f = Build(probe, kFields);
  ParsedFrame parsed;
  ASSERT_EQ(ParseFrame(f.data(), f.size(), &parsed), ParseResult::kTcp);
  EXPECT_TRUE(parsed.tcp.options.has_mss);
  EXPECT_EQ(parsed.tcp.options.mss, 1460);
  EXPECT_TRUE(parsed.tcp.options.sack_permitted);
  EXPECT_TRUE(parsed.tcp.options.has_timestamps);
  EXPECT_TRUE(parsed.tcp.options.has_wscale);
  EXPECT_EQ(parsed.tcp.options.wscale, 7);
  EXPECT_EQ(parsed.tcp.flags, kTcpSyn);
}

// The incremental checksums equal a from-scratch reference computation over
// the finished frame, for every profile and many random field values.
TEST(ProbeTest, ChecksumsMatchReference) {
  std::mt19937_64 rng(1);
  for (auto profile : {TcpOptionProfile::kMinimal, TcpOptionProfile::kMss,
                       TcpOptionProfile::kLinux}) {
    const SynProbe probe(Config(profile));
    std::vector<uint8_t> frame(probe.frame_len());
    probe.WriteTemplate(frame.data());
    for (int i = 0; i < 5000; ++i) {
      const uint64_t r = rng();
      ProbeFields f{Ipv4Address(static_cast<uint32_t>(r)),
                    Ipv4Address(static_cast<uint32_t>(r >> 32)),
                    static_cast<uint16_t>(rng()), static_cast<uint16_t>(rng()),
                    static_cast<uint32_t>(rng()), static_cast<uint16_t>(rng())};
      if (i == 0) f = {Ipv4Address(0xffffffff), Ipv4Address(0xffffffff), 0xffff,
                       0xffff, 0xffffffff, 0xffff};
      if (i == 1) f = {Ipv4Address(0), Ipv4Address(0), 0, 0, 0, 0};
      // Finish reuses the same buffer: stale fields must be overwritten.
      probe.Finish(frame.data(), f);
      const size_t tcp_len = LoadBe16(&frame[16]) - 20u;
      std::vector<uint8_t> ip(frame.begin() + 14, frame.begin() + 34);
      ip[10] = ip[11] = 0;
      ASSERT_EQ(LoadBe16(&frame[24]), ReferenceChecksum(ip));
      std::vector<uint8_t> segment(frame.begin() + 34,
                                   frame.begin() + 34 + static_cast<long>(tcp_len));
      segment.at(16) = 0;
      segment.at(17) = 0;
      // Pseudo-header (addresses, zero, protocol, length) then the segment.
      std::vector<uint8_t> pseudo(12 + tcp_len, 0);
      std::copy_n(frame.begin() + 26, 8, pseudo.begin());
      pseudo[9] = 6;
      pseudo[11] = static_cast<uint8_t>(tcp_len);
      std::copy(segment.begin(), segment.end(), pseudo.begin() + 12);
      ASSERT_EQ(LoadBe16(&frame[50]), ReferenceChecksum(pseudo));
      ParsedFrame parsed;
      ASSERT_EQ(ParseFrame(frame.data(), frame.size(), &parsed), ParseResult::kTcp);
    }
  }
}

TEST(ProbeTest, ParsesProfileNames) {
  EXPECT_EQ(*ParseTcpOptionProfile("minimal"), TcpOptionProfile::kMinimal);
  EXPECT_EQ(*ParseTcpOptionProfile("mss"), TcpOptionProfile::kMss);
  EXPECT_EQ(*ParseTcpOptionProfile("linux"), TcpOptionProfile::kLinux);
  const auto bad = ParseTcpOptionProfile("windows");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("windows"), std::string::npos);
}

}  // namespace
}  // namespace tlsweep
