// The TCP stack against a scripted peer over an in-memory link: every frame
// the stack sends is parsed back with ParseFrame (checksums verified), every
// frame the peer sends is built by tests/testing/frames.h (independent
// checksums) and parsed before OnSegment, as the receive path will do.
#include "tcp/tcp_stack.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "common/byte_order.h"
#include "gtest/gtest.h"
#include "packet/checksum.h"
#include "packet/headers.h"
#include "testing/frames.h"

// Counts heap allocations, to show that the data path makes none, and
// their bytes, to check what a connection slot costs.
namespace {
std::atomic<size_t> g_allocations{0};
std::atomic<size_t> g_allocated_bytes{0};
}  // namespace

// Out of line, so that the compiler does not pair malloc/free across the
// replaced functions (-Wmismatched-new-delete).
[[gnu::noinline]] void* operator new(size_t size) {
  ++g_allocations;
  g_allocated_bytes += size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }
// The array forms forward explicitly: the standard's default operator new[]
// calls operator new, but ASan's replacement (the sanitizer build of
// scripts/test.sh) allocates on its own, and the connection pools are arrays.
[[gnu::noinline]] void* operator new[](size_t size) { return operator new(size); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { operator delete(p); }
[[gnu::noinline]] void operator delete[](void* p, size_t) noexcept { operator delete(p); }

namespace tlsweep {
namespace {

constexpr uint32_t kLocalIp = 0x0a4d0064;   // 10.77.0.100
constexpr uint32_t kRemoteIp = 0x0a4d0003;  // 10.77.0.3
constexpr uint16_t kRemotePort = 443;
constexpr uint16_t kPortFirst = 40000;
constexpr uint8_t kSynAck = kTcpSyn | kTcpAck;
constexpr uint8_t kPshAck = kTcpPsh | kTcpAck;
constexpr uint8_t kFinAck = kTcpFin | kTcpAck;
constexpr uint8_t kRstAck = kTcpRst | kTcpAck;
const MacAddress kLocalMac({0x02, 0, 0, 0, 0, 0x64});
const MacAddress kGatewayMac({0x02, 0, 0, 0, 0, 0x01});

std::vector<uint8_t> MssOption(uint16_t mss) {
  return {kTcpOptMss, 4, static_cast<uint8_t>(mss >> 8), static_cast<uint8_t>(mss)};
}
std::vector<uint8_t> MssWscaleOptions(uint16_t mss, uint8_t shift) {
  std::vector<uint8_t> o = MssOption(mss);
  o.insert(o.end(), {kTcpOptNop, kTcpOptWscale, 3, shift});
  return o;
}

// A FrameSink that keeps every frame, or (discard) only counts them without
// allocating. Reserved space is filled with 0xcc so that unwritten bytes
// show up in the checks.
class CaptureSink : public FrameSink {
 public:
  CaptureSink() { buf_.reserve(65536); }
  uint8_t* Reserve(uint16_t max_len) override {
    if (full) return nullptr;
    buf_.assign(max_len, 0xcc);
    return buf_.data();
  }
  void Commit(uint16_t len) override {
    ++committed;
    if (discard) return;
    buf_.resize(len);
    frames.push_back(buf_);
  }
  bool full = false;
  bool discard = false;
  size_t committed = 0;
  std::vector<std::vector<uint8_t>> frames;

 private:
  std::vector<uint8_t> buf_;
};

struct Sent {
  ParsedTcp tcp;
  std::string payload;
  uint8_t flags() const { return tcp.flags; }
};

class Recorder : public TcpHandler {
 public:
  void OnConnected(uint64_t) override {
    EXPECT_EQ(closed_calls, 0) << "callback after OnClosed";
    ++connected;
    if (on_connected) on_connected();
  }
  void OnData(std::string_view bytes, uint64_t) override {
    EXPECT_EQ(closed_calls, 0) << "callback after OnClosed";
    EXPECT_EQ(peer_closed, 0) << "data after the peer's FIN";
    if (keep_data) data.append(bytes);
    if (on_data) on_data(bytes);
  }
  void OnPeerClosed(uint64_t) override {
    EXPECT_EQ(closed_calls, 0) << "callback after OnClosed";
    ++peer_closed;
    if (on_peer_closed) on_peer_closed();
  }
  void OnClosed(TcpCloseReason r, uint64_t now) override {
    EXPECT_EQ(closed_calls, 0) << "OnClosed twice";
    ++closed_calls;
    reason = r;
    closed_at = now;
    if (on_closed) on_closed();
  }
  int connected = 0;
  int peer_closed = 0;
  int closed_calls = 0;
  TcpCloseReason reason = TcpCloseReason::kClosed;
  uint64_t closed_at = 0;
  bool keep_data = true;
  std::string data;
  std::function<void()> on_connected;
  std::function<void(std::string_view)> on_data;
  std::function<void()> on_peer_closed;
  std::function<void()> on_closed;
};

class TcpStackTest : public ::testing::Test {
 protected:
  TcpStackTest() {
    config_.local_mac = kLocalMac;
    config_.gateway_mac = kGatewayMac;
    config_.local_ip = Ipv4Address(kLocalIp);
    config_.port_first = kPortFirst;
    config_.port_last = kPortFirst + 99;
    config_.max_connections = 16;
    config_.isn_key[0] = 0x0123456789abcdef;
    config_.isn_key[1] = 0xfedcba9876543210;
  }

  void Make() { stack_ = std::make_unique<TcpStack>(config_, sink_); }
  TcpStack& stack() {
    if (!stack_) Make();
    return *stack_;
  }

  // Every frame sent since the last call, parsed and checked.
  std::vector<Sent> TakeSent() {
    std::vector<Sent> out;
    for (const std::vector<uint8_t>& f : sink_.frames) {
      EXPECT_GE(f.size(), kEthMinFrameLen);
      EXPECT_EQ(0, std::memcmp(f.data() + kEthDstOffset, kGatewayMac.bytes().data(), 6));
      EXPECT_EQ(0, std::memcmp(f.data() + kEthSrcOffset, kLocalMac.bytes().data(), 6));
      const uint8_t* ip = f.data() + kEthHeaderLen;
      EXPECT_EQ(LoadBe16(ip + kIpv4FragOffset), kIpv4FlagDontFragment);
      EXPECT_EQ(ip[kIpv4TtlOffset], config_.ttl);
      const uint16_t id = LoadBe16(ip + kIpv4IdOffset);
      if (have_ip_id_) {
        EXPECT_EQ(id, static_cast<uint16_t>(last_ip_id_ + 1));
      }
      have_ip_id_ = true;
      last_ip_id_ = id;
      // Ethernet padding is zero.
      const size_t ip_end = kEthHeaderLen + LoadBe16(ip + kIpv4TotalLenOffset);
      for (size_t k = ip_end; k < f.size(); ++k) EXPECT_EQ(f[k], 0) << k;
      ParsedFrame p;
      EXPECT_EQ(ParseFrame(f.data(), f.size(), &p), ParseResult::kTcp);
      EXPECT_EQ(p.tcp.saddr.value(), kLocalIp);
      EXPECT_EQ(p.tcp.daddr.value(), kRemoteIp);
      Sent s;
      s.tcp = p.tcp;
      s.payload.assign(reinterpret_cast<const char*>(f.data()) + p.tcp.payload_offset,
                       p.tcp.payload_len);
      out.push_back(s);
    }
    sink_.frames.clear();
    return out;
  }

  Sent TakeOne() {
    std::vector<Sent> s = TakeSent();
    EXPECT_EQ(s.size(), 1u);
    return s.empty() ? Sent{} : s[0];
  }

  // The peer sends a segment to our current local port.
  void Peer(uint8_t flags, uint32_t seq, uint32_t ack, const std::string& payload = "",
            uint16_t window = 65535, const std::vector<uint8_t>& options = {},
            uint16_t dport = 0) {
    testing::TcpSpec spec;
    spec.saddr = kRemoteIp;
    spec.daddr = kLocalIp;
    spec.sport = kRemotePort;
    spec.dport = dport != 0 ? dport : port_;
    spec.seq = seq;
    spec.ack = ack;
    spec.flags = flags;
    spec.window = window;
    spec.options = options;
    spec.payload.assign(payload.begin(), payload.end());
    const std::vector<uint8_t> frame = testing::TcpFrame(spec);
    ParsedFrame p;
    ASSERT_EQ(ParseFrame(frame.data(), frame.size(), &p), ParseResult::kTcp);
    stack().OnSegment(p.tcp, frame.data() + p.tcp.payload_offset, now_);
  }

  // The peer sends data at its next sequence number and advances it.
  void PeerData(const std::string& payload, uint16_t window = 65535) {
    Peer(kPshAck, rcv_, snd_, payload, window);
    rcv_ += static_cast<uint32_t>(payload.size());
  }

  // Ticks the stack every millisecond up to `t`.
  void AdvanceTo(uint64_t t) {
    while (now_ < t) stack().Tick(++now_);
  }

  // Connect() and the handshake; the SYN-ACK comes 10 ms after the SYN, so
  // the first RTT sample is 10 ms and the RTO its floor, 200 ms.
  TcpConnId Open(Recorder& r, const std::vector<uint8_t>& synack_options = MssOption(1460),
                 uint16_t window = 65535) {
    absl::StatusOr<TcpConnId> id =
        stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_);
    EXPECT_TRUE(id.ok()) << id.status();
    const Sent syn = TakeOne();
    EXPECT_EQ(syn.flags(), kTcpSyn);
    iss_ = syn.tcp.seq;
    port_ = syn.tcp.sport;
    AdvanceTo(now_ + 10);
    Peer(kSynAck, peer_isn_, iss_ + 1, "", window, synack_options);
    const Sent ack = TakeOne();
    EXPECT_EQ(ack.flags(), kTcpAck);
    EXPECT_EQ(ack.tcp.seq, iss_ + 1);
    EXPECT_EQ(ack.tcp.ack, peer_isn_ + 1);
    EXPECT_EQ(r.connected, 1);
    snd_ = iss_ + 1;
    rcv_ = peer_isn_ + 1;
    return id.ok() ? *id : TcpConnId{};
  }

  // We close first and the peer answers; ends in TIME-WAIT.
  void CloseCleanly(TcpConnId id, Recorder& r) {
    stack().Close(id);
    const Sent fin = TakeOne();
    EXPECT_EQ(fin.flags(), kFinAck);
    EXPECT_EQ(fin.tcp.seq, snd_);
    Peer(kFinAck, rcv_, snd_ + 1);
    const Sent last = TakeOne();
    EXPECT_EQ(last.flags(), kTcpAck);
    EXPECT_EQ(last.tcp.ack, rcv_ + 1);
    EXPECT_EQ(r.peer_closed, 1);
    EXPECT_EQ(r.closed_calls, 1);
    EXPECT_EQ(r.reason, TcpCloseReason::kClosed);
  }

  TcpStackConfig config_;
  CaptureSink sink_;
  std::unique_ptr<TcpStack> stack_;
  uint64_t now_ = 1000;
  uint32_t peer_isn_ = 0x10000000;
  uint32_t iss_ = 0;     // our ISN
  uint32_t snd_ = 0;     // our next sequence number, as the peer expects it
  uint32_t rcv_ = 0;     // the peer's next sequence number
  uint16_t port_ = 0;    // our local port
  bool have_ip_id_ = false;
  uint16_t last_ip_id_ = 0;
};

// --- Handshake and data --------------------------------------------------

TEST_F(TcpStackTest, SynCarriesMssAndWindowScale) {
  config_.recv_window = 16384;
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  ASSERT_EQ(sink_.frames.size(), 1u);
  const std::vector<uint8_t> frame = sink_.frames[0];
  const Sent syn = TakeOne();
  EXPECT_EQ(syn.flags(), kTcpSyn);
  EXPECT_EQ(syn.tcp.ack, 0u);
  EXPECT_EQ(syn.tcp.dport, kRemotePort);
  EXPECT_GE(syn.tcp.sport, kPortFirst);
  EXPECT_LE(syn.tcp.sport, kPortFirst + 99);
  EXPECT_EQ(syn.tcp.window, 16384);
  EXPECT_TRUE(syn.tcp.options.has_mss);
  EXPECT_EQ(syn.tcp.options.mss, 1460);
  EXPECT_TRUE(syn.tcp.options.has_wscale);
  EXPECT_EQ(syn.tcp.options.wscale, 0);
  EXPECT_EQ(syn.payload, "");
  EXPECT_EQ(frame.size(), 14u + 20 + 28);
  EXPECT_EQ(stack().stats().connects, 1u);
  EXPECT_EQ(stack().active(), 1u);
}

TEST_F(TcpStackTest, HandshakeAndDataBothWays) {
  Recorder r;
  const TcpConnId id = Open(r);
  EXPECT_EQ(stack().stats().established, 1u);
  EXPECT_EQ(stack().SendSpace(id), config_.send_buffer);

  EXPECT_EQ(stack().Send(id, "hello"), 5u);
  const Sent data = TakeOne();
  EXPECT_EQ(data.flags(), kPshAck);
  EXPECT_EQ(data.tcp.seq, snd_);
  EXPECT_EQ(data.tcp.ack, rcv_);
  EXPECT_EQ(data.tcp.window, config_.recv_window);
  EXPECT_EQ(data.payload, "hello");
  EXPECT_EQ(stack().SendSpace(id), config_.send_buffer - 5);
  snd_ += 5;
  Peer(kTcpAck, rcv_, snd_);
  EXPECT_TRUE(TakeSent().empty());  // a pure ACK is not answered
  EXPECT_EQ(stack().SendSpace(id), config_.send_buffer);

  PeerData("world");
  EXPECT_EQ(r.data, "world");
  const Sent ack = TakeOne();
  EXPECT_EQ(ack.flags(), kTcpAck);
  EXPECT_EQ(ack.tcp.ack, rcv_);
  EXPECT_EQ(ack.tcp.seq, snd_);
  CloseCleanly(id, r);
}

// No delayed ACK: every data segment is acknowledged as it arrives, with no
// timer. RFC 1122 4.2.3.2 and RFC 5681 4.2 allow delaying an ACK (at most
// 500 ms, and at least every second full-sized segment), but a sender using
// Nagle's algorithm (RFC 896, on by default on Linux) holds its next small
// segment until its last one is acknowledged: a server writing a TLS
// record of one byte per segment would wait a delayed ACK per record. The
// hostile peer of one-byte records (section 12.hostile13b of
// bench/RESULTS.md) relies on this never changing.
TEST_F(TcpStackTest, EverySmallSegmentIsAcknowledgedAtOnce) {
  Recorder r;
  const TcpConnId id = Open(r);
  for (int i = 0; i < 20; ++i) {
    PeerData(std::string("\x16\x03\x03\x00\x01", 5) + static_cast<char>(i));
    const Sent ack = TakeOne();
    EXPECT_EQ(ack.flags(), kTcpAck) << i;
    EXPECT_EQ(ack.tcp.ack, rcv_) << i;
  }
  EXPECT_EQ(r.data.size(), 20u * 6);
  CloseCleanly(id, r);
}

TEST_F(TcpStackTest, SegmentsFollowThePeersMss) {
  Recorder r;
  const TcpConnId id = Open(r, MssOption(100));
  const std::string msg(350, 'x');
  EXPECT_EQ(stack().Send(id, msg), 350u);
  const std::vector<Sent> segs = TakeSent();
  ASSERT_EQ(segs.size(), 4u);
  uint32_t seq = snd_;
  for (size_t k = 0; k < segs.size(); ++k) {
    EXPECT_EQ(segs[k].tcp.seq, seq);
    EXPECT_EQ(segs[k].payload.size(), k < 3 ? 100u : 50u);
    seq += static_cast<uint32_t>(segs[k].payload.size());
  }
}

// An absurd MSS option cannot make us send tiny segments.
TEST_F(TcpStackTest, TinyPeerMssIsRaisedToTheMinimum) {
  Recorder r;
  const TcpConnId id = Open(r, MssOption(1));
  stack().Send(id, std::string(100, 'm'));
  const std::vector<Sent> segs = TakeSent();
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[0].payload.size(), 48u);
  EXPECT_EQ(segs[2].payload.size(), 4u);
}

// A large window: the smallest shift that fits it in 16 bits is offered
// and applied to every advertisement after the SYN.
TEST_F(TcpStackTest, LargeReceiveWindowIsAdvertisedScaled) {
  config_.recv_window = 1u << 25;
  config_.max_connections = 1;
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  const Sent syn = TakeOne();
  EXPECT_EQ(syn.tcp.options.wscale, 10);
  EXPECT_EQ(syn.tcp.window, 0xffff);  // a SYN's window is never scaled
  port_ = syn.tcp.sport;
  Peer(kSynAck, peer_isn_, syn.tcp.seq + 1, "", 65535, MssWscaleOptions(1460, 0));
  EXPECT_EQ(TakeOne().tcp.window, (1u << 25) >> 10);
}

TEST_F(TcpStackTest, SendBufferBoundsSend) {
  config_.send_buffer = 1000;
  Recorder r;
  const TcpConnId id = Open(r, MssOption(1460), /*window=*/100);
  EXPECT_EQ(stack().Send(id, std::string(1500, 'a')), 1000u);
  EXPECT_EQ(stack().SendSpace(id), 0u);
  EXPECT_EQ(stack().Send(id, "more"), 0u);
  // The peer's 100-byte window lets one segment out.
  const Sent s = TakeOne();
  EXPECT_EQ(s.payload.size(), 100u);
  Peer(kTcpAck, rcv_, snd_ + 100, "", 100);
  EXPECT_EQ(stack().SendSpace(id), 100u);
  EXPECT_EQ(TakeOne().tcp.seq, snd_ + 100);
}

// The peer's window scale applies to its windows after the SYN-ACK.
TEST_F(TcpStackTest, PeerWindowScaleIsApplied) {
  config_.recv_window = 200000;  // needs a shift of 2 to fit 16 bits
  Recorder r;
  const TcpConnId id = Open(r, MssWscaleOptions(100, 3), /*window=*/50);
  // The SYN-ACK's window is unscaled: 50 bytes.
  EXPECT_EQ(stack().Send(id, std::string(1000, 'b')), 1000u);
  std::vector<Sent> segs = TakeSent();
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].payload.size(), 50u);
  // Our advertised window is scaled by our shift.
  EXPECT_EQ(segs[0].tcp.window, 200000 >> 2);
  // Window 50 << 3 = 400 bytes from now on.
  Peer(kTcpAck, rcv_, snd_ + 50, "", 50);
  segs = TakeSent();
  uint32_t bytes = 0;
  for (const Sent& s : segs) bytes += static_cast<uint32_t>(s.payload.size());
  EXPECT_EQ(bytes, 400u);
}

TEST_F(TcpStackTest, NoWindowScaleFromPeerMeansNoScaling) {
  config_.recv_window = 200000;
  Recorder r;
  const TcpConnId id = Open(r);
  stack().Send(id, "x");
  EXPECT_EQ(TakeOne().tcp.window, 65535);
}

TEST_F(TcpStackTest, ChecksumOffloadWritesThePseudoHeaderSum) {
  config_.checksum_offload = true;
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  ASSERT_EQ(sink_.frames.size(), 1u);
  const std::vector<uint8_t>& f = sink_.frames[0];
  const uint8_t* ip = f.data() + kEthHeaderLen;
  EXPECT_EQ(LoadBe16(ip + kIpv4ChecksumOffset), 0);
  const uint16_t tcp_len = static_cast<uint16_t>(LoadBe16(ip + kIpv4TotalLenOffset) - 20);
  EXPECT_EQ(LoadBe16(ip + 20 + kTcpChecksumOffset),
            ChecksumFold(PseudoHeaderSum(kLocalIp, kRemoteIp, kIpProtoTcp, tcp_len)));
  ParsedFrame p;
  EXPECT_EQ(ParseFrame(f.data(), f.size(), &p, /*verify_checksums=*/false),
            ParseResult::kTcp);
}

// --- Loss -----------------------------------------------------------------

TEST_F(TcpStackTest, SynLostIsRetransmittedWithBackoffThenTimesOut) {
  config_.syn_retries = 3;
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  const uint64_t t0 = now_;
  const uint32_t iss = TakeOne().tcp.seq;
  for (uint64_t at : {t0 + 1000, t0 + 3000, t0 + 7000}) {
    AdvanceTo(at - 1);
    EXPECT_TRUE(TakeSent().empty()) << at;
    AdvanceTo(at);
    const Sent syn = TakeOne();
    EXPECT_EQ(syn.flags(), kTcpSyn);
    EXPECT_EQ(syn.tcp.seq, iss);
  }
  AdvanceTo(t0 + 15000 - 1);
  EXPECT_EQ(r.closed_calls, 0);
  AdvanceTo(t0 + 15000);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kTimeout);
  EXPECT_EQ(r.closed_at, t0 + 15000);
  EXPECT_EQ(stack().stats().retransmits, 3u);
  EXPECT_EQ(stack().active(), 0u);
}

TEST_F(TcpStackTest, SynAckLostThenAnsweredToTheRetransmission) {
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  const Sent syn = TakeOne();
  iss_ = syn.tcp.seq;
  port_ = syn.tcp.sport;
  // The first SYN-ACK never arrives; the SYN is sent again after 1 s.
  AdvanceTo(now_ + 1000);
  EXPECT_EQ(TakeOne().flags(), kTcpSyn);
  Peer(kSynAck, peer_isn_, iss_ + 1, "", 65535, MssOption(1460));
  EXPECT_EQ(r.connected, 1);
  EXPECT_EQ(TakeOne().tcp.ack, peer_isn_ + 1);
}

TEST_F(TcpStackTest, DataLostIsRetransmittedWithDoublingRto) {
  config_.data_retries = 3;
  Recorder r;
  const TcpConnId id = Open(r);
  stack().Send(id, "lost");
  const uint64_t t0 = now_;
  EXPECT_EQ(TakeOne().payload, "lost");
  // RTO 200 ms (the floor, from a 10 ms RTT), then 400, 800.
  for (uint64_t at : {t0 + 200, t0 + 600, t0 + 1400}) {
    AdvanceTo(at - 1);
    EXPECT_TRUE(TakeSent().empty()) << at;
    AdvanceTo(at);
    const Sent again = TakeOne();
    EXPECT_EQ(again.tcp.seq, snd_);
    EXPECT_EQ(again.payload, "lost");
  }
  EXPECT_EQ(stack().stats().retransmits, 3u);
  // The fourth timeout (after 1600 ms more) gives up.
  AdvanceTo(t0 + 3000 - 1);
  EXPECT_EQ(r.closed_calls, 0);
  AdvanceTo(t0 + 3000);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kTimeout);
}

TEST_F(TcpStackTest, AckAfterRetransmissionResetsRetries) {
  config_.data_retries = 2;
  Recorder r;
  const TcpConnId id = Open(r);
  stack().Send(id, "abc");
  TakeSent();
  AdvanceTo(now_ + 200);
  EXPECT_EQ(TakeOne().payload, "abc");
  snd_ += 3;
  Peer(kTcpAck, rcv_, snd_);
  // A new segment gets the full retry budget again.
  stack().Send(id, "def");
  TakeSent();
  AdvanceTo(now_ + 2000);
  EXPECT_EQ(TakeSent().size(), 2u);
  EXPECT_EQ(r.closed_calls, 0);
}

TEST_F(TcpStackTest, PeerDataLostIsReassembledInOrder) {
  Recorder r;
  Open(r);
  const uint32_t base = rcv_;
  Peer(kPshAck, base + 3, snd_, "BBB");
  Peer(kPshAck | kTcpFin, base + 6, snd_, "CCC");
  EXPECT_EQ(r.data, "");
  EXPECT_EQ(r.peer_closed, 0);
  // Each out-of-order segment gets a duplicate ACK for the gap.
  for (const Sent& s : TakeSent()) EXPECT_EQ(s.tcp.ack, base);
  EXPECT_EQ(stack().stats().out_of_order, 2u);
  Peer(kPshAck, base, snd_, "AAA");
  EXPECT_EQ(r.data, "AAABBBCCC");
  EXPECT_EQ(r.peer_closed, 1);
  const Sent ack = TakeOne();
  EXPECT_EQ(ack.tcp.ack, base + 10);  // data and FIN
}

TEST_F(TcpStackTest, ReorderedSegmentsAreDeliveredInOrder) {
  Recorder r;
  Open(r);
  const uint32_t base = rcv_;
  Peer(kPshAck, base + 4, snd_, "3333");
  Peer(kPshAck, base + 8, snd_, "4444");
  Peer(kPshAck, base + 2, snd_, "22");
  EXPECT_EQ(r.data, "");
  Peer(kPshAck, base, snd_, "11");
  EXPECT_EQ(r.data, "112233334444");
  const std::vector<Sent> acks = TakeSent();
  ASSERT_EQ(acks.size(), 4u);
  EXPECT_EQ(acks.back().tcp.ack, base + 12);
}

TEST_F(TcpStackTest, DuplicatesAreDeliveredOnce) {
  Recorder r;
  Open(r);
  const uint32_t base = rcv_;
  Peer(kPshAck, base + 3, snd_, "def");
  Peer(kPshAck, base + 3, snd_, "def");
  Peer(kPshAck, base, snd_, "abc");
  Peer(kPshAck, base, snd_, "abc");
  Peer(kPshAck, base + 3, snd_, "def");
  // Overlapping the delivered data and extending it.
  Peer(kPshAck, base + 4, snd_, "efgh");
  EXPECT_EQ(r.data, "abcdefgh");
  EXPECT_EQ(stack().stats().duplicates, 4u);
  EXPECT_EQ(TakeSent().back().tcp.ack, base + 8);
}

// Our ACK of the peer's data is lost: the peer retransmits, we acknowledge
// again and deliver nothing twice.
TEST_F(TcpStackTest, OurAckLost) {
  Recorder r;
  Open(r);
  PeerData("once");
  TakeSent();  // "lost"
  Peer(kPshAck, rcv_ - 4, snd_, "once");
  EXPECT_EQ(r.data, "once");
  const Sent ack = TakeOne();
  EXPECT_EQ(ack.tcp.ack, rcv_);
  EXPECT_EQ(stack().stats().duplicates, 1u);
}

// The peer retransmits its SYN-ACK because our ACK was lost.
TEST_F(TcpStackTest, OurHandshakeAckLost) {
  Recorder r;
  Open(r);
  Peer(kSynAck, peer_isn_, iss_ + 1, "", 65535, MssOption(1460));
  const Sent ack = TakeOne();
  EXPECT_EQ(ack.flags(), kTcpAck);
  EXPECT_EQ(ack.tcp.ack, peer_isn_ + 1);
  EXPECT_EQ(r.connected, 1);
}

TEST_F(TcpStackTest, OurFinLostIsRetransmitted) {
  Recorder r;
  const TcpConnId id = Open(r);
  stack().Close(id);
  EXPECT_EQ(stack().Send(id, "late"), 0u);
  const Sent fin = TakeOne();
  EXPECT_EQ(fin.flags(), kFinAck);
  AdvanceTo(now_ + 200);
  const Sent again = TakeOne();
  EXPECT_EQ(again.flags(), kFinAck);
  EXPECT_EQ(again.tcp.seq, fin.tcp.seq);
  // The peer acknowledges the FIN (FIN-WAIT-2), later sends its own.
  Peer(kTcpAck, rcv_, snd_ + 1);
  EXPECT_TRUE(TakeSent().empty());
  EXPECT_EQ(r.closed_calls, 0);
  Peer(kFinAck, rcv_, snd_ + 1);
  EXPECT_EQ(TakeOne().tcp.ack, rcv_ + 1);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kClosed);
}

// The peer's FIN is lost: its retransmission is processed once, and a
// retransmission of it in TIME-WAIT is acknowledged again.
TEST_F(TcpStackTest, PeerFinLostAndRetransmitted) {
  Recorder r;
  const TcpConnId id = Open(r);
  stack().Close(id);
  TakeSent();
  Peer(kTcpAck, rcv_, snd_ + 1);  // ACK of our FIN; its FIN is lost
  Peer(kFinAck, rcv_, snd_ + 1);  // retransmitted FIN
  EXPECT_EQ(TakeOne().tcp.ack, rcv_ + 1);
  EXPECT_EQ(r.closed_calls, 1);
  Peer(kFinAck, rcv_, snd_ + 1);  // our ACK was lost too
  const Sent ack = TakeOne();
  EXPECT_EQ(ack.flags(), kTcpAck);
  EXPECT_EQ(ack.tcp.ack, rcv_ + 1);
  EXPECT_EQ(r.peer_closed, 1);
}

TEST_F(TcpStackTest, FastRetransmitOnThreeDuplicateAcks) {
  Recorder r;
  const TcpConnId id = Open(r, MssOption(100));
  stack().Send(id, std::string(500, 'z'));
  EXPECT_EQ(TakeSent().size(), 5u);
  // Segment 2 is lost; segments 3, 4, 5 each produce a duplicate ACK.
  Peer(kTcpAck, rcv_, snd_ + 100);
  Peer(kTcpAck, rcv_, snd_ + 100);
  Peer(kTcpAck, rcv_, snd_ + 100);
  EXPECT_TRUE(TakeSent().empty());
  Peer(kTcpAck, rcv_, snd_ + 100);
  const Sent retx = TakeOne();
  EXPECT_EQ(retx.tcp.seq, snd_ + 100);
  EXPECT_EQ(retx.payload.size(), 100u);
  EXPECT_EQ(stack().stats().fast_retransmits, 1u);
  Peer(kTcpAck, rcv_, snd_ + 500);
  EXPECT_EQ(stack().SendSpace(id), config_.send_buffer);
  // All acknowledged: no RTO follows.
  AdvanceTo(now_ + 5000);
  EXPECT_TRUE(TakeSent().empty());
}

TEST_F(TcpStackTest, SlowStartOpensTheCongestionWindow) {
  config_.send_buffer = 100000;
  Recorder r;
  const TcpConnId id = Open(r, MssOption(100));
  EXPECT_EQ(stack().Send(id, std::string(3000, 'w')), 3000u);
  // Initial window: 10 segments.
  EXPECT_EQ(TakeSent().size(), 10u);
  // Each ACK of a full segment adds one MSS: two segments out per ACK.
  Peer(kTcpAck, rcv_, snd_ + 100);
  EXPECT_EQ(TakeSent().size(), 2u);
}

TEST_F(TcpStackTest, SinkFullIsCountedAndRecoveredByRetransmission) {
  Recorder r;
  sink_.full = true;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  EXPECT_EQ(stack().stats().sink_full, 1u);
  EXPECT_TRUE(sink_.frames.empty());
  sink_.full = false;
  AdvanceTo(now_ + 1000);
  EXPECT_EQ(TakeOne().flags(), kTcpSyn);
}

// --- RST ------------------------------------------------------------------

TEST_F(TcpStackTest, RstInSynSentIsRefused) {
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  const Sent syn = TakeOne();
  port_ = syn.tcp.sport;
  // Without an ACK, or with a wrong one, a reset is not believed.
  Peer(kTcpRst, 0, 0);
  Peer(kRstAck, 0, syn.tcp.seq + 2);
  EXPECT_EQ(r.closed_calls, 0);
  EXPECT_TRUE(TakeSent().empty());
  Peer(kRstAck, 0, syn.tcp.seq + 1);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kRefused);
  EXPECT_EQ(stack().active(), 0u);
  EXPECT_EQ(stack().stats().closed_by_reason[static_cast<size_t>(TcpCloseReason::kRefused)],
            1u);
  EXPECT_TRUE(TakeSent().empty());
}

TEST_F(TcpStackTest, SynAckWithWrongAckIsAnsweredWithRst) {
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_).ok());
  const Sent syn = TakeOne();
  port_ = syn.tcp.sport;
  Peer(kSynAck, peer_isn_, syn.tcp.seq + 7);
  const Sent rst = TakeOne();
  EXPECT_EQ(rst.flags(), kTcpRst);
  EXPECT_EQ(rst.tcp.seq, syn.tcp.seq + 7);
  EXPECT_EQ(r.connected, 0);
  EXPECT_EQ(r.closed_calls, 0);
}

// A reset at exactly rcv_nxt ends the connection in every synchronized
// state; one elsewhere in the window gets a challenge ACK, one outside it
// nothing.
enum class RstState { kEstablished, kFinWait1, kFinWait2, kClosing, kCloseWait, kLastAck };

class RstStateTest : public TcpStackTest,
                     public ::testing::WithParamInterface<RstState> {};

TEST_P(RstStateTest, ExactRstResets) {
  Recorder r;
  const TcpConnId id = Open(r);
  switch (GetParam()) {
    case RstState::kEstablished:
      break;
    case RstState::kFinWait1:
      stack().Close(id);
      break;
    case RstState::kFinWait2:
      stack().Close(id);
      Peer(kTcpAck, rcv_, snd_ + 1);
      break;
    case RstState::kClosing:
      stack().Close(id);
      Peer(kFinAck, rcv_++, snd_);  // our FIN not yet acknowledged
      break;
    case RstState::kCloseWait:
      Peer(kFinAck, rcv_++, snd_);
      break;
    case RstState::kLastAck:
      Peer(kFinAck, rcv_++, snd_);
      stack().Close(id);
      break;
  }
  EXPECT_EQ(r.closed_calls, 0);
  TakeSent();
  Peer(kTcpRst, rcv_ + 100000, 0);
  EXPECT_TRUE(TakeSent().empty());
  Peer(kTcpRst, rcv_ + 10, 0);
  const Sent challenge = TakeOne();
  EXPECT_EQ(challenge.flags(), kTcpAck);
  EXPECT_EQ(challenge.tcp.ack, rcv_);
  EXPECT_EQ(r.closed_calls, 0);
  Peer(kTcpRst, rcv_, 0);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kReset);
  EXPECT_EQ(stack().active(), 0u);
  EXPECT_TRUE(TakeSent().empty());
  EXPECT_EQ(stack().stats().closed_by_reason[static_cast<size_t>(TcpCloseReason::kReset)],
            1u);
}

INSTANTIATE_TEST_SUITE_P(States, RstStateTest,
                         ::testing::Values(RstState::kEstablished, RstState::kFinWait1,
                                           RstState::kFinWait2, RstState::kClosing,
                                           RstState::kCloseWait, RstState::kLastAck));

TEST_F(TcpStackTest, RstInTimeWaitFreesTheSlotSilently) {
  Recorder r;
  const TcpConnId id = Open(r);
  CloseCleanly(id, r);
  EXPECT_EQ(stack().active(), 1u);
  Peer(kTcpRst, rcv_ + 1, 0);
  EXPECT_EQ(stack().active(), 0u);
  EXPECT_EQ(r.closed_calls, 1);
}

TEST_F(TcpStackTest, SynInEstablishedGetsAChallengeAck) {
  Recorder r;
  Open(r);
  Peer(kTcpSyn, rcv_ + 5, 0);
  const Sent ack = TakeOne();
  EXPECT_EQ(ack.flags(), kTcpAck);
  EXPECT_EQ(ack.tcp.ack, rcv_);
  EXPECT_EQ(r.closed_calls, 0);
}

// --- Closing --------------------------------------------------------------

TEST_F(TcpStackTest, PeerClosesFirst) {
  Recorder r;
  TcpConnId id;
  r.on_peer_closed = [&] { stack().Close(id); };
  id = Open(r);
  PeerData("bye");
  TakeSent();
  Peer(kFinAck, rcv_, snd_);
  EXPECT_EQ(r.peer_closed, 1);
  // CLOSE-WAIT, then LAST-ACK: one segment carries our FIN and the ACK.
  const Sent fin = TakeOne();
  EXPECT_EQ(fin.flags(), kFinAck);
  EXPECT_EQ(fin.tcp.ack, rcv_ + 1);
  EXPECT_EQ(r.closed_calls, 0);
  Peer(kTcpAck, rcv_ + 1, snd_ + 1);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kClosed);
  EXPECT_EQ(stack().active(), 0u);  // no TIME-WAIT for the passive closer
}

TEST_F(TcpStackTest, SimultaneousCloseGoesThroughClosing) {
  Recorder r;
  const TcpConnId id = Open(r);
  stack().Close(id);
  TakeSent();
  Peer(kFinAck, rcv_, snd_);  // the peer's FIN crosses ours
  EXPECT_EQ(TakeOne().tcp.ack, rcv_ + 1);
  EXPECT_EQ(r.peer_closed, 1);
  EXPECT_EQ(r.closed_calls, 0);
  Peer(kTcpAck, rcv_ + 1, snd_ + 1);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kClosed);
  EXPECT_EQ(stack().active(), 1u);  // TIME-WAIT
}

TEST_F(TcpStackTest, CloseSendsFinAfterQueuedData) {
  Recorder r;
  const TcpConnId id = Open(r, MssOption(1460), /*window=*/0);
  stack().Send(id, "tail");
  stack().Close(id);
  EXPECT_TRUE(TakeSent().empty());  // zero window: nothing, not even the FIN
  Peer(kTcpAck, rcv_, snd_, "", 1000);
  const Sent s = TakeOne();
  EXPECT_EQ(s.flags(), kPshAck | kTcpFin);
  EXPECT_EQ(s.payload, "tail");
}

TEST_F(TcpStackTest, CloseInSynSentSendsFinAfterTheHandshake) {
  Recorder r;
  absl::StatusOr<TcpConnId> id = stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(stack().Send(*id, "early"), 5u);
  stack().Close(*id);
  const Sent syn = TakeOne();
  port_ = syn.tcp.sport;
  Peer(kSynAck, peer_isn_, syn.tcp.seq + 1, "", 65535, MssOption(1460));
  const Sent s = TakeOne();
  EXPECT_EQ(s.flags(), kPshAck | kTcpFin);
  EXPECT_EQ(s.payload, "early");
  EXPECT_EQ(s.tcp.ack, peer_isn_ + 1);
}

TEST_F(TcpStackTest, FinWait2TimesOut) {
  config_.fin_wait2_ms = 5000;
  Recorder r;
  const TcpConnId id = Open(r);
  stack().Close(id);
  TakeSent();
  Peer(kTcpAck, rcv_, snd_ + 1);
  const uint64_t t0 = now_;
  AdvanceTo(t0 + 4999);
  EXPECT_EQ(r.closed_calls, 0);
  AdvanceTo(t0 + 5000);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kTimeout);
  EXPECT_EQ(TakeOne().flags(), kRstAck);
  EXPECT_EQ(r.closed_at, t0 + 5000);
  EXPECT_EQ(stack().active(), 0u);
}

TEST_F(TcpStackTest, TimeWaitExpiryFreesSlotAndPort) {
  config_.port_last = kPortFirst;  // one port
  config_.time_wait_ms = 500;
  Recorder r1;
  const TcpConnId id = Open(r1);
  EXPECT_EQ(port_, kPortFirst);
  CloseCleanly(id, r1);
  EXPECT_EQ(stack().active(), 1u);
  EXPECT_EQ(stack().Send(id, "x"), 0u);  // the id is dead
  AdvanceTo(now_ + 499);
  EXPECT_EQ(stack().active(), 1u);
  AdvanceTo(now_ + 1);
  EXPECT_EQ(stack().active(), 0u);
  Recorder r2;
  Open(r2);
  EXPECT_EQ(port_, kPortFirst);
  EXPECT_EQ(stack().stats().time_wait_reused, 0u);
}

TEST_F(TcpStackTest, ExhaustedPoolReusesTheOldestTimeWait) {
  config_.max_connections = 2;
  Recorder r1, r2, r3;
  const TcpConnId a = Open(r1);
  const uint16_t port_a = port_;
  CloseCleanly(a, r1);
  AdvanceTo(now_ + 10);
  const TcpConnId b = Open(r2);
  CloseCleanly(b, r2);
  EXPECT_EQ(stack().active(), 2u);
  Open(r3);
  EXPECT_EQ(stack().stats().time_wait_reused, 1u);
  EXPECT_EQ(stack().active(), 2u);
  // The older TIME-WAIT (a) went: segments to its port are now unknown.
  const uint16_t port_c = port_;
  Peer(kTcpAck, 1, 1, "", 65535, {}, port_a);
  EXPECT_NE(port_c, port_a);
  EXPECT_EQ(stack().stats().unknown_connection, 1u);
}

TEST_F(TcpStackTest, PoolExhaustionIsResourceExhausted) {
  config_.max_connections = 2;
  Recorder r;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), 1, &r, now_).ok());
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), 2, &r, now_).ok());
  const absl::StatusOr<TcpConnId> third = stack().Connect(Ipv4Address(kRemoteIp), 3, &r, now_);
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(TcpStackTest, PortExhaustionIsResourceExhausted) {
  config_.port_last = kPortFirst + 1;
  Recorder r1, r2, r3;
  ASSERT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), 1, &r1, now_).ok());
  const absl::StatusOr<TcpConnId> b = stack().Connect(Ipv4Address(kRemoteIp), 2, &r2, now_);
  ASSERT_TRUE(b.ok());
  const std::vector<Sent> syns = TakeSent();
  ASSERT_EQ(syns.size(), 2u);
  EXPECT_NE(syns[0].tcp.sport, syns[1].tcp.sport);
  EXPECT_EQ(stack().Connect(Ipv4Address(kRemoteIp), 3, &r3, now_).status().code(),
            absl::StatusCode::kResourceExhausted);
  // Abort frees the port at once.
  stack().Abort(*b);
  EXPECT_EQ(r2.reason, TcpCloseReason::kAborted);
  EXPECT_TRUE(stack().Connect(Ipv4Address(kRemoteIp), 3, &r3, now_).ok());
}

// --- Zero window ----------------------------------------------------------

TEST_F(TcpStackTest, ZeroWindowProbedThenReopened) {
  Recorder r;
  const TcpConnId id = Open(r, MssOption(1460), /*window=*/1000);
  stack().Send(id, std::string(3000, 'q'));
  EXPECT_EQ(TakeOne().payload.size(), 1000u);
  snd_ += 1000;
  Peer(kTcpAck, rcv_, snd_, "", 0);  // all taken, window shut
  EXPECT_TRUE(TakeSent().empty());
  const uint64_t t0 = now_;
  // The first probe after one RTO (200 ms), the next after 400 ms more.
  AdvanceTo(t0 + 199);
  EXPECT_TRUE(TakeSent().empty());
  AdvanceTo(t0 + 200);
  Sent probe = TakeOne();
  EXPECT_EQ(probe.flags(), kTcpAck);
  EXPECT_EQ(probe.tcp.seq, snd_ - 1);
  EXPECT_EQ(probe.payload, "");
  Peer(kTcpAck, rcv_, snd_, "", 0);
  AdvanceTo(t0 + 599);
  EXPECT_TRUE(TakeSent().empty());
  AdvanceTo(t0 + 600);
  probe = TakeOne();
  EXPECT_EQ(probe.tcp.seq, snd_ - 1);
  EXPECT_EQ(stack().stats().persist_probes, 2u);
  // The answer opens the window: data flows again.
  Peer(kTcpAck, rcv_, snd_, "", 4000);
  const std::vector<Sent> segs = TakeSent();
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].tcp.seq, snd_);
  EXPECT_EQ(segs[0].payload.size() + segs[1].payload.size(), 2000u);
  EXPECT_EQ(r.closed_calls, 0);
}

TEST_F(TcpStackTest, ZeroWindowForeverTimesOut) {
  config_.zero_window_ms = 5000;
  Recorder r;
  const TcpConnId id = Open(r, MssOption(1460), /*window=*/0);
  stack().Send(id, "blocked");
  EXPECT_TRUE(TakeSent().empty());
  const uint64_t t0 = now_;
  uint64_t probes = 0;
  while (now_ < t0 + 4999) {
    AdvanceTo(now_ + 1);
    for (const Sent& s : TakeSent()) {
      EXPECT_EQ(s.tcp.seq, snd_ - 1);
      ++probes;
      Peer(kTcpAck, rcv_, snd_, "", 0);
    }
  }
  // Probes at 200, 600, 1400, 3000 ms: exponential back-off.
  EXPECT_EQ(probes, 4u);
  EXPECT_EQ(r.closed_calls, 0);
  AdvanceTo(t0 + 5000);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kTimeout);
  EXPECT_EQ(TakeOne().flags(), kRstAck);
  EXPECT_EQ(r.closed_at, t0 + 5000);
  EXPECT_EQ(stack().active(), 0u);
}

// --- Sequence numbers -----------------------------------------------------

TEST_F(TcpStackTest, SequenceNumbersWrapAround) {
  config_.fixed_isn = 0xfffffff0u;
  peer_isn_ = 0xfffffff0u;
  Recorder r;
  const TcpConnId id = Open(r, MssOption(48));
  EXPECT_EQ(iss_, 0xfffffff0u);
  std::string out;
  for (int k = 0; k < 120; ++k) out.push_back(static_cast<char>('a' + k % 26));
  stack().Send(id, out);
  const std::vector<Sent> segs = TakeSent();
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[0].tcp.seq, 0xfffffff1u);  // straddles the wrap
  EXPECT_EQ(segs[1].tcp.seq, 0x00000021u);
  EXPECT_EQ(segs[2].tcp.seq, 0x00000051u);
  EXPECT_EQ(segs[0].payload + segs[1].payload + segs[2].payload, out);
  // A partial ACK across the wrap, then the rest.
  Peer(kTcpAck, rcv_, snd_ + 48);
  EXPECT_EQ(stack().SendSpace(id), config_.send_buffer - 72);
  snd_ += 120;
  Peer(kTcpAck, rcv_, snd_);
  EXPECT_EQ(stack().SendSpace(id), config_.send_buffer);
  // The peer's data across its wrap, out of order.
  const uint32_t base = rcv_;
  EXPECT_EQ(base, 0xfffffff1u);
  Peer(kPshAck, base + 20, snd_, "0123456789");
  Peer(kPshAck, base, snd_, "abcdefghijklmnopqrst");
  EXPECT_EQ(r.data, "abcdefghijklmnopqrst0123456789");
  EXPECT_EQ(TakeSent().back().tcp.ack, base + 30);
  rcv_ += 30;
  CloseCleanly(id, r);
}

// --- Unknown connections --------------------------------------------------

TEST_F(TcpStackTest, UnknownConnectionIsAnsweredWithRst) {
  Make();
  port_ = kPortFirst + 5;
  Peer(kPshAck, 5000, 7000, "data");
  Sent rst = TakeOne();
  EXPECT_EQ(rst.flags(), kTcpRst);
  EXPECT_EQ(rst.tcp.seq, 7000u);
  EXPECT_EQ(rst.tcp.sport, kPortFirst + 5);
  EXPECT_EQ(rst.tcp.dport, kRemotePort);
  Peer(kTcpSyn, 5000, 0);
  rst = TakeOne();
  EXPECT_EQ(rst.flags(), kRstAck);
  EXPECT_EQ(rst.tcp.seq, 0u);
  EXPECT_EQ(rst.tcp.ack, 5001u);
  Peer(kTcpRst, 5000, 0);  // never answer a reset
  Peer(kRstAck, 5000, 7000);
  EXPECT_TRUE(TakeSent().empty());
  // Outside this stack's ports: counted, not answered.
  Peer(kTcpAck, 1, 1, "", 65535, {}, kPortFirst + 100);
  EXPECT_TRUE(TakeSent().empty());
  EXPECT_EQ(stack().stats().unknown_connection, 5u);
  EXPECT_EQ(stack().stats().rst_sent, 2u);
}

TEST_F(TcpStackTest, WrongRemoteOnOurPortIsUnknown) {
  Recorder r;
  Open(r);
  testing::TcpSpec spec;
  spec.saddr = kRemoteIp + 1;
  spec.daddr = kLocalIp;
  spec.sport = kRemotePort;
  spec.dport = port_;
  spec.seq = rcv_;
  spec.ack = snd_;
  spec.flags = kTcpAck;
  const std::vector<uint8_t> f = testing::TcpFrame(spec);
  ParsedFrame p;
  ASSERT_EQ(ParseFrame(f.data(), f.size(), &p), ParseResult::kTcp);
  stack().OnSegment(p.tcp, f.data() + p.tcp.payload_offset, now_);
  EXPECT_EQ(stack().stats().unknown_connection, 1u);
  ASSERT_EQ(sink_.frames.size(), 1u);
  ParsedFrame rst;
  ASSERT_EQ(ParseFrame(sink_.frames[0].data(), sink_.frames[0].size(), &rst),
            ParseResult::kTcp);
  EXPECT_EQ(rst.tcp.flags, kTcpRst);
  EXPECT_EQ(rst.tcp.daddr.value(), kRemoteIp + 1);
  EXPECT_EQ(rst.tcp.seq, snd_);
  EXPECT_EQ(r.closed_calls, 0);
}

TEST_F(TcpStackTest, OutOfWindowDataIsAckedAndCounted) {
  Recorder r;
  Open(r);
  Peer(kPshAck, rcv_ + config_.recv_window + 10, snd_, "far");
  EXPECT_EQ(TakeOne().tcp.ack, rcv_);
  EXPECT_EQ(stack().stats().out_of_window, 1u);
  // Straddling the right edge: the part inside is kept.
  Peer(kPshAck, rcv_ + config_.recv_window - 2, snd_, "edge");
  EXPECT_EQ(stack().stats().out_of_window, 2u);
  EXPECT_EQ(stack().stats().out_of_order, 1u);
  EXPECT_EQ(TakeOne().tcp.ack, rcv_);
  // An ACK of data we never sent.
  Peer(kTcpAck, rcv_, snd_ + 1000);
  EXPECT_EQ(stack().stats().bad_segments, 1u);
  EXPECT_EQ(TakeOne().tcp.ack, rcv_);
}

TEST_F(TcpStackTest, OutOfOrderHolesAreBounded) {
  Recorder r;
  Open(r);
  const uint32_t base = rcv_;
  // Six separate holes: the first four ranges are kept, the rest dropped.
  for (uint32_t k = 1; k <= 6; ++k) Peer(kPshAck, base + 10 * k, snd_, "xxxxx");
  EXPECT_EQ(stack().stats().out_of_order, 4u);
  EXPECT_EQ(stack().stats().ooo_dropped, 2u);
  std::string fill(10, '.');
  Peer(kPshAck, base, snd_, fill);
  EXPECT_EQ(r.data, "..........xxxxx");
}

// --- Hostile peer ---------------------------------------------------------

// A peer that sends as fast as it can, ignoring everything: all in-window
// data is delivered, nothing beyond the window is kept, and the stack
// allocates nothing after construction.
TEST_F(TcpStackTest, EndlessSenderIsBoundedAndAllocatesNothing) {
  Recorder r;
  r.keep_data = false;
  Open(r);
  size_t delivered = 0;
  bool pattern_ok = true;
  r.on_data = [&](std::string_view bytes) {
    for (char ch : bytes) pattern_ok &= static_cast<uint8_t>(ch) == (delivered++ & 0xff);
  };
  sink_.discard = true;
  static uint8_t payload[1000 + 256];
  for (size_t k = 0; k < sizeof(payload); ++k) payload[k] = static_cast<uint8_t>(k);
  ParsedTcp seg;
  seg.saddr = Ipv4Address(kRemoteIp);
  seg.daddr = Ipv4Address(kLocalIp);
  seg.sport = kRemotePort;
  seg.dport = port_;
  seg.ack = snd_;
  seg.flags = kPshAck;
  seg.window = 65535;
  seg.payload_len = 1000;
  const size_t allocations_before = g_allocations;
  uint32_t seq = rcv_;
  for (int k = 0; k < 20000; ++k) {
    // In order (the payload offset keeps the byte pattern continuous) ...
    seg.seq = seq;
    stack().OnSegment(seg, payload + (seq - rcv_) % 256, now_);
    seq += 1000;
    // ... and past the window.
    seg.seq = seq + config_.recv_window + 1;
    stack().OnSegment(seg, payload, now_);
    if (k % 100 == 0) stack().Tick(++now_);
  }
  const size_t allocations = g_allocations - allocations_before;
  // Before any EXPECT, which may allocate.
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(delivered, 20000u * 1000);
  EXPECT_TRUE(pattern_ok);
  EXPECT_EQ(stack().stats().out_of_window, 20000u);
  EXPECT_EQ(stack().active(), 1u);
  EXPECT_EQ(r.closed_calls, 0);
  EXPECT_GE(TcpStack::BytesPerConnection(config_),
            size_t{config_.recv_window} + config_.send_buffer);
  EXPECT_LE(TcpStack::BytesPerConnection(config_),
            size_t{config_.recv_window} + config_.send_buffer + 512);
}

// BytesPerConnection() is what one more slot really allocates: two stacks
// that differ only in max_connections differ in their allocations by
// exactly that much per slot (the port tables and the wheel's buckets are
// the same for both).
TEST_F(TcpStackTest, BytesPerConnectionIsWhatASlotAllocates) {
  struct Buffers {
    uint32_t send;
    uint32_t recv;
  };
  // The defaults, a large window, and sizes the stack raises to its minimum.
  for (const Buffers b : {Buffers{8192, 16384}, Buffers{4096, 1 << 20}, Buffers{0, 0}}) {
    config_.send_buffer = b.send;
    config_.recv_window = b.recv;
    const auto allocated = [&](uint32_t slots) {
      config_.max_connections = slots;
      const size_t before = g_allocated_bytes;
      { TcpStack stack(config_, sink_); }
      return g_allocated_bytes - before;
    };
    const size_t with_16 = allocated(16);
    const size_t with_48 = allocated(48);
    EXPECT_EQ(with_48 - with_16, 32 * TcpStack::BytesPerConnection(config_))
        << b.send << " " << b.recv;
  }
}

// --- Reentrancy -----------------------------------------------------------

TEST_F(TcpStackTest, AbortInsideOnData) {
  Recorder r;
  TcpConnId id;
  int data_calls = 0;
  r.on_data = [&](std::string_view) {
    ++data_calls;
    stack().Abort(id);
  };
  id = Open(r);
  const uint32_t base = rcv_;
  Peer(kPshAck, base + 3, snd_, "two");  // buffered: a second OnData would follow
  TakeSent();
  Peer(kPshAck | kTcpFin, base, snd_, "one");
  EXPECT_EQ(data_calls, 1);
  EXPECT_EQ(r.data, "one");
  EXPECT_EQ(r.peer_closed, 0);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kAborted);
  const Sent rst = TakeOne();  // the RST and nothing after it
  EXPECT_EQ(rst.flags(), kRstAck);
  EXPECT_EQ(rst.tcp.seq, snd_);
  EXPECT_EQ(stack().active(), 0u);
  EXPECT_EQ(stack().Send(id, "x"), 0u);
  stack().Abort(id);  // a dead id is ignored
  EXPECT_EQ(r.closed_calls, 1);
}

TEST_F(TcpStackTest, AbortInsideOnConnected) {
  Recorder r;
  TcpConnId id;
  r.on_connected = [&] { stack().Abort(id); };
  absl::StatusOr<TcpConnId> c = stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_);
  ASSERT_TRUE(c.ok());
  id = *c;
  const Sent syn = TakeOne();
  port_ = syn.tcp.sport;
  Peer(kSynAck, peer_isn_, syn.tcp.seq + 1, "", 65535, MssOption(1460));
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kAborted);
  const Sent rst = TakeOne();  // no ACK after the RST
  EXPECT_EQ(rst.flags(), kRstAck);
  EXPECT_EQ(rst.tcp.ack, peer_isn_ + 1);
  AdvanceTo(now_ + 5000);
  EXPECT_TRUE(TakeSent().empty());
}

// A handler that answers each request and closes when the peer does, all
// from inside its callbacks; then connects again from OnClosed into the
// slot just freed.
TEST_F(TcpStackTest, SendAndCloseFromCallbacksAndConnectFromOnClosed) {
  config_.max_connections = 1;
  Recorder r, next;
  TcpConnId id;
  r.on_connected = [&] { EXPECT_EQ(stack().Send(id, "hello?"), 6u); };
  r.on_data = [&](std::string_view bytes) {
    stack().Send(id, std::string("re:") + std::string(bytes));
  };
  r.on_peer_closed = [&] { stack().Close(id); };
  absl::StatusOr<TcpConnId> reconnected;
  r.on_closed = [&] {
    reconnected = stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &next, now_);
  };
  absl::StatusOr<TcpConnId> c = stack().Connect(Ipv4Address(kRemoteIp), kRemotePort, &r, now_);
  ASSERT_TRUE(c.ok());
  id = *c;
  const Sent syn = TakeOne();
  port_ = syn.tcp.sport;
  snd_ = syn.tcp.seq + 1;
  rcv_ = peer_isn_ + 1;
  Peer(kSynAck, peer_isn_, snd_, "", 65535, MssOption(1460));
  // The request carries the handshake's ACK: one segment.
  Sent s = TakeOne();
  EXPECT_EQ(s.payload, "hello?");
  EXPECT_EQ(s.tcp.ack, rcv_);
  snd_ += 6;
  PeerData("ping");
  s = TakeOne();
  EXPECT_EQ(s.payload, "re:ping");
  EXPECT_EQ(s.tcp.ack, rcv_);
  snd_ += 7;
  Peer(kFinAck, rcv_, snd_);
  s = TakeOne();
  EXPECT_EQ(s.flags(), kFinAck);
  EXPECT_EQ(s.tcp.ack, rcv_ + 1);
  Peer(kTcpAck, rcv_ + 1, snd_ + 1);
  EXPECT_EQ(r.closed_calls, 1);
  EXPECT_EQ(r.reason, TcpCloseReason::kClosed);
  ASSERT_TRUE(reconnected.ok()) << reconnected.status();
  EXPECT_EQ(reconnected->index, id.index);
  EXPECT_NE(reconnected->generation, id.generation);
  EXPECT_EQ(TakeOne().flags(), kTcpSyn);
  EXPECT_EQ(stack().active(), 1u);
}

}  // namespace
}  // namespace tlsweep
