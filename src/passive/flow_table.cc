// See flow_table.h.
#include "passive/flow_table.h"

namespace tlsweep {

FlowKey FlowKey::Of(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
                    bool* a_to_b) {
  *a_to_b = saddr < daddr || (saddr == daddr && sport <= dport);
  if (*a_to_b) return FlowKey{saddr, daddr, sport, dport};
  return FlowKey{daddr, saddr, dport, sport};
}

FlowTable::FlowTable(uint32_t max_flows)
    : keys_(max_flows), last_seen_(max_flows), prev_(max_flows, kNone),
      next_(max_flows, kNone) {
  index_.reserve(max_flows);
  free_.reserve(max_flows);
  for (uint32_t i = max_flows; i > 0; --i) free_.push_back(i - 1);
}

uint32_t FlowTable::Find(const FlowKey& key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? kNone : it->second;
}

uint32_t FlowTable::Insert(const FlowKey& key, uint64_t now) {
  if (free_.empty()) return kNone;
  const uint32_t i = free_.back();
  free_.pop_back();
  keys_[i] = key;
  last_seen_[i] = now;
  index_.emplace(key, i);
  Append(i);
  return i;
}

void FlowTable::Touch(uint32_t i, uint64_t now) {
  last_seen_[i] = now;
  if (tail_ == i) return;
  Unlink(i);
  Append(i);
}

void FlowTable::Remove(uint32_t i) {
  index_.erase(keys_[i]);
  Unlink(i);
  free_.push_back(i);
}

void FlowTable::Unlink(uint32_t i) {
  if (prev_[i] != kNone) next_[prev_[i]] = next_[i]; else head_ = next_[i];
  if (next_[i] != kNone) prev_[next_[i]] = prev_[i]; else tail_ = prev_[i];
  prev_[i] = next_[i] = kNone;
}

void FlowTable::Append(uint32_t i) {
  prev_[i] = tail_;
  next_[i] = kNone;
  if (tail_ != kNone) next_[tail_] = i; else head_ = i;
  tail_ = i;
}

}  // namespace tlsweep
