#include "output/writer_thread.h"

#include <sched.h>

#include <chrono>

namespace tlsweep {
namespace {

// How long the writer sleeps on an empty ring: short against the ring's
// 65 ms of room at a million results per second, long enough that an idle
// writer costs nothing measurable.
constexpr std::chrono::milliseconds kIdleSleep{1};
// Slots freed at once: 1/256 of the ring.
constexpr size_t kFreeBatch = 256;

}  // namespace

WriterThread::WriterThread(ResultWriter& writer)
    : writer_(writer), ring_(new Entry[kCapacity]), thread_([this] { Main(); }) {}

WriterThread::~WriterThread() { Stop(); }

void WriterThread::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  thread_.join();
}

void WriterThread::Main() {
  // A thread inherits its creator's CPU affinity, and the EAL pins the main
  // lcore to one CPU: unpinned, the writer runs beside the busy-polling
  // receive loop instead of taking turns with it. A failure leaves the
  // inherited affinity, which costs only speed.
  cpu_set_t all;
  CPU_ZERO(&all);
  const unsigned cpus = std::thread::hardware_concurrency();
  for (unsigned c = 0; c < cpus && c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
  if (cpus > 0) sched_setaffinity(0, sizeof(all), &all);
  while (true) {
    // Read `stop_` before the head: everything pushed before Stop() is then
    // seen by this pass.
    const bool stopping = stop_.load(std::memory_order_acquire);
    const size_t head = head_.load(std::memory_order_acquire);
    size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head) {
      if (stopping) return;
      std::this_thread::sleep_for(kIdleSleep);
      continue;
    }
    for (; tail != head; ++tail) {
      Entry& e = ring_[tail & (kCapacity - 1)];
      if (e.line != nullptr) {
        writer_.WriteLine(*e.line);
        delete e.line;
      } else if (e.task != nullptr) {
        (*e.task)(writer_);
        delete e.task;
      } else {
        writer_.Write(e.result);
      }
      // Slots are freed a batch at a time: often enough that a waiting
      // producer resumes early, rarely enough not to bounce the line.
      if ((tail + 1) % kFreeBatch == 0) tail_.store(tail + 1, std::memory_order_release);
    }
    tail_.store(tail, std::memory_order_release);
  }
}

}  // namespace tlsweep
