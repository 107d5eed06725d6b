// The stack's way out: turns one segment (addresses, numbers, flags,
// window, data) into a frame in the FrameSink, through packet/'s frame
// writer. Owns what is the same for every segment of the stack (MACs, our
// address, TTL, checksum mode, the SYN's options) and the IP ID counter;
// what to send and when is decided by the stack (tcp_output.cc).
#ifndef TLSWEEP_TCP_SEGMENT_WRITER_H_
#define TLSWEEP_TCP_SEGMENT_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/net_types.h"
#include "packet/headers.h"
#include "packet/frame_writer.h"
#include "tcp/seq.h"
#include "tcp/tcp_stack.h"

namespace tlsweep {

// One segment to a remote end: the data may come in two pieces (a ring
// buffer's wrap-around).
struct Segment {
  Ipv4Address remote_ip;
  uint16_t remote_port = 0;
  uint16_t local_port = 0;
  SeqNum seq;
  SeqNum ack;
  uint8_t flags = 0;
  uint16_t window = 0;
  std::span<const uint8_t> data1;
  std::span<const uint8_t> data2;
};

class SegmentWriter {
 public:
  // SYN options: MSS (4 bytes), NOP, window scale (3 bytes).
  static constexpr size_t kSynOptionsLen = 8;

  // Frames from config.local_mac / local_ip to config.gateway_mac; a SYN
  // announces config.mss and `wscale`. Counts into `stats` (segments_out,
  // sink_full).
  SegmentWriter(const TcpStackConfig& config, uint8_t wscale, FrameSink& sink,
                TcpStats& stats);

  // Write the segment into the sink: WriteSyn with the options above,
  // Write without options (every segment but the SYN; `segment.flags`
  // holds no SYN). When the sink has no room the segment is lost (counted
  // as sink_full): retransmission recovers it.
  void Write(const Segment& segment) { WriteFrame(segment, 0); }
  void WriteSyn(const Segment& segment) { WriteFrame(segment, kSynOptionsLen); }

 private:
  // Always inlined into the stack's few callers, where the segment's
  // fields stay in registers: as a call it cost bench/tcp_benchmark about
  // 3%. `options_len` is a constant at each of them, so a segment without
  // data has a constant length and its padding is written inline; derived
  // from the flags it took a memset call per segment (180 instructions of
  // 5,069 per connection in bench/tcp_benchmark, bench/RESULTS.md section
  // 11.perf11).
  void WriteFrame(const Segment& segment, size_t options_len);

  FrameSink& sink_;
  TcpStats& stats_;
  TcpFrameFields fields_;  // the constant fields; Write() fills in the rest
  FrameChecksums checksums_;
  uint8_t syn_options_[kSynOptionsLen];
  uint16_t ip_id_ = 0;
};

[[gnu::always_inline]] inline void SegmentWriter::WriteFrame(const Segment& s,
                                                            size_t options_len) {
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

#endif  // TLSWEEP_TCP_SEGMENT_WRITER_H_
