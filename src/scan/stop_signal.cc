#include "scan/stop_signal.h"

#include <atomic>
#include <csignal>

namespace tlsweep {
namespace {

std::atomic<int> g_stop{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

extern "C" void OnStopSignal(int) {
  g_stop.store(g_stop.load(std::memory_order_relaxed) >= 1 ? 2 : 1,
               std::memory_order_relaxed);
}

}  // namespace

void InstallStopSignals() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
}

StopLevel CurrentStopLevel() {
  return static_cast<StopLevel>(g_stop.load(std::memory_order_relaxed));
}

}  // namespace tlsweep
