#include "packet/rst.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "testing/frames.h"

namespace tlsweep {
namespace {

// The reset for a SYN-ACK parses as a valid segment (both checksums right)
// that goes back where the SYN-ACK came from, with seq = its ack: what
// Linux accepts to drop the half-open connection.
TEST(RstTest, ResetForASynAckGoesBackWithItsAck) {
  testing::TcpSpec s;
  s.seq = 0xfffffff0;
  s.ack = 0x89abcdef;
  s.options = {2, 4, 0x05, 0xb4};  // MSS: the reset carries no options
  const std::vector<uint8_t> synack = testing::TcpFrame(s);
  ParsedFrame in;
  ASSERT_EQ(ParseFrame(synack.data(), synack.size(), &in), ParseResult::kTcp);

  uint8_t rst[kRstFrameLen];
  ASSERT_EQ(BuildRstForSynAck(synack.data(), in.tcp, 64, rst), kRstFrameLen);
  ParsedFrame out;
  ASSERT_EQ(ParseFrame(rst, sizeof(rst), &out), ParseResult::kTcp);
  EXPECT_EQ(out.tcp.saddr.value(), s.daddr);
  EXPECT_EQ(out.tcp.daddr.value(), s.saddr);
  EXPECT_EQ(out.tcp.sport, s.dport);
  EXPECT_EQ(out.tcp.dport, s.sport);
  EXPECT_EQ(out.tcp.seq, s.ack);
  EXPECT_EQ(out.tcp.flags, kTcpRst);
  EXPECT_EQ(out.tcp.window, 0);
  EXPECT_EQ(out.tcp.ttl, 64);
  EXPECT_EQ(out.tcp.payload_len, 0);
  // Ethernet: to the SYN-ACK's sender, from the address it was sent to.
  EXPECT_TRUE(std::equal(rst, rst + 6, synack.begin() + 6));
  EXPECT_TRUE(std::equal(rst + 6, rst + 12, synack.begin()));
  // Padding is zero.
  for (size_t i = kEthHeaderLen + 40; i < kRstFrameLen; ++i) EXPECT_EQ(rst[i], 0) << i;
}

}  // namespace
}  // namespace tlsweep
