// A hashed timer wheel (Varghese & Lauck, "Hashed and Hierarchical Timing
// Wheels", SOSP 1987, scheme 6) over a fixed set of timer ids, driven by
// the caller's millisecond clock.
//
// The TCP stack needs one timer per connection (retransmission, persist,
// FIN-WAIT-2 or TIME-WAIT: only one matters at a time) and re-arms it on
// almost every ACK, so insert and cancel must be O(1) and allocation-free.
// Each id is a node of an intrusive doubly-linked list hanging off bucket
// `expiry % kBuckets`; Advance() visits one bucket per elapsed millisecond
// and fires what is due there, leaving later rounds in place. A timer past
// one revolution is looked at once per revolution, which for the stack's
// timers (RTO at most 60 s) is a handful of visits.
#ifndef TLSWEEP_TCP_TIMER_WHEEL_H_
#define TLSWEEP_TCP_TIMER_WHEEL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tlsweep {

class TimerWheel {
 public:
  // 4096 one-millisecond buckets: a revolution of 4.1 s covers the initial
  // RTO, SYN back-off to 4 s and a 1 s TIME-WAIT without a second round.
  static constexpr uint32_t kBuckets = 4096;

  // Timers with ids [0, capacity); time starts at `now_ms`.
  TimerWheel(uint32_t capacity, uint64_t now_ms);

  // Arms timer `id` to fire at `expires_ms` (moving it if already armed). A
  // time not after the last Advance() fires at the next one.
  void Schedule(uint32_t id, uint64_t expires_ms);
  void Cancel(uint32_t id);
  bool scheduled(uint32_t id) const { return nodes_[id].next != kUnlinked; }

  // Fires every timer due at `now_ms`, calling fn(id) once for each, after
  // disarming it. fn may Schedule() or Cancel() any timer, itself included.
  template <typename Fn>
  void Advance(uint64_t now_ms, Fn&& fn) {
    if (now_ms <= now_ms_) return;
    CollectDue(now_ms);
    while (nodes_[due_].next != due_) {
      const uint32_t id = nodes_[due_].next;
      Unlink(id);
      fn(id);
    }
  }

  // Bytes of state per timer id.
  static constexpr size_t kBytesPerTimer = 16;

 private:
  static constexpr uint32_t kUnlinked = 0xffffffff;
  struct Node {
    uint64_t expires_ms;
    uint32_t next;
    uint32_t prev;
  };
  static_assert(sizeof(Node) == kBytesPerTimer);

  void Unlink(uint32_t id);
  void LinkBefore(uint32_t id, uint32_t head);
  // Moves every timer due at `now_ms` onto the due list.
  void CollectDue(uint64_t now_ms);

  // Ids first, then one sentinel per bucket, then the due list's sentinel.
  std::vector<Node> nodes_;
  uint32_t buckets_;  // index of bucket 0's sentinel
  uint32_t due_;
  uint64_t now_ms_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_TIMER_WHEEL_H_
