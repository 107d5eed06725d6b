// The one writer of Ethernet II + IPv4 + TCP frames: the scanner's SYN
// template (probe.cc), the reset for a SYN-ACK (rst.cc) and every segment of
// the userspace TCP (tcp/tcp_output.cc) are written here.
//
// Every field is stored explicitly, big-endian, at the offsets of
// headers.h, and every byte of the frame up to its length is written
// (padding included), so a reused buffer never leaks old contents onto the
// wire. The IPv4 header is always 20 bytes (no options) with Don't Fragment
// set: tlsweep's segments are at most one MSS and never fragmented.
#ifndef TLSWEEP_PACKET_FRAME_WRITER_H_
#define TLSWEEP_PACKET_FRAME_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "common/byte_order.h"
#include "common/net_types.h"
#include "packet/checksum.h"
#include "packet/headers.h"

namespace tlsweep {

// What the IPv4 and TCP checksum fields get.
enum class FrameChecksums : uint8_t {
  // Both zero: the caller finishes them (the probe template, whose
  // checksums are completed per target from partial sums).
  kZero,
  // Both computed over the finished frame (RFC 1071).
  kFull,
  // Left to the NIC: IPv4 zero, TCP the folded pseudo-header sum, which is
  // what rte_ipv4_phdr_cksum() returns and what TX checksum offload expects.
  kOffload,
};

// The header fields of one TCP frame, in host order.
struct TcpFrameFields {
  MacAddress src_mac;
  MacAddress dst_mac;
  Ipv4Address saddr;
  Ipv4Address daddr;
  uint16_t ip_id = 0;
  uint8_t ttl = 64;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  // Written as given after the 20-byte TCP header: a multiple of 4 bytes
  // (pad with NOP or EOL), at most 40.
  std::span<const uint8_t> options;
};

// Offsets of the headers in a frame this writer produced.
inline constexpr size_t kFrameIpOffset = kEthHeaderLen;
inline constexpr size_t kFrameTcpOffset = kEthHeaderLen + kIpv4MinHeaderLen;

// Bytes of the frame for `options_len` bytes of TCP options and
// `payload_len` of data: the headers and data, padded to the Ethernet
// minimum of 60.
constexpr size_t TcpFrameLen(size_t options_len, size_t payload_len) {
  const size_t len = kFrameTcpOffset + kTcpMinHeaderLen + options_len + payload_len;
  return len < kEthMinFrameLen ? kEthMinFrameLen : len;
}

// Writes the frame into `frame` (TcpFrameLen(options, payload) bytes):
// headers, then the payload, which may come in two pieces (a ring buffer's
// wrap-around), then zero padding, then the checksums as `checksums` says.
// Returns the frame's length. Never allocates. Inline because it runs for
// every TCP segment: out of line it cost bench/tcp_benchmark about 2%.
inline size_t WriteTcpFrame(uint8_t* frame, const TcpFrameFields& fields,
                            std::span<const uint8_t> payload1,
                            std::span<const uint8_t> payload2, FrameChecksums checksums) {
  // Every field is read before the first byte is written: `frame` is a
  // uint8_t*, which may alias anything, so a field read after a store
  // would be reloaded from memory.
  const uint32_t saddr = fields.saddr.value();
  const uint32_t daddr = fields.daddr.value();
  const uint16_t ip_id = fields.ip_id;
  const uint8_t ttl = fields.ttl;
  const uint16_t sport = fields.sport;
  const uint16_t dport = fields.dport;
  const uint32_t seq = fields.seq;
  const uint32_t ack = fields.ack;
  const uint8_t flags = fields.flags;
  const uint16_t window = fields.window;
  const std::span<const uint8_t> options = fields.options;
  const size_t tcp_header_len = kTcpMinHeaderLen + options.size();
  const size_t tcp_len = tcp_header_len + payload1.size() + payload2.size();
  const size_t ip_len = kIpv4MinHeaderLen + tcp_len;
  const size_t frame_len = TcpFrameLen(options.size(), payload1.size() + payload2.size());
  const uint64_t pseudo =
      PseudoHeaderSum(saddr, daddr, kIpProtoTcp, static_cast<uint16_t>(tcp_len));

  std::memcpy(frame + kEthDstOffset, fields.dst_mac.bytes().data(), 6);
  std::memcpy(frame + kEthSrcOffset, fields.src_mac.bytes().data(), 6);
  StoreBe16(frame + kEthTypeOffset, kEtherTypeIpv4);

  uint8_t* ip = frame + kFrameIpOffset;
  ip[0] = 0x45;  // version 4, IHL 5
  ip[1] = 0;     // DSCP/ECN
  StoreBe16(ip + kIpv4TotalLenOffset, static_cast<uint16_t>(ip_len));
  StoreBe16(ip + kIpv4IdOffset, ip_id);
  StoreBe16(ip + kIpv4FragOffset, kIpv4FlagDontFragment);
  ip[kIpv4TtlOffset] = ttl;
  ip[kIpv4ProtoOffset] = kIpProtoTcp;
  StoreBe16(ip + kIpv4ChecksumOffset, 0);
  StoreBe32(ip + kIpv4SrcOffset, saddr);
  StoreBe32(ip + kIpv4DstOffset, daddr);

  uint8_t* tcp = frame + kFrameTcpOffset;
  StoreBe16(tcp + kTcpSrcPortOffset, sport);
  StoreBe16(tcp + kTcpDstPortOffset, dport);
  StoreBe32(tcp + kTcpSeqOffset, seq);
  StoreBe32(tcp + kTcpAckOffset, ack);
  tcp[kTcpDataOffsetOffset] = static_cast<uint8_t>((tcp_header_len / 4) << 4);
  tcp[kTcpFlagsOffset] = flags;
  StoreBe16(tcp + kTcpWindowOffset, window);
  StoreBe16(tcp + kTcpChecksumOffset, 0);
  StoreBe16(tcp + kTcpUrgentOffset, 0);
  uint8_t* p = tcp + kTcpMinHeaderLen;
  if (!options.empty()) std::memcpy(p, options.data(), options.size());
  p += options.size();
  if (!payload1.empty()) std::memcpy(p, payload1.data(), payload1.size());
  p += payload1.size();
  if (!payload2.empty()) std::memcpy(p, payload2.data(), payload2.size());
  // Ethernet padding must not leak old buffer contents.
  std::memset(frame + kEthHeaderLen + ip_len, 0, frame_len - kEthHeaderLen - ip_len);

  switch (checksums) {
    case FrameChecksums::kZero:
      break;
    case FrameChecksums::kFull:
      StoreBe16(ip + kIpv4ChecksumOffset, ChecksumFinish(ChecksumAdd(ip, kIpv4MinHeaderLen)));
      StoreBe16(tcp + kTcpChecksumOffset, ChecksumFinish(ChecksumAdd(tcp, tcp_len, pseudo)));
      break;
    case FrameChecksums::kOffload:
      StoreBe16(tcp + kTcpChecksumOffset, ChecksumFold(pseudo));
      break;
  }
  return frame_len;
}

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_FRAME_WRITER_H_
