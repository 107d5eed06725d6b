#include "packet/rst.h"

#include <cstring>

#include "common/byte_order.h"
#include "packet/checksum.h"

namespace tlsweep {

size_t BuildRstForSynAck(const uint8_t* frame, const ParsedTcp& synack, uint8_t ttl,
                         uint8_t* out) {
  constexpr size_t kIp = kEthHeaderLen;
  constexpr size_t kTcp = kEthHeaderLen + kIpv4MinHeaderLen;
  constexpr uint16_t kIpLen = kIpv4MinHeaderLen + kTcpMinHeaderLen;
  std::memset(out, 0, kRstFrameLen);
  std::memcpy(out + kEthDstOffset, frame + kEthSrcOffset, 6);
  std::memcpy(out + kEthSrcOffset, frame + kEthDstOffset, 6);
  StoreBe16(out + kEthTypeOffset, kEtherTypeIpv4);

  uint8_t* ip = out + kIp;
  ip[0] = 0x45;  // version 4, IHL 5
  StoreBe16(ip + kIpv4TotalLenOffset, kIpLen);
  StoreBe16(ip + kIpv4FragOffset, kIpv4FlagDontFragment);
  ip[kIpv4TtlOffset] = ttl;
  ip[kIpv4ProtoOffset] = kIpProtoTcp;
  StoreBe32(ip + kIpv4SrcOffset, synack.daddr.value());
  StoreBe32(ip + kIpv4DstOffset, synack.saddr.value());
  StoreBe16(ip + kIpv4ChecksumOffset, ChecksumFinish(ChecksumAdd(ip, kIpv4MinHeaderLen)));

  uint8_t* tcp = out + kTcp;
  StoreBe16(tcp + kTcpSrcPortOffset, synack.dport);
  StoreBe16(tcp + kTcpDstPortOffset, synack.sport);
  StoreBe32(tcp + kTcpSeqOffset, synack.ack);
  tcp[kTcpDataOffsetOffset] = (kTcpMinHeaderLen / 4) << 4;
  tcp[kTcpFlagsOffset] = kTcpRst;
  const uint64_t pseudo = PseudoHeaderSum(synack.daddr.value(), synack.saddr.value(),
                                          kIpProtoTcp, kTcpMinHeaderLen);
  StoreBe16(tcp + kTcpChecksumOffset, ChecksumFinish(ChecksumAdd(tcp, kTcpMinHeaderLen, pseudo)));
  return kRstFrameLen;
}

}  // namespace tlsweep
