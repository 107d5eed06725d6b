#include "tcp/rtt_estimator.h"

#include <algorithm>

namespace tlsweep {

void RttEstimator::Sample(uint64_t rtt_ms) {
  const uint32_t r = static_cast<uint32_t>(std::min<uint64_t>(rtt_ms, kMaxRtoMs));
  if (!have_sample_) {
    have_sample_ = true;
    srtt8_ = r * 8;
    rttvar4_ = r * 2;
  } else {
    const uint32_t srtt = srtt8_ / 8;
    const uint32_t delta = srtt > r ? srtt - r : r - srtt;
    rttvar4_ = rttvar4_ - rttvar4_ / 4 + delta;
    srtt8_ = srtt8_ - srtt8_ / 8 + r;
  }
  // RTO = SRTT + max(G, 4 RTTVAR) with a clock granularity G of 1 ms.
  rto_ms_ = std::clamp(srtt8_ / 8 + std::max<uint32_t>(1, rttvar4_), kMinRtoMs, kMaxRtoMs);
}

void RttEstimator::Backoff() { rto_ms_ = std::min(rto_ms_ * 2, kMaxRtoMs); }

}  // namespace tlsweep
