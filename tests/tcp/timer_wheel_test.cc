#include "tcp/timer_wheel.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

// Advances one millisecond at a time and records (time, id) of each firing.
std::vector<std::pair<uint64_t, uint32_t>> FireEach(TimerWheel& wheel, uint64_t from,
                                               uint64_t to) {
  std::vector<std::pair<uint64_t, uint32_t>> fired;
  for (uint64_t t = from; t <= to; ++t) {
    wheel.Advance(t, [&](uint32_t id) { fired.emplace_back(t, id); });
  }
  return fired;
}

TEST(TimerWheelTest, FiresAtTheScheduledMillisecond) {
  TimerWheel wheel(4, 100);
  wheel.Schedule(0, 105);
  wheel.Schedule(1, 101);
  wheel.Schedule(2, 105);
  EXPECT_TRUE(wheel.scheduled(0));
  EXPECT_FALSE(wheel.scheduled(3));
  const auto fired = FireEach(wheel, 101, 110);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0], std::make_pair(uint64_t{101}, 1u));
  EXPECT_EQ(fired[1].first, 105u);
  EXPECT_EQ(fired[2].first, 105u);
  EXPECT_FALSE(wheel.scheduled(0));
}

TEST(TimerWheelTest, CancelAndReschedule) {
  TimerWheel wheel(2, 0);
  wheel.Schedule(0, 10);
  wheel.Schedule(1, 10);
  wheel.Cancel(0);
  wheel.Cancel(0);  // cancelling an idle timer is harmless
  wheel.Schedule(1, 20);  // moves it
  const auto fired = FireEach(wheel, 1, 30);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], std::make_pair(uint64_t{20}, 1u));
}

// Timers beyond one revolution stay put until their round comes.
TEST(TimerWheelTest, TimersBeyondOneRevolution) {
  TimerWheel wheel(2, 0);
  wheel.Schedule(0, 60000);
  wheel.Schedule(1, TimerWheel::kBuckets + 5);
  const auto fired = FireEach(wheel, 1, 60001);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(uint64_t{TimerWheel::kBuckets + 5}, 1u));
  EXPECT_EQ(fired[1], std::make_pair(uint64_t{60000}, 0u));
}

// A clock that jumps (a stalled caller) fires everything due, once.
TEST(TimerWheelTest, LargeJumpFiresAllDue) {
  TimerWheel wheel(3, 0);
  wheel.Schedule(0, 5);
  wheel.Schedule(1, 9000);
  wheel.Schedule(2, 20000);
  std::vector<uint32_t> fired;
  wheel.Advance(10000, [&](uint32_t id) { fired.push_back(id); });
  EXPECT_EQ(fired, (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(wheel.scheduled(2));
  wheel.Advance(10000, [&](uint32_t id) { fired.push_back(id); });
  EXPECT_EQ(fired.size(), 2u);
}

// Callbacks may re-arm themselves and cancel timers that are due too;
// overdue timers fire on the next advance.
TEST(TimerWheelTest, CallbacksMayRescheduleAndCancel) {
  TimerWheel wheel(3, 0);
  wheel.Schedule(0, 10);
  wheel.Schedule(1, 10);
  std::vector<std::pair<uint64_t, uint32_t>> fired;
  for (uint64_t t = 1; t <= 40; ++t) {
    wheel.Advance(t, [&](uint32_t id) {
      fired.emplace_back(t, id);
      if (id == 0 && t == 10) {
        wheel.Cancel(1);
        wheel.Schedule(0, t + 10);
        wheel.Schedule(2, t - 5);  // already past
      }
    });
  }
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0], std::make_pair(uint64_t{10}, 0u));
  EXPECT_EQ(fired[1], std::make_pair(uint64_t{11}, 2u));
  EXPECT_EQ(fired[2], std::make_pair(uint64_t{20}, 0u));
}

}  // namespace
}  // namespace tlsweep
