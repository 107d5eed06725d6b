// The segment writer alone: what it writes parses back (checksums
// verified) with the stack's constant fields, a SYN carries MSS and window
// scale, data in two pieces arrives in order, the IP ID counts frames
// actually sent, and a full sink is counted, not written.
#include "tcp/segment_writer.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/byte_order.h"
#include "gtest/gtest.h"
#include "packet/headers.h"
#include "packet/parse.h"

namespace tlsweep {
namespace {

const MacAddress kLocalMac({0x02, 0, 0, 0, 0, 0x64});
const MacAddress kGatewayMac({0x02, 0, 0, 0, 0, 0x01});
const Ipv4Address kLocalIp(0x0a4d0064);   // 10.77.0.100
const Ipv4Address kRemoteIp(0x0a4d0003);  // 10.77.0.3

class VectorSink : public FrameSink {
 public:
  uint8_t* Reserve(uint16_t max_len) override {
    if (full) return nullptr;
    buf_.assign(max_len, 0xcc);
    return buf_.data();
  }
  void Commit(uint16_t len) override {
    buf_.resize(len);
    frames.push_back(buf_);
  }
  bool full = false;
  std::vector<std::vector<uint8_t>> frames;

 private:
  std::vector<uint8_t> buf_;
};

class SegmentWriterTest : public ::testing::Test {
 protected:
  SegmentWriterTest() {
    config_.local_mac = kLocalMac;
    config_.gateway_mac = kGatewayMac;
    config_.local_ip = kLocalIp;
    config_.ttl = 33;
    config_.mss = 1400;
  }

  Segment ToPeer(uint8_t flags) const {
    Segment s;
    s.remote_ip = kRemoteIp;
    s.remote_port = 443;
    s.local_port = 40000;
    s.seq = SeqNum(0xfffffff0);
    s.ack = SeqNum(77);
    s.flags = flags;
    s.window = 512;
    return s;
  }

  ParsedTcp Parse(const std::vector<uint8_t>& f) {
    ParsedFrame p;
    EXPECT_EQ(ParseFrame(f.data(), f.size(), &p), ParseResult::kTcp);
    EXPECT_EQ(0, std::memcmp(f.data() + kEthDstOffset, kGatewayMac.bytes().data(), 6));
    EXPECT_EQ(0, std::memcmp(f.data() + kEthSrcOffset, kLocalMac.bytes().data(), 6));
    EXPECT_EQ(p.tcp.saddr, kLocalIp);
    EXPECT_EQ(p.tcp.daddr, kRemoteIp);
    EXPECT_EQ(p.tcp.sport, 40000);
    EXPECT_EQ(p.tcp.dport, 443);
    EXPECT_EQ(p.tcp.ttl, 33);
    return p.tcp;
  }

  TcpStackConfig config_;
  TcpStats stats_;
  VectorSink sink_;
};

TEST_F(SegmentWriterTest, SynCarriesMssAndWindowScale) {
  SegmentWriter w(config_, /*wscale=*/3, sink_, stats_);
  w.WriteSyn(ToPeer(kTcpSyn));
  ASSERT_EQ(sink_.frames.size(), 1u);
  const ParsedTcp t = Parse(sink_.frames[0]);
  EXPECT_EQ(t.flags, kTcpSyn);
  EXPECT_EQ(t.seq, 0xfffffff0u);
  EXPECT_EQ(t.window, 512);
  EXPECT_TRUE(t.options.has_mss);
  EXPECT_EQ(t.options.mss, 1400);
  EXPECT_TRUE(t.options.has_wscale);
  EXPECT_EQ(t.options.wscale, 3);
  EXPECT_EQ(stats_.segments_out, 1u);
}

TEST_F(SegmentWriterTest, DataInTwoPiecesArrivesInOrder) {
  SegmentWriter w(config_, 0, sink_, stats_);
  const std::string a = "hello, ";
  const std::string b = "world";
  Segment s = ToPeer(kTcpAck | kTcpPsh);
  s.data1 = std::span(reinterpret_cast<const uint8_t*>(a.data()), a.size());
  s.data2 = std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  w.Write(s);
  ASSERT_EQ(sink_.frames.size(), 1u);
  const std::vector<uint8_t>& f = sink_.frames[0];
  const ParsedTcp t = Parse(f);
  EXPECT_EQ(t.ack, 77u);
  EXPECT_FALSE(t.options.has_mss);  // only a SYN carries options
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.data()) + t.payload_offset,
                        t.payload_len),
            "hello, world");
}

TEST_F(SegmentWriterTest, IpIdCountsFramesSentAndAFullSinkIsCounted) {
  SegmentWriter w(config_, 0, sink_, stats_);
  w.Write(ToPeer(kTcpAck));
  sink_.full = true;
  w.Write(ToPeer(kTcpAck));
  EXPECT_EQ(stats_.sink_full, 1u);
  sink_.full = false;
  w.Write(ToPeer(kTcpAck));
  ASSERT_EQ(sink_.frames.size(), 2u);
  const uint16_t first = LoadBe16(sink_.frames[0].data() + kEthHeaderLen + kIpv4IdOffset);
  const uint16_t second = LoadBe16(sink_.frames[1].data() + kEthHeaderLen + kIpv4IdOffset);
  EXPECT_EQ(second, static_cast<uint16_t>(first + 1));
  EXPECT_EQ(stats_.segments_out, 2u);
}

TEST_F(SegmentWriterTest, OffloadLeavesTheChecksumsToTheNic) {
  config_.checksum_offload = true;
  SegmentWriter w(config_, 0, sink_, stats_);
  w.Write(ToPeer(kTcpRst));
  ASSERT_EQ(sink_.frames.size(), 1u);
  const std::vector<uint8_t>& f = sink_.frames[0];
  EXPECT_EQ(LoadBe16(f.data() + kEthHeaderLen + kIpv4ChecksumOffset), 0);
  ParsedFrame p;
  EXPECT_EQ(ParseFrame(f.data(), f.size(), &p, /*verify_checksums=*/false),
            ParseResult::kTcp);
  EXPECT_EQ(p.tcp.flags, kTcpRst);
}

}  // namespace
}  // namespace tlsweep
