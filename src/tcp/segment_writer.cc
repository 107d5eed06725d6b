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

void SegmentWriter::Write(const Segment& s) {
  const bool syn = (s.flags & kTcpSyn) != 0;
  const size_t options_len = syn ? kSynOptionsLen : 0;
  const size_t frame_len = TcpFrameLen(options_len, s.data1.size() + s.data2.size());
  uint8_t* frame = sink_.Reserve(static_cast<uint16_t>(frame_len));
  if (frame == nullptr) {
    ++stats_.sink_full;
    return;
  }
  TcpFrameFields& f = fields_;
  f.daddr = s.remote_ip;
  f.ip_id = ip_id_++;
  f.sport = s.local_port;
  f.dport = s.remote_port;
  f.seq = s.seq.value();
  f.ack = s.ack.value();
  f.flags = s.flags;
  f.window = s.window;
  f.options = std::span<const uint8_t>(syn_options_, options_len);
  WriteTcpFrame(frame, f, s.data1, s.data2, checksums_);
  sink_.Commit(static_cast<uint16_t>(frame_len));
  ++stats_.segments_out;
}

}  // namespace tlsweep
