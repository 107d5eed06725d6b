// tlsweep's userspace TCP client: active opens only, for the grabber pool
// on a DPDK port where the kernel never sees the answers.
//
// Plain C++ with no rte_* and no sockets: frames come in through
// OnSegment() and go out through a FrameSink, time comes in as
// milliseconds from the caller's clock (the TSC on DPDK), so unit tests
// drive it with an in-memory link and a scripted peer. One TcpStack per
// lcore, owning a disjoint slice of the grab source ports: no locks.
//
// Memory: every connection's state and buffers come from pools allocated
// in the constructor (max_connections slots, each with a send buffer of
// send_buffer bytes and a reassembly buffer of recv_window bytes); nothing
// is allocated per segment or per connection afterwards. The bound per
// connection is BytesPerConnection(): send_buffer + recv_window + about 210
// bytes of state; on top of that the stack holds 6 bytes per source port
// and a 64 KiB timer wheel. A peer can make a connection hold no more: data
// beyond the advertised window is dropped, out-of-order data lives in the
// reassembly buffer (at most 4 separate ranges), in-order data goes straight
// to the handler.
#ifndef TLSWEEP_TCP_TCP_STACK_H_
#define TLSWEEP_TCP_TCP_STACK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "packet/parse.h"

namespace tlsweep {

// Where the stack's frames go: reserve space for one frame, write it, commit.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Space for one frame of at most `max_len` bytes, or nullptr when the link
  // has none right now (the stack counts it; retransmission recovers).
  virtual uint8_t* Reserve(uint16_t max_len) = 0;
  // Sends the frame written into the last Reserve()d space.
  virtual void Commit(uint16_t len) = 0;
};

struct TcpStackConfig {
  MacAddress local_mac;
  MacAddress gateway_mac;
  Ipv4Address local_ip;
  // This stack's source ports, [port_first, port_last]. Each connection
  // takes one; a port is reused only after its connection is gone.
  uint16_t port_first = 49152;
  uint16_t port_last = 65535;
  uint32_t max_connections = 1024;
  uint16_t mss = 1460;             // advertised; we send at most the peer's
  uint32_t recv_window = 16384;    // advertised window = out-of-order bound
  uint32_t send_buffer = 8192;     // unacknowledged + queued bytes
  uint8_t ttl = 64;
  // Leave the IPv4 and TCP checksums to the NIC: the stack writes the
  // pseudo-header sum into the TCP checksum field and 0 into the IP one.
  bool checksum_offload = false;
  uint32_t time_wait_ms = 1000;    // short: our ports are ours alone
  uint32_t syn_retries = 3;        // 1 s, 2 s, 4 s, then kTimeout
  uint32_t data_retries = 6;       // RTO back-off, then kTimeout
  uint32_t zero_window_ms = 30000; // a window shut this long ends in kTimeout
  // Our FIN acknowledged, the peer's never coming: kTimeout after this long
  // (Linux's tcp_fin_timeout default).
  uint32_t fin_wait2_ms = 60000;
  uint64_t isn_key[2] = {0, 0};    // RFC 6528 initial sequence numbers
  // For tests only: every connection starts at this ISN instead of the
  // RFC 6528 one (e.g. just below 2^32 to exercise wrap-around).
  std::optional<uint32_t> fixed_isn;
};

enum class TcpCloseReason : uint8_t {
  kClosed,    // both FINs exchanged (or ours acknowledged after the peer's)
  kRefused,   // RST in answer to our SYN
  kReset,     // RST after the handshake
  kTimeout,   // SYN or data retransmissions exhausted, or zero window too long
  kAborted,   // Abort() by the user
};
std::string_view TcpCloseReasonName(TcpCloseReason reason);

// A connection's user. Callbacks run inside OnSegment()/Tick()/Connect();
// from them the user may call Send()/Close()/Abort() on its own connection.
class TcpHandler {
 public:
  virtual ~TcpHandler() = default;
  virtual void OnConnected(uint64_t now_ms) = 0;
  // In-order bytes; the stack keeps none of them after the call.
  virtual void OnData(std::string_view bytes, uint64_t now_ms) = 0;
  // The peer sent FIN: no more OnData.
  virtual void OnPeerClosed(uint64_t now_ms) = 0;
  // The last call for this connection; its id is invalid afterwards.
  virtual void OnClosed(TcpCloseReason reason, uint64_t now_ms) = 0;
};

struct TcpConnId {
  uint32_t index = 0;
  uint32_t generation = 0;
};

struct TcpStats {
  uint64_t connects = 0;
  uint64_t established = 0;
  uint64_t closed_by_reason[5] = {};  // indexed by TcpCloseReason
  uint64_t segments_in = 0;
  uint64_t segments_out = 0;
  uint64_t retransmits = 0;
  uint64_t fast_retransmits = 0;
  uint64_t out_of_order = 0;       // segments buffered for reassembly
  uint64_t out_of_window = 0;      // dropped: outside the receive window
  uint64_t duplicates = 0;         // data we had already
  uint64_t unknown_connection = 0; // segments for no connection of ours
  uint64_t rst_sent = 0;
  uint64_t sink_full = 0;          // FrameSink::Reserve() returned nullptr
  uint64_t bad_segments = 0;       // e.g. ACK of data never sent
  uint64_t persist_probes = 0;     // zero-window probes sent
  uint64_t time_wait_reused = 0;   // TIME-WAIT slots taken early by Connect()
  uint64_t ooo_dropped = 0;        // out-of-order data beyond 4 holes, dropped
};

class TcpStack {
 public:
  TcpStack(const TcpStackConfig& config, FrameSink& sink);
  ~TcpStack();
  TcpStack(const TcpStack&) = delete;
  TcpStack& operator=(const TcpStack&) = delete;

  // Sends a SYN to ip:port. ResourceExhausted when no connection slot or
  // source port is free.
  absl::StatusOr<TcpConnId> Connect(Ipv4Address ip, uint16_t port, TcpHandler* handler,
                                    uint64_t now_ms);
  // Queues bytes to send; returns how many fit in the send buffer.
  size_t Send(TcpConnId id, std::string_view bytes);
  // Free space in the send buffer.
  size_t SendSpace(TcpConnId id) const;
  // Sends FIN after the queued bytes.
  void Close(TcpConnId id);
  // Sends RST and frees the connection now; OnClosed(kAborted) is called.
  void Abort(TcpConnId id);

  // A TCP segment addressed to local_ip and a port in this stack's range,
  // as ParseFrame() produced it (checksums verified), with its payload.
  void OnSegment(const ParsedTcp& segment, const uint8_t* payload, uint64_t now_ms);
  // Runs due timers. Call every millisecond or so; cheap when nothing is due.
  void Tick(uint64_t now_ms);

  // Connections not yet freed (including TIME-WAIT).
  size_t active() const;
  const TcpStats& stats() const;
  // Bytes of pool memory per connection slot (state + buffers).
  static size_t BytesPerConnection(const TcpStackConfig& config);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_TCP_STACK_H_
