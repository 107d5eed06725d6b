#include "tcp/conn_table.h"

namespace tlsweep {

ConnTable::ConnTable(uint32_t max_connections, uint16_t port_first, uint16_t port_last,
                     uint32_t send_buffer, uint32_t recv_buffer)
    : slots_(max_connections),
      send_buffer_(send_buffer),
      buffer_stride_(size_t{send_buffer} + recv_buffer),
      // Left uninitialised: pages are touched only by connections using them.
      buffers_(new uint8_t[buffer_stride_ * max_connections]),
      port_first_(port_first) {
  free_slots_.reserve(max_connections);
  for (uint32_t i = max_connections; i > 0; --i) free_slots_.push_back(i - 1);
  if (port_first <= port_last) num_ports_ = uint32_t{port_last} - port_first + 1;
  port_to_slot_.assign(num_ports_, kNoSlot);
  free_ports_.resize(num_ports_);
  for (uint32_t p = 0; p < num_ports_; ++p) {
    free_ports_[p] = static_cast<uint16_t>(port_first + p);
  }
  free_port_count_ = num_ports_;
}

uint32_t ConnTable::Allocate() {
  const uint32_t i = free_slots_.back();
  free_slots_.pop_back();
  const uint16_t port = free_ports_[free_port_head_];
  free_port_head_ = (free_port_head_ + 1) % num_ports_;
  --free_port_count_;
  port_to_slot_[port - port_first_] = i;
  Tcb& c = slots_[i];
  const uint32_t generation = c.generation;
  c = Tcb{};
  c.generation = generation;
  c.local_port = port;
  return i;
}

void ConnTable::Free(uint32_t i) {
  Tcb& c = slots_[i];
  if (c.state == TcpState::kTimeWait) {
    (c.tw_prev == kNoSlot ? tw_head_ : slots_[c.tw_prev].tw_next) = c.tw_next;
    (c.tw_next == kNoSlot ? tw_tail_ : slots_[c.tw_next].tw_prev) = c.tw_prev;
  }
  port_to_slot_[c.local_port - port_first_] = kNoSlot;
  free_ports_[(free_port_head_ + free_port_count_) % num_ports_] = c.local_port;
  ++free_port_count_;
  c.state = TcpState::kFree;
  c.handler = nullptr;
  ++c.generation;
  free_slots_.push_back(i);
}

void ConnTable::AddTimeWait(uint32_t i) {
  Tcb& c = slots_[i];
  c.tw_prev = tw_tail_;
  c.tw_next = kNoSlot;
  (tw_tail_ == kNoSlot ? tw_head_ : slots_[tw_tail_].tw_next) = i;
  tw_tail_ = i;
}

}  // namespace tlsweep
