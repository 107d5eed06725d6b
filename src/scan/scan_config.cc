#include "scan/scan_config.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace tlsweep {

absl::StatusOr<std::unique_ptr<ScanPlan>> ScanPlan::Create(
    const ScanConfig& config, const SipKey& cookie_key) {
  if (config.ports.empty()) {
    return absl::InvalidArgumentError("no target ports: give -p");
  }
  if (config.num_shards == 0 || config.shard >= config.num_shards) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard ", config.shard, " is not in [0, --shards ",
        config.num_shards, ")"));
  }
  if (config.sender_threads == 0) {
    return absl::InvalidArgumentError("--sender-threads must be at least 1");
  }
  if (config.probes == 0) {
    return absl::InvalidArgumentError("-P must be at least 1");
  }
  if (config.sport_count == 0 ||
      uint32_t{config.sport_first} + config.sport_count - 1 > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "source port range ", config.sport_first, "+", config.sport_count,
        " does not fit in 1-65535"));
  }
  if (config.sources.count == 0) {
    return absl::InvalidArgumentError("no source address: give -S");
  }
  TLSWEEP_ASSIGN_OR_RETURN(AllowedAddresses allowed,
                           BuildAllowedAddresses(config.targets));
  TLSWEEP_ASSIGN_OR_RETURN(TargetSpace space,
                           TargetSpace::Create(allowed.allowed, config.ports));
  TLSWEEP_ASSIGN_OR_RETURN(CyclicGroup group,
                           MakeCyclicGroup(space.size(), config.seed));
  return std::unique_ptr<ScanPlan>(new ScanPlan(
      config, std::move(allowed), std::move(space), std::move(group),
      cookie_key));
}

absl::StatusOr<ShardIterator> ScanPlan::Subshard(uint32_t thread,
                                                 uint64_t steps_done) const {
  const ShardSpec spec{config_.shard, config_.num_shards, thread,
                       config_.sender_threads};
  return ShardIterator::Create(group_, space_.size(), spec, steps_done);
}

uint64_t ScanPlan::TargetLimit(uint32_t thread) const {
  if (config_.max_targets == 0) return std::numeric_limits<uint64_t>::max();
  const uint64_t per = config_.max_targets / config_.sender_threads;
  const uint64_t extra = config_.max_targets % config_.sender_threads;
  return per + (thread < extra ? 1 : 0);
}

}  // namespace tlsweep
