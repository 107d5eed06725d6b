// Segments out (FreeBSD's tcp_output.c, mTCP's tcp_out.c): what the
// windows allow, acknowledgements, retransmission of the first segment and
// resets. Frames are written by SegmentWriter.
#include <algorithm>

#include "tcp/tcp_stack_impl.h"

namespace tlsweep {

void TcpStack::Impl::EmitHeader(Tcb& c, SeqNum seq, SeqNum ack, uint8_t flags) {
  Segment s;
  s.remote_ip = c.remote_ip;
  s.remote_port = c.remote_port;
  s.local_port = c.local_port;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.window = (flags & kTcpAck) ? AdvertisedWindow(c) : 0;
  writer_.Write(s);
  if (flags & kTcpAck) c.ack_pending = false;
}

void TcpStack::Impl::EmitSyn(const Tcb& c) {
  Segment s;
  s.remote_ip = c.remote_ip;
  s.remote_port = c.remote_port;
  s.local_port = c.local_port;
  s.seq = c.iss;
  s.flags = kTcpSyn;
  // RFC 7323 2.2: the window of a SYN is never scaled.
  s.window = static_cast<uint16_t>(std::min<uint32_t>(config_.recv_window, 0xffff));
  writer_.WriteSyn(s);
}

void TcpStack::Impl::SendReset(Tcb& c) {
  EmitHeader(c, c.snd_nxt, c.rcv.next(), kTcpRst | kTcpAck);
  ++stats_.rst_sent;
}

void TcpStack::Impl::EmitData(uint32_t i, SeqNum seq, uint32_t len, bool fin) {
  Tcb& c = table_[i];
  const uint32_t at = (c.sbuf_head + SeqSpan(c.snd_una, seq)) % config_.send_buffer;
  const uint32_t first = std::min(len, config_.send_buffer - at);
  const uint8_t* buf = table_.send_buffer(i);
  Segment s;
  s.remote_ip = c.remote_ip;
  s.remote_port = c.remote_port;
  s.local_port = c.local_port;
  s.seq = seq;
  s.ack = c.rcv.next();
  s.flags = kTcpAck;
  if (len > 0) s.flags |= kTcpPsh;
  if (fin) s.flags |= kTcpFin;
  s.window = AdvertisedWindow(c);
  s.data1 = std::span<const uint8_t>(buf + at, first);
  s.data2 = std::span<const uint8_t>(buf, len - first);
  writer_.Write(s);
  c.ack_pending = false;
}

void TcpStack::Impl::Output(uint32_t i, uint64_t now) {
  Tcb& c = table_[i];
  if (!SendingState(c.state)) return;
  for (;;) {
    const uint32_t off = SeqSpan(c.snd_una, c.snd_nxt);
    uint32_t len = 0;
    if (off < c.sbuf_len) {
      const uint32_t wnd = std::min(c.snd_wnd, c.cwnd);
      if (off >= wnd) break;
      len = std::min({c.sbuf_len - off, uint32_t{c.snd_mss}, wnd - off});
    } else if (!c.fin_queued || off != c.sbuf_len) {
      break;  // nothing queued, or the FIN is out already
    }
    // The FIN is sent regardless of the window (it carries no data).
    const bool fin = c.fin_queued && off + len == c.sbuf_len;
    EmitData(i, c.snd_nxt, len, fin);
    if (c.snd_nxt < c.snd_max) {
      ++stats_.retransmits;  // resending after an RTO rewound snd_nxt
    } else {
      c.rtt.StartTiming(c.snd_nxt + len + fin, now);
    }
    c.snd_nxt += len + fin;
    c.snd_max = SeqMax(c.snd_max, c.snd_nxt);
    // RFC 6298 (5.1): start the timer if it is not running.
    if (!c.rtx_running) RestartRtx(i, now);
  }
  if (c.snd_wnd == 0 && c.sbuf_len > 0 && c.snd_una == c.snd_max) {
    if (!c.zero_window) {
      c.zero_window = true;
      c.zero_window_since_ms = now;
      c.persist_ms = c.rtt.rto_ms();
      c.rtx_running = false;
      wheel_.Schedule(i, now + c.persist_ms);
    }
  } else {
    c.zero_window = false;
  }
}

uint32_t TcpStack::Impl::RetransmitFirst(uint32_t i) {
  Tcb& c = table_[i];
  ++stats_.retransmits;
  c.rtt.CancelTiming();  // Karn: no sample from a retransmitted segment
  if (c.state == TcpState::kSynSent) {
    EmitSyn(c);
    return 1;
  }
  const uint32_t len = std::min(c.sbuf_len, uint32_t{c.snd_mss});
  const bool fin = c.fin_queued && len == c.sbuf_len;
  EmitData(i, c.snd_una, len, fin);
  return len + fin;
}

void TcpStack::Impl::RstForAck(const ParsedTcp& seg) {
  Segment s;
  s.remote_ip = seg.saddr;
  s.remote_port = seg.sport;
  s.local_port = seg.dport;
  s.seq = SeqNum(seg.ack);
  s.flags = kTcpRst;
  writer_.Write(s);
  ++stats_.rst_sent;
}

void TcpStack::Impl::RstForUnknown(const ParsedTcp& seg) {
  if (seg.flags & kTcpRst) return;  // never answer a reset
  if (seg.flags & kTcpAck) {
    RstForAck(seg);
    return;
  }
  const uint32_t len = seg.payload_len + ((seg.flags & kTcpSyn) ? 1 : 0) +
                       ((seg.flags & kTcpFin) ? 1 : 0);
  Segment s;
  s.remote_ip = seg.saddr;
  s.remote_port = seg.sport;
  s.local_port = seg.dport;
  s.ack = SeqNum(seg.seq) + len;
  s.flags = kTcpRst | kTcpAck;
  writer_.Write(s);
  ++stats_.rst_sent;
}

}  // namespace tlsweep
