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
#include <span>

#include "common/net_types.h"
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
// Returns the frame's length. Never allocates.
size_t WriteTcpFrame(uint8_t* frame, const TcpFrameFields& fields,
                     std::span<const uint8_t> payload1,
                     std::span<const uint8_t> payload2, FrameChecksums checksums);

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_FRAME_WRITER_H_
