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

  std::vector<Run> runs;
  runs.reserve(allowed.intervals().size() + 1);
  uint64_t num_addresses = 0;
  for (const AddressInterval& i : allowed.intervals()) {
    runs.push_back(Run{num_addresses, i.first, i.last});
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
  // Sentinel: starts where the address indices end, so the scan in At stops.
  runs_.push_back(Run{num_addresses_, 0, 0});

  // The smallest shift that folds the largest address index into the table.
  const uint64_t wanted = std::min<uint64_t>(
      std::bit_ceil(uint64_t{num_runs} * kBucketsPerRun), kMaxBuckets);
  const uint64_t max_index = num_addresses_ - 1;
  bucket_shift_ = 0;
  while ((max_index >> bucket_shift_) >= wanted) ++bucket_shift_;
  const uint64_t num_buckets = (max_index >> bucket_shift_) + 1;

  buckets_.resize(num_buckets + 1);
  uint32_t run = 0;
  for (uint64_t b = 0; b < num_buckets; ++b) {
    const uint64_t first_index = b << bucket_shift_;
    while (runs_[run + 1].start_index <= first_index) ++run;
    buckets_[b] = run;
  }
  buckets_[num_buckets] = num_runs - 1;

  port_lookup_.reserve(ports_.size());
  for (size_t i = 0; i < ports_.size(); ++i) {
    port_lookup_.emplace_back(ports_[i], static_cast<uint16_t>(i));
  }
  std::sort(port_lookup_.begin(), port_lookup_.end());
}

uint32_t TargetSpace::FindRunInCrowd(uint64_t address_index, uint32_t first,
                                     uint32_t last) const {
  // The first run among first+1 .. last+1 that starts after address_index;
  // the run before it holds the index. runs_[last + 1] exists (the sentinel
  // at worst) and starts after the index, so the search always lands.
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
  const auto real_end = runs_.end() - 1;  // without the sentinel
  auto after = std::upper_bound(
      runs_.begin(), real_end, v,
      [](uint32_t value, const Run& r) { return value < r.first; });
  if (after == runs_.begin()) return std::nullopt;
  const Run& r = *std::prev(after);
  if (v > r.last) return std::nullopt;
  const uint64_t address_index = r.start_index + (v - r.first);
  return address_index * ports_.size() + p->second;
}

}  // namespace tlsweep
