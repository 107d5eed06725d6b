#include "scan/probe_generator.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace tlsweep {

absl::StatusOr<ProbeGenerator> ProbeGenerator::Create(const ScanPlan& plan,
                                                      const SynProbe& probe,
                                                      uint32_t thread,
                                                      SenderPosition from) {
  if (from.pass >= plan.config().probes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resume position pass ", from.pass, " is past -P ",
        plan.config().probes));
  }
  TLSWEEP_ASSIGN_OR_RETURN(ShardIterator it,
                           plan.Subshard(thread, from.steps_done));
  ProbeGenerator generator(plan, probe, thread, it, from);
  generator.done_ = generator.targets_sent_ >= generator.limit_;
  return generator;
}

size_t ProbeGenerator::FillBurst(uint8_t* const* frames, size_t n,
                                 ProbeFields* fields) {
  // Target indices are drawn in bursts so the walk's loop stays tight; 32 is
  // the NIC burst size used throughout (DPDK's examples use 32 as well).
  constexpr size_t kMaxBurst = 32;
  const TargetSpace& space = plan_->space();
  const Cookies& cookies = plan_->cookies();
  const SourceRange& sources = plan_->config().sources;
  const SynProbe& probe = *probe_;
  size_t filled = 0;
  while (filled < n && !done_) {
    uint64_t indices[kMaxBurst];
    const uint64_t room = std::min<uint64_t>(limit_ - targets_sent_, kMaxBurst);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(n - filled, room));
    const size_t got = it_.NextBurst(indices, want);
    for (size_t i = 0; i < got; ++i) {
      const Target t = space.At(indices[i]);
      const Ipv4Address saddr = sources.For(t.address);
      const Cookies::Value c = cookies.Make(saddr, t.address, t.port);
      const ProbeFields f{saddr, t.address, c.sport, t.port, c.seq, c.ip_id};
      probe.Finish(frames[filled + i], f);
      if (fields != nullptr) fields[filled + i] = f;
    }
    filled += got;
    targets_sent_ += got;
    if (targets_sent_ >= limit_) {
      done_ = true;
    } else if (got < want) {
      // This pass is exhausted: start the next one, or finish.
      if (pass_ + 1 >= plan_->config().probes) {
        done_ = true;
      } else {
        ++pass_;
        // Create cannot fail here: the same sub-shard was valid at steps 0.
        it_ = *plan_->Subshard(thread_, 0);
      }
    }
  }
  return filled;
}

SenderPosition ProbeGenerator::position() const {
  return SenderPosition{pass_, it_.steps_done(), targets_sent_};
}

double ProbeGenerator::progress() const {
  const double passes = plan_->config().probes;
  const double total = static_cast<double>(it_.total_steps());
  if (total == 0) return 1.0;
  return (pass_ + static_cast<double>(it_.steps_done()) / total) / passes;
}

}  // namespace tlsweep
