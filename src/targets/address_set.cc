#include "targets/address_set.h"

#include <algorithm>
#include <utility>

namespace tlsweep {
namespace {

// Appends `next` to `out`, whose intervals are sorted and merged and whose
// last interval starts at or before next.first; merges when they overlap or
// touch. 64-bit arithmetic keeps last + 1 from wrapping at 255.255.255.255.
void AppendMerged(std::vector<AddressInterval>& out, AddressInterval next) {
  if (!out.empty() && uint64_t{out.back().last} + 1 >= next.first) {
    out.back().last = std::max(out.back().last, next.last);
  } else {
    out.push_back(next);
  }
}

bool FirstLess(const AddressInterval& a, const AddressInterval& b) {
  return a.first < b.first;
}

}  // namespace

AddressSet AddressSet::FromIntervals(std::vector<AddressInterval> intervals) {
  std::erase_if(intervals,
                [](const AddressInterval& i) { return i.first > i.last; });
  std::sort(intervals.begin(), intervals.end(), FirstLess);
  AddressSet set;
  set.intervals_.reserve(intervals.size());
  for (const AddressInterval& i : intervals) AppendMerged(set.intervals_, i);
  set.intervals_.shrink_to_fit();
  return set;
}

void AddressSet::Add(AddressInterval interval) {
  if (interval.first > interval.last) return;
  // [lo, hi) are the intervals that overlap or touch `interval`: those ending
  // at or after first - 1 and starting at or before last + 1.
  auto lo = std::partition_point(intervals_.begin(), intervals_.end(),
                                 [&](const AddressInterval& i) {
                                   return uint64_t{i.last} + 1 < interval.first;
                                 });
  auto hi =
      std::partition_point(lo, intervals_.end(), [&](const AddressInterval& i) {
        return i.first <= uint64_t{interval.last} + 1;
      });
  if (lo == hi) {
    intervals_.insert(lo, interval);
    return;
  }
  lo->first = std::min(lo->first, interval.first);
  lo->last = std::max(std::prev(hi)->last, interval.last);
  intervals_.erase(std::next(lo), hi);
}

void AddressSet::AddSet(const AddressSet& other) {
  if (other.empty()) return;
  std::vector<AddressInterval> merged;
  merged.reserve(intervals_.size() + other.intervals_.size());
  auto a = intervals_.begin();
  auto b = other.intervals_.begin();
  while (a != intervals_.end() || b != other.intervals_.end()) {
    if (b == other.intervals_.end() ||
        (a != intervals_.end() && a->first <= b->first)) {
      AppendMerged(merged, *a++);
    } else {
      AppendMerged(merged, *b++);
    }
  }
  intervals_ = std::move(merged);
}

void AddressSet::Subtract(const AddressSet& other) {
  if (empty() || other.empty()) return;
  const std::vector<AddressInterval>& holes = other.intervals_;
  std::vector<AddressInterval> out;
  out.reserve(intervals_.size() + holes.size());
  size_t j = 0;
  for (const AddressInterval& a : intervals_) {
    // `cur` is the first address of `a` not yet emitted or removed; it may
    // reach 2^32, hence 64 bits.
    uint64_t cur = a.first;
    while (j < holes.size() && holes[j].last < cur) ++j;
    // Holes that start inside `a`. A hole that runs past a.last stays at
    // holes[j] because it may also cut the next interval.
    while (j < holes.size() && holes[j].first <= a.last) {
      if (holes[j].first > cur) {
        out.push_back({static_cast<uint32_t>(cur), holes[j].first - 1});
      }
      cur = uint64_t{holes[j].last} + 1;
      if (cur > a.last) break;
      ++j;
    }
    if (cur <= a.last) out.push_back({static_cast<uint32_t>(cur), a.last});
  }
  intervals_ = std::move(out);
}

bool AddressSet::Contains(Ipv4Address address) const {
  const uint32_t v = address.value();
  // The first interval starting after v; the candidate is the one before it.
  auto it = std::upper_bound(
      intervals_.begin(), intervals_.end(), v,
      [](uint32_t value, const AddressInterval& i) { return value < i.first; });
  return it != intervals_.begin() && std::prev(it)->last >= v;
}

uint64_t AddressSet::Count() const {
  uint64_t n = 0;
  for (const AddressInterval& i : intervals_) n += i.size();
  return n;
}

}  // namespace tlsweep
