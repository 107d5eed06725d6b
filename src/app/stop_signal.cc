#include "app/stop_signal.h"

#include <atomic>
#include <csignal>

namespace tlsweep {
namespace {

// A signal handler has no arguments to carry the token: this pointer is
// the one thing it may reach. Only main()'s token is ever stored here.
std::atomic<StopToken*> g_token{nullptr};
static_assert(std::atomic<StopToken*>::is_always_lock_free, "read from a signal handler");

extern "C" void OnStopSignal(int) {
  if (StopToken* token = g_token.load(std::memory_order_relaxed)) token->Escalate();
}

}  // namespace

void InstallStopSignals(StopToken& token) {
  g_token.store(&token, std::memory_order_relaxed);
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
}

}  // namespace tlsweep
