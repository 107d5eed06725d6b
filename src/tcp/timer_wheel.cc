#include "tcp/timer_wheel.h"

#include <algorithm>

namespace tlsweep {

TimerWheel::TimerWheel(uint32_t capacity, uint64_t now_ms)
    : nodes_(size_t{capacity} + kBuckets + 1),
      buckets_(capacity),
      due_(capacity + kBuckets),
      now_ms_(now_ms) {
  for (uint32_t i = 0; i < capacity; ++i) {
    nodes_[i] = Node{0, kUnlinked, kUnlinked};
  }
  // Sentinels point at themselves: an empty circular list.
  for (uint32_t s = buckets_; s <= due_; ++s) nodes_[s] = Node{0, s, s};
}

void TimerWheel::Unlink(uint32_t id) {
  Node& n = nodes_[id];
  nodes_[n.prev].next = n.next;
  nodes_[n.next].prev = n.prev;
  n.next = n.prev = kUnlinked;
}

void TimerWheel::LinkBefore(uint32_t id, uint32_t head) {
  Node& n = nodes_[id];
  n.next = head;
  n.prev = nodes_[head].prev;
  nodes_[n.prev].next = id;
  nodes_[head].prev = id;
}

void TimerWheel::Schedule(uint32_t id, uint64_t expires_ms) {
  if (scheduled(id)) Unlink(id);
  nodes_[id].expires_ms = expires_ms;
  // Buckets up to now_ms_ have been visited already: an overdue timer goes
  // into the next one to be visited.
  const uint64_t slot = std::max(expires_ms, now_ms_ + 1);
  LinkBefore(id, buckets_ + static_cast<uint32_t>(slot % kBuckets));
}

void TimerWheel::Cancel(uint32_t id) {
  if (scheduled(id)) Unlink(id);
}

void TimerWheel::CollectDue(uint64_t now_ms) {
  // After a gap longer than a revolution every bucket is visited once.
  const uint64_t ticks = std::min<uint64_t>(now_ms - now_ms_, kBuckets);
  for (uint64_t t = 1; t <= ticks; ++t) {
    const uint32_t head = buckets_ + static_cast<uint32_t>((now_ms_ + t) % kBuckets);
    uint32_t id = nodes_[head].next;
    while (id != head) {
      const uint32_t next = nodes_[id].next;
      if (nodes_[id].expires_ms <= now_ms) {
        Unlink(id);
        LinkBefore(id, due_);
      }
      id = next;
    }
  }
  now_ms_ = now_ms;
}

}  // namespace tlsweep
