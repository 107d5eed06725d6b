// The stack's connections: a fixed pool of control blocks and buffers, the
// source ports, the lookup from a segment to its connection, and the
// TIME-WAIT list (FreeBSD's tcp_subr.c and in_pcb.c, mTCP's tcp_stream
// table).
//
// Each live connection owns its local port, so the port alone finds the
// slot (an array index, no hashing); the remote address and port are then
// checked against it. Ports come back in FIFO order, so a port is reused as
// late as possible, after all others: a late segment of an old connection
// is unlikely to find a new one on its port. Everything is allocated in the
// constructor; Allocate() and Free() only move indices.
#ifndef TLSWEEP_TCP_CONN_TABLE_H_
#define TLSWEEP_TCP_CONN_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/net_types.h"
#include "tcp/tcb.h"
#include "tcp/tcp_stack.h"

namespace tlsweep {

class ConnTable {
 public:
  // `max_connections` slots, each with a send buffer of `send_buffer`
  // bytes and a receive buffer of `recv_buffer`; ports
  // [port_first, port_last] (none if port_first > port_last).
  ConnTable(uint32_t max_connections, uint16_t port_first, uint16_t port_last,
            uint32_t send_buffer, uint32_t recv_buffer);

  // Bytes allocated per slot: its control block, its free-list entry and
  // its buffers.
  static size_t BytesPerSlot(uint32_t send_buffer, uint32_t recv_buffer) {
    return sizeof(Tcb) + sizeof(uint32_t) + size_t{send_buffer} + recv_buffer;
  }

  bool has_free_slot() const { return !free_slots_.empty(); }
  bool has_free_port() const { return free_port_count_ > 0; }
  // Slots in use, TIME-WAIT included.
  size_t active() const { return slots_.size() - free_slots_.size(); }

  // Takes a free slot and the free port unused longest; requires
  // has_free_slot() and has_free_port(). Returns the slot, whose control
  // block is reset (its generation kept) with state kFree and local_port
  // set: the caller fills in the rest.
  uint32_t Allocate();
  // Returns the slot to the pool and its port to the back of the queue;
  // the slot's generation changes, so ids of it go stale.
  void Free(uint32_t i);

  // True if segments to `port` are this table's to answer.
  bool OwnsPort(uint16_t port) const {
    return port >= port_first_ && uint32_t{port} - port_first_ < num_ports_;
  }
  // The slot of the connection on local port `port` (OwnsPort) with this
  // remote end, or kNoSlot.
  uint32_t Find(uint16_t port, Ipv4Address remote_ip, uint16_t remote_port) const {
    const uint32_t i = port_to_slot_[port - port_first_];
    if (i == kNoSlot || slots_[i].remote_ip != remote_ip ||
        slots_[i].remote_port != remote_port) {
      return kNoSlot;
    }
    return i;
  }

  // The slot of a connection its user may still act on, or kNoSlot.
  uint32_t Live(TcpConnId id) const {
    if (id.index >= slots_.size()) return kNoSlot;
    return Same(id.index, id.generation) ? id.index : kNoSlot;
  }
  // True if slot i still holds the connection of `generation` with its
  // handler: false once a callback aborted or closed it.
  bool Same(uint32_t i, uint32_t generation) const {
    const Tcb& c = slots_[i];
    return c.generation == generation && c.state != TcpState::kFree &&
           c.handler != nullptr;
  }

  // Puts slot i (state kTimeWait) at the end of the TIME-WAIT list.
  void AddTimeWait(uint32_t i);
  // The connection longest in TIME-WAIT, or kNoSlot.
  uint32_t oldest_time_wait() const { return tw_head_; }

  Tcb& operator[](uint32_t i) { return slots_[i]; }
  const Tcb& operator[](uint32_t i) const { return slots_[i]; }
  uint8_t* send_buffer(uint32_t i) { return buffers_.get() + i * buffer_stride_; }
  uint8_t* recv_buffer(uint32_t i) { return send_buffer(i) + send_buffer_; }

 private:
  std::vector<Tcb> slots_;
  const uint32_t send_buffer_;
  const size_t buffer_stride_;
  std::unique_ptr<uint8_t[]> buffers_;
  std::vector<uint32_t> free_slots_;
  const uint16_t port_first_;
  uint32_t num_ports_ = 0;
  std::vector<uint32_t> port_to_slot_;  // indexed by port - port_first
  std::vector<uint16_t> free_ports_;    // a FIFO ring
  uint32_t free_port_head_ = 0;
  uint32_t free_port_count_ = 0;
  uint32_t tw_head_ = kNoSlot;
  uint32_t tw_tail_ = kNoSlot;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_CONN_TABLE_H_
