// The TCP control block: everything the stack knows about one connection
// (RFC 9293 section 3.3.1's TCB), as FreeBSD's tcp_var.h and mTCP's
// tcp_stream.h hold it. A plain struct, shared by the pieces of the stack:
// the connection table (conn_table.h) owns the slots and the identity
// fields, input (tcp_input.cc), output (tcp_output.cc) and the timers
// (tcp_timer.cc) the protocol state.
#ifndef TLSWEEP_TCP_TCB_H_
#define TLSWEEP_TCP_TCB_H_

#include <cstdint>

#include "common/net_types.h"
#include "tcp/reassembly.h"
#include "tcp/rtt_estimator.h"
#include "tcp/seq.h"
#include "tcp/tcp_stack.h"

namespace tlsweep {

// RFC 9293 section 3.10.4 ff.: the states of an active opener. LISTEN and
// SYN-RECEIVED never occur (no passive or simultaneous open); CLOSED is a
// free slot.
enum class TcpState : uint8_t {
  kFree,
  kSynSent,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kClosing,
  kTimeWait,
  kCloseWait,
  kLastAck,
};

// RFC 9293 section 3.7.1: the send MSS when the peer sends no MSS option.
inline constexpr uint16_t kDefaultSendMss = 536;
// Linux's TCP_MIN_SND_MSS: an MSS option below this is raised to it, so a
// hostile MSS of 1 cannot make us send a segment per byte.
inline constexpr uint16_t kMinMss = 48;
// RFC 7323 section 2.3: shift counts above 14 are treated as 14, and a
// window never exceeds 2^30.
inline constexpr uint8_t kMaxWscale = 14;
inline constexpr uint32_t kMaxWindow = uint32_t{1} << 30;
inline constexpr uint32_t kMaxCwnd = kMaxWindow;
// No slot: the end of a list, or no connection for a segment.
inline constexpr uint32_t kNoSlot = 0xffffffff;

struct Tcb {
  // Identity, kept by the connection table.
  TcpState state = TcpState::kFree;
  uint32_t generation = 0;
  // Null from the moment OnClosed is called: a TIME-WAIT slot has none.
  TcpHandler* handler = nullptr;
  Ipv4Address remote_ip;
  uint16_t remote_port = 0;
  uint16_t local_port = 0;

  // Send side. The send buffer is a ring holding the bytes from snd_una on:
  // sent-but-unacknowledged, then queued.
  SeqNum iss;
  SeqNum snd_una;
  SeqNum snd_nxt;
  SeqNum snd_max;  // highest sequence number sent + 1 (snd_nxt rewinds on RTO)
  SeqNum snd_wl1;
  SeqNum snd_wl2;
  uint32_t snd_wnd = 0;  // the peer's window in bytes, scaled
  uint32_t cwnd = 0;
  uint32_t ssthresh = kMaxCwnd;
  uint32_t sbuf_head = 0;
  uint32_t sbuf_len = 0;
  uint16_t snd_mss = kDefaultSendMss;
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  uint8_t dup_acks = 0;
  bool fin_queued = false;   // Close() called: FIN follows the buffered bytes
  bool rtx_running = false;  // the slot's timer is the retransmission timer
  bool ack_pending = false;
  bool zero_window = false;  // blocked by a zero window: the persist timer runs
  bool fin_received = false;  // the peer's FIN is at fin_seq

  RttEstimator rtt;
  uint32_t retries = 0;
  uint32_t persist_ms = 0;
  uint64_t zero_window_since_ms = 0;

  // Receive side: rcv.next() is RCV.NXT.
  Reassembly rcv;
  uint32_t rcv_wnd = 0;
  SeqNum fin_seq;  // the peer's FIN, possibly ahead of rcv.next()

  // TIME-WAIT list, oldest first; kept by the connection table.
  uint32_t tw_prev = kNoSlot;
  uint32_t tw_next = kNoSlot;
};

// States in which our side may still send data or a FIN.
inline bool SendingState(TcpState s) {
  return s == TcpState::kEstablished || s == TcpState::kCloseWait ||
         s == TcpState::kFinWait1 || s == TcpState::kLastAck || s == TcpState::kClosing;
}

// True while the user may queue more bytes: before Close() in the states
// that still send.
inline bool CanQueue(const Tcb& c) {
  return !c.fin_queued &&
         (c.state == TcpState::kSynSent || c.state == TcpState::kEstablished ||
          c.state == TcpState::kCloseWait);
}

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_TCB_H_
