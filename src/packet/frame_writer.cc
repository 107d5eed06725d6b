#include "packet/frame_writer.h"

#include <cstring>

#include "common/byte_order.h"
#include "packet/checksum.h"

namespace tlsweep {

size_t WriteTcpFrame(uint8_t* frame, const TcpFrameFields& fields,
                     std::span<const uint8_t> payload1,
                     std::span<const uint8_t> payload2, FrameChecksums checksums) {
  const size_t tcp_header_len = kTcpMinHeaderLen + fields.options.size();
  const size_t tcp_len = tcp_header_len + payload1.size() + payload2.size();
  const size_t ip_len = kIpv4MinHeaderLen + tcp_len;
  const size_t frame_len = TcpFrameLen(fields.options.size(),
                                       payload1.size() + payload2.size());

  std::memcpy(frame + kEthDstOffset, fields.dst_mac.bytes().data(), 6);
  std::memcpy(frame + kEthSrcOffset, fields.src_mac.bytes().data(), 6);
  StoreBe16(frame + kEthTypeOffset, kEtherTypeIpv4);

  uint8_t* ip = frame + kFrameIpOffset;
  ip[0] = 0x45;  // version 4, IHL 5
  ip[1] = 0;     // DSCP/ECN
  StoreBe16(ip + kIpv4TotalLenOffset, static_cast<uint16_t>(ip_len));
  StoreBe16(ip + kIpv4IdOffset, fields.ip_id);
  StoreBe16(ip + kIpv4FragOffset, kIpv4FlagDontFragment);
  ip[kIpv4TtlOffset] = fields.ttl;
  ip[kIpv4ProtoOffset] = kIpProtoTcp;
  StoreBe16(ip + kIpv4ChecksumOffset, 0);
  StoreBe32(ip + kIpv4SrcOffset, fields.saddr.value());
  StoreBe32(ip + kIpv4DstOffset, fields.daddr.value());

  uint8_t* tcp = frame + kFrameTcpOffset;
  StoreBe16(tcp + kTcpSrcPortOffset, fields.sport);
  StoreBe16(tcp + kTcpDstPortOffset, fields.dport);
  StoreBe32(tcp + kTcpSeqOffset, fields.seq);
  StoreBe32(tcp + kTcpAckOffset, fields.ack);
  tcp[kTcpDataOffsetOffset] = static_cast<uint8_t>((tcp_header_len / 4) << 4);
  tcp[kTcpFlagsOffset] = fields.flags;
  StoreBe16(tcp + kTcpWindowOffset, fields.window);
  StoreBe16(tcp + kTcpChecksumOffset, 0);
  StoreBe16(tcp + kTcpUrgentOffset, 0);
  uint8_t* p = tcp + kTcpMinHeaderLen;
  if (!fields.options.empty()) std::memcpy(p, fields.options.data(), fields.options.size());
  p += fields.options.size();
  if (!payload1.empty()) std::memcpy(p, payload1.data(), payload1.size());
  p += payload1.size();
  if (!payload2.empty()) std::memcpy(p, payload2.data(), payload2.size());
  // Ethernet padding must not leak old buffer contents.
  std::memset(frame + kEthHeaderLen + ip_len, 0, frame_len - kEthHeaderLen - ip_len);

  switch (checksums) {
    case FrameChecksums::kZero:
      break;
    case FrameChecksums::kFull: {
      const uint64_t pseudo = PseudoHeaderSum(fields.saddr.value(), fields.daddr.value(),
                                              kIpProtoTcp, static_cast<uint16_t>(tcp_len));
      StoreBe16(ip + kIpv4ChecksumOffset, ChecksumFinish(ChecksumAdd(ip, kIpv4MinHeaderLen)));
      StoreBe16(tcp + kTcpChecksumOffset, ChecksumFinish(ChecksumAdd(tcp, tcp_len, pseudo)));
      break;
    }
    case FrameChecksums::kOffload: {
      const uint64_t pseudo = PseudoHeaderSum(fields.saddr.value(), fields.daddr.value(),
                                              kIpProtoTcp, static_cast<uint16_t>(tcp_len));
      StoreBe16(tcp + kTcpChecksumOffset, ChecksumFold(pseudo));
      break;
    }
  }
  return frame_len;
}

}  // namespace tlsweep
