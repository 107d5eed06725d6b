// The per-connection timer (FreeBSD's tcp_timer.c, mTCP's timer.c): one
// slot of the timer wheel per connection, whose meaning follows from the
// connection's state -- retransmission, persist, FIN-WAIT-2 or TIME-WAIT.
#include <algorithm>

#include "tcp/tcp_stack_impl.h"

namespace tlsweep {

void TcpStack::Impl::Tick(uint64_t now) {
  now_ = now;
  wheel_.Advance(now, [this, now](uint32_t i) { OnTimer(i, now); });
}

void TcpStack::Impl::RestartRtx(uint32_t i, uint64_t now) {
  Tcb& c = table_[i];
  c.rtx_running = true;
  wheel_.Schedule(i, now + c.rtt.rto_ms());
}

void TcpStack::Impl::StopTimer(uint32_t i) {
  table_[i].rtx_running = false;
  wheel_.Cancel(i);
}

void TcpStack::Impl::OnTimer(uint32_t i, uint64_t now) {
  Tcb& c = table_[i];
  switch (c.state) {
    case TcpState::kFree:
      return;
    case TcpState::kTimeWait:
      FreeSlot(i);
      return;
    case TcpState::kFinWait2:
      // The peer never closed: reset it so it frees its side too.
      SendReset(c);
      Finish(i, TcpCloseReason::kTimeout, now);
      return;
    default:
      break;
  }
  if (c.state == TcpState::kSynSent || c.snd_una != c.snd_max) {
    RetransmissionTimeout(i, now);
  } else if (c.zero_window) {
    PersistTimeout(i, now);
  }
}

void TcpStack::Impl::RetransmissionTimeout(uint32_t i, uint64_t now) {
  Tcb& c = table_[i];
  const bool syn = c.state == TcpState::kSynSent;
  if (c.retries >= (syn ? config_.syn_retries : config_.data_retries)) {
    Finish(i, TcpCloseReason::kTimeout, now);
    return;
  }
  ++c.retries;
  if (!syn) {
    const uint32_t flight = SeqSpan(c.snd_una, c.snd_max);
    c.ssthresh = std::max(flight / 2, 2u * c.snd_mss);
    c.cwnd = c.snd_mss;
    c.dup_acks = 0;
  }
  c.rtt.Backoff();
  // Go back N: resend the first segment, the rest follows as ACKs arrive.
  c.snd_nxt = c.snd_una + RetransmitFirst(i);
  RestartRtx(i, now);
}

// A window probe (as Linux: an old sequence number, no data, which the
// peer must answer with an ACK carrying its window), backed off like the
// RTO, and kTimeout once the window has been shut for zero_window_ms.
void TcpStack::Impl::PersistTimeout(uint32_t i, uint64_t now) {
  Tcb& c = table_[i];
  const uint64_t deadline = c.zero_window_since_ms + config_.zero_window_ms;
  if (now >= deadline) {
    SendReset(c);
    Finish(i, TcpCloseReason::kTimeout, now);
    return;
  }
  EmitHeader(c, c.snd_una - 1, c.rcv.next(), kTcpAck);
  ++stats_.persist_probes;
  c.persist_ms = std::min(c.persist_ms * 2, RttEstimator::kMaxRtoMs);
  wheel_.Schedule(i, std::min(now + c.persist_ms, deadline));
}

}  // namespace tlsweep
