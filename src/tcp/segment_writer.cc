#include "tcp/segment_writer.h"

#include "common/byte_order.h"
#include "packet/headers.h"

namespace tlsweep {

SegmentWriter::SegmentWriter(const TcpStackConfig& config, uint8_t wscale,
                             FrameSink& sink, TcpStats& stats)
    : sink_(sink),
      stats_(stats),
      checksums_(config.checksum_offload ? FrameChecksums::kOffload
                                         : FrameChecksums::kFull) {
  fields_.src_mac = config.local_mac;
  fields_.dst_mac = config.gateway_mac;
  fields_.saddr = config.local_ip;
  fields_.ttl = config.ttl;
  uint8_t* o = syn_options_;
  o[0] = kTcpOptMss;
  o[1] = 4;
  StoreBe16(o + 2, config.mss);
  o[4] = kTcpOptNop;
  o[5] = kTcpOptWscale;
  o[6] = 3;
  o[7] = wscale;
}

}  // namespace tlsweep
