#include "tcp/reassembly.h"

#include <algorithm>
#include <cstring>

namespace tlsweep {

void Reassembly::Reset(SeqNum next, uint8_t* ring, uint32_t capacity) {
  ring_ = ring;
  capacity_ = capacity;
  head_ = 0;
  next_ = next;
  num_ranges_ = 0;
}

void Reassembly::CopyIn(SeqNum seq, const uint8_t* data, uint32_t len) {
  const uint32_t at = RingIndex(seq);
  const uint32_t first = std::min(len, capacity_ - at);
  std::memcpy(ring_ + at, data, first);
  std::memcpy(ring_, data + first, len - first);
}

bool Reassembly::SameAs(SeqNum seq, const uint8_t* data, uint32_t len) const {
  const uint32_t at = RingIndex(seq);
  const uint32_t first = std::min(len, capacity_ - at);
  return std::memcmp(ring_ + at, data, first) == 0 &&
         std::memcmp(ring_, data + first, len - first) == 0;
}

Reassembly::StoreResult Reassembly::Store(SeqNum seq, const uint8_t* data, uint32_t len,
                                          bool* differed) {
  if (differed != nullptr) *differed = false;
  // Clip to the window [next_, next_ + capacity_).
  if (len == 0 || seq + len <= next_) return StoreResult::kDuplicate;
  if (seq < next_) {
    const uint32_t skip = SeqSpan(seq, next_);
    data += skip;
    len -= skip;
    seq = next_;
  }
  const uint32_t offset = SeqSpan(next_, seq);
  if (offset >= capacity_) return StoreResult::kOutsideWindow;
  len = std::min(len, capacity_ - offset);

  // Merge [seq, seq + len) into the sorted, disjoint, non-adjacent ranges.
  Range merged[kMaxRanges + 1];
  int n = 0;
  Range add{seq, seq + len};
  bool placed = false;
  bool contained = false;
  for (int k = 0; k < num_ranges_; ++k) {
    const Range& r = ranges_[k];
    if (r.end < add.start) {
      merged[n++] = r;
    } else if (add.end < r.start) {
      if (!placed) {
        merged[n++] = add;
        placed = true;
      }
      merged[n++] = r;
    } else {
      contained |= r.start <= add.start && add.end <= r.end;
      add.start = std::min(add.start, r.start);
      add.end = SeqMax(add.end, r.end);
    }
  }
  if (!placed) merged[n++] = add;
  // Overlaps with held bytes: compare them when asked; the held copy stays.
  const SeqNum end = seq + len;
  if (differed != nullptr) {
    for (int k = 0; k < num_ranges_ && !*differed; ++k) {
      const SeqNum from = SeqMax(seq, ranges_[k].start);
      const SeqNum to = end < ranges_[k].end ? end : ranges_[k].end;
      if (from < to) {
        *differed = !SameAs(from, data + SeqSpan(seq, from), SeqSpan(from, to));
      }
    }
  }
  if (contained) return StoreResult::kDuplicate;
  if (n > kMaxRanges) return StoreResult::kTooManyRanges;

  // Write only the parts of [seq, seq + len) that no held range covers.
  SeqNum at = seq;
  for (int k = 0; k < num_ranges_ && at < end; ++k) {
    const Range& r = ranges_[k];
    if (r.end <= at) continue;
    if (end <= r.start) break;
    if (at < r.start) CopyIn(at, data + SeqSpan(seq, at), SeqSpan(at, r.start));
    at = r.end;
  }
  if (at < end) CopyIn(at, data + SeqSpan(seq, at), SeqSpan(at, end));
  std::copy(merged, merged + n, ranges_);
  num_ranges_ = static_cast<uint8_t>(n);
  return StoreResult::kStored;
}

}  // namespace tlsweep
