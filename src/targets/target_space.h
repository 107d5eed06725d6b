// The scan's target space: the allowed addresses times the ports, numbered
// 0 .. size()-1, so that the cyclic permutation (cyclic.h) and sharding only
// ever deal with integers.
//
// Numbering: index = address_index * num_ports + port_index, where
// address_index counts the allowed addresses in ascending order and
// port_index follows the order of the port list. All ports of one address are
// neighbours in index space; the permutation scatters them in time anyway.
//
// At(index) runs once per probe, inside a send path budgeted at 40 ns per
// packet, so it is shaped for that:
// - index / num_ports is a multiply-high by a precomputed reciprocal
//   (ReciprocalDivider below, with its proof), not a 64-bit `div` (tens of
//   cycles on most x86 cores).
// - address_index -> address goes through a bucket table over the high bits of
//   the address index: the bucket names the first interval that can hold the
//   index, and a short forward scan finishes. With about four buckets per
//   interval, the scan takes zero or one step for evenly spread intervals;
//   when many intervals crowd into one bucket (a blocklist of thousands of
//   small holes in one /8), the scan switches to a binary search bounded by
//   the next bucket, so the worst case stays logarithmic in that crowd.
// - Everything At touches is contiguous: for the default blocklist on
//   0.0.0.0/0 (16 intervals) the tables take about 600 bytes.
// bench/target_space_benchmark.cc measures it against the plain
// binary-search-and-divide version; bench/RESULTS.md has the figures.
#ifndef TLSWEEP_TARGETS_TARGET_SPACE_H_
#define TLSWEEP_TARGETS_TARGET_SPACE_H_

#include <cassert>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "targets/address_set.h"

namespace tlsweep {

// Exact floor(n / d) for n < 2^48 and 1 <= d <= 65535, by one 64x64->128-bit
// multiplication.
//
// Why it is exact. For d >= 2 let m = ceil(2^64 / d), which fits in 64 bits,
// and write m = (2^64 + e) / d with 0 <= e < d. Write n = q*d + r, 0 <= r < d.
// Then
//   n*m / 2^64 = n/d + n*e / (d * 2^64) = q + (r + n*e/2^64) / d.
// Because n < 2^48 and e < d <= 2^16, n*e < 2^64, so 0 <= n*e/2^64 < 1 and
// 0 <= r + n*e/2^64 < r + 1 <= d: the second term lies in [0, 1), and
// floor(n*m / 2^64) = q. Taking the high 64 bits of the 128-bit product is
// that floor.
// For d == 1, m would be 2^64; instead m = 0 and the quotient is n itself,
// added through a mask so that the code has no branch.
// A TargetSpace's indices are below 2^32 * 65535 < 2^48, so they qualify.
class ReciprocalDivider {
 public:
  // `divisor` must be in 1..65535.
  explicit ReciprocalDivider(uint32_t divisor)
      : multiplier_(divisor == 1 ? 0 : ~uint64_t{0} / divisor + 1),
        identity_mask_(divisor == 1 ? ~uint64_t{0} : 0),
        divisor_(divisor) {
    assert(divisor >= 1 && divisor <= 65535);
  }

  // floor(n / divisor()) for n < 2^48.
  uint64_t Divide(uint64_t n) const {
    __extension__ using Uint128 = unsigned __int128;
    const uint64_t high = static_cast<uint64_t>(
        (static_cast<Uint128>(n) * multiplier_) >> 64);
    return high + (n & identity_mask_);
  }
  uint32_t divisor() const { return divisor_; }

 private:
  uint64_t multiplier_;     // ceil(2^64 / divisor), or 0 for divisor 1
  uint64_t identity_mask_;  // all ones for divisor 1, else 0
  uint32_t divisor_;
};

struct Target {
  Ipv4Address address;
  uint16_t port;
  friend bool operator==(const Target&, const Target&) = default;
};

class TargetSpace {
 public:
  // Freezes `allowed` x `ports`. Both must be non-empty; ports must be
  // distinct and non-zero (ParsePortList guarantees both). InvalidArgument
  // otherwise.
  static absl::StatusOr<TargetSpace> Create(const AddressSet& allowed,
                                            std::vector<uint16_t> ports);

  // num_addresses() * num_ports: up to 2^32 * 65535.
  uint64_t size() const { return num_addresses_ * ports_.size(); }
  uint64_t num_addresses() const { return num_addresses_; }
  const std::vector<uint16_t>& ports() const { return ports_; }

  // The target with number `index`; requires index < size(). Hot path: no
  // allocation, no division instruction, no unbounded search.
  Target At(uint64_t index) const {
    assert(index < size());
    const uint64_t address_index = port_divider_.Divide(index);
    const uint64_t port_index = index - address_index * ports_.size();
    const uint64_t bucket = address_index >> bucket_shift_;
    uint32_t run = buckets_[bucket];
    const uint32_t last_candidate = buckets_[bucket + 1];
    if (last_candidate - run > kMaxLinearScan) [[unlikely]] {
      run = FindRunInCrowd(address_index, run, last_candidate);
    } else {
      // Terminates at last_candidate at the latest: the run after it starts
      // past the bucket (runs_ ends with a sentinel starting at
      // num_addresses_).
      while (runs_[run + 1].start_index <= address_index) ++run;
    }
    const Run& r = runs_[run];
    return Target{
        Ipv4Address(r.first +
                    static_cast<uint32_t>(address_index - r.start_index)),
        ports_[port_index]};
  }

  // The inverse of At: the index of (address, port), or nullopt when the
  // address is not allowed or the port is not scanned. O(log intervals +
  // log ports); for mapping responses back and for tests.
  std::optional<uint64_t> IndexOf(Ipv4Address address, uint16_t port) const;

  // Number of entries of the bucket table (for tests and the benchmark).
  size_t num_buckets() const { return buckets_.size() - 1; }

 private:
  // One allowed interval and the address index of its first address.
  struct Run {
    uint64_t start_index;  // sum of the sizes of the runs before this one
    uint32_t first;
    uint32_t last;
  };

  // Buckets per interval and the table's cap. Four per interval keeps the
  // expected scan below one step when interval starts are spread out; the cap
  // (2^20 entries, 4 MiB) bounds memory for lists of millions of intervals,
  // where the bounded binary search takes over.
  static constexpr uint32_t kBucketsPerRun = 4;
  static constexpr uint32_t kMaxBuckets = uint32_t{1} << 20;
  // Above this many candidates a bucket is binary-searched: 8 steps of a
  // linear scan cost about as much as log2 of a few hundred compares.
  static constexpr uint32_t kMaxLinearScan = 8;

  TargetSpace(std::vector<Run> runs, std::vector<uint16_t> ports,
              uint64_t num_addresses);

  // Binary search for the run holding `address_index` among runs
  // first..last (inclusive); the out-of-line slow path of At.
  uint32_t FindRunInCrowd(uint64_t address_index, uint32_t first,
                          uint32_t last) const;

  std::vector<Run> runs_;         // ascending; plus a sentinel at the end
  std::vector<uint32_t> buckets_;  // run holding index b << shift; + sentinel
  uint32_t bucket_shift_ = 0;
  std::vector<uint16_t> ports_;
  // (port, port index) sorted by port, for IndexOf.
  std::vector<std::pair<uint16_t, uint16_t>> port_lookup_;
  ReciprocalDivider port_divider_;
  uint64_t num_addresses_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TARGETS_TARGET_SPACE_H_
