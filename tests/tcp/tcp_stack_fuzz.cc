// libFuzzer target: the userspace TCP stack against a scripted peer whose
// every move the fuzzer chooses, through TcpStack's public interface only.
//
// The input is a script of operations (FuzzedDataProvider): a segment from
// the peer of one of the connections (any flags, sequence and
// acknowledgement numbers exact or off by a chosen amount from what the peer
// and the stack have sent, any window, options on a SYN, up to 1460 bytes of
// payload), time passing, the user sending, closing or aborting, a new
// connection, the link refusing frames. The peer learns the stack's sequence
// numbers from the frames it sends, so scripts can complete handshakes and
// acknowledge data.
//
// Checked after every operation (std::abort on a violation):
//   - nothing is allocated on the heap inside OnSegment, Tick, Send, Close
//     or Abort (the stack's memory is its constructor's pools);
//   - the stack never holds more connections than max_connections, nor more
//     than send_buffer bytes to send per connection;
//   - a handler receives no more bytes than its peer sent, nothing after the
//     peer's FIN or after OnClosed, and OnClosed once;
//   - every frame the stack emits fits the space it reserved, parses as a
//     TCP segment with valid checksums from our address, and carries no more
//     payload than our MSS.
#include <fuzzer/FuzzedDataProvider.h>
#include <sanitizer/allocator_interface.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "packet/parse.h"
#include "tcp/tcp_stack.h"

namespace tlsweep {
namespace {

constexpr uint32_t kLocalIp = 0x0a4d0064;   // 10.77.0.100
constexpr uint32_t kRemoteIp = 0x0a4d0003;  // 10.77.0.3
constexpr uint16_t kPortFirst = 40000;
constexpr uint32_t kMaxConnections = 4;
constexpr size_t kMaxPayload = 1460;
constexpr size_t kMaxOps = 512;

// Heap allocations made while the stack runs a data-path call, counted on
// the fuzzing thread only: libFuzzer's own threads (the RSS watcher)
// allocate at any moment, and once made the check fail in CI.
thread_local size_t g_data_path_allocations = 0;
thread_local bool g_in_data_path = false;

void MallocHook(const volatile void*, size_t) {
  if (g_in_data_path) ++g_data_path_allocations;
}
void FreeHook(const volatile void*) {}

// Marks a data-path call for the allocation check.
class DataPath {
 public:
  DataPath() { g_in_data_path = true; }
  ~DataPath() { g_in_data_path = false; }
};

// The peer's view of one connection.
struct Peer {
  TcpConnId id;
  bool connected = false;  // Connect() succeeded
  uint16_t local_port = 0;  // the stack's port, from its SYN
  uint16_t remote_port = 0;
  uint32_t next_seq = 0;      // the peer's next sequence number
  uint32_t stack_next = 0;    // the stack's highest seq + len seen
  uint64_t payload_sent = 0;  // by the peer, in segments accepted or not
};

class Handler : public TcpHandler {
 public:
  void OnConnected(uint64_t) override { Check(); }
  void OnData(std::string_view bytes, uint64_t) override {
    Check();
    if (peer_closed_ || bytes.empty()) std::abort();
    received_ += bytes.size();
    if (peer_ != nullptr && received_ > peer_->payload_sent) std::abort();
  }
  void OnPeerClosed(uint64_t) override {
    Check();
    peer_closed_ = true;
  }
  void OnClosed(TcpCloseReason reason, uint64_t) override {
    Check();
    if (TcpCloseReasonName(reason).empty()) std::abort();
    closed_ = true;
  }
  void Reset(const Peer* peer) {
    peer_ = peer;
    received_ = 0;
    peer_closed_ = false;
    closed_ = false;
  }
  bool closed() const { return closed_; }

 private:
  void Check() const {
    if (closed_) std::abort();
  }
  const Peer* peer_ = nullptr;
  uint64_t received_ = 0;
  bool peer_closed_ = false;
  bool closed_ = false;
};

// The link: one frame at a time, parsed back and shown to the peer.
class Link : public FrameSink {
 public:
  explicit Link(std::array<Peer, kMaxConnections>* peers) : peers_(peers) {}
  uint8_t* Reserve(uint16_t max_len) override {
    if (full || max_len > buf_.size()) return nullptr;
    reserved_ = max_len;
    return buf_.data();
  }
  void Commit(uint16_t len) override {
    if (len > reserved_) std::abort();
    ParsedFrame f;
    if (ParseFrame(buf_.data(), len, &f) != ParseResult::kTcp) std::abort();
    const ParsedTcp& t = f.tcp;
    if (t.saddr != Ipv4Address(kLocalIp) || t.daddr != Ipv4Address(kRemoteIp) ||
        t.payload_len > kMaxPayload) {
      std::abort();
    }
    for (Peer& p : *peers_) {
      if (!p.connected || p.remote_port != t.dport) continue;
      if (p.local_port == 0 || (t.flags & 0x02)) p.local_port = t.sport;
      if (p.local_port != t.sport) continue;
      const uint32_t end = t.seq + t.payload_len + ((t.flags & 0x03) ? 1 : 0);
      if (static_cast<int32_t>(end - p.stack_next) > 0 || (t.flags & 0x02)) {
        p.stack_next = end;
      }
    }
  }
  bool full = false;

 private:
  std::array<uint8_t, 2048> buf_{};
  uint16_t reserved_ = 0;
  std::array<Peer, kMaxConnections>* peers_;
};

const std::array<uint8_t, kMaxPayload>& PayloadBytes() {
  static const std::array<uint8_t, kMaxPayload> bytes = [] {
    std::array<uint8_t, kMaxPayload> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>('a' + i % 26);
    return b;
  }();
  return bytes;
}

uint32_t Offset(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? 0 : static_cast<uint32_t>(in.ConsumeIntegral<int16_t>());
}

void RunScript(FuzzedDataProvider& in) {
  TcpStackConfig config;
  config.local_mac = MacAddress({0x02, 0, 0, 0, 0, 0x64});
  config.gateway_mac = MacAddress({0x02, 0, 0, 0, 0, 0x01});
  config.local_ip = Ipv4Address(kLocalIp);
  config.port_first = kPortFirst;
  config.port_last = kPortFirst + 15;
  config.max_connections = kMaxConnections;
  config.recv_window = 4096;
  config.send_buffer = 2048;
  config.isn_key[0] = 0x0123456789abcdef;
  config.isn_key[1] = 0xfedcba9876543210;
  if (in.ConsumeBool()) config.fixed_isn = in.ConsumeIntegral<uint32_t>();

  std::array<Peer, kMaxConnections> peers{};
  std::array<Handler, kMaxConnections> handlers{};
  Link link(&peers);
  TcpStack stack(config, link);
  uint64_t now = 0;
  // A new connection to the peer at `index` (remote port 25 + index).
  auto Connect = [&](size_t index) {
    Peer& p = peers[index];
    p = Peer();
    p.remote_port = static_cast<uint16_t>(25 + index);
    p.connected = true;  // before Connect(), so the link credits its SYN
    handlers[index].Reset(&p);
    if (auto id = stack.Connect(Ipv4Address(kRemoteIp), p.remote_port,
                                &handlers[index], now);
        id.ok()) {
      p.id = *id;
    } else {
      p.connected = false;
    }
  };
  for (size_t i = 0; i < kMaxConnections; ++i) Connect(i);

  for (size_t op = 0; op < kMaxOps && in.remaining_bytes() > 0; ++op) {
    const uint8_t what = in.ConsumeIntegral<uint8_t>();
    Peer& p = peers[in.ConsumeIntegralInRange<size_t>(0, kMaxConnections - 1)];
    const size_t index = static_cast<size_t>(&p - peers.data());
    switch (what % 8) {
      case 0:
      case 1:
      case 2: {  // a segment from the peer
        if (!p.connected) break;
        ParsedTcp seg;
        seg.saddr = Ipv4Address(kRemoteIp);
        seg.daddr = Ipv4Address(kLocalIp);
        seg.sport = p.remote_port;
        seg.dport = in.ConsumeBool() ? p.local_port : in.ConsumeIntegral<uint16_t>();
        seg.flags = in.ConsumeIntegral<uint8_t>();
        if (seg.flags & 0x02) {  // a SYN: the peer (re)picks its ISN
          if (in.ConsumeBool()) p.next_seq = in.ConsumeIntegral<uint32_t>();
          seg.options.has_mss = in.ConsumeBool();
          seg.options.mss = in.ConsumeIntegral<uint16_t>();
          seg.options.has_wscale = in.ConsumeBool();
          seg.options.wscale = in.ConsumeIntegral<uint8_t>();
          seg.options.sack_permitted = in.ConsumeBool();
        }
        const uint32_t seq_off = Offset(in);
        seg.seq = p.next_seq + seq_off;
        seg.ack = p.stack_next + Offset(in);
        seg.window = in.ConsumeIntegral<uint16_t>();
        seg.ttl = 64;
        seg.payload_len = in.ConsumeIntegralInRange<uint16_t>(0, kMaxPayload);
        p.payload_sent += seg.payload_len;
        if (seq_off == 0) {
          p.next_seq += seg.payload_len + ((seg.flags & 0x03) ? 1 : 0);
        }
        DataPath d;
        stack.OnSegment(seg, PayloadBytes().data(), now);
        break;
      }
      case 3: {  // time passes: retransmissions, persist probes, timeouts
        now += in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 2000)
                                : in.ConsumeIntegralInRange<uint64_t>(0, 120000);
        DataPath d;
        stack.Tick(now);
        break;
      }
      case 4: {
        const size_t n = in.ConsumeIntegralInRange<size_t>(0, 3000);
        DataPath d;
        const size_t queued = stack.Send(
            p.id, std::string_view(reinterpret_cast<const char*>(PayloadBytes().data()),
                                   std::min(n, kMaxPayload)));
        if (queued > config.send_buffer) std::abort();
        break;
      }
      case 5: {
        DataPath d;
        stack.Close(p.id);
        break;
      }
      case 6: {
        DataPath d;
        stack.Abort(p.id);
        break;
      }
      case 7:
        if (in.ConsumeBool()) {
          link.full = !link.full;
          break;
        }
        if (p.connected && !handlers[index].closed()) break;
        Connect(index);
        break;
    }
    if (g_data_path_allocations != 0) std::abort();
    if (stack.active() > kMaxConnections) std::abort();
    for (const Peer& q : peers) {
      if (q.connected && stack.SendSpace(q.id) > config.send_buffer) std::abort();
    }
  }
}

}  // namespace
}  // namespace tlsweep

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  __sanitizer_install_malloc_and_free_hooks(tlsweep::MallocHook, tlsweep::FreeHook);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  tlsweep::RunScript(in);
  return 0;
}
