#include "packet/rst.h"

#include <array>
#include <cstring>

#include "packet/frame_writer.h"

namespace tlsweep {
namespace {

MacAddress MacAt(const uint8_t* p) {
  std::array<uint8_t, 6> bytes;
  std::memcpy(bytes.data(), p, bytes.size());
  return MacAddress(bytes);
}

}  // namespace

static_assert(kRstFrameLen == TcpFrameLen(0, 0));

size_t BuildRstForSynAck(const uint8_t* frame, const ParsedTcp& synack, uint8_t ttl,
                         uint8_t* out) {
  TcpFrameFields fields;
  fields.src_mac = MacAt(frame + kEthDstOffset);
  fields.dst_mac = MacAt(frame + kEthSrcOffset);
  fields.saddr = synack.daddr;
  fields.daddr = synack.saddr;
  fields.ttl = ttl;
  fields.sport = synack.dport;
  fields.dport = synack.sport;
  fields.seq = synack.ack;
  fields.flags = kTcpRst;
  return WriteTcpFrame(out, fields, {}, {}, FrameChecksums::kFull);
}

}  // namespace tlsweep
