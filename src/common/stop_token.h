// How far a run has been asked to stop, ZMap-style: running, then stop
// sending (the cooldown still collects late answers, grabs in flight end),
// then stop now (skip the cooldown, abandon grabs). Whoever owns the run
// (main(), a test) owns the token and trips it; the loops that must stop
// (senders, the receive loop, grab workers, the kernel grabber) get a const
// reference and read it on every poll.
//
// One relaxed atomic: the level only ever rises, nothing else is published
// through it, and a loop that sees a trip a poll late loses nothing. It is
// lock-free, so a signal handler may trip it.
#ifndef TLSWEEP_COMMON_STOP_TOKEN_H_
#define TLSWEEP_COMMON_STOP_TOKEN_H_

#include <atomic>

namespace tlsweep {

enum class StopLevel { kRunning = 0, kStopSending = 1, kStopNow = 2 };

class StopToken {
 public:
  StopToken() = default;
  StopToken(const StopToken&) = delete;
  StopToken& operator=(const StopToken&) = delete;

  StopLevel level() const { return static_cast<StopLevel>(level_.load(std::memory_order_relaxed)); }
  bool running() const { return level() == StopLevel::kRunning; }

  // Raises the level to at least `level`; never lowers it.
  void Trip(StopLevel level) {
    const int want = static_cast<int>(level);
    int have = level_.load(std::memory_order_relaxed);
    while (have < want && !level_.compare_exchange_weak(have, want, std::memory_order_relaxed)) {
    }
  }
  // One level further (a Ctrl-C: the first stops sending, the second
  // everything).
  void Escalate() {
    int have = level_.load(std::memory_order_relaxed);
    while (have < static_cast<int>(StopLevel::kStopNow) &&
           !level_.compare_exchange_weak(have, have + 1, std::memory_order_relaxed)) {
    }
  }

 private:
  std::atomic<int> level_{0};
  static_assert(std::atomic<int>::is_always_lock_free, "tripped from a signal handler");
};

}  // namespace tlsweep

#endif  // TLSWEEP_COMMON_STOP_TOKEN_H_
