// The retransmission timeout of one connection (RFC 6298), from round-trip
// samples timed one segment at a time, with Karn's rule.
//
// Kept apart from the stack so that the arithmetic can be checked against
// the RFC's formulas: srtt and rttvar are held scaled by 8 and 4, as BSD
// does, so the updates are shifts and adds on integers.
#ifndef TLSWEEP_TCP_RTT_ESTIMATOR_H_
#define TLSWEEP_TCP_RTT_ESTIMATOR_H_

#include <cstdint>

#include "tcp/seq.h"

namespace tlsweep {

class RttEstimator {
 public:
  // RFC 6298 (2.1): RTO before the first RTT sample.
  static constexpr uint32_t kInitialRtoMs = 1000;
  // RFC 6298 (2.4) asks for 1 s; Linux's TCP_RTO_MIN of 200 ms is the
  // de-facto floor, and a grabber on a LAN or the Internet backbone sees
  // RTTs far below a second.
  static constexpr uint32_t kMinRtoMs = 200;
  // RFC 6298 (2.5): an upper bound of at least 60 s.
  static constexpr uint32_t kMaxRtoMs = 60000;

  uint32_t rto_ms() const { return rto_ms_; }

  // Starts timing the segment whose acknowledgement reaches `until`,
  // unless one is being timed already.
  void StartTiming(SeqNum until, uint64_t now_ms) {
    if (timing_) return;
    timing_ = true;
    timed_until_ = until;
    timed_since_ms_ = now_ms;
  }
  // Karn's rule: a retransmission makes the timed segment ambiguous.
  void CancelTiming() { timing_ = false; }
  // An acknowledgement of everything before `ack`: takes a sample when it
  // covers the timed segment.
  void OnAck(SeqNum ack, uint64_t now_ms) {
    if (!timing_ || ack < timed_until_) return;
    timing_ = false;
    Sample(now_ms - timed_since_ms_);
  }

  // RFC 6298 (2.2, 2.3): updates srtt, rttvar and the RTO from one sample.
  void Sample(uint64_t rtt_ms);
  // RFC 6298 (5.5): doubles the RTO after a timeout, up to kMaxRtoMs.
  void Backoff();

 private:
  bool have_sample_ = false;
  bool timing_ = false;
  SeqNum timed_until_;
  uint64_t timed_since_ms_ = 0;
  uint32_t srtt8_ = 0;
  uint32_t rttvar4_ = 0;
  uint32_t rto_ms_ = kInitialRtoMs;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_RTT_ESTIMATOR_H_
