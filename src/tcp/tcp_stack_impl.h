// The TCP client state machine behind TcpStack (RFC 9293) with RFC 6298
// retransmission, RFC 5681 congestion control, RFC 7323 window scaling,
// RFC 5961 RST/SYN checks and RFC 6528 initial sequence numbers.
//
// Split by concern, as FreeBSD and mTCP split theirs:
//   tcp_stack.cc    the user's calls (Connect, Send, Close, Abort) and the
//                   end of a connection (Finish, TIME-WAIT)
//   tcp_input.cc    segments in: the state machine, ACK processing,
//                   congestion control, data delivery
//   tcp_output.cc   segments out: what the windows allow, acknowledgements,
//                   retransmission of the first segment, resets
//   tcp_timer.cc    the per-connection timer: retransmission, persist,
//                   FIN-WAIT-2, TIME-WAIT
// over separate units that know nothing of the state machine:
//   conn_table.h    slots, buffers, ports, lookup, the TIME-WAIT list
//   reassembly.h    RCV.NXT and the bounded out-of-order buffer
//   rtt_estimator.h the RFC 6298 RTO
//   timer_wheel.h   the timers
//   segment_writer.h  frames into the FrameSink (packet/frame_writer.h)
//
// Each slot owns one timer in the wheel: at any moment only one of
// retransmission, persist, FIN-WAIT-2 or TIME-WAIT matters, and OnTimer
// decides from the connection's state which one fired.
//
// Handlers may call Send/Close/Abort (and Connect) from their callbacks, so
// every path that calls out re-checks afterwards that the slot still holds
// the same connection (its generation) before touching it again.
#ifndef TLSWEEP_TCP_TCP_STACK_IMPL_H_
#define TLSWEEP_TCP_TCP_STACK_IMPL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "packet/headers.h"
#include "packet/parse.h"
#include "tcp/conn_table.h"
#include "tcp/segment_writer.h"
#include "tcp/seq.h"
#include "tcp/tcb.h"
#include "tcp/tcp_stack.h"
#include "tcp/timer_wheel.h"

namespace tlsweep {

class TcpStack::Impl {
 public:
  Impl(const TcpStackConfig& config, FrameSink& sink);

  // The user's calls (tcp_stack.cc).
  absl::StatusOr<TcpConnId> Connect(Ipv4Address ip, uint16_t port, TcpHandler* handler,
                                    uint64_t now);
  size_t Send(TcpConnId id, std::string_view bytes);
  size_t SendSpace(TcpConnId id) const;
  void Close(TcpConnId id);
  void Abort(TcpConnId id);
  size_t active() const { return table_.active(); }
  const TcpStats& stats() const { return stats_; }
  static size_t BytesPerConnection(const TcpStackConfig& config);

  // tcp_input.cc
  void OnSegment(const ParsedTcp& seg, const uint8_t* payload, uint64_t now);
  // tcp_timer.cc
  void Tick(uint64_t now);

 private:
  // --- tcp_stack.cc: connection lifecycle --------------------------------
  // Ends the connection for its user: the slot is freed, or enters
  // TIME-WAIT, before OnClosed runs, so the handler may reuse it at once.
  void Finish(uint32_t i, TcpCloseReason reason, uint64_t now, bool time_wait = false);
  void FreeSlot(uint32_t i);
  void EnterTimeWait(uint32_t i, uint64_t now);
  // RFC 6528: ISN = M + F(4-tuple, key), M a 4-microsecond clock.
  uint32_t Isn(Ipv4Address ip, uint16_t port, uint16_t local_port, uint64_t now) const;

  // --- tcp_input.cc -------------------------------------------------------
  void SynSentInput(uint32_t i, const ParsedTcp& seg, uint64_t now);
  // RFC 9293 3.10.7.4 up to the ACK field: the sequence number check, RST,
  // SYN and an ACK of data never sent, answered as the RFCs say. True when
  // the segment goes on to ACK and data processing.
  bool CheckSynchronized(uint32_t i, const ParsedTcp& seg, uint64_t now);
  void SynchronizedInput(uint32_t i, const ParsedTcp& seg, const uint8_t* payload,
                         uint64_t now);
  void ProcessAck(uint32_t i, const ParsedTcp& seg, uint64_t now);
  void NewAck(uint32_t i, SeqNum ack, uint64_t now);
  void DuplicateAck(uint32_t i);
  void Receive(uint32_t i, SeqNum seq, const uint8_t* payload, uint32_t len, bool fin,
               uint64_t now);
  // Hands the reassembled bytes that now continue the stream to the
  // handler; false if a callback ended the connection.
  bool DeliverReassembled(uint32_t i, uint64_t now);
  void StoreOutOfOrder(Tcb& c, SeqNum seq, const uint8_t* payload, uint32_t len);

  // --- tcp_output.cc ------------------------------------------------------
  // Sends what the windows allow: queued bytes in segments of at most the
  // send MSS, then the FIN. Starts the persist timer when a zero window
  // blocks data and nothing is in flight to elicit a window update.
  void Output(uint32_t i, uint64_t now);
  // Sends `len` buffered bytes starting at `seq` (>= snd_una), plus FIN.
  void EmitData(uint32_t i, SeqNum seq, uint32_t len, bool fin);
  // A segment without data to the connection's peer; with kTcpAck it
  // carries our window and satisfies a pending ACK.
  void EmitHeader(Tcb& c, SeqNum seq, SeqNum ack, uint8_t flags);
  void EmitSyn(const Tcb& c);
  void SendAck(Tcb& c) { EmitHeader(c, c.snd_nxt, c.rcv.next(), kTcpAck); }
  // A reset to the peer (Abort, timeouts): RST|ACK at our current numbers.
  void SendReset(Tcb& c);
  // Resends the first unacknowledged segment (RTO and fast retransmit);
  // returns the sequence space it covers.
  uint32_t RetransmitFirst(uint32_t i);
  // RFC 9293 3.10.7.1: a reset for a segment that belongs to no connection.
  void RstForUnknown(const ParsedTcp& seg);
  // A reset answering `seg` with seq = its ACK (RFC 9293 3.10.7.1).
  void RstForAck(const ParsedTcp& seg);
  uint16_t AdvertisedWindow(const Tcb& c) const {
    return static_cast<uint16_t>(c.rcv_wnd >> c.rcv_wscale);
  }

  // --- tcp_timer.cc -------------------------------------------------------
  void OnTimer(uint32_t i, uint64_t now);
  // RFC 6298 (5.4 - 5.7) with the RFC 5681 (4) loss response.
  void RetransmissionTimeout(uint32_t i, uint64_t now);
  void PersistTimeout(uint32_t i, uint64_t now);
  void RestartRtx(uint32_t i, uint64_t now);
  void StopTimer(uint32_t i);

  const TcpStackConfig config_;
  TcpStats stats_;
  ConnTable table_;
  TimerWheel wheel_;
  // Our window scale, and what a scaled 16-bit field can say of the
  // receive window (rounded down to the scale).
  const uint8_t wscale_;
  const uint32_t scaled_window_;
  SegmentWriter writer_;
  // The latest time the caller gave us, for the calls that take none
  // (Send, Close, Abort).
  uint64_t now_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_TCP_STACK_IMPL_H_
