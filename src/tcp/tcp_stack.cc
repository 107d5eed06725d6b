// The TCP client state machine (RFC 9293) with RFC 6298 retransmission,
// RFC 5681 congestion control, RFC 7323 window scaling, RFC 5961 RST/SYN
// checks and RFC 6528 initial sequence numbers.
//
// Every connection lives in a slot of a pool sized in the constructor; a
// slot is found from the local port (each live connection owns its port, so
// the port alone identifies it; the remote address and port are checked
// against the slot). Each slot owns one timer in the wheel: at any moment
// only one of retransmission, persist, FIN-WAIT-2 or TIME-WAIT matters, and
// the handler decides from the connection's state which one fired.
//
// Handlers may call Send/Close/Abort (and Connect) from their callbacks, so
// every path that calls out re-checks afterwards that the slot still holds
// the same connection (its generation) before touching it again.
#include "tcp/tcp_stack.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "common/byte_order.h"
#include "packet/checksum.h"
#include "packet/headers.h"
#include "tcp/seq.h"
#include "tcp/timer_wheel.h"
#include "validate/siphash.h"

namespace tlsweep {
namespace {

// RFC 6298 (2.1): RTO before the first RTT sample.
constexpr uint32_t kInitialRtoMs = 1000;
// RFC 6298 (2.4) asks for 1 s; Linux's TCP_RTO_MIN of 200 ms is the
// de-facto floor, and a grabber on a LAN or the Internet backbone sees RTTs
// far below a second.
constexpr uint32_t kMinRtoMs = 200;
// RFC 6298 (2.5): an upper bound of at least 60 s.
constexpr uint32_t kMaxRtoMs = 60000;
// RFC 6928: an initial window of 10 segments.
constexpr uint32_t kInitialCwndSegments = 10;
// RFC 5681 section 3.2: fast retransmit on the third duplicate ACK.
constexpr uint32_t kDupAckThreshold = 3;
// RFC 9293 section 3.7.1: the send MSS when the peer sends no MSS option.
constexpr uint16_t kDefaultSendMss = 536;
// Linux's TCP_MIN_SND_MSS: an MSS option below this is raised to it, so a
// hostile MSS of 1 cannot make us send a segment per byte.
constexpr uint16_t kMinMss = 48;
// Keeps a data frame's length (headers + MSS) within a uint16_t.
constexpr uint16_t kMaxMss = 65000;
// RFC 7323 section 2.3: shift counts above 14 are treated as 14, and a
// window never exceeds 2^30.
constexpr uint8_t kMaxWscale = 14;
constexpr uint32_t kMaxWindow = uint32_t{1} << 30;
constexpr uint32_t kMaxCwnd = kMaxWindow;
// Out-of-order ranges kept per connection: each hole the peer leaves costs
// a range; four cover a few lost segments in one window, and anything
// beyond is dropped (counted) and retransmitted by the peer.
constexpr int kMaxRanges = 4;
// RFC 6528: the ISN clock ticks every 4 microseconds.
constexpr uint64_t kIsnTicksPerMs = 250;

constexpr uint32_t kNone = 0xffffffff;
// SYN options: MSS (4 bytes), NOP, window scale (3 bytes).
constexpr size_t kSynOptionsLen = 8;
constexpr size_t kIpOffset = kEthHeaderLen;
constexpr size_t kTcpOffset = kEthHeaderLen + kIpv4MinHeaderLen;

enum class State : uint8_t {
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

struct Range {
  SeqNum start;
  SeqNum end;
};

struct Conn {
  State state = State::kFree;
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

  // RFC 6298 state, in milliseconds; srtt and rttvar scaled by 8 and 4.
  bool have_rtt = false;
  bool rtt_pending = false;
  SeqNum rtt_seq;
  uint64_t rtt_start_ms = 0;
  uint32_t srtt8 = 0;
  uint32_t rttvar4 = 0;
  uint32_t rto_ms = kInitialRtoMs;
  uint32_t retries = 0;
  uint32_t persist_ms = 0;
  uint64_t zero_window_since_ms = 0;

  // Receive side. The reassembly buffer is a ring whose head holds rcv_nxt.
  SeqNum rcv_nxt;
  uint32_t rcv_wnd = 0;
  uint32_t rbuf_head = 0;
  bool fin_received = false;
  SeqNum fin_seq;  // the peer's FIN, possibly ahead of rcv_nxt
  uint8_t num_ranges = 0;
  Range ranges[kMaxRanges];

  // TIME-WAIT list, oldest first.
  uint32_t tw_prev = kNone;
  uint32_t tw_next = kNone;
};

bool SendingState(State s) {
  return s == State::kEstablished || s == State::kCloseWait ||
         s == State::kFinWait1 || s == State::kLastAck || s == State::kClosing;
}

TcpStackConfig Normalize(const TcpStackConfig& in) {
  TcpStackConfig c = in;
  c.mss = std::clamp(c.mss, kMinMss, kMaxMss);
  c.recv_window = std::clamp<uint32_t>(c.recv_window, 1, kMaxWindow);
  c.send_buffer = std::clamp<uint32_t>(c.send_buffer, 1, kMaxWindow);
  return c;
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

class TcpStack::Impl {
 public:
  Impl(const TcpStackConfig& config, FrameSink& sink)
      : config_(Normalize(config)),
        sink_(sink),
        slots_(config_.max_connections),
        buffer_stride_(size_t{config_.send_buffer} + config_.recv_window),
        // Left uninitialised: pages are touched only by connections using them.
        buffers_(new uint8_t[buffer_stride_ * config_.max_connections]),
        wheel_(config_.max_connections, 0) {
    free_slots_.reserve(config_.max_connections);
    for (uint32_t i = config_.max_connections; i > 0; --i) free_slots_.push_back(i - 1);
    if (config_.port_first <= config_.port_last) {
      num_ports_ = uint32_t{config_.port_last} - config_.port_first + 1;
    }
    port_to_slot_.assign(num_ports_, kNone);
    free_ports_.resize(num_ports_);
    for (uint32_t p = 0; p < num_ports_; ++p) {
      free_ports_[p] = static_cast<uint16_t>(config_.port_first + p);
    }
    free_port_count_ = num_ports_;
    // The smallest shift that fits the receive window in 16 bits.
    while (wscale_ < kMaxWscale && (config_.recv_window >> wscale_) > 0xffff) ++wscale_;
    // What a scaled 16-bit field can say of it (rounded down to the scale).
    scaled_window_ =
        (std::min(config_.recv_window, uint32_t{0xffff} << wscale_) >> wscale_) << wscale_;
  }

  absl::StatusOr<TcpConnId> Connect(Ipv4Address ip, uint16_t port,
                                    TcpHandler* handler, uint64_t now) {
    now_ = now;
    if ((free_slots_.empty() || free_port_count_ == 0) && tw_head_ != kNone) {
      FreeSlot(tw_head_);
      ++stats_.time_wait_reused;
    }
    if (free_slots_.empty()) {
      return absl::ResourceExhaustedError("tcp: all connection slots in use");
    }
    if (free_port_count_ == 0) {
      return absl::ResourceExhaustedError("tcp: all source ports in use");
    }
    const uint32_t i = free_slots_.back();
    free_slots_.pop_back();
    const uint16_t local_port = free_ports_[free_port_head_];
    free_port_head_ = (free_port_head_ + 1) % num_ports_;
    --free_port_count_;
    port_to_slot_[local_port - config_.port_first] = i;

    Conn& c = slots_[i];
    const uint32_t generation = c.generation;
    c = Conn{};
    c.generation = generation;
    c.state = State::kSynSent;
    c.handler = handler;
    c.remote_ip = ip;
    c.remote_port = port;
    c.local_port = local_port;
    c.iss = SeqNum(Isn(ip, port, local_port, now));
    c.snd_una = c.iss;
    c.snd_nxt = c.snd_max = c.iss + 1;
    ++stats_.connects;
    EmitSyn(c);
    StartRtt(c, c.snd_nxt, now);
    RestartRtx(i, now);
    return TcpConnId{i, generation};
  }

  size_t Send(TcpConnId id, std::string_view bytes) {
    const uint32_t i = Live(id);
    if (i == kNone || !CanQueue(slots_[i])) return 0;
    Conn& c = slots_[i];
    const size_t n = std::min<size_t>(bytes.size(), config_.send_buffer - c.sbuf_len);
    if (n == 0) return 0;
    uint8_t* buf = SendBuf(i);
    const uint32_t at = (c.sbuf_head + c.sbuf_len) % config_.send_buffer;
    const size_t first = std::min<size_t>(n, config_.send_buffer - at);
    std::memcpy(buf + at, bytes.data(), first);
    std::memcpy(buf, bytes.data() + first, n - first);
    c.sbuf_len += static_cast<uint32_t>(n);
    Output(i, now_);
    return n;
  }

  size_t SendSpace(TcpConnId id) const {
    const uint32_t i = Live(id);
    if (i == kNone || !CanQueue(slots_[i])) return 0;
    return config_.send_buffer - slots_[i].sbuf_len;
  }

  void Close(TcpConnId id) {
    const uint32_t i = Live(id);
    if (i == kNone || slots_[i].fin_queued) return;
    Conn& c = slots_[i];
    c.fin_queued = true;
    // RFC 9293 3.10.4: the state changes now, the FIN leaves after the data.
    // In SYN-SENT it goes out once the handshake completes.
    if (c.state == State::kEstablished) c.state = State::kFinWait1;
    if (c.state == State::kCloseWait) c.state = State::kLastAck;
    Output(i, now_);
  }

  void Abort(TcpConnId id) {
    const uint32_t i = Live(id);
    if (i == kNone) return;
    Conn& c = slots_[i];
    if (c.state == State::kSynSent) {
      EmitHeader(c, c.snd_nxt, SeqNum(0), kTcpRst);
    } else {
      EmitHeader(c, c.snd_nxt, c.rcv_nxt, kTcpRst | kTcpAck);
    }
    ++stats_.rst_sent;
    Finish(i, TcpCloseReason::kAborted, now_);
  }

  void OnSegment(const ParsedTcp& seg, const uint8_t* payload, uint64_t now) {
    now_ = now;
    ++stats_.segments_in;
    if (seg.daddr != config_.local_ip || seg.dport < config_.port_first ||
        seg.dport > config_.port_last) {
      ++stats_.unknown_connection;  // not this stack's: nothing to answer
      return;
    }
    const uint32_t i = port_to_slot_[seg.dport - config_.port_first];
    if (i == kNone || slots_[i].remote_ip != seg.saddr ||
        slots_[i].remote_port != seg.sport) {
      ++stats_.unknown_connection;
      RstForUnknown(seg);
      return;
    }
    if (slots_[i].state == State::kSynSent) {
      SynSentInput(i, seg, now);
    } else {
      SynchronizedInput(i, seg, payload, now);
    }
  }

  void Tick(uint64_t now) {
    now_ = now;
    wheel_.Advance(now, [this, now](uint32_t i) { OnTimer(i, now); });
  }

  size_t active() const { return config_.max_connections - free_slots_.size(); }
  const TcpStats& stats() const { return stats_; }

  static size_t BytesPerConnection(const TcpStackConfig& config) {
    const TcpStackConfig c = Normalize(config);
    return sizeof(Conn) + TimerWheel::kBytesPerTimer + sizeof(uint32_t) +
           c.send_buffer + c.recv_window;
  }

 private:
  // --- Slots ---------------------------------------------------------------

  // The slot of a connection the user may still act on, or kNone.
  uint32_t Live(TcpConnId id) const {
    if (id.index >= slots_.size()) return kNone;
    const Conn& c = slots_[id.index];
    if (c.generation != id.generation || c.state == State::kFree ||
        c.handler == nullptr) {
      return kNone;
    }
    return id.index;
  }

  // True if slot i still holds the connection of `generation` with its
  // handler: false once a callback aborted or closed it.
  bool Same(uint32_t i, uint32_t generation) const {
    const Conn& c = slots_[i];
    return c.generation == generation && c.state != State::kFree &&
           c.handler != nullptr;
  }

  static bool CanQueue(const Conn& c) {
    return !c.fin_queued &&
           (c.state == State::kSynSent || c.state == State::kEstablished ||
            c.state == State::kCloseWait);
  }

  uint8_t* SendBuf(uint32_t i) { return buffers_.get() + i * buffer_stride_; }
  uint8_t* RecvBuf(uint32_t i) { return SendBuf(i) + config_.send_buffer; }

  void FreeSlot(uint32_t i) {
    Conn& c = slots_[i];
    if (c.state == State::kTimeWait) {
      (c.tw_prev == kNone ? tw_head_ : slots_[c.tw_prev].tw_next) = c.tw_next;
      (c.tw_next == kNone ? tw_tail_ : slots_[c.tw_next].tw_prev) = c.tw_prev;
    }
    wheel_.Cancel(i);
    port_to_slot_[c.local_port - config_.port_first] = kNone;
    // FIFO: a freed port is reused as late as possible, after all others.
    free_ports_[(free_port_head_ + free_port_count_) % num_ports_] = c.local_port;
    ++free_port_count_;
    c.state = State::kFree;
    c.handler = nullptr;
    ++c.generation;
    free_slots_.push_back(i);
  }

  // Ends the connection for its user: the slot is freed, or enters
  // TIME-WAIT, before OnClosed runs, so the handler may reuse it at once.
  void Finish(uint32_t i, TcpCloseReason reason, uint64_t now,
              bool time_wait = false) {
    Conn& c = slots_[i];
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

  void EnterTimeWait(uint32_t i, uint64_t now) {
    Conn& c = slots_[i];
    c.state = State::kTimeWait;
    c.rtx_running = false;
    c.tw_prev = tw_tail_;
    c.tw_next = kNone;
    (tw_tail_ == kNone ? tw_head_ : slots_[tw_tail_].tw_next) = i;
    tw_tail_ = i;
    wheel_.Schedule(i, now + config_.time_wait_ms);
  }

  // RFC 6528: ISN = M + F(4-tuple, key), M a 4-microsecond clock.
  uint32_t Isn(Ipv4Address ip, uint16_t port, uint16_t local_port, uint64_t now) const {
    if (config_.fixed_isn.has_value()) return *config_.fixed_isn;
    uint8_t tuple[12];
    StoreBe32(tuple, config_.local_ip.value());
    StoreBe32(tuple + 4, ip.value());
    StoreBe16(tuple + 8, local_port);
    StoreBe16(tuple + 10, port);
    const uint64_t f = SipHash24(SipKey{config_.isn_key[0], config_.isn_key[1]},
                                 tuple, sizeof(tuple));
    return static_cast<uint32_t>(f + now * kIsnTicksPerMs);
  }

  // --- Output --------------------------------------------------------------

  // Writes one frame; `data` may come in two pieces (a ring's wrap-around).
  void Emit(Ipv4Address ip, uint16_t remote_port, uint16_t local_port,
            SeqNum seq, SeqNum ack, uint8_t flags, uint16_t window,
            const uint8_t* d1 = nullptr, size_t n1 = 0,
            const uint8_t* d2 = nullptr, size_t n2 = 0) {
    const bool syn = (flags & kTcpSyn) != 0;
    const size_t tcp_header_len = kTcpMinHeaderLen + (syn ? kSynOptionsLen : 0);
    const size_t tcp_len = tcp_header_len + n1 + n2;
    const size_t ip_len = kIpv4MinHeaderLen + tcp_len;
    const size_t frame_len = std::max(kEthHeaderLen + ip_len, kEthMinFrameLen);
    uint8_t* f = sink_.Reserve(static_cast<uint16_t>(frame_len));
    if (f == nullptr) {
      ++stats_.sink_full;
      return;
    }
    std::memcpy(f + kEthDstOffset, config_.gateway_mac.bytes().data(), 6);
    std::memcpy(f + kEthSrcOffset, config_.local_mac.bytes().data(), 6);
    StoreBe16(f + kEthTypeOffset, kEtherTypeIpv4);

    uint8_t* iph = f + kIpOffset;
    iph[0] = 0x45;  // version 4, IHL 5
    iph[1] = 0;
    StoreBe16(iph + kIpv4TotalLenOffset, static_cast<uint16_t>(ip_len));
    StoreBe16(iph + kIpv4IdOffset, ip_id_++);
    StoreBe16(iph + kIpv4FragOffset, kIpv4FlagDontFragment);
    iph[kIpv4TtlOffset] = config_.ttl;
    iph[kIpv4ProtoOffset] = kIpProtoTcp;
    StoreBe16(iph + kIpv4ChecksumOffset, 0);
    StoreBe32(iph + kIpv4SrcOffset, config_.local_ip.value());
    StoreBe32(iph + kIpv4DstOffset, ip.value());

    uint8_t* t = f + kTcpOffset;
    StoreBe16(t + kTcpSrcPortOffset, local_port);
    StoreBe16(t + kTcpDstPortOffset, remote_port);
    StoreBe32(t + kTcpSeqOffset, seq.value());
    StoreBe32(t + kTcpAckOffset, ack.value());
    t[kTcpDataOffsetOffset] = static_cast<uint8_t>((tcp_header_len / 4) << 4);
    t[kTcpFlagsOffset] = flags;
    StoreBe16(t + kTcpWindowOffset, window);
    StoreBe16(t + kTcpChecksumOffset, 0);
    StoreBe16(t + kTcpUrgentOffset, 0);
    if (syn) {
      uint8_t* o = t + kTcpMinHeaderLen;
      o[0] = kTcpOptMss;
      o[1] = 4;
      StoreBe16(o + 2, config_.mss);
      o[4] = kTcpOptNop;
      o[5] = kTcpOptWscale;
      o[6] = 3;
      o[7] = wscale_;
    }
    uint8_t* data = t + tcp_header_len;
    if (n1 > 0) std::memcpy(data, d1, n1);
    if (n2 > 0) std::memcpy(data + n1, d2, n2);
    // Ethernet padding must not leak old buffer contents.
    std::memset(f + kEthHeaderLen + ip_len, 0, frame_len - kEthHeaderLen - ip_len);

    const uint64_t pseudo = PseudoHeaderSum(config_.local_ip.value(), ip.value(),
                                            kIpProtoTcp, static_cast<uint16_t>(tcp_len));
    if (config_.checksum_offload) {
      // What rte_ipv4_phdr_cksum() returns: folded, not inverted.
      StoreBe16(t + kTcpChecksumOffset, ChecksumFold(pseudo));
    } else {
      StoreBe16(iph + kIpv4ChecksumOffset,
                ChecksumFinish(ChecksumAdd(iph, kIpv4MinHeaderLen)));
      StoreBe16(t + kTcpChecksumOffset, ChecksumFinish(ChecksumAdd(t, tcp_len, pseudo)));
    }
    sink_.Commit(static_cast<uint16_t>(frame_len));
    ++stats_.segments_out;
  }

  uint16_t AdvertisedWindow(const Conn& c) const {
    return static_cast<uint16_t>(c.rcv_wnd >> c.rcv_wscale);
  }

  void EmitHeader(Conn& c, SeqNum seq, SeqNum ack, uint8_t flags) {
    Emit(c.remote_ip, c.remote_port, c.local_port, seq, ack, flags,
         (flags & kTcpAck) ? AdvertisedWindow(c) : 0);
    if (flags & kTcpAck) c.ack_pending = false;
  }

  void EmitSyn(Conn& c) {
    // RFC 7323 2.2: the window of a SYN is never scaled.
    Emit(c.remote_ip, c.remote_port, c.local_port, c.iss, SeqNum(0), kTcpSyn,
         static_cast<uint16_t>(std::min<uint32_t>(config_.recv_window, 0xffff)));
  }

  void SendAck(Conn& c) { EmitHeader(c, c.snd_nxt, c.rcv_nxt, kTcpAck); }

  // Sends `len` buffered bytes starting at `seq` (>= snd_una), plus FIN.
  void EmitData(uint32_t i, SeqNum seq, uint32_t len, bool fin) {
    Conn& c = slots_[i];
    const uint32_t at = (c.sbuf_head + SeqSpan(c.snd_una, seq)) % config_.send_buffer;
    const uint32_t first = std::min(len, config_.send_buffer - at);
    const uint8_t* buf = SendBuf(i);
    uint8_t flags = kTcpAck;
    if (len > 0) flags |= kTcpPsh;
    if (fin) flags |= kTcpFin;
    Emit(c.remote_ip, c.remote_port, c.local_port, seq, c.rcv_nxt, flags,
         AdvertisedWindow(c), buf + at, first, buf, len - first);
    c.ack_pending = false;
  }

  void StartRtt(Conn& c, SeqNum until, uint64_t now) {
    c.rtt_pending = true;
    c.rtt_seq = until;
    c.rtt_start_ms = now;
  }

  void RestartRtx(uint32_t i, uint64_t now) {
    slots_[i].rtx_running = true;
    wheel_.Schedule(i, now + slots_[i].rto_ms);
  }

  void StopTimer(uint32_t i) {
    slots_[i].rtx_running = false;
    wheel_.Cancel(i);
  }

  // Sends what the windows allow: queued bytes in segments of at most the
  // send MSS, then the FIN. Starts the persist timer when a zero window
  // blocks data and nothing is in flight to elicit a window update.
  void Output(uint32_t i, uint64_t now) {
    Conn& c = slots_[i];
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
      } else if (!c.rtt_pending) {
        StartRtt(c, c.snd_nxt + len + fin, now);
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
        c.persist_ms = c.rto_ms;
        c.rtx_running = false;
        wheel_.Schedule(i, now + c.persist_ms);
      }
    } else {
      c.zero_window = false;
    }
  }

  // Resends the first unacknowledged segment (RTO and fast retransmit);
  // returns the sequence space it covers.
  uint32_t RetransmitFirst(uint32_t i) {
    Conn& c = slots_[i];
    ++stats_.retransmits;
    c.rtt_pending = false;  // Karn: no sample from a retransmitted segment
    if (c.state == State::kSynSent) {
      EmitSyn(c);
      return 1;
    }
    const uint32_t len = std::min(c.sbuf_len, uint32_t{c.snd_mss});
    const bool fin = c.fin_queued && len == c.sbuf_len;
    EmitData(i, c.snd_una, len, fin);
    return len + fin;
  }

  // RFC 9293 3.10.7.1: a reset for a segment that belongs to no connection.
  void RstForUnknown(const ParsedTcp& seg) {
    if (seg.flags & kTcpRst) return;  // never answer a reset
    if (seg.flags & kTcpAck) {
      Emit(seg.saddr, seg.sport, seg.dport, SeqNum(seg.ack), SeqNum(0), kTcpRst, 0);
    } else {
      const uint32_t len = seg.payload_len + ((seg.flags & kTcpSyn) ? 1 : 0) +
                           ((seg.flags & kTcpFin) ? 1 : 0);
      Emit(seg.saddr, seg.sport, seg.dport, SeqNum(0), SeqNum(seg.seq) + len,
           kTcpRst | kTcpAck, 0);
    }
    ++stats_.rst_sent;
  }

  // --- Input ---------------------------------------------------------------

  void SynSentInput(uint32_t i, const ParsedTcp& seg, uint64_t now) {
    Conn& c = slots_[i];
    const bool has_ack = (seg.flags & kTcpAck) != 0;
    if (has_ack && SeqNum(seg.ack) != c.snd_nxt) {
      ++stats_.bad_segments;
      if (!(seg.flags & kTcpRst)) {
        Emit(seg.saddr, seg.sport, seg.dport, SeqNum(seg.ack), SeqNum(0), kTcpRst, 0);
        ++stats_.rst_sent;
      }
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
    c.rcv_nxt = SeqNum(seg.seq) + 1;
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
    if (c.rtt_pending) RttSample(c, now - c.rtt_start_ms);
    c.rtt_pending = false;
    c.retries = 0;
    c.cwnd = kInitialCwndSegments * c.snd_mss;
    c.state = c.fin_queued ? State::kFinWait1 : State::kEstablished;
    StopTimer(i);
    ++stats_.established;
    c.ack_pending = true;
    const uint32_t generation = c.generation;
    c.handler->OnConnected(now);
    if (!Same(i, generation)) return;
    Output(i, now);
    if (c.ack_pending) SendAck(c);
  }

  bool InReceiveWindow(const Conn& c, SeqNum s) const {
    return c.rcv_nxt <= s && s < c.rcv_nxt + c.rcv_wnd;
  }

  void SynchronizedInput(uint32_t i, const ParsedTcp& seg, const uint8_t* payload,
                         uint64_t now) {
    Conn& c = slots_[i];
    const SeqNum seq(seg.seq);
    const bool fin = (seg.flags & kTcpFin) != 0;
    const uint32_t seg_len = seg.payload_len + fin + ((seg.flags & kTcpSyn) ? 1 : 0);

    // RFC 9293 3.10.7.4, first: is any of the segment in the window?
    const bool acceptable = seg_len == 0
                                ? InReceiveWindow(c, seq)
                                : InReceiveWindow(c, seq) ||
                                      InReceiveWindow(c, seq + (seg_len - 1));
    if (!acceptable) {
      if (seg.flags & kTcpRst) return;
      if (seq + seg_len <= c.rcv_nxt) {
        ++stats_.duplicates;
      } else {
        ++stats_.out_of_window;
      }
      SendAck(c);
      return;
    }
    // RFC 5961 3.2: only a reset at exactly rcv_nxt is believed; one
    // elsewhere in the window gets a challenge ACK, which a genuine peer
    // answers with a reset at the right number.
    if (seg.flags & kTcpRst) {
      if (seq != c.rcv_nxt) {
        SendAck(c);
      } else if (c.state == State::kTimeWait) {
        FreeSlot(i);
      } else {
        Finish(i, TcpCloseReason::kReset, now);
      }
      return;
    }
    // RFC 5961 4.2: a SYN in a synchronized state gets a challenge ACK.
    if (seg.flags & kTcpSyn) {
      ++stats_.bad_segments;
      SendAck(c);
      return;
    }
    if (!(seg.flags & kTcpAck)) return;
    const SeqNum ack(seg.ack);
    if (ack > c.snd_max) {
      ++stats_.bad_segments;  // acknowledges data never sent
      SendAck(c);
      return;
    }
    if (c.state == State::kTimeWait) return;

    const uint32_t generation = c.generation;
    ProcessAck(i, seg, now);
    if (!Same(i, generation)) return;
    if (seg.payload_len > 0 || fin) {
      if (c.state == State::kEstablished || c.state == State::kFinWait1 ||
          c.state == State::kFinWait2) {
        Receive(i, seq, payload, seg.payload_len, fin, now);
        if (!Same(i, generation)) return;
      } else {
        c.ack_pending = true;  // past the peer's FIN: acknowledge, ignore
      }
    }
    Output(i, now);
    if (c.ack_pending) SendAck(c);
  }

  // RFC 6298 section 2, with srtt and rttvar scaled by 8 and 4 (as BSD).
  void RttSample(Conn& c, uint64_t r64) {
    const uint32_t r = static_cast<uint32_t>(std::min<uint64_t>(r64, kMaxRtoMs));
    if (!c.have_rtt) {
      c.have_rtt = true;
      c.srtt8 = r * 8;
      c.rttvar4 = r * 2;
    } else {
      const uint32_t srtt = c.srtt8 / 8;
      const uint32_t delta = srtt > r ? srtt - r : r - srtt;
      c.rttvar4 = c.rttvar4 - c.rttvar4 / 4 + delta;
      c.srtt8 = c.srtt8 - c.srtt8 / 8 + r;
    }
    // RTO = SRTT + max(G, 4 RTTVAR) with a clock granularity G of 1 ms.
    c.rto_ms = std::clamp(c.srtt8 / 8 + std::max<uint32_t>(1, c.rttvar4),
                          kMinRtoMs, kMaxRtoMs);
  }

  void ProcessAck(uint32_t i, const ParsedTcp& seg, uint64_t now) {
    Conn& c = slots_[i];
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

  void NewAck(uint32_t i, SeqNum ack, uint64_t now) {
    Conn& c = slots_[i];
    const uint32_t acked = SeqSpan(c.snd_una, ack);
    const uint32_t data_acked = std::min(acked, c.sbuf_len);
    const bool fin_acked = c.fin_queued && acked > c.sbuf_len;
    c.sbuf_head = (c.sbuf_head + data_acked) % config_.send_buffer;
    c.sbuf_len -= data_acked;
    c.snd_una = ack;
    c.snd_nxt = SeqMax(c.snd_nxt, ack);
    if (c.rtt_pending && c.rtt_seq <= ack) {
      RttSample(c, now - c.rtt_start_ms);
      c.rtt_pending = false;
    }
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
      case State::kFinWait1:
        c.state = State::kFinWait2;
        wheel_.Schedule(i, now + config_.fin_wait2_ms);
        break;
      case State::kClosing:
        Finish(i, TcpCloseReason::kClosed, now, /*time_wait=*/true);
        break;
      case State::kLastAck:
        Finish(i, TcpCloseReason::kClosed, now);
        break;
      default:
        break;
    }
  }

  // RFC 5681 section 3.2: fast retransmit and fast recovery.
  void DuplicateAck(uint32_t i) {
    Conn& c = slots_[i];
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
  void Receive(uint32_t i, SeqNum seq, const uint8_t* payload, uint32_t len,
               bool fin, uint64_t now) {
    Conn& c = slots_[i];
    const uint32_t generation = c.generation;
    c.ack_pending = true;  // every data segment is acknowledged at once
    if (seq < c.rcv_nxt) {
      // Acceptable means the end reaches rcv_nxt: skip <= len.
      const uint32_t skip = SeqSpan(seq, c.rcv_nxt);
      if (skip > 0) ++stats_.duplicates;
      payload += skip;
      len -= skip;
      seq = c.rcv_nxt;
    }
    const uint32_t room = c.rcv_wnd - SeqSpan(c.rcv_nxt, seq);
    if (len > room) {
      ++stats_.out_of_window;  // the part beyond the window is dropped
      len = room;
      fin = false;
    }
    if (fin && !c.fin_received) {
      c.fin_received = true;
      c.fin_seq = seq + len;
    }
    if (seq == c.rcv_nxt) {
      if (len > 0) {
        c.rcv_nxt += len;
        c.rbuf_head = (c.rbuf_head + len) % config_.recv_window;
        c.handler->OnData(
            std::string_view(reinterpret_cast<const char*>(payload), len), now);
        if (!Same(i, generation)) return;
      }
      if (!DeliverRanges(i, now)) return;
    } else if (len > 0) {
      StoreOutOfOrder(i, seq, payload, len);
    }
    if (c.fin_received && c.rcv_nxt == c.fin_seq) {
      c.rcv_nxt += 1;
      const bool time_wait = c.state == State::kFinWait2;
      // Entering TIME-WAIT, the ACK must go now; otherwise it waits, so
      // that a FIN the handler sends from OnPeerClosed carries it.
      if (time_wait) SendAck(c);
      if (c.state == State::kEstablished) c.state = State::kCloseWait;
      if (c.state == State::kFinWait1) c.state = State::kClosing;
      c.handler->OnPeerClosed(now);
      if (time_wait && Same(i, generation)) {
        Finish(i, TcpCloseReason::kClosed, now, /*time_wait=*/true);
      }
    }
  }

  // Hands the reassembled ranges that now continue the stream to the
  // handler; false if a callback ended the connection.
  bool DeliverRanges(uint32_t i, uint64_t now) {
    Conn& c = slots_[i];
    const uint32_t generation = c.generation;
    const uint8_t* rbuf = RecvBuf(i);
    while (c.num_ranges > 0 && c.ranges[0].start <= c.rcv_nxt) {
      const Range r = c.ranges[0];
      std::copy(c.ranges + 1, c.ranges + c.num_ranges, c.ranges);
      --c.num_ranges;
      if (r.end <= c.rcv_nxt) continue;
      const uint32_t len = SeqSpan(c.rcv_nxt, r.end);
      const uint32_t at = c.rbuf_head;
      const uint32_t first = std::min(len, config_.recv_window - at);
      // State first: the bytes stay in the ring, which only input writes.
      c.rcv_nxt = r.end;
      c.rbuf_head = (at + len) % config_.recv_window;
      c.handler->OnData(
          std::string_view(reinterpret_cast<const char*>(rbuf + at), first), now);
      if (!Same(i, generation)) return false;
      if (first < len) {
        c.handler->OnData(
            std::string_view(reinterpret_cast<const char*>(rbuf), len - first), now);
        if (!Same(i, generation)) return false;
      }
    }
    return true;
  }

  void StoreOutOfOrder(uint32_t i, SeqNum seq, const uint8_t* payload, uint32_t len) {
    Conn& c = slots_[i];
    // Merge [seq, seq + len) into the sorted, disjoint, non-adjacent ranges.
    Range merged[kMaxRanges + 1];
    int n = 0;
    Range add{seq, seq + len};
    bool placed = false;
    bool contained = false;
    for (int k = 0; k < c.num_ranges; ++k) {
      const Range& r = c.ranges[k];
      if (r.end < add.start) {
        merged[n++] = r;
      } else if (add.end < r.start) {
        if (!placed) {
          merged[n++] = add;
          placed = true;
        }
        merged[n++] = r;
      } else {
        contained |= r.start <= add.start && add.end <= r.end;
        add.start = std::min(add.start, r.start);
        add.end = SeqMax(add.end, r.end);
      }
    }
    if (!placed) merged[n++] = add;
    if (contained) {
      ++stats_.duplicates;
      return;
    }
    if (n > kMaxRanges) {
      ++stats_.ooo_dropped;
      return;
    }
    uint8_t* rbuf = RecvBuf(i);
    const uint32_t at = (c.rbuf_head + SeqSpan(c.rcv_nxt, seq)) % config_.recv_window;
    const uint32_t first = std::min(len, config_.recv_window - at);
    std::memcpy(rbuf + at, payload, first);
    std::memcpy(rbuf, payload + first, len - first);
    std::copy(merged, merged + n, c.ranges);
    c.num_ranges = static_cast<uint8_t>(n);
    ++stats_.out_of_order;
  }

  // --- Timers --------------------------------------------------------------

  void OnTimer(uint32_t i, uint64_t now) {
    Conn& c = slots_[i];
    switch (c.state) {
      case State::kFree:
        return;
      case State::kTimeWait:
        FreeSlot(i);
        return;
      case State::kFinWait2:
        // The peer never closed: reset it so it frees its side too.
        EmitHeader(c, c.snd_nxt, c.rcv_nxt, kTcpRst | kTcpAck);
        ++stats_.rst_sent;
        Finish(i, TcpCloseReason::kTimeout, now);
        return;
      default:
        break;
    }
    if (c.state == State::kSynSent || c.snd_una != c.snd_max) {
      RetransmissionTimeout(i, now);
    } else if (c.zero_window) {
      PersistTimeout(i, now);
    }
  }

  // RFC 6298 (5.4 - 5.7) with the RFC 5681 (4) loss response.
  void RetransmissionTimeout(uint32_t i, uint64_t now) {
    Conn& c = slots_[i];
    const bool syn = c.state == State::kSynSent;
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
    c.rto_ms = std::min(c.rto_ms * 2, kMaxRtoMs);
    // Go back N: resend the first segment, the rest follows as ACKs arrive.
    c.snd_nxt = c.snd_una + RetransmitFirst(i);
    RestartRtx(i, now);
  }

  // A window probe (as Linux: an old sequence number, no data, which the
  // peer must answer with an ACK carrying its window), backed off like the
  // RTO, and kTimeout once the window has been shut for zero_window_ms.
  void PersistTimeout(uint32_t i, uint64_t now) {
    Conn& c = slots_[i];
    const uint64_t deadline = c.zero_window_since_ms + config_.zero_window_ms;
    if (now >= deadline) {
      EmitHeader(c, c.snd_nxt, c.rcv_nxt, kTcpRst | kTcpAck);
      ++stats_.rst_sent;
      Finish(i, TcpCloseReason::kTimeout, now);
      return;
    }
    EmitHeader(c, c.snd_una - 1, c.rcv_nxt, kTcpAck);
    ++stats_.persist_probes;
    c.persist_ms = std::min(c.persist_ms * 2, kMaxRtoMs);
    wheel_.Schedule(i, std::min(now + c.persist_ms, deadline));
  }

  const TcpStackConfig config_;
  FrameSink& sink_;
  std::vector<Conn> slots_;
  const size_t buffer_stride_;
  std::unique_ptr<uint8_t[]> buffers_;
  std::vector<uint32_t> free_slots_;
  uint32_t num_ports_ = 0;
  std::vector<uint32_t> port_to_slot_;  // indexed by port - port_first
  std::vector<uint16_t> free_ports_;    // a FIFO ring
  uint32_t free_port_head_ = 0;
  uint32_t free_port_count_ = 0;
  uint32_t tw_head_ = kNone;
  uint32_t tw_tail_ = kNone;
  TimerWheel wheel_;
  uint8_t wscale_ = 0;
  uint32_t scaled_window_ = 0;
  uint16_t ip_id_ = 0;
  // The latest time the caller gave us, for the calls that take none
  // (Send, Close, Abort).
  uint64_t now_ = 0;
  TcpStats stats_;
};

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
