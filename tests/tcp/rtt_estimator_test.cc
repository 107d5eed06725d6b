// The RTO against RFC 6298's formulas worked by hand, its floor and cap,
// back-off, and Karn's rule for which segments give samples.
#include "tcp/rtt_estimator.h"

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(RttEstimatorTest, FollowsRfc6298) {
  RttEstimator e;
  EXPECT_EQ(e.rto_ms(), 1000u);  // (2.1)
  // (2.2) SRTT = 100, RTTVAR = 50, RTO = 100 + 4 * 50.
  e.Sample(100);
  EXPECT_EQ(e.rto_ms(), 300u);
  // (2.3) RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5,
  //       SRTT = 7/8 * 100 + 1/8 * 200 = 112.5, RTO = 112.5 + 250 = 362.5.
  e.Sample(200);
  EXPECT_EQ(e.rto_ms(), 362u);
}

TEST(RttEstimatorTest, FloorCapAndBackoff) {
  RttEstimator fast;
  fast.Sample(10);  // 10 + 4 * 5 = 30: raised to the 200 ms floor
  EXPECT_EQ(fast.rto_ms(), RttEstimator::kMinRtoMs);
  fast.Backoff();
  EXPECT_EQ(fast.rto_ms(), 400u);
  RttEstimator slow;
  slow.Sample(1000000);  // a sample beyond the cap counts as the cap
  EXPECT_EQ(slow.rto_ms(), RttEstimator::kMaxRtoMs);
  slow.Backoff();
  EXPECT_EQ(slow.rto_ms(), RttEstimator::kMaxRtoMs);
}

TEST(RttEstimatorTest, TimesOneSegmentAtATime) {
  RttEstimator e;
  e.StartTiming(SeqNum(1000), /*now_ms=*/10);
  e.StartTiming(SeqNum(2000), /*now_ms=*/50);  // ignored: one is being timed
  e.OnAck(SeqNum(999), 60);                    // does not cover it yet
  EXPECT_EQ(e.rto_ms(), 1000u);
  e.OnAck(SeqNum(1500), 110);  // covers it: a sample of 100 ms
  EXPECT_EQ(e.rto_ms(), 300u);
  e.OnAck(SeqNum(2000), 500);  // nothing timed now
  EXPECT_EQ(e.rto_ms(), 300u);
}

TEST(RttEstimatorTest, KarnsRuleDropsTheSampleOfARetransmission) {
  RttEstimator e;
  e.StartTiming(SeqNum(0xfffffff0), 0);  // across the wrap
  e.CancelTiming();
  e.OnAck(SeqNum(0x10), 100);
  EXPECT_EQ(e.rto_ms(), 1000u);
  e.StartTiming(SeqNum(0x10), 200);
  e.OnAck(SeqNum(0x10), 300);
  EXPECT_EQ(e.rto_ms(), 300u);
}

}  // namespace
}  // namespace tlsweep
