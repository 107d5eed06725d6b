// The TCP SYN probe: an Ethernet + IPv4 + TCP frame written once as a
// template, then finished per target by writing only what changes.
//
// This is ZMap's probe contract: constant bytes are written when a buffer is
// prepared (WriteTemplate), and per packet (Finish) only the addresses,
// ports, sequence number, IP ID and the two checksums. The checksums are
// finished incrementally from the template's precomputed partial sums
// (RFC 1624), so the per-packet cost does not depend on the option profile.
#ifndef TLSWEEP_PACKET_PROBE_H_
#define TLSWEEP_PACKET_PROBE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "packet/headers.h"

namespace tlsweep {

// TCP options carried by the SYN.
enum class TcpOptionProfile {
  // No options: a 54-byte frame padded to the 60-byte minimum, the cheapest
  // probe on the wire (84 bytes of line time) and ZMap's default.
  kMinimal,
  // MSS only: some middleboxes drop option-less SYNs.
  kMss,
  // What Linux sends: MSS, SACK-permitted, timestamps, NOP, window scale.
  // Looks like an ordinary client; the frame is 74 bytes.
  kLinux,
};

absl::StatusOr<TcpOptionProfile> ParseTcpOptionProfile(std::string_view name);
std::string_view TcpOptionProfileName(TcpOptionProfile profile);

struct ProbeConfig {
  MacAddress src_mac;
  MacAddress dst_mac;  // the gateway's, or the target's on a shared segment
  // ZMap sends with TTL 255 so that the probe reaches any host on the path.
  uint8_t ttl = 255;
  TcpOptionProfile options = TcpOptionProfile::kMinimal;
  // 65535 is ZMap's window; Linux's SYN advertises 64240 (44 * 1460).
  uint16_t window = 65535;
  // The MSS we announce under kMss and kLinux (Ethernet MTU 1500 - 40).
  uint16_t mss = 1460;
};

// Per-target fields of one probe.
struct ProbeFields {
  Ipv4Address saddr;
  Ipv4Address daddr;
  uint16_t sport;
  uint16_t dport;
  uint32_t seq;
  uint16_t ip_id;
};

class SynProbe {
 public:
  // Largest frame any profile produces.
  static constexpr size_t kMaxFrameLen = 74;

  explicit SynProbe(const ProbeConfig& config);

  // Bytes of the frame as handed to the NIC (>= the 60-byte minimum).
  size_t frame_len() const { return frame_len_; }
  // Bytes of line time per probe, for bandwidth limits (frame + 24).
  size_t wire_len() const { return frame_len_ + kEthWireOverhead; }

  // Writes the constant bytes; `frame` holds at least frame_len() bytes.
  void WriteTemplate(uint8_t* frame) const;

  // Writes the per-target fields and both checksums into a frame that
  // already holds the template. Never allocates.
  void Finish(uint8_t* frame, const ProbeFields& fields) const;

 private:
  std::array<uint8_t, kMaxFrameLen> template_{};
  size_t frame_len_ = 0;
  // Partial sums of the constant words of the IPv4 header and of the TCP
  // header plus pseudo-header, each with the per-target fields taken as zero.
  uint64_t ip_sum_ = 0;
  uint64_t tcp_sum_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_PROBE_H_
