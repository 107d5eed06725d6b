// Send-rate control in packets per second or bits per second.
//
// A token bucket kept in integer "unit-ticks" so that no floating point or
// division runs per burst: every elapsed clock tick earns `rate` units (a
// packet, or a bit of line time), and a probe costs its units times the
// clock's ticks per second. The clock is injected: senders pass the TSC on
// DPDK or a steady clock elsewhere, tests pass a counter they control.
#ifndef TLSWEEP_SCAN_RATE_LIMITER_H_
#define TLSWEEP_SCAN_RATE_LIMITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tlsweep {

struct RateSpec {
  enum class Unit { kUnlimited, kPacketsPerSecond, kBitsPerSecond };
  Unit unit = Unit::kUnlimited;
  uint64_t per_second = 0;

  static RateSpec Unlimited() { return {}; }
  static RateSpec Packets(uint64_t pps) {
    return pps == 0 ? RateSpec{} : RateSpec{Unit::kPacketsPerSecond, pps};
  }
  static RateSpec Bits(uint64_t bps) {
    return bps == 0 ? RateSpec{} : RateSpec{Unit::kBitsPerSecond, bps};
  }
  // The same rate split evenly over `n` sender threads (at least 1 unit/s).
  RateSpec Split(uint32_t n) const;
  std::string ToString() const;
};

// Parses ZMap's -B syntax: a number of bits per second with an optional
// K, M or G suffix (powers of 1000), e.g. "10M", "1G", "500000".
absl::StatusOr<uint64_t> ParseBandwidth(std::string_view text);

class RateLimiter {
 public:
  // `wire_bytes` is the line time of one probe in bytes (frame + 24, see
  // packet/headers.h); `burst` is the most packets the bucket may save up
  // while the sender is busy elsewhere, so a stall is not followed by a
  // line-rate catch-up larger than one burst.
  RateLimiter(RateSpec spec, uint32_t wire_bytes, uint64_t ticks_per_second,
              uint32_t burst);

  // Starts the clock with an empty bucket.
  void Start(uint64_t now);

  // Takes up to `wanted` packets' worth of tokens at time `now`; returns how
  // many packets may be sent now (0 when the caller must wait).
  uint32_t Acquire(uint64_t now, uint32_t wanted);

  // Ticks from `now` until one packet's tokens are available (0 if now).
  uint64_t TicksUntilNext(uint64_t now) const;

  bool unlimited() const { return unlimited_; }

 private:
  // Tokens in the bucket at `now`, without taking any.
  uint64_t TokensAt(uint64_t now) const;

  bool unlimited_ = true;
  uint64_t units_per_second_ = 0;
  uint64_t cost_ = 0;      // unit-ticks per packet
  uint64_t capacity_ = 0;  // unit-ticks the bucket holds at most
  uint64_t tokens_ = 0;    // unit-ticks available
  uint64_t last_ = 0;      // clock at the last refill
};

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_RATE_LIMITER_H_
