// The receive side of one connection: the next sequence number expected
// and a bounded buffer for data that arrives ahead of it (FreeBSD's
// tcp_reass.c, mTCP's fragment list over its receive ring).
//
// The bytes live in a ring of `capacity` bytes (the advertised receive
// window) whose head always holds next(); a byte at sequence number s sits
// at head + (s - next()), so storing is one copy and nothing ever moves.
// Which bytes the ring holds is tracked as at most kMaxRanges sorted,
// disjoint, non-adjacent ranges: each hole the peer leaves costs one, and
// data that would need more is dropped for the peer to send again. Nothing
// outside [next(), next() + capacity) is ever written, whatever the peer
// sends, so a connection holds at most `capacity` bytes of its data.
// Where a segment overlaps bytes already held, the held bytes stay (the
// first copy wins, as in FreeBSD and Linux); a caller that wants to know
// whether the copies differed asks Store for it (the passive mode counts
// such overlaps: they are how IDS evasion and broken middleboxes show).
// What runs for every in-order segment is inline.
#ifndef TLSWEEP_TCP_REASSEMBLY_H_
#define TLSWEEP_TCP_REASSEMBLY_H_

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "tcp/seq.h"

namespace tlsweep {

class Reassembly {
 public:
  // Four ranges cover a few lost segments in one window; anything beyond
  // is dropped (counted by the stack) and retransmitted by the peer.
  static constexpr int kMaxRanges = 4;

  enum class StoreResult : uint8_t {
    kStored,         // new bytes kept for later
    kDuplicate,      // every byte was here already (or is before next())
    kOutsideWindow,  // at or beyond next() + capacity: nothing kept
    kTooManyRanges,  // would leave more than kMaxRanges ranges: dropped
  };

  // Bytes that continue the stream, in order: `second` is non-empty only
  // when they wrap around the end of the ring.
  struct Contiguous {
    std::string_view first;
    std::string_view second;
  };

  // Starts an empty stream whose first byte is `next`, over `ring`.
  // `capacity` is at most 2^30 (RFC 7323's largest window), so ring
  // indices plus lengths never overflow 32 bits.
  void Reset(SeqNum next, uint8_t* ring, uint32_t capacity);

  SeqNum next() const { return next_; }
  bool empty() const { return num_ranges_ == 0; }

  // In-order bytes the caller delivered straight from a segment (seq ==
  // next(), len <= capacity): the stream moves on by `len` without
  // touching the ring.
  void Advance(uint32_t len) {
    next_ += len;
    head_ = (head_ + len) % capacity_;
  }
  // The peer's FIN, which takes one sequence number and no byte.
  void ConsumeFin() { next_ += 1; }

  // Keeps [seq, seq + len) of `data`; the part before next() or at and
  // beyond next() + capacity is ignored (the stack trims to its advertised
  // window first, which is never larger). Bytes already held are not
  // overwritten; when `differed` is given, it is set to whether any of them
  // differs from `data` (kept or not, the result says what was stored).
  StoreResult Store(SeqNum seq, const uint8_t* data, uint32_t len,
                    bool* differed = nullptr);

  // The sequence number of the first buffered byte; only when !empty().
  SeqNum first_buffered() const { return ranges_[0].start; }

  // Gives up on the bytes in [next(), to): a capture lost them and they
  // will never come. `to` is at most first_buffered() when anything is
  // buffered, so no held byte is skipped.
  void Skip(SeqNum to) { Advance(SeqSpan(next_, to)); }

  // The buffered bytes that now start at next(), and moves next() past
  // them; false when the first buffered range still lies beyond a hole.
  // The views point into the ring and stay valid until the next Store().
  bool PopContiguous(Contiguous* out) {
    while (num_ranges_ > 0 && ranges_[0].start <= next_) {
      const Range r = ranges_[0];
      std::copy(ranges_ + 1, ranges_ + num_ranges_, ranges_);
      --num_ranges_;
      if (r.end <= next_) continue;  // covered by in-order data since
      const uint32_t len = SeqSpan(next_, r.end);
      const uint32_t first = std::min(len, capacity_ - head_);
      const char* ring = reinterpret_cast<const char*>(ring_);
      out->first = std::string_view(ring + head_, first);
      out->second = std::string_view(ring, len - first);
      Advance(len);
      return true;
    }
    return false;
  }

 private:
  struct Range {
    SeqNum start;
    SeqNum end;
  };

  // Ring index of sequence number `seq`, which lies in the window.
  uint32_t RingIndex(SeqNum seq) const {
    return (head_ + SeqSpan(next_, seq)) % capacity_;
  }
  // Copies [seq, seq + len) of the window from `data` into the ring.
  void CopyIn(SeqNum seq, const uint8_t* data, uint32_t len);
  // True when [seq, seq + len) of the ring equals `data`.
  bool SameAs(SeqNum seq, const uint8_t* data, uint32_t len) const;

  uint8_t* ring_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t head_ = 0;  // ring index of next_
  SeqNum next_;
  uint8_t num_ranges_ = 0;
  Range ranges_[kMaxRanges];
};

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_REASSEMBLY_H_
