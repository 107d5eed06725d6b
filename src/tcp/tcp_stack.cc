// TcpStack's public calls, and the beginning and end of a connection:
// Connect, Send, Close, Abort, Finish, TIME-WAIT. The rest of the state
// machine is in tcp_input.cc, tcp_output.cc and tcp_timer.cc; the map is in
// tcp_stack_impl.h.
#include "tcp/tcp_stack.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "common/byte_order.h"
#include "tcp/tcp_stack_impl.h"
#include "validate/siphash.h"

namespace tlsweep {
namespace {

// Keeps a data frame's length (headers + MSS) within a uint16_t.
constexpr uint16_t kMaxMss = 65000;
// RFC 6528: the ISN clock ticks every 4 microseconds.
constexpr uint64_t kIsnTicksPerMs = 250;

TcpStackConfig Normalize(const TcpStackConfig& in) {
  TcpStackConfig c = in;
  c.mss = std::clamp(c.mss, kMinMss, kMaxMss);
  c.recv_window = std::clamp<uint32_t>(c.recv_window, 1, kMaxWindow);
  c.send_buffer = std::clamp<uint32_t>(c.send_buffer, 1, kMaxWindow);
  return c;
}

// The smallest shift that fits the receive window in 16 bits.
uint8_t WindowScale(uint32_t recv_window) {
  uint8_t wscale = 0;
  while (wscale < kMaxWscale && (recv_window >> wscale) > 0xffff) ++wscale;
  return wscale;
}

}  // namespace

std::string_view TcpCloseReasonName(TcpCloseReason reason) {
  switch (reason) {
    case TcpCloseReason::kClosed: return "closed";
    case TcpCloseReason::kRefused: return "refused";
    case TcpCloseReason::kReset: return "reset";
    case TcpCloseReason::kTimeout: return "timeout";
    case TcpCloseReason::kAborted: return "aborted";
  }
  return "?";
}

TcpStack::Impl::Impl(const TcpStackConfig& config, FrameSink& sink)
    : config_(Normalize(config)),
      table_(config_.max_connections, config_.port_first, config_.port_last,
             config_.send_buffer, config_.recv_window),
      wheel_(config_.max_connections, 0),
      wscale_(WindowScale(config_.recv_window)),
      scaled_window_((std::min(config_.recv_window, uint32_t{0xffff} << wscale_) >> wscale_)
                     << wscale_),
      writer_(config_, wscale_, sink, stats_) {}

size_t TcpStack::Impl::BytesPerConnection(const TcpStackConfig& config) {
  const TcpStackConfig c = Normalize(config);
  return ConnTable::BytesPerSlot(c.send_buffer, c.recv_window) +
         TimerWheel::kBytesPerTimer;
}

absl::StatusOr<TcpConnId> TcpStack::Impl::Connect(Ipv4Address ip, uint16_t port,
                                                  TcpHandler* handler, uint64_t now) {
  now_ = now;
  if ((!table_.has_free_slot() || !table_.has_free_port()) &&
      table_.oldest_time_wait() != kNoSlot) {
    FreeSlot(table_.oldest_time_wait());
    ++stats_.time_wait_reused;
  }
  if (!table_.has_free_slot()) {
    return absl::ResourceExhaustedError("tcp: all connection slots in use");
  }
  if (!table_.has_free_port()) {
    return absl::ResourceExhaustedError("tcp: all source ports in use");
  }
  const uint32_t i = table_.Allocate();
  Tcb& c = table_[i];
  c.state = TcpState::kSynSent;
  c.handler = handler;
  c.remote_ip = ip;
  c.remote_port = port;
  c.iss = SeqNum(Isn(ip, port, c.local_port, now));
  c.snd_una = c.iss;
  c.snd_nxt = c.snd_max = c.iss + 1;
  ++stats_.connects;
  EmitSyn(c);
  c.rtt.StartTiming(c.snd_nxt, now);
  RestartRtx(i, now);
  return TcpConnId{i, c.generation};
}

size_t TcpStack::Impl::Send(TcpConnId id, std::string_view bytes) {
  const uint32_t i = table_.Live(id);
  if (i == kNoSlot) return 0;
  Tcb& c = table_[i];
  if (!CanQueue(c)) return 0;
  const size_t n = std::min<size_t>(bytes.size(), config_.send_buffer - c.sbuf_len);
  if (n == 0) return 0;
  uint8_t* buf = table_.send_buffer(i);
  const uint32_t at = (c.sbuf_head + c.sbuf_len) % config_.send_buffer;
  const size_t first = std::min<size_t>(n, config_.send_buffer - at);
  std::memcpy(buf + at, bytes.data(), first);
  std::memcpy(buf, bytes.data() + first, n - first);
  c.sbuf_len += static_cast<uint32_t>(n);
  Output(i, now_);
  return n;
}

size_t TcpStack::Impl::SendSpace(TcpConnId id) const {
  const uint32_t i = table_.Live(id);
  if (i == kNoSlot || !CanQueue(table_[i])) return 0;
  return config_.send_buffer - table_[i].sbuf_len;
}

void TcpStack::Impl::Close(TcpConnId id) {
  const uint32_t i = table_.Live(id);
  if (i == kNoSlot || table_[i].fin_queued) return;
  Tcb& c = table_[i];
  c.fin_queued = true;
  // RFC 9293 3.10.4: the state changes now, the FIN leaves after the data.
  // In SYN-SENT it goes out once the handshake completes.
  if (c.state == TcpState::kEstablished) c.state = TcpState::kFinWait1;
  if (c.state == TcpState::kCloseWait) c.state = TcpState::kLastAck;
  Output(i, now_);
}

void TcpStack::Impl::Abort(TcpConnId id) {
  const uint32_t i = table_.Live(id);
  if (i == kNoSlot) return;
  Tcb& c = table_[i];
  if (c.state == TcpState::kSynSent) {
    EmitHeader(c, c.snd_nxt, SeqNum(0), kTcpRst);
    ++stats_.rst_sent;
  } else {
    SendReset(c);
  }
  Finish(i, TcpCloseReason::kAborted, now_);
}

void TcpStack::Impl::Finish(uint32_t i, TcpCloseReason reason, uint64_t now,
                            bool time_wait) {
  Tcb& c = table_[i];
  TcpHandler* handler = c.handler;
  c.handler = nullptr;
  ++stats_.closed_by_reason[static_cast<size_t>(reason)];
  if (time_wait) {
    EnterTimeWait(i, now);
  } else {
    FreeSlot(i);
  }
  if (handler != nullptr) handler->OnClosed(reason, now);
}

void TcpStack::Impl::FreeSlot(uint32_t i) {
  wheel_.Cancel(i);
  table_.Free(i);
}

void TcpStack::Impl::EnterTimeWait(uint32_t i, uint64_t now) {
  Tcb& c = table_[i];
  c.state = TcpState::kTimeWait;
  c.rtx_running = false;
  table_.AddTimeWait(i);
  wheel_.Schedule(i, now + config_.time_wait_ms);
}

uint32_t TcpStack::Impl::Isn(Ipv4Address ip, uint16_t port, uint16_t local_port,
                             uint64_t now) const {
  if (config_.fixed_isn.has_value()) return *config_.fixed_isn;
  uint8_t tuple[12];
  StoreBe32(tuple, config_.local_ip.value());
  StoreBe32(tuple + 4, ip.value());
  StoreBe16(tuple + 8, local_port);
  StoreBe16(tuple + 10, port);
  const uint64_t f =
      SipHash24(SipKey{config_.isn_key[0], config_.isn_key[1]}, tuple, sizeof(tuple));
  return static_cast<uint32_t>(f + now * kIsnTicksPerMs);
}

TcpStack::TcpStack(const TcpStackConfig& config, FrameSink& sink)
    : impl_(std::make_unique<Impl>(config, sink)) {}
TcpStack::~TcpStack() = default;

absl::StatusOr<TcpConnId> TcpStack::Connect(Ipv4Address ip, uint16_t port,
                                            TcpHandler* handler, uint64_t now_ms) {
  return impl_->Connect(ip, port, handler, now_ms);
}
size_t TcpStack::Send(TcpConnId id, std::string_view bytes) {
  return impl_->Send(id, bytes);
}
size_t TcpStack::SendSpace(TcpConnId id) const { return impl_->SendSpace(id); }
void TcpStack::Close(TcpConnId id) { impl_->Close(id); }
void TcpStack::Abort(TcpConnId id) { impl_->Abort(id); }
void TcpStack::OnSegment(const ParsedTcp& segment, const uint8_t* payload,
                         uint64_t now_ms) {
  impl_->OnSegment(segment, payload, now_ms);
}
void TcpStack::Tick(uint64_t now_ms) { impl_->Tick(now_ms); }
size_t TcpStack::active() const { return impl_->active(); }
const TcpStats& TcpStack::stats() const { return impl_->stats(); }
size_t TcpStack::BytesPerConnection(const TcpStackConfig& config) {
  return Impl::BytesPerConnection(config);
}

}  // namespace tlsweep
