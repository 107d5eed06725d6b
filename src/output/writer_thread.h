// Results leave the receive loop through a single-producer single-consumer
// ring to a writer thread, which formats and writes them (ResultWriter):
// the receive lcore's cost per result is a copy into the ring instead of
// formatting and stdio, and a slow disk or pipe stalls the writer thread,
// not the polling of the RX queues (DESIGN.md: answers the receive lcore
// does not see in time are lost without a trace).
//
// Why a ring and a thread rather than batched writes on the receive lcore:
// batching would still format every result there, and one write() of a
// batch can block for as long as the file system likes. The ring is sized
// to absorb a writer stalled for tens of milliseconds at sweep rates (see
// kCapacity); when it is full the receive loop waits for room rather than
// dropping a result, since an open port must always end as a record.
#ifndef TLSWEEP_OUTPUT_WRITER_THREAD_H_
#define TLSWEEP_OUTPUT_WRITER_THREAD_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "scan/response_handler.h"
#include "output/result_output.h"

namespace tlsweep {

class WriterThread {
 public:
  // Slots of the ring: 2^16 results (about 6 MiB) hold 65 ms of a
  // million results per second, far above the 7-10 Mpps the receive path
  // handles of which only new open ports are usually kept (bench/RESULTS.md
  // section 5), while the writer thread sleeps at most kIdleSleep.
  static constexpr size_t kCapacity = size_t{1} << 16;

  // Starts the thread writing to `writer`, which must outlive Stop().
  explicit WriterThread(ResultWriter& writer);
  ~WriterThread();  // Stop()
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  // Whether the writer's filter keeps `r`.
  bool Keeps(const ScanResult& r) const { return writer_.Keeps(r); }
  // Receive loop (one producer): `r` if the writer's filter keeps it.
  void Push(const ScanResult& r) {
    if (writer_.Keeps(r)) Enqueue(Entry{r, nullptr, nullptr});
  }
  // A whole record line formatted elsewhere (`tlsweep run`): copied.
  void PushLine(std::string_view line) { Enqueue(Entry{{}, new std::string(line), nullptr}); }
  // Runs `task` on the writer thread once everything pushed before it is
  // written (the periodic checkpoint, runner/scan_runner.cc: it syncs the
  // file and records its length there, so the length is exactly that of
  // the records pushed before, and the receive loop never waits for a
  // disk).
  using Task = std::function<void(ResultWriter&)>;
  void PushTask(Task task) { Enqueue(Entry{{}, nullptr, new Task(std::move(task))}); }

  // Writes everything pushed so far and ends the thread; the writer may be
  // closed afterwards.
  void Stop();

 private:
  struct Entry {
    ScanResult result;
    std::string* line;  // owned; null for a result or a task
    Task* task;         // owned; null for a result or a line
  };

  void Enqueue(Entry e) {
    const size_t head = head_.load(std::memory_order_relaxed);
    // The consumer's position is read only when the ring looks full, so
    // its cache line is not pulled over for every result.
    while (head - tail_seen_ == kCapacity) {
      tail_seen_ = tail_.load(std::memory_order_acquire);
      if (head - tail_seen_ == kCapacity) std::this_thread::yield();
    }
    ring_[head & (kCapacity - 1)] = e;
    head_.store(head + 1, std::memory_order_release);
  }
  void Main();

  ResultWriter& writer_;
  std::unique_ptr<Entry[]> ring_;
  alignas(64) std::atomic<size_t> head_{0};  // written by the producer
  size_t tail_seen_ = 0;                      // the producer's copy of tail_
  alignas(64) std::atomic<size_t> tail_{0};  // written by the writer thread
  alignas(64) std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_OUTPUT_WRITER_THREAD_H_
