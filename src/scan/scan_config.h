// What a scan is asked to do (ScanConfig, filled from flags) and everything
// derived from it once at start-up (ScanPlan): the allowed addresses, the
// target space, the cyclic group and the cookie key. The probe template is
// not part of the plan: its MAC addresses come from the port and from ARP,
// after the plan has already been checked.
//
// A ScanPlan is immutable after Create and shared read-only by every sender
// and receiver thread, so the data plane needs no locks to consult it. Two
// machines that build a plan from the same targets, ports and seed get the
// same group and the same walk, which is what makes --shard work across
// machines.
#ifndef TLSWEEP_SCAN_SCAN_CONFIG_H_
#define TLSWEEP_SCAN_SCAN_CONFIG_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "packet/probe.h"
#include "scan/rate_limiter.h"
#include "targets/cyclic.h"
#include "targets/shard.h"
#include "targets/target_parse.h"
#include "targets/target_space.h"
#include "validate/cookie.h"
#include "validate/validator.h"

namespace tlsweep {

struct ScanConfig {
  TargetOptions targets;
  std::vector<uint16_t> ports;
  uint64_t seed = 0;
  uint32_t shard = 0;
  uint32_t num_shards = 1;
  uint32_t sender_threads = 1;
  // ZMap's default rate: 10,000 packets per second.
  RateSpec rate = RateSpec::Packets(10000);
  uint32_t probes = 1;  // -P: probes per target
  // 0 = no cap; otherwise the most targets this run probes (ZMap's -n).
  uint64_t max_targets = 0;
  // No default: ZMap takes it from the interface, a dry run needs -S.
  SourceRange sources{Ipv4Address(), 0};
  // Source ports 32768-61000: Linux's ephemeral range, so that answers look
  // like ordinary client traffic to middleboxes (ZMap's default too).
  uint16_t sport_first = 32768;
  uint16_t sport_count = 28233;
  ProbeConfig probe;
};

class ScanPlan {
 public:
  // Builds the plan; errors name what is wrong (no targets, a bad file, a
  // shard out of range, a source-port range past 65535, ...).
  static absl::StatusOr<std::unique_ptr<ScanPlan>> Create(
      const ScanConfig& config, const SipKey& cookie_key);

  const ScanConfig& config() const { return config_; }
  const AllowedAddresses& allowed() const { return allowed_; }
  const TargetSpace& space() const { return space_; }
  const CyclicGroup& group() const { return group_; }
  const Cookies& cookies() const { return cookies_; }

  // The walk of sender thread `thread`, positioned after `steps_done`.
  absl::StatusOr<ShardIterator> Subshard(uint32_t thread,
                                         uint64_t steps_done) const;

  // The most targets sender `thread` may probe under --max-targets (the cap
  // split evenly, the remainder to the first threads); UINT64_MAX if none.
  uint64_t TargetLimit(uint32_t thread) const;

 private:
  ScanPlan(const ScanConfig& config, AllowedAddresses allowed,
           TargetSpace space, CyclicGroup group, const SipKey& key)
      : config_(config),
        allowed_(std::move(allowed)),
        space_(std::move(space)),
        group_(std::move(group)),
        cookies_(key, config.sport_first, config.sport_count) {}

  const ScanConfig config_;
  const AllowedAddresses allowed_;
  const TargetSpace space_;
  const CyclicGroup group_;
  const Cookies cookies_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_SCAN_CONFIG_H_
