// The send side's per-thread loop body, without a NIC: walks one sub-shard
// and finishes SYN probes into caller-provided frames, a burst at a time.
//
// Each sender thread (a DPDK lcore, or the dry run) owns one generator. For
// every target index it looks up (address, port) in the target space, picks
// the source address, computes the cookie (sequence number, source port, IP
// ID) and finishes the frame from the template. With -P n the sub-shard is
// walked n times in a row, so the copies of a probe are spaced by a whole
// pass rather than sent back to back (a burst of loss then hits one copy).
#ifndef TLSWEEP_SCAN_PROBE_GENERATOR_H_
#define TLSWEEP_SCAN_PROBE_GENERATOR_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "packet/probe.h"
#include "scan/scan_config.h"
#include "targets/shard.h"

namespace tlsweep {

// Where a sender thread stands: the pass (0 .. probes-1), the group steps
// done in that pass, and the targets probed so far in this run (for -n).
struct SenderPosition {
  uint32_t pass = 0;
  uint64_t steps_done = 0;
  uint64_t targets_sent = 0;
  friend bool operator==(const SenderPosition&, const SenderPosition&) = default;
};

class ProbeGenerator {
 public:
  // A generator for sender `thread` of `plan` finishing frames of `probe`,
  // resuming at `from`. Both must outlive the generator.
  static absl::StatusOr<ProbeGenerator> Create(const ScanPlan& plan,
                                               const SynProbe& probe,
                                               uint32_t thread,
                                               SenderPosition from = {});

  // Finishes up to `n` probes into `frames` (each already holding the
  // probe's template) and, if `fields` is not null, records what each
  // carries. Returns how many; 0 once every pass is done or the -n cap hit.
  size_t FillBurst(uint8_t* const* frames, size_t n,
                   ProbeFields* fields = nullptr);

  // The position after the last probe filled: save it to resume.
  SenderPosition position() const;
  bool done() const { return done_; }
  // Fraction of this sender's work done, over all passes, in [0, 1].
  double progress() const;

 private:
  ProbeGenerator(const ScanPlan& plan, const SynProbe& probe, uint32_t thread,
                 ShardIterator it, SenderPosition from)
      : plan_(&plan), probe_(&probe), thread_(thread), it_(it), pass_(from.pass),
        targets_sent_(from.targets_sent), limit_(plan.TargetLimit(thread)) {}

  const ScanPlan* plan_;
  const SynProbe* probe_;
  uint32_t thread_;
  ShardIterator it_;
  uint32_t pass_;
  uint64_t targets_sent_;
  uint64_t limit_;
  bool done_ = false;
};

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_PROBE_GENERATOR_H_
