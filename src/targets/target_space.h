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
//   (ReciprocalDivider below, with its proof), not a 64-bit `div` (35-88
//   cycles of latency on Skylake-class cores in Agner Fog's tables; recent
//   AMD cores divide much faster, see the benchmark).
// - address_index -> address goes through a bucket table over the high bits of
//   the address index. Most buckets lie inside one interval and hold the
//   offset that turns an index into an address: one load, one add. A bucket
//   that an interval starts inside ("split", 8 of 221 buckets for the
//   default blocklist) compares up to three following interval starts in
//   parallel, without a branch. The table is sized so that buckets rarely
//   hold more starts than that; one that does is marked and binary-searched
//   between its bounds (a blocklist of thousands of small holes in one /8),
//   so the worst case stays logarithmic in that crowd.
// - Everything At touches is small and contiguous: for the default blocklist
//   on 0.0.0.0/0 (13 intervals) the tables take about 2 KiB.
// bench/target_space_benchmark.cc measures it against the plain
// binary-search-and-divide version.
#ifndef TLSWEEP_TARGETS_TARGET_SPACE_H_
#define TLSWEEP_TARGETS_TARGET_SPACE_H_

#include <cassert>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "common/uint128.h"
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
    const uint64_t high =
        static_cast<uint64_t>((static_cast<Uint128>(n) * multiplier_) >> 64);
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
    const uint64_t b = address_index >> bucket_shift_;
    const Bucket bucket = buckets_[b];
    uint32_t delta = bucket.delta;
    if (bucket.run & kSplit) [[unlikely]] {
      delta = runs_[FindRun(address_index, b)].delta;
    }
    return Target{Ipv4Address(static_cast<uint32_t>(address_index) + delta),
                  ports_[port_index]};
  }

  // The inverse of At: the index of (address, port), or nullopt when the
  // address is not allowed or the port is not scanned. O(log intervals +
  // log ports); for mapping responses back and for tests.
  std::optional<uint64_t> IndexOf(Ipv4Address address, uint16_t port) const;

  // The bucket table's size, how many of its buckets hold a run start (and
  // need FindRun) and how many of those take the binary search (for tests
  // and the benchmark).
  size_t num_buckets() const { return buckets_.size() - 1; }
  size_t num_split_buckets() const;
  size_t num_crowded_buckets() const;

 private:
  // One allowed interval and the address index of its first address.
  struct Run {
    uint64_t start_index;  // sum of the sizes of the runs before this one
    uint32_t first;        // its first address
    // first - start_index modulo 2^32, so that the address of an index in
    // this run is (uint32_t)index + delta: one load and one add in At.
    uint32_t delta;
  };

  // One entry of the bucket table: the run holding the bucket's first index
  // (or'ed with the flags below) and that run's delta, so that a bucket no
  // run starts inside answers At by itself.
  struct Bucket {
    uint32_t run;
    uint32_t delta;
  };

  // Bucket table sizing. It starts at kBucketsPerRun entries per run (so
  // that most buckets lie inside one run) and doubles while some bucket is
  // crowded, up to kMaxBucketsPerRun per run and kMaxBuckets in all (2^20
  // entries, 8 MiB, for lists of a million intervals and more). For the
  // default blocklist on 0.0.0.0/0 (13 runs) that ends at 221 entries, 8 of
  // them split and none crowded.
  static constexpr uint64_t kBucketsPerRun = 4;
  static constexpr uint64_t kMaxBucketsPerRun = 64;
  static constexpr uint64_t kMaxBuckets = uint64_t{1} << 20;
  // Run starts inside a split bucket that FindRun resolves without a branch.
  // Three keeps the loads in one or two cache lines (a Run is 16 bytes).
  static constexpr uint32_t kParallelSteps = 3;
  // Bucket::run flags. kSplit: a run starts inside the bucket. kCrowded:
  // more than kParallelSteps do, so FindRun binary-searches. Run numbers
  // therefore stay below 2^30, which Create checks (an AddressSet that
  // fragmented would take 8 GiB).
  static constexpr uint32_t kSplit = uint32_t{1} << 31;
  static constexpr uint32_t kCrowded = uint32_t{1} << 30;
  static constexpr uint32_t kRunMask = kCrowded - 1;

  TargetSpace(std::vector<Run> runs, std::vector<uint16_t> ports,
              uint64_t num_addresses);

  // The run holding `address_index`, which lies in split bucket `b`: the
  // slower path of At, out of line so that At stays small enough to inline.
  uint32_t FindRun(uint64_t address_index, uint64_t b) const;

  // Binary search for the run holding `address_index` among runs
  // first..last (inclusive); out of line, for crowded buckets.
  uint32_t FindRunInCrowd(uint64_t address_index, uint32_t first,
                          uint32_t last) const;

  // Ascending, then kParallelSteps sentinels starting at num_addresses_.
  std::vector<Run> runs_;
  // Entry b covers address indices [b << bucket_shift_, (b + 1) <<
  // bucket_shift_); one extra entry at the end names the last run.
  std::vector<Bucket> buckets_;
  uint32_t bucket_shift_ = 0;
  std::vector<uint16_t> ports_;
  // (port, port index) sorted by port, for IndexOf.
  std::vector<std::pair<uint16_t, uint16_t>> port_lookup_;
  ReciprocalDivider port_divider_;
  uint64_t num_addresses_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TARGETS_TARGET_SPACE_H_
