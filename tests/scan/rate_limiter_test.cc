#include "scan/rate_limiter.h"

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

constexpr uint64_t kHz = 1'000'000'000;  // a nanosecond clock

// Sends as fast as the limiter allows over a simulated interval, polling
// every `step` ticks, and returns the packets sent.
uint64_t Simulate(RateLimiter& limiter, uint64_t duration, uint64_t step,
                  uint32_t burst) {
  uint64_t sent = 0;
  limiter.Start(0);
  for (uint64_t now = 0; now <= duration; now += step) {
    sent += limiter.Acquire(now, burst);
  }
  return sent;
}

TEST(RateLimiterTest, PacketsPerSecondOverOneSecond) {
  RateLimiter limiter(RateSpec::Packets(10000), 84, kHz, 32);
  // Poll every 10 us for one second: 10000 packets, give or take the one
  // partially earned at the end.
  const uint64_t sent = Simulate(limiter, kHz, 10'000, 32);
  EXPECT_GE(sent, 9999u);
  EXPECT_LE(sent, 10000u);
}

TEST(RateLimiterTest, BitsPerSecondUsesWireSize) {
  // 10 Gbit/s of 84-byte probes is 14,880,952 pps: the 10GbE line rate.
  RateLimiter limiter(RateSpec::Bits(10'000'000'000), 84, kHz, 64);
  const uint64_t sent = Simulate(limiter, kHz / 10, 1000, 64);
  EXPECT_NEAR(static_cast<double>(sent), 1'488'095, 2);
  // Larger frames: 98 bytes of line time each.
  RateLimiter linux_like(RateSpec::Bits(10'000'000'000), 98, kHz, 64);
  EXPECT_NEAR(static_cast<double>(Simulate(linux_like, kHz / 10, 1000, 64)),
              1'275'510, 2);
}

TEST(RateLimiterTest, CoarsePollingIsCappedByBurst) {
  // Polling once per 100 ms at 1000 pps with a burst of 8 sends 8 per poll:
  // a stalled sender does not catch up at line rate.
  RateLimiter limiter(RateSpec::Packets(1000), 84, kHz, 8);
  limiter.Start(0);
  EXPECT_EQ(limiter.Acquire(kHz / 10, 1000), 8u);
  EXPECT_EQ(limiter.Acquire(2 * kHz / 10, 1000), 8u);
}

TEST(RateLimiterTest, TicksUntilNext) {
  RateLimiter limiter(RateSpec::Packets(1000), 84, kHz, 1);
  limiter.Start(0);
  EXPECT_EQ(limiter.TicksUntilNext(0), 1'000'000u);
  EXPECT_EQ(limiter.Acquire(999'999, 1), 0u);
  EXPECT_EQ(limiter.TicksUntilNext(999'999), 1u);
  EXPECT_EQ(limiter.Acquire(1'000'000, 1), 1u);
  EXPECT_EQ(limiter.TicksUntilNext(1'000'000), 1'000'000u);
}

TEST(RateLimiterTest, ClockGoingBackwardsGrantsNothingExtra) {
  RateLimiter limiter(RateSpec::Packets(1000), 84, kHz, 4);
  limiter.Start(5 * kHz);
  EXPECT_EQ(limiter.Acquire(4 * kHz, 10), 0u);
  EXPECT_EQ(limiter.Acquire(5 * kHz + 2'000'000, 10), 2u);
}

TEST(RateLimiterTest, LongStallDoesNotOverflow) {
  RateLimiter limiter(RateSpec::Bits(100'000'000'000), 84, 3'000'000'000, 32);
  limiter.Start(0);
  EXPECT_EQ(limiter.Acquire(uint64_t{1} << 62, 100), 32u);
}

TEST(RateLimiterTest, UnlimitedGrantsEverything) {
  RateLimiter limiter(RateSpec::Unlimited(), 84, kHz, 32);
  limiter.Start(0);
  EXPECT_TRUE(limiter.unlimited());
  EXPECT_EQ(limiter.Acquire(0, 32), 32u);
  EXPECT_EQ(limiter.TicksUntilNext(0), 0u);
  EXPECT_TRUE(RateLimiter(RateSpec::Packets(0), 84, kHz, 1).unlimited());
}

TEST(RateLimiterTest, SplitAcrossThreads) {
  EXPECT_EQ(RateSpec::Packets(10000).Split(4).per_second, 2500u);
  EXPECT_EQ(RateSpec::Packets(3).Split(4).per_second, 1u);
  EXPECT_EQ(RateSpec::Unlimited().Split(4).unit, RateSpec::Unit::kUnlimited);
}

TEST(RateLimiterTest, ParsesBandwidth) {
  EXPECT_EQ(*ParseBandwidth("10M"), 10'000'000u);
  EXPECT_EQ(*ParseBandwidth("1G"), 1'000'000'000u);
  EXPECT_EQ(*ParseBandwidth("5k"), 5000u);
  EXPECT_EQ(*ParseBandwidth("12345"), 12345u);
  for (const char* bad : {"", "M", "10X", "-5", "1.5G", "99999999999999999999G"}) {
    const auto r = ParseBandwidth(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace tlsweep
