// One direction of a captured TCP connection, turned back into the byte
// stream its sender wrote, for an observer.
//
// A passive monitor cannot ask for a retransmission, so unlike the stack's
// receive side it must decide when bytes are lost for good. It reuses the
// stack's bounded reassembly buffer (tcp/reassembly.h) and adds that policy:
// - in-order bytes go to the sink straight from the segment; a
//   retransmission of bytes already delivered is trimmed (the first copy
//   wins; delivered bytes are not kept, so they are not compared);
// - out-of-order bytes wait in a ring borrowed from a shared RingPool only
//   while a hole is open; overlapping bytes keep their first copy, and a
//   copy that differs is counted;
// - a hole is given up (a gap: the sink is told its length and the stream
//   goes on after it) when the peer acknowledges bytes beyond it (the peer
//   got them, the capture lost them), when the ring is full or has too many
//   holes, when no ring is free, and when the connection ends;
// - the tail of a segment that a short snaplen cut off is a gap as soon as
//   the stream reaches it (the capture has its length, not its bytes).
// Memory per direction is this object (~100 bytes); rings are shared.
#ifndef TLSWEEP_PASSIVE_TCP_STREAM_H_
#define TLSWEEP_PASSIVE_TCP_STREAM_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "tcp/reassembly.h"
#include "tcp/seq.h"

namespace tlsweep {

// Fixed rings for out-of-order bytes, lent to streams while they hold a
// hole. Allocated once; a stream that finds none free gives the hole up.
class RingPool {
 public:
  RingPool(uint32_t rings, uint32_t ring_bytes);
  uint32_t ring_bytes() const { return ring_bytes_; }
  // A free ring's index, or -1.
  int32_t Acquire();
  void Release(int32_t ring);
  uint8_t* ring(int32_t i) { return memory_.get() + size_t(i) * ring_bytes_; }

 private:
  uint32_t ring_bytes_;
  std::unique_ptr<uint8_t[]> memory_;
  std::vector<int32_t> free_;
};

// Why bytes were given up; the metadata counts gaps by these reasons.
enum class GapReason : uint8_t {
  kAckedByPeer,    // the peer acknowledged bytes the capture never had
  kBufferFull,     // beyond the ring, or more holes than it tracks
  kNoRing,         // every ring was lent out
  kEnd,            // the connection ended with a hole open
  kSnaplen,        // the capture kept only the head of the segment (snaplen)
  kCount,
};
std::string_view GapReasonName(GapReason reason);

// Where reassembled bytes go.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void OnData(std::string_view bytes) = 0;
  virtual void OnGap(uint32_t bytes) = 0;
};

struct StreamCounters {
  uint64_t segments = 0;
  uint64_t bytes = 0;              // delivered to the sink
  uint64_t retransmitted = 0;      // segments with no new byte
  uint64_t out_of_order = 0;       // segments that waited for a hole
  uint64_t overlaps_differing = 0; // overlaps whose bytes differ from the first copy
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
  uint64_t gaps_by_reason[static_cast<int>(GapReason::kCount)] = {};
};

class TcpStream {
 public:
  // The first segment of the direction; `syn` says whether it is its SYN
  // (whose sequence number takes one, RFC 9293 3.4). A stream that starts
  // without one is picked up mid-stream at `seq`.
  void Start(uint32_t seq, bool syn);
  bool started() const { return started_; }
  bool saw_syn() const { return saw_syn_; }

  // One segment's payload (len may be 0 for a bare FIN). `cut` more bytes
  // followed `payload` on the wire, which the capture did not keep (a
  // snaplen shorter than the frame): when the stream reaches them they are
  // a gap at once; a retransmission cannot bring them back after that.
  void Segment(uint32_t seq, const uint8_t* payload, uint32_t len, bool fin,
               RingPool& pool, StreamSink& sink, uint32_t cut = 0);
  // The other direction acknowledged up to `ack`: holes before it are lost.
  void PeerAcked(uint32_t ack, RingPool& pool, StreamSink& sink);
  // The connection ended (FIN, RST, idle, eviction, end of capture):
  // whatever is buffered goes out, holes as gaps; the ring goes back.
  void Finish(RingPool& pool, StreamSink& sink);

  bool fin_delivered() const { return fin_delivered_; }
  const StreamCounters& counters() const { return counters_; }

 private:
  SeqNum next() const { return ring_ >= 0 ? reassembly_.next() : next_; }
  // The payload part of Segment(); `len` > 0.
  void Data(SeqNum seq, const uint8_t* payload, uint32_t len, RingPool& pool,
            StreamSink& sink);
  // [from, from + n) were cut from a segment by the snaplen.
  void Cut(SeqNum from, uint32_t n, RingPool& pool, StreamSink& sink);
  void ReleaseRing(RingPool& pool);
  void Deliver(std::string_view bytes, StreamSink& sink);
  void Gap(uint32_t bytes, GapReason reason, StreamSink& sink);
  // Pops what now continues the stream; returns the ring when drained.
  void Drain(RingPool& pool, StreamSink& sink);
  // Gives up the first hole: skips to the first buffered byte.
  void SkipHole(GapReason reason, RingPool& pool, StreamSink& sink);
  void CheckFin();

  bool started_ = false;
  bool saw_syn_ = false;
  bool fin_seen_ = false;
  bool fin_delivered_ = false;
  SeqNum next_;     // next byte expected while no ring is held
  SeqNum fin_seq_;  // the FIN's sequence number once seen
  int32_t ring_ = -1;
  Reassembly reassembly_;  // meaningful while ring_ >= 0
  StreamCounters counters_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_TCP_STREAM_H_
