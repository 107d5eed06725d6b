// The frame writer against tests/testing/frames.h, which builds the same
// frames field by field with its own RFC 1071 sum: byte-for-byte equality,
// for every checksum mode, with options and a payload in two pieces.
#include "packet/frame_writer.h"

#include <cstdint>
#include <vector>

#include "common/byte_order.h"
#include "gtest/gtest.h"
#include "testing/frames.h"

namespace tlsweep {
namespace {

// The addresses testing::EthernetFrame writes: to ...:01 from ...:02.
const MacAddress kDstMac({0x02, 0, 0, 0, 0, 0x01});
const MacAddress kSrcMac({0x02, 0, 0, 0, 0, 0x02});
// testing::Ipv4Header's fixed IP ID.
constexpr uint16_t kReferenceIpId = 0x1234;

TcpFrameFields FieldsOf(const testing::TcpSpec& s) {
  TcpFrameFields f;
  f.src_mac = kSrcMac;
  f.dst_mac = kDstMac;
  f.saddr = Ipv4Address(s.saddr);
  f.daddr = Ipv4Address(s.daddr);
  f.ip_id = kReferenceIpId;
  f.ttl = s.ttl;
  f.sport = s.sport;
  f.dport = s.dport;
  f.seq = s.seq;
  f.ack = s.ack;
  f.flags = s.flags;
  f.window = s.window;
  f.options = s.options;
  return f;
}

// Writes into a buffer of stale bytes, so that any byte the writer skips
// shows up as 0xcc.
std::vector<uint8_t> Write(const testing::TcpSpec& s, size_t split,
                           FrameChecksums checksums) {
  std::vector<uint8_t> frame(TcpFrameLen(s.options.size(), s.payload.size()), 0xcc);
  const std::span<const uint8_t> payload(s.payload);
  const size_t len = WriteTcpFrame(frame.data(), FieldsOf(s), payload.first(split),
                                   payload.subspan(split), checksums);
  EXPECT_EQ(len, frame.size());
  return frame;
}

TEST(FrameWriterTest, BareSegmentMatchesReferenceIncludingPadding) {
  testing::TcpSpec s;
  s.flags = kTcpRst;
  s.window = 0;
  s.seq = 0xfffffff0;
  const std::vector<uint8_t> frame = Write(s, 0, FrameChecksums::kFull);
  EXPECT_EQ(frame.size(), kEthMinFrameLen);
  EXPECT_EQ(frame, testing::TcpFrame(s));
}

TEST(FrameWriterTest, OptionsAndTwoPiecePayloadMatchReference) {
  testing::TcpSpec s;
  s.flags = kTcpPsh | kTcpAck;
  s.seq = 0x89abcdef;
  s.ack = 0x01234567;
  s.options = {kTcpOptMss, 4, 0x05, 0xb4, kTcpOptNop, kTcpOptWscale, 3, 7};
  for (int i = 0; i < 1001; ++i) s.payload.push_back(static_cast<uint8_t>(i * 7));
  const std::vector<uint8_t> reference = testing::TcpFrame(s);
  for (size_t split : {size_t{0}, size_t{1}, size_t{500}, size_t{1001}}) {
    EXPECT_EQ(Write(s, split, FrameChecksums::kFull), reference) << split;
  }
}

TEST(FrameWriterTest, ZeroChecksumsLeaveBothFieldsZero) {
  testing::TcpSpec s;
  s.payload = {'h', 'i'};
  std::vector<uint8_t> reference = testing::TcpFrame(s);
  const size_t ip = kFrameIpOffset;
  const size_t tcp = kFrameTcpOffset;
  StoreBe16(&reference[ip + kIpv4ChecksumOffset], 0);
  StoreBe16(&reference[tcp + kTcpChecksumOffset], 0);
  EXPECT_EQ(Write(s, 1, FrameChecksums::kZero), reference);
}

TEST(FrameWriterTest, OffloadWritesThePseudoHeaderSumOnly) {
  testing::TcpSpec s;
  s.payload = {'a', 'b', 'c'};
  const std::vector<uint8_t> frame = Write(s, 2, FrameChecksums::kOffload);
  EXPECT_EQ(LoadBe16(&frame[kFrameIpOffset + kIpv4ChecksumOffset]), 0);
  // The pseudo-header alone (addresses, zero, protocol, TCP length), summed
  // and folded but not inverted: the complement of its reference checksum.
  std::vector<uint8_t> pseudo(12, 0);
  testing::Put32(pseudo, 0, s.saddr);
  testing::Put32(pseudo, 4, s.daddr);
  pseudo[9] = kIpProtoTcp;
  testing::Put16(pseudo, 10, kTcpMinHeaderLen + 3);
  EXPECT_EQ(LoadBe16(&frame[kFrameTcpOffset + kTcpChecksumOffset]),
            static_cast<uint16_t>(~testing::ReferenceChecksum(pseudo)));
  // Everything else as in the reference.
  std::vector<uint8_t> reference = testing::TcpFrame(s);
  std::vector<uint8_t> masked = frame;
  for (size_t at : {kFrameIpOffset + kIpv4ChecksumOffset,
                    kFrameTcpOffset + kTcpChecksumOffset}) {
    StoreBe16(&reference[at], 0);
    StoreBe16(&masked[at], 0);
  }
  EXPECT_EQ(masked, reference);
}

}  // namespace
}  // namespace tlsweep
