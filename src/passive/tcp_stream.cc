// See tcp_stream.h.
#include "passive/tcp_stream.h"

#include <algorithm>

namespace tlsweep {
namespace {

// A sequence number this far ahead of the stream is not a hole but a
// different sequence space (a reused port, a broken capture): RFC 7323's
// largest window, 2^30, bounds how far ahead real data can be.
constexpr uint32_t kMaxAhead = 1u << 30;

}  // namespace

RingPool::RingPool(uint32_t rings, uint32_t ring_bytes)
    : ring_bytes_(ring_bytes),
      memory_(new uint8_t[size_t(rings) * ring_bytes]) {
  free_.reserve(rings);
  for (uint32_t i = rings; i > 0; --i) free_.push_back(static_cast<int32_t>(i - 1));
}

int32_t RingPool::Acquire() {
  if (free_.empty()) return -1;
  const int32_t r = free_.back();
  free_.pop_back();
  return r;
}

void RingPool::Release(int32_t ring) { free_.push_back(ring); }

std::string_view GapReasonName(GapReason reason) {
  switch (reason) {
    case GapReason::kAckedByPeer: return "acked-by-peer";
    case GapReason::kBufferFull: return "buffer-full";
    case GapReason::kNoRing: return "no-buffer";
    case GapReason::kEnd: return "connection-end";
    case GapReason::kSnaplen: return "snaplen";
    case GapReason::kCount: break;
  }
  return "unknown";
}

void TcpStream::Start(uint32_t seq, bool syn) {
  started_ = true;
  saw_syn_ = syn;
  next_ = SeqNum(seq) + (syn ? 1 : 0);
}

void TcpStream::Segment(uint32_t seq, const uint8_t* payload, uint32_t len, bool fin,
                        RingPool& pool, StreamSink& sink, uint32_t cut) {
  ++counters_.segments;
  if (fin && !fin_seen_) {
    fin_seen_ = true;
    fin_seq_ = SeqNum(seq) + len + cut;
  }
  if (len > 0) Data(SeqNum(seq), payload, len, pool, sink);
  if (cut > 0) Cut(SeqNum(seq) + len, cut, pool, sink);
  CheckFin();
}

void TcpStream::Cut(SeqNum from, uint32_t n, RingPool& pool, StreamSink& sink) {
  // Only where the stream now is: bytes already delivered were not lost,
  // and a cut segment that arrived early leaves a hole like any other.
  if (next() != from) return;
  SeqNum to = from + n;
  if (ring_ >= 0 && !reassembly_.empty() && reassembly_.first_buffered() < to) to = reassembly_.first_buffered();
  Gap(SeqSpan(from, to), GapReason::kSnaplen, sink);
  if (ring_ < 0) {
    next_ = to;
    return;
  }
  reassembly_.Skip(to);
  Drain(pool, sink);
}

void TcpStream::Data(SeqNum seq, const uint8_t* payload, uint32_t len, RingPool& pool,
                     StreamSink& sink) {
  const SeqNum expected = next();
  if (seq + len <= expected) {
    ++counters_.retransmitted;
    return;
  }
  if (ring_ < 0) {
    if (seq <= expected) {  // in order, perhaps with a retransmitted head
      const uint32_t skip = SeqSpan(seq, expected);
      Deliver(std::string_view(reinterpret_cast<const char*>(payload) + skip, len - skip), sink);
      next_ = seq + len;
      return;
    }
    ++counters_.out_of_order;
    ring_ = pool.Acquire();
    if (ring_ < 0) {
      Gap(SeqSpan(expected, seq), GapReason::kNoRing, sink);
      next_ = seq;
      Data(seq, payload, len, pool, sink);
      return;
    }
    reassembly_.Reset(expected, pool.ring(ring_), pool.ring_bytes());
  } else if (seq > expected) {
    ++counters_.out_of_order;
  }

  bool differed = false;
  const SeqNum window_end = expected + pool.ring_bytes();
  const Reassembly::StoreResult r = reassembly_.Store(seq, payload, len, &differed);
  if (differed) ++counters_.overlaps_differing;
  if (r == Reassembly::StoreResult::kDuplicate) ++counters_.retransmitted;
  const bool stored_all = r == Reassembly::StoreResult::kDuplicate ||
                          (r == Reassembly::StoreResult::kStored && seq + len <= window_end);
  Drain(pool, sink);
  if (stored_all) return;
  // The segment did not fit: the oldest hole is lost (or, with nothing
  // buffered, the stream jumps to the segment), then the segment again.
  if (ring_ >= 0 && !reassembly_.empty()) {
    SkipHole(GapReason::kBufferFull, pool, sink);
  } else {
    ReleaseRing(pool);
    if (seq > next_) {
      Gap(SeqSpan(next_, seq), GapReason::kBufferFull, sink);
      next_ = seq;
    }
  }
  Data(seq, payload, len, pool, sink);
}

void TcpStream::PeerAcked(uint32_t ack, RingPool& pool, StreamSink& sink) {
  // Only an acknowledgement past bytes the capture did see proves the hole
  // before them lost: a cumulative ACK covers the hole too. An ACK ahead of
  // everything seen may just have been captured before its data.
  const SeqNum acked(ack);
  while (ring_ >= 0 && !reassembly_.empty() && reassembly_.first_buffered() < acked &&
         SeqSpan(reassembly_.next(), acked) < kMaxAhead) {
    SkipHole(GapReason::kAckedByPeer, pool, sink);
  }
  CheckFin();
}

void TcpStream::Finish(RingPool& pool, StreamSink& sink) {
  while (ring_ >= 0 && !reassembly_.empty()) SkipHole(GapReason::kEnd, pool, sink);
  ReleaseRing(pool);
  if (fin_seen_ && !fin_delivered_ && next_ < fin_seq_ &&
      SeqSpan(next_, fin_seq_) < kMaxAhead) {
    Gap(SeqSpan(next_, fin_seq_), GapReason::kEnd, sink);
    next_ = fin_seq_;
  }
  CheckFin();
}

void TcpStream::Drain(RingPool& pool, StreamSink& sink) {
  if (ring_ < 0) return;
  Reassembly::Contiguous c;
  while (reassembly_.PopContiguous(&c)) {
    Deliver(c.first, sink);
    if (!c.second.empty()) Deliver(c.second, sink);
  }
  if (reassembly_.empty()) ReleaseRing(pool);
}

void TcpStream::SkipHole(GapReason reason, RingPool& pool, StreamSink& sink) {
  const SeqNum to = reassembly_.first_buffered();
  Gap(SeqSpan(reassembly_.next(), to), reason, sink);
  reassembly_.Skip(to);
  Drain(pool, sink);
}

void TcpStream::ReleaseRing(RingPool& pool) {
  if (ring_ < 0) return;
  next_ = reassembly_.next();
  pool.Release(ring_);
  ring_ = -1;
}

void TcpStream::Deliver(std::string_view bytes, StreamSink& sink) {
  if (bytes.empty()) return;
  counters_.bytes += bytes.size();
  sink.OnData(bytes);
}

void TcpStream::Gap(uint32_t bytes, GapReason reason, StreamSink& sink) {
  ++counters_.gaps;
  counters_.gap_bytes += bytes;
  ++counters_.gaps_by_reason[static_cast<int>(reason)];
  sink.OnGap(bytes);
}

void TcpStream::CheckFin() {
  if (fin_seen_ && !fin_delivered_ && next() >= fin_seq_) fin_delivered_ = true;
}

}  // namespace tlsweep
