#include "targets/target_space.h"

#include <algorithm>
#include <bit>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tlsweep {

absl::StatusOr<TargetSpace> TargetSpace::Create(const AddressSet& allowed,
                                                std::vector<uint16_t> ports) {
  if (allowed.empty()) {
    return absl::InvalidArgumentError("target space: no allowed address");
  }
  if (ports.empty()) {
    return absl::InvalidArgumentError("target space: no port");
  }
  std::vector<bool> seen(65536, false);
  for (uint16_t port : ports) {
    if (port == 0) {
      return absl::InvalidArgumentError("target space: port 0");
    }
    if (seen[port]) {
      return absl::InvalidArgumentError(
          absl::StrCat("target space: port ", port, " given twice"));
    }
    seen[port] = true;
  }
  // Distinct non-zero ports: at most 65535 of them, the divider's limit.
  if (allowed.intervals().size() > kRunMask) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target space: ", allowed.intervals().size(),
        " separate address ranges are more than the 2^30 supported"));
  }

  std::vector<Run> runs;
  runs.reserve(allowed.intervals().size() + 1);
  uint64_t num_addresses = 0;
  for (const AddressInterval& i : allowed.intervals()) {
    runs.push_back(Run{num_addresses, i.first,
                       i.first - static_cast<uint32_t>(num_addresses)});
    num_addresses += i.size();
  }
  return TargetSpace(std::move(runs), std::move(ports), num_addresses);
}

TargetSpace::TargetSpace(std::vector<Run> runs, std::vector<uint16_t> ports,
                         uint64_t num_addresses)
    : runs_(std::move(runs)),
      ports_(std::move(ports)),
      port_divider_(static_cast<uint32_t>(ports_.size())),
      num_addresses_(num_addresses) {
  const uint32_t num_runs = static_cast<uint32_t>(runs_.size());
  for (uint32_t k = 0; k < kParallelSteps; ++k) {
    runs_.push_back(Run{num_addresses_, 0, 0});
  }

  const uint64_t max_index = num_addresses_ - 1;
  const uint64_t limit = std::min(
      kMaxBuckets, std::bit_ceil(uint64_t{num_runs}) * kMaxBucketsPerRun);
  for (uint64_t wanted = std::min(
           kMaxBuckets, std::bit_ceil(uint64_t{num_runs} * kBucketsPerRun));
       ; wanted *= 2) {
    // The smallest shift that folds the largest address index into `wanted`
    // entries.
    bucket_shift_ = 0;
    while ((max_index >> bucket_shift_) >= wanted) ++bucket_shift_;
    const uint64_t num_buckets = (max_index >> bucket_shift_) + 1;
    buckets_.assign(num_buckets + 1, Bucket{0, 0});
    bool crowded = false;
    uint32_t run = 0;
    for (uint64_t b = 0; b < num_buckets; ++b) {
      const uint64_t first_index = b << bucket_shift_;
      const uint64_t end_index =
          std::min((b + 1) << bucket_shift_, num_addresses_);
      while (runs_[run + 1].start_index <= first_index) ++run;
      // Flags: does a run start inside the bucket, and more than
      // kParallelSteps of them? (The sentinels start at num_addresses_, which
      // end_index never passes.)
      uint32_t flags = 0;
      if (runs_[run + 1].start_index < end_index) flags |= kSplit;
      if (run + 1 + kParallelSteps < runs_.size() &&
          runs_[run + 1 + kParallelSteps].start_index < end_index) {
        flags |= kCrowded;
        crowded = true;
      }
      buckets_[b] = Bucket{run | flags, runs_[run].delta};
    }
    buckets_[num_buckets] = Bucket{num_runs - 1, runs_[num_runs - 1].delta};
    // A shift of 0 gives every index its own bucket: never crowded.
    if (!crowded || wanted >= limit || bucket_shift_ == 0) break;
  }

  port_lookup_.reserve(ports_.size());
  for (size_t i = 0; i < ports_.size(); ++i) {
    port_lookup_.emplace_back(ports_[i], static_cast<uint16_t>(i));
  }
  std::sort(port_lookup_.begin(), port_lookup_.end());
}

size_t TargetSpace::num_split_buckets() const {
  return static_cast<size_t>(
      std::count_if(buckets_.begin(), buckets_.end() - 1,
                    [](Bucket b) { return (b.run & kSplit) != 0; }));
}

size_t TargetSpace::num_crowded_buckets() const {
  return static_cast<size_t>(
      std::count_if(buckets_.begin(), buckets_.end() - 1,
                    [](Bucket b) { return (b.run & kCrowded) != 0; }));
}

uint32_t TargetSpace::FindRun(uint64_t address_index, uint64_t b) const {
  const uint32_t entry = buckets_[b].run;
  const uint32_t run = entry & kRunMask;
  if (entry & kCrowded) [[unlikely]] {
    return FindRunInCrowd(address_index, run, buckets_[b + 1].run & kRunMask);
  }
  // At most kParallelSteps runs start inside the bucket after `run`; the run
  // holding the index is `run` plus the number of those starts at or below
  // the index. Starts are sorted, so the compares need no order: the loads
  // run in parallel and the sum has no branch to mispredict. runs_ ends with
  // kParallelSteps sentinels starting at num_addresses_, so run + k is always
  // readable and a sentinel is never counted.
  static_assert(kParallelSteps == 3);
  return run +
         static_cast<uint32_t>(runs_[run + 1].start_index <= address_index) +
         static_cast<uint32_t>(runs_[run + 2].start_index <= address_index) +
         static_cast<uint32_t>(runs_[run + 3].start_index <= address_index);
}

uint32_t TargetSpace::FindRunInCrowd(uint64_t address_index, uint32_t first,
                                     uint32_t last) const {
  // The first run among first+1 .. last that starts after address_index;
  // the run before it holds the index (`last` itself when none does).
  auto after = std::upper_bound(
      runs_.begin() + first + 1, runs_.begin() + last + 1, address_index,
      [](uint64_t index, const Run& r) { return index < r.start_index; });
  return static_cast<uint32_t>(after - runs_.begin()) - 1;
}

std::optional<uint64_t> TargetSpace::IndexOf(Ipv4Address address,
                                             uint16_t port) const {
  auto p = std::lower_bound(port_lookup_.begin(), port_lookup_.end(),
                            std::pair<uint16_t, uint16_t>(port, 0));
  if (p == port_lookup_.end() || p->first != port) return std::nullopt;

  const uint32_t v = address.value();
  const auto real_end = runs_.end() - kParallelSteps;  // without sentinels
  auto after = std::upper_bound(
      runs_.begin(), real_end, v,
      [](uint32_t value, const Run& r) { return value < r.first; });
  if (after == runs_.begin()) return std::nullopt;
  const Run& r = *std::prev(after);
  const Run& next = *after;  // a sentinel after the last run
  if (v - r.first >= next.start_index - r.start_index) return std::nullopt;
  const uint64_t address_index = r.start_index + (v - r.first);
  return address_index * ports_.size() + p->second;
}

}  // namespace tlsweep
