// Segments in (FreeBSD's tcp_input.c, mTCP's tcp_in.c): finding the
// connection, the SYN-SENT and synchronized-state processing of RFC 9293
// section 3.10.7, ACK processing with RFC 5681 congestion control, and the
// delivery of data in order through the reassembly buffer.
#include <algorithm>
#include <string_view>

#include "tcp/tcp_stack_impl.h"

namespace tlsweep {
namespace {

// RFC 6928: an initial window of 10 segments.
constexpr uint32_t kInitialCwndSegments = 10;
// RFC 5681 section 3.2: fast retransmit on the third duplicate ACK.
constexpr uint32_t kDupAckThreshold = 3;

bool InReceiveWindow(const Tcb& c, SeqNum s) {
  return c.rcv.next() <= s && s < c.rcv.next() + c.rcv_wnd;
}

}  // namespace

void TcpStack::Impl::OnSegment(const ParsedTcp& seg, const uint8_t* payload, uint64_t now) {
  now_ = now;
  ++stats_.segments_in;
  if (seg.daddr != config_.local_ip || !table_.OwnsPort(seg.dport)) {
    ++stats_.unknown_connection;  // not this stack's: nothing to answer
    return;
  }
  const uint32_t i = table_.Find(seg.dport, seg.saddr, seg.sport);
  if (i == kNoSlot) {
    ++stats_.unknown_connection;
    RstForUnknown(seg);
    return;
  }
  if (table_[i].state == TcpState::kSynSent) {
    SynSentInput(i, seg, now);
  } else {
    SynchronizedInput(i, seg, payload, now);
  }
}

void TcpStack::Impl::SynSentInput(uint32_t i, const ParsedTcp& seg, uint64_t now) {
  Tcb& c = table_[i];
  const bool has_ack = (seg.flags & kTcpAck) != 0;
  if (has_ack && SeqNum(seg.ack) != c.snd_nxt) {
    ++stats_.bad_segments;
    if (!(seg.flags & kTcpRst)) RstForAck(seg);
    return;
  }
  if (seg.flags & kTcpRst) {
    // Without an acceptable ACK a reset could be anyone's (RFC 9293).
    if (has_ack) Finish(i, TcpCloseReason::kRefused, now);
    return;
  }
  if (!(seg.flags & kTcpSyn) || !has_ack) {
    ++stats_.bad_segments;  // simultaneous open is not supported
    return;
  }
  // The SYN-ACK. Any data on it is ignored: unacknowledged, it comes again.
  c.rcv.Reset(SeqNum(seg.seq) + 1, table_.recv_buffer(i), config_.recv_window);
  c.snd_una = SeqNum(seg.ack);
  c.snd_wnd = seg.window;
  c.snd_wl1 = SeqNum(seg.seq);
  c.snd_wl2 = SeqNum(seg.ack);
  const TcpOptionsSeen& o = seg.options;
  c.snd_mss = o.has_mss ? std::clamp(o.mss, kMinMss, config_.mss)
                        : std::min(kDefaultSendMss, config_.mss);
  if (o.has_wscale) {
    // RFC 7323: scaling is on only when both SYNs carry the option.
    c.snd_wscale = std::min(o.wscale, kMaxWscale);
    c.rcv_wscale = wscale_;
    c.rcv_wnd = scaled_window_;
  } else {
    c.rcv_wnd = std::min<uint32_t>(config_.recv_window, 0xffff);
  }
  c.rtt.OnAck(SeqNum(seg.ack), now);
  c.retries = 0;
  c.cwnd = kInitialCwndSegments * c.snd_mss;
  c.state = c.fin_queued ? TcpState::kFinWait1 : TcpState::kEstablished;
  StopTimer(i);
  ++stats_.established;
  c.ack_pending = true;
  const uint32_t generation = c.generation;
  c.handler->OnConnected(now);
  if (!table_.Same(i, generation)) return;
  Output(i, now);
  if (c.ack_pending) SendAck(c);
}

bool TcpStack::Impl::CheckSynchronized(uint32_t i, const ParsedTcp& seg, uint64_t now) {
  Tcb& c = table_[i];
  const SeqNum seq(seg.seq);
  const uint32_t seg_len = seg.payload_len + ((seg.flags & kTcpFin) ? 1 : 0) +
                           ((seg.flags & kTcpSyn) ? 1 : 0);
  // RFC 9293 3.10.7.4, first: is any of the segment in the window?
  const bool acceptable = seg_len == 0 ? InReceiveWindow(c, seq)
                                       : InReceiveWindow(c, seq) ||
                                             InReceiveWindow(c, seq + (seg_len - 1));
  if (!acceptable) {
    if (seg.flags & kTcpRst) return false;
    if (seq + seg_len <= c.rcv.next()) {
      ++stats_.duplicates;
    } else {
      ++stats_.out_of_window;
    }
    SendAck(c);
    return false;
  }
  // RFC 5961 3.2: only a reset at exactly RCV.NXT is believed; one
  // elsewhere in the window gets a challenge ACK, which a genuine peer
  // answers with a reset at the right number.
  if (seg.flags & kTcpRst) {
    if (seq != c.rcv.next()) {
      SendAck(c);
    } else if (c.state == TcpState::kTimeWait) {
      FreeSlot(i);
    } else {
      Finish(i, TcpCloseReason::kReset, now);
    }
    return false;
  }
  // RFC 5961 4.2: a SYN in a synchronized state gets a challenge ACK.
  if (seg.flags & kTcpSyn) {
    ++stats_.bad_segments;
    SendAck(c);
    return false;
  }
  if (!(seg.flags & kTcpAck)) return false;
  if (SeqNum(seg.ack) > c.snd_max) {
    ++stats_.bad_segments;  // acknowledges data never sent
    SendAck(c);
    return false;
  }
  return c.state != TcpState::kTimeWait;
}

void TcpStack::Impl::SynchronizedInput(uint32_t i, const ParsedTcp& seg,
                                       const uint8_t* payload, uint64_t now) {
  if (!CheckSynchronized(i, seg, now)) return;
  Tcb& c = table_[i];
  const uint32_t generation = c.generation;
  ProcessAck(i, seg, now);
  if (!table_.Same(i, generation)) return;
  const bool fin = (seg.flags & kTcpFin) != 0;
  if (seg.payload_len > 0 || fin) {
    if (c.state == TcpState::kEstablished || c.state == TcpState::kFinWait1 ||
        c.state == TcpState::kFinWait2) {
      Receive(i, SeqNum(seg.seq), payload, seg.payload_len, fin, now);
      if (!table_.Same(i, generation)) return;
    } else {
      c.ack_pending = true;  // past the peer's FIN: acknowledge, ignore
    }
  }
  Output(i, now);
  if (c.ack_pending) SendAck(c);
}

void TcpStack::Impl::ProcessAck(uint32_t i, const ParsedTcp& seg, uint64_t now) {
  Tcb& c = table_[i];
  const SeqNum seq(seg.seq);
  const SeqNum ack(seg.ack);
  if (ack < c.snd_una) return;  // an old ACK: nothing to learn from it
  const uint32_t wnd = std::min(uint32_t{seg.window} << c.snd_wscale, kMaxWindow);
  // RFC 5681 section 2: a duplicate ACK acknowledges nothing new, carries
  // no data and no window change, while data is outstanding.
  const bool duplicate = ack == c.snd_una && seg.payload_len == 0 &&
                         !(seg.flags & kTcpFin) && wnd == c.snd_wnd &&
                         c.snd_una != c.snd_max;
  // RFC 9293 3.10.7.4: update the window from the newest segment only.
  if (c.snd_wl1 < seq || (c.snd_wl1 == seq && c.snd_wl2 <= ack)) {
    c.snd_wnd = wnd;
    c.snd_wl1 = seq;
    c.snd_wl2 = ack;
  }
  if (ack > c.snd_una) {
    NewAck(i, ack, now);
  } else if (duplicate) {
    DuplicateAck(i);
  }
}

void TcpStack::Impl::NewAck(uint32_t i, SeqNum ack, uint64_t now) {
  Tcb& c = table_[i];
  const uint32_t acked = SeqSpan(c.snd_una, ack);
  const uint32_t data_acked = std::min(acked, c.sbuf_len);
  const bool fin_acked = c.fin_queued && acked > c.sbuf_len;
  c.sbuf_head = (c.sbuf_head + data_acked) % config_.send_buffer;
  c.sbuf_len -= data_acked;
  c.snd_una = ack;
  c.snd_nxt = SeqMax(c.snd_nxt, ack);
  c.rtt.OnAck(ack, now);
  c.retries = 0;
  // RFC 5681: leave fast recovery at ssthresh; otherwise slow start (one
  // MSS per ACK at most, appropriate byte counting with L = 1) or
  // congestion avoidance (about one MSS per window).
  if (c.dup_acks >= kDupAckThreshold) {
    c.cwnd = c.ssthresh;
  } else if (c.cwnd < c.ssthresh) {
    c.cwnd += std::min(data_acked, uint32_t{c.snd_mss});
  } else {
    c.cwnd += std::max<uint32_t>(1, uint32_t{c.snd_mss} * c.snd_mss / c.cwnd);
  }
  c.cwnd = std::min(c.cwnd, kMaxCwnd);
  c.dup_acks = 0;
  // RFC 6298 (5.2, 5.3): stop the timer when all is acknowledged,
  // otherwise restart it.
  if (c.snd_una == c.snd_max) {
    StopTimer(i);
  } else {
    RestartRtx(i, now);
  }
  if (!fin_acked) return;
  switch (c.state) {
    case TcpState::kFinWait1:
      c.state = TcpState::kFinWait2;
      wheel_.Schedule(i, now + config_.fin_wait2_ms);
      break;
    case TcpState::kClosing:
      Finish(i, TcpCloseReason::kClosed, now, /*time_wait=*/true);
      break;
    case TcpState::kLastAck:
      Finish(i, TcpCloseReason::kClosed, now);
      break;
    default:
      break;
  }
}

// RFC 5681 section 3.2: fast retransmit and fast recovery.
void TcpStack::Impl::DuplicateAck(uint32_t i) {
  Tcb& c = table_[i];
  if (c.dup_acks < 0xff) ++c.dup_acks;
  if (c.dup_acks == kDupAckThreshold) {
    const uint32_t flight = SeqSpan(c.snd_una, c.snd_max);
    c.ssthresh = std::max(flight / 2, 2u * c.snd_mss);
    RetransmitFirst(i);
    ++stats_.fast_retransmits;
    c.cwnd = c.ssthresh + kDupAckThreshold * c.snd_mss;
  } else if (c.dup_acks > kDupAckThreshold) {
    c.cwnd = std::min(c.cwnd + c.snd_mss, kMaxCwnd);  // inflation
  }
}

// Data and FIN of an acceptable segment, in ESTABLISHED or FIN-WAIT.
void TcpStack::Impl::Receive(uint32_t i, SeqNum seq, const uint8_t* payload, uint32_t len,
                             bool fin, uint64_t now) {
  Tcb& c = table_[i];
  const uint32_t generation = c.generation;
  c.ack_pending = true;  // every data segment is acknowledged at once
  if (seq < c.rcv.next()) {
    // Acceptable means the end reaches RCV.NXT: skip <= len.
    const uint32_t skip = SeqSpan(seq, c.rcv.next());
    if (skip > 0) ++stats_.duplicates;
    payload += skip;
    len -= skip;
    seq = c.rcv.next();
  }
  const uint32_t room = c.rcv_wnd - SeqSpan(c.rcv.next(), seq);
  if (len > room) {
    ++stats_.out_of_window;  // the part beyond the window is dropped
    len = room;
    fin = false;
  }
  if (fin && !c.fin_received) {
    c.fin_received = true;
    c.fin_seq = seq + len;
  }
  if (seq == c.rcv.next()) {
    if (len > 0) {
      c.rcv.Advance(len);
      c.handler->OnData(std::string_view(reinterpret_cast<const char*>(payload), len), now);
      if (!table_.Same(i, generation)) return;
    }
    // Most segments leave nothing out of order behind them: no call then.
    if (!c.rcv.empty() && !DeliverReassembled(i, now)) return;
  } else if (len > 0) {
    StoreOutOfOrder(c, seq, payload, len);
  }
  if (c.fin_received && c.rcv.next() == c.fin_seq) {
    c.rcv.ConsumeFin();
    const bool time_wait = c.state == TcpState::kFinWait2;
    // Entering TIME-WAIT, the ACK must go now; otherwise it waits, so
    // that a FIN the handler sends from OnPeerClosed carries it.
    if (time_wait) SendAck(c);
    if (c.state == TcpState::kEstablished) c.state = TcpState::kCloseWait;
    if (c.state == TcpState::kFinWait1) c.state = TcpState::kClosing;
    c.handler->OnPeerClosed(now);
    if (time_wait && table_.Same(i, generation)) {
      Finish(i, TcpCloseReason::kClosed, now, /*time_wait=*/true);
    }
  }
}

bool TcpStack::Impl::DeliverReassembled(uint32_t i, uint64_t now) {
  Tcb& c = table_[i];
  const uint32_t generation = c.generation;
  Reassembly::Contiguous bytes;
  // RCV.NXT moves before each callback: the bytes stay in the ring, which
  // only input writes.
  while (c.rcv.PopContiguous(&bytes)) {
    c.handler->OnData(bytes.first, now);
    if (!table_.Same(i, generation)) return false;
    if (!bytes.second.empty()) {
      c.handler->OnData(bytes.second, now);
      if (!table_.Same(i, generation)) return false;
    }
  }
  return true;
}

void TcpStack::Impl::StoreOutOfOrder(Tcb& c, SeqNum seq, const uint8_t* payload,
                                     uint32_t len) {
  switch (c.rcv.Store(seq, payload, len)) {
    case Reassembly::StoreResult::kStored:
      ++stats_.out_of_order;
      break;
    case Reassembly::StoreResult::kDuplicate:
      ++stats_.duplicates;
      break;
    case Reassembly::StoreResult::kOutsideWindow:
      ++stats_.out_of_window;
      break;
    case Reassembly::StoreResult::kTooManyRanges:
      ++stats_.ooo_dropped;
      break;
  }
}

}  // namespace tlsweep
