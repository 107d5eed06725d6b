#include "common/stop_token.h"

#include <thread>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(StopTokenTest, EscalatesOneLevelAtATimeAndStopsAtStopNow) {
  StopToken stop;
  EXPECT_TRUE(stop.running());
  stop.Escalate();
  EXPECT_EQ(stop.level(), StopLevel::kStopSending);
  stop.Escalate();
  EXPECT_EQ(stop.level(), StopLevel::kStopNow);
  stop.Escalate();
  EXPECT_EQ(stop.level(), StopLevel::kStopNow);
}

TEST(StopTokenTest, TripNeverLowersTheLevel) {
  StopToken stop;
  stop.Trip(StopLevel::kStopNow);
  stop.Trip(StopLevel::kStopSending);
  EXPECT_EQ(stop.level(), StopLevel::kStopNow);
  EXPECT_FALSE(stop.running());
}

TEST(StopTokenTest, ATripIsSeenByAPollingThread) {
  StopToken stop;
  std::thread poller([&stop] {
    while (stop.running()) std::this_thread::yield();
  });
  stop.Trip(StopLevel::kStopSending);
  poller.join();
  EXPECT_EQ(stop.level(), StopLevel::kStopSending);
}

}  // namespace
}  // namespace tlsweep
