// The TCP stack's cost per connection, with no NIC and no peer work in the
// loop: Connect, handshake, 4 KiB from the peer in three segments, the
// peer's FIN answered by ours, the final ACK. Peer segments are prebuilt
// ParsedTcp values (what ParseFrame would yield); only the SYN is parsed
// back, for the port and ISN. Every frame the stack writes goes into one
// reused buffer, as it would into an mbuf.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "benchmark/benchmark.h"
#include "packet/headers.h"
#include "packet/parse.h"
#include "tcp/tcp_stack.h"

namespace tlsweep {
namespace {

constexpr uint32_t kLocal = 0xc0000201;   // 192.0.2.1
constexpr uint32_t kRemote = 0xc6336401;  // 198.51.100.1
constexpr uint16_t kMss = 1460;
constexpr uint32_t kTransfer = 4096;

class BufferSink : public FrameSink {
 public:
  uint8_t* Reserve(uint16_t) override { return frame_; }
  void Commit(uint16_t len) override { len_ = len; }
  const uint8_t* frame() const { return frame_; }
  uint16_t len() const { return len_; }

 private:
  uint8_t frame_[2048];
  uint16_t len_ = 0;
};

// Reads the answer, then closes when the peer does.
class Grabber : public TcpHandler {
 public:
  void OnConnected(uint64_t) override {}
  void OnData(std::string_view bytes, uint64_t) override { received += bytes.size(); }
  void OnPeerClosed(uint64_t) override { stack->Close(id); }
  void OnClosed(TcpCloseReason reason, uint64_t) override {
    closed_ok = reason == TcpCloseReason::kClosed;
  }
  TcpStack* stack = nullptr;
  TcpConnId id;
  size_t received = 0;
  bool closed_ok = false;
};

void BM_HandshakeTransferClose(benchmark::State& state) {
  TcpStackConfig config;
  config.local_ip = Ipv4Address(kLocal);
  config.max_connections = 16;
  BufferSink sink;
  TcpStack stack(config, sink);
  static const uint8_t payload[kTransfer] = {};
  ParsedTcp seg;
  seg.saddr = Ipv4Address(kRemote);
  seg.daddr = Ipv4Address(kLocal);
  seg.sport = 443;
  seg.window = 65535;
  uint64_t now = 1;
  int64_t failures = 0;
  for (auto _ : state) {
    Grabber g;
    g.stack = &stack;
    const absl::StatusOr<TcpConnId> id =
        stack.Connect(Ipv4Address(kRemote), 443, &g, now);
    g.id = *id;
    ParsedFrame syn;
    ParseFrame(sink.frame(), sink.len(), &syn, /*verify_checksums=*/false);
    const uint32_t ours = syn.tcp.seq + 1;
    uint32_t theirs = 7000;
    seg.dport = syn.tcp.sport;
    seg.flags = kTcpSyn | kTcpAck;
    seg.seq = theirs++;
    seg.ack = ours;
    seg.payload_len = 0;
    seg.options.has_mss = true;
    seg.options.mss = kMss;
    stack.OnSegment(seg, nullptr, now);
    seg.options = TcpOptionsSeen{};
    seg.flags = kTcpAck | kTcpPsh;
    for (uint32_t off = 0; off < kTransfer; off += kMss) {
      seg.seq = theirs;
      seg.payload_len = static_cast<uint16_t>(std::min<uint32_t>(kMss, kTransfer - off));
      stack.OnSegment(seg, payload + off, now);
      theirs += seg.payload_len;
    }
    seg.flags = kTcpFin | kTcpAck;
    seg.seq = theirs++;
    seg.payload_len = 0;
    stack.OnSegment(seg, nullptr, now);  // our FIN goes out from OnPeerClosed
    seg.flags = kTcpAck;
    seg.seq = theirs;
    seg.ack = ours + 1;
    stack.OnSegment(seg, nullptr, now);
    failures += !(g.closed_ok && g.received == kTransfer);
    stack.Tick(++now);
  }
  if (failures != 0) state.SkipWithError("a connection did not complete");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kTransfer);
}
BENCHMARK(BM_HandshakeTransferClose);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
