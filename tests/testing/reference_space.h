// The obvious TargetSpace: hardware division and a binary search over the
// intervals. Tests compare TargetSpace against it; the benchmark measures
// how much faster TargetSpace is.
#ifndef TLSWEEP_TESTS_TESTING_REFERENCE_SPACE_H_
#define TLSWEEP_TESTS_TESTING_REFERENCE_SPACE_H_

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "targets/address_set.h"
#include "targets/target_space.h"

namespace tlsweep::testing {

class ReferenceSpace {
 public:
  ReferenceSpace(const AddressSet& set, std::vector<uint16_t> ports)
      : intervals_(set.intervals()), ports_(std::move(ports)) {
    uint64_t start = 0;
    for (const AddressInterval& i : intervals_) {
      starts_.push_back(start);
      start += i.size();
    }
  }
  uint64_t size() const { return starts_.back() + intervals_.back().size(); }
  Target At(uint64_t index) const {
    const uint64_t address_index = index / ports_.size();
    const uint64_t port_index = index % ports_.size();
    const size_t i = static_cast<size_t>(
        std::upper_bound(starts_.begin(), starts_.end(), address_index) -
        starts_.begin() - 1);
    return Target{
        Ipv4Address(intervals_[i].first +
                    static_cast<uint32_t>(address_index - starts_[i])),
        ports_[port_index]};
  }

 private:
  std::vector<AddressInterval> intervals_;
  std::vector<uint64_t> starts_;
  std::vector<uint16_t> ports_;
};

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_REFERENCE_SPACE_H_
