// A set of IPv4 addresses kept as sorted, disjoint, merged, inclusive
// intervals.
//
// This is the currency of the target stage: allowlists, blocklists, -I lists
// and positional arguments are each read into an AddressSet, combined with set
// algebra, and the result is frozen into a TargetSpace (target_space.h).
//
// Invariant (checked by the tests after every operation): intervals() is sorted
// by `first`, every interval has first <= last, and two consecutive intervals
// are separated by at least one address (a.last + 1 < b.first), so every set
// has exactly one representation and Count() is a plain sum. Intervals are
// inclusive so that 255.255.255.255 and the whole space 0.0.0.0/0 need no
// 33-bit arithmetic.
//
// Everything here is control plane (start-up), so it favours simple linear
// merges over clever structures: Add is O(n) (O(1) when intervals arrive in
// order), AddSet and Subtract are O(n + m), Contains is O(log n). Bulk input
// should go through FromIntervals, which sorts once.
#ifndef TLSWEEP_TARGETS_ADDRESS_SET_H_
#define TLSWEEP_TARGETS_ADDRESS_SET_H_

#include <cstdint>
#include <vector>

#include "common/net_types.h"

namespace tlsweep {

// Inclusive range of host-order addresses; first <= last.
struct AddressInterval {
  uint32_t first;
  uint32_t last;
  // Number of addresses in the interval: 1 .. 2^32.
  uint64_t size() const { return uint64_t{last} - first + 1; }
  friend bool operator==(const AddressInterval&,
                         const AddressInterval&) = default;
};

class AddressSet {
 public:
  AddressSet() = default;

  // The set of all addresses covered by `intervals`, which may be in any order,
  // overlap or touch. Intervals with first > last are ignored. O(n log n).
  static AddressSet FromIntervals(std::vector<AddressInterval> intervals);

  // Adds every address of `interval`, merging with overlapping or adjacent
  // intervals. An interval with first > last is ignored.
  void Add(AddressInterval interval);
  // Union with `other`.
  void AddSet(const AddressSet& other);
  // Set difference: removes every address of `other`, splitting intervals.
  void Subtract(const AddressSet& other);

  // True if `address` is in the set. O(log n).
  bool Contains(Ipv4Address address) const;
  // Number of addresses in the set: 0 .. 2^32.
  uint64_t Count() const;
  const std::vector<AddressInterval>& intervals() const { return intervals_; }
  bool empty() const { return intervals_.empty(); }

  friend bool operator==(const AddressSet&, const AddressSet&) = default;

 private:
  std::vector<AddressInterval> intervals_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TARGETS_ADDRESS_SET_H_
