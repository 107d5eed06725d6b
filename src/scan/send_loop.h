// The one sender loop: take a burst of ready-made probe frames, let the
// generator finish them, transmit, resume a partial transmit on the next
// step, abandon a stalled queue. A DPDK lcore (nic/dpdk_io.cc) and the dry
// run (app/dryrun.cc) run this same loop over their own probe transmitter.
//
// The transmitter is a template parameter rather than a virtual interface,
// as ZMap's send backends and mTCP's io_module are tables of functions: the
// loop is the hottest code of a scan (about 33 ns per probe at 30 Mpps, see
// bench/RESULTS.md section 9) and the DPDK calls stay inlined into it. A
// transmitter `Tx` provides, for bursts of at most kSendBurst frames:
//   uint8_t* const* Get(uint32_t n)  n frames holding the probe template,
//                                    or nullptr when none are free now;
//   void Unget(uint32_t from, uint32_t n)  frames [from, from+n) unused;
//   uint32_t Send(uint32_t from, uint32_t n)  transmits frames
//                                    [from, from+n) in order; returns how
//                                    many were taken;
//   void Drop(uint32_t from, uint32_t n)  frees frames never sent;
//   ProbeFields* fields()            where FillBurst records each probe's
//                                    fields, or nullptr;
//   uint64_t Now(), uint64_t hz()    the clock the limiter runs on;
//   void Wait(uint64_t ticks)        nothing to do for about `ticks`.
#ifndef TLSWEEP_SCAN_SEND_LOOP_H_
#define TLSWEEP_SCAN_SEND_LOOP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/stop_token.h"
#include "scan/probe_generator.h"
#include "scan/rate_limiter.h"

namespace tlsweep {

// DPDK's customary burst size (examples/skeleton, l2fwd, l3fwd).
inline constexpr uint32_t kSendBurst = 32;
// A TX queue that accepts nothing for this long is stuck: the pending
// probes are dropped and counted rather than retried forever.
inline constexpr double kTxStallSeconds = 0.1;

// How far apart data written by different cores is kept: Intel's L2
// spatial prefetcher completes every 64-byte line to its 128-byte-aligned
// pair (Intel 64 and IA-32 Architectures Optimization Reference Manual,
// "Data Prefetching"), so two lines of one pair behave as one for false
// sharing. crossbeam's CachePadded uses 128 on x86-64 for the same reason.
inline constexpr size_t kFalseSharingRange = 128;

// One sender's counters, in two groups that never share a line pair with
// each other or with the sender's other state (SenderState):
struct SenderCounters {
  // Written by the sender after every burst, read by the status line once
  // a second.
  alignas(kFalseSharingRange) std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> tx_failed{0};
  std::atomic<uint64_t> alloc_failed{0};
  std::atomic<double> progress{0};
  // Polled by the control loop on every iteration, written once each. On
  // the line of the counters above, each poll after a burst would take that
  // line from the sender, whose next store then waits to get it back.
  alignas(kFalseSharingRange) std::atomic<bool> done{false};
  std::atomic<bool> abort{false};  // set by the launcher on a failed start
  // Set by the control side while `tlsweep run`'s grab backlog is above its
  // bound: the sender sends nothing until it is cleared (backpressure).
  std::atomic<bool> hold{false};

  // The generator's position after the last burst filled, for the periodic
  // checkpoint (runner/scan_runner.cc): every probe before it was filled
  // before it was published, so no answer to a probe at or after a
  // position read can have been received before the read. A seqlock,
  // because pass and steps must be read together (a torn read across a
  // pass boundary would be a position far before or after the true one).
  void PublishPosition(const SenderPosition& p) {
    const uint32_t seq = position_seq_.load(std::memory_order_relaxed);
    position_seq_.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    position_pass_.store(p.pass, std::memory_order_relaxed);
    position_steps_.store(p.steps_done, std::memory_order_relaxed);
    position_seq_.store(seq + 2, std::memory_order_release);
  }
  // Any thread; targets_sent is not published (0).
  SenderPosition ReadPosition() const {
    while (true) {
      const uint32_t before = position_seq_.load(std::memory_order_acquire);
      const uint32_t pass = position_pass_.load(std::memory_order_relaxed);
      const uint64_t steps = position_steps_.load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if ((before & 1) == 0 && position_seq_.load(std::memory_order_relaxed) == before) {
        return {pass, steps, 0};
      }
    }
  }

 private:
  std::atomic<uint32_t> position_seq_{0};
  std::atomic<uint32_t> position_pass_{0};
  std::atomic<uint64_t> position_steps_{0};
};

template <typename Tx>
class SendLoop {
 public:
  // All arguments must outlive the loop.
  SendLoop(Tx& tx, ProbeGenerator& generator, RateLimiter& limiter, SenderCounters& counters,
           const StopToken& stop)
      : tx_(tx),
        generator_(generator),
        limiter_(limiter),
        counters_(counters),
        stop_(stop),
        stall_ticks_(static_cast<uint64_t>(kTxStallSeconds * static_cast<double>(tx.hz()))) {}

  // Starts the rate limiter's clock.
  void Start() {
    last_progress_ = tx_.Now();
    limiter_.Start(last_progress_);
  }

  // One burst taken (or resumed) and offered to the queue, or a wait for
  // tokens or frames. Returns false once the sender has stopped (its
  // sub-shard is done, the stop token or the launcher said so) and has
  // published its last counters and `done`.
  bool Step() {
    if (pending_ == 0) {
      if (!stop_.running() || generator_.done() ||
          counters_.abort.load(std::memory_order_relaxed)) {
        Publish();
        counters_.progress.store(generator_.progress(), std::memory_order_relaxed);
        counters_.done.store(true, std::memory_order_release);
        return false;
      }
      if (counters_.hold.load(std::memory_order_relaxed)) {
        // The limiter's bucket saves at most one burst, so the rate after
        // the pause is the configured one, not a catch-up.
        tx_.Wait(0);
        return true;
      }
      const uint64_t now = tx_.Now();
      const uint32_t allowed = limiter_.Acquire(now, kSendBurst);
      if (allowed == 0) {
        tx_.Wait(limiter_.TicksUntilNext(now));
        return true;
      }
      uint8_t* const* frames = tx_.Get(allowed);
      if (frames == nullptr) {
        // No free frame until the NIC frees sent ones: wait a moment. The
        // tokens taken are lost, which only lowers the rate slightly.
        counters_.alloc_failed.fetch_add(1, std::memory_order_relaxed);
        tx_.Wait(0);
        return true;
      }
      const auto n = static_cast<uint32_t>(generator_.FillBurst(frames, allowed, tx_.fields()));
      counters_.PublishPosition(generator_.position());
      if (n < allowed) tx_.Unget(n, allowed - n);
      pending_ = n;
      offset_ = 0;
      last_progress_ = now;
      counters_.progress.store(generator_.progress(), std::memory_order_relaxed);
      if (pending_ == 0) return true;
    }
    const uint32_t n = tx_.Send(offset_, pending_);
    offset_ += n;
    pending_ -= n;
    sent_ += n;
    const uint64_t now = tx_.Now();
    if (n > 0) {
      last_progress_ = now;
    } else if (now - last_progress_ > stall_ticks_) {
      tx_.Drop(offset_, pending_);
      tx_failed_ += pending_;
      pending_ = 0;
    }
    Publish();
    return true;
  }

  // Start() and Step() until the sender stops.
  void Run() {
    Start();
    while (Step()) {
    }
  }

 private:
  void Publish() {
    counters_.sent.store(sent_, std::memory_order_relaxed);
    counters_.tx_failed.store(tx_failed_, std::memory_order_relaxed);
  }

  Tx& tx_;
  ProbeGenerator& generator_;
  RateLimiter& limiter_;
  SenderCounters& counters_;
  const StopToken& stop_;
  const uint64_t stall_ticks_;
  uint32_t pending_ = 0;  // frames of the current burst not yet sent
  uint32_t offset_ = 0;   // the first of them
  uint64_t last_progress_ = 0;
  uint64_t sent_ = 0;
  uint64_t tx_failed_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_SEND_LOOP_H_
