// libFuzzer target: one direction's reassembly (TcpStream over the shared
// ring pool) under arbitrary segments, ACKs and ends.
//
// Input: records of 5 bytes: op (low 2 bits: 0 segment, 1 segment with
// other bytes, 2 peer ACK, 3 FIN segment), offset (2 bytes, from the ISN),
// length (1 byte), and a byte whose high 4 bits are how many more bytes
// of the segment a snaplen cut (the capture kept `length`). Segment bytes
// are the true stream's
// (byte i of the stream is i * 31 + 7) unless the op asks for other bytes.
//
// Checked: the sink sees the stream in order: each delivered byte is at the
// position data plus gaps reached, and while no segment carried other
// bytes every delivered byte is the true one; positions only grow; after
// Finish() the ring is back in the pool.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "passive/tcp_stream.h"

namespace {

uint8_t Truth(uint64_t i) { return static_cast<uint8_t>(i * 31 + 7); }

struct CheckingSink final : tlsweep::StreamSink {
  void OnData(std::string_view bytes) override {
    for (char c : bytes) {
      if (exact && static_cast<uint8_t>(c) != Truth(position)) std::abort();
      ++position;
    }
  }
  void OnGap(uint32_t bytes) override { position += bytes; }
  uint64_t position = 0;
  bool exact = true;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  constexpr uint32_t kIsn = 0xffffff00;  // every input crosses the wrap
  RingPool pool(1, 256);
  TcpStream stream;
  CheckingSink sink;
  stream.Start(kIsn, /*syn=*/true);
  std::vector<uint8_t> payload;
  for (size_t at = 0; at + 5 <= size; at += 5) {
    const uint8_t op = data[at] & 3;
    const uint32_t offset = static_cast<uint32_t>(data[at + 1] << 8 | data[at + 2]);
    const uint32_t len = data[at + 3];
    const uint32_t seq = kIsn + 1 + offset;
    if (op == 2) {
      stream.PeerAcked(seq, pool, sink);
      continue;
    }
    payload.resize(len);
    for (uint32_t i = 0; i < len; ++i) {
      payload[i] = op == 1 ? static_cast<uint8_t>(~Truth(offset + i)) : Truth(offset + i);
    }
    if (op == 1) sink.exact = false;
    const uint64_t before = sink.position;
    const uint32_t cut = data[at + 4] >> 4;
    stream.Segment(seq, payload.data(), len, op == 3, pool, sink, cut);
    if (sink.position < before) std::abort();
  }
  stream.Finish(pool, sink);
  if (pool.Acquire() < 0) std::abort();  // the ring went back
  return 0;
}
