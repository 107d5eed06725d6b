// A bounded table of TCP flows keyed on the canonical 5-tuple (the lower
// address:port first, so both directions of a connection find one entry),
// with the flows kept in least-recently-seen order.
//
// Memory is fixed when the table is made: max_flows slots, an index from key
// to slot, and an intrusive doubly-linked list for the seen order. The
// table never decides a flow's fate itself: the owner asks for the oldest
// flow (idle expiry, or room for a new one when full), finishes it and
// removes it, so every flow ends through the owner and can be counted.
#ifndef TLSWEEP_PASSIVE_FLOW_TABLE_H_
#define TLSWEEP_PASSIVE_FLOW_TABLE_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "common/net_types.h"

namespace tlsweep {

// The canonical key: (addr_a, port_a) <= (addr_b, port_b).
struct FlowKey {
  uint32_t addr_a = 0;
  uint32_t addr_b = 0;
  uint16_t port_a = 0;
  uint16_t port_b = 0;
  // The protocol is always TCP here; kept out of the key.

  // The key of a segment from (saddr, sport) to (daddr, dport); *a_to_b
  // says whether that is the key's a -> b direction.
  static FlowKey Of(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
                    bool* a_to_b);

  friend bool operator==(const FlowKey&, const FlowKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const FlowKey& k) {
    return H::combine(std::move(h), k.addr_a, k.addr_b, k.port_a, k.port_b);
  }
};

class FlowTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit FlowTable(uint32_t max_flows);

  uint32_t size() const { return static_cast<uint32_t>(index_.size()); }
  uint32_t capacity() const { return static_cast<uint32_t>(keys_.size()); }

  // The slot of `key`, or kNone.
  uint32_t Find(const FlowKey& key) const;
  // A slot for a new `key` seen at `now`, or kNone when the table is full
  // (the owner then removes Oldest() and tries again). `key` must be new.
  uint32_t Insert(const FlowKey& key, uint64_t now);
  // Marks slot `i` seen at `now`: it becomes the newest.
  void Touch(uint32_t i, uint64_t now);
  void Remove(uint32_t i);

  // The least recently seen flow, or kNone when the table is empty.
  uint32_t Oldest() const { return head_; }
  uint64_t last_seen(uint32_t i) const { return last_seen_[i]; }
  const FlowKey& key(uint32_t i) const { return keys_[i]; }

 private:
  void Unlink(uint32_t i);
  void Append(uint32_t i);

  absl::flat_hash_map<FlowKey, uint32_t> index_;
  std::vector<FlowKey> keys_;
  std::vector<uint64_t> last_seen_;
  std::vector<uint32_t> prev_;
  std::vector<uint32_t> next_;
  std::vector<uint32_t> free_;  // free slots, used from the back
  uint32_t head_ = kNone;       // oldest
  uint32_t tail_ = kNone;       // newest
};

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_FLOW_TABLE_H_
