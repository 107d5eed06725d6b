// libFuzzer target: ParseFrame on arbitrary frames, as the receive lcore
// sees them from the Internet.
//
// Each input is parsed twice, with and without checksum verification (the
// NIC-offload path), so the fuzzer reaches the TCP and ICMP decoders without
// having to forge checksums, and the two verdicts must agree: verification
// may only turn a frame into a checksum drop, never change what was decoded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "packet/parse.h"

namespace tlsweep {
namespace {

bool IsChecksumDrop(ParseResult r) {
  return r == ParseResult::kBadIpChecksum || r == ParseResult::kBadTcpChecksum ||
         r == ParseResult::kBadIcmpChecksum;
}

}  // namespace
}  // namespace tlsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tlsweep::ParseResult;
  tlsweep::ParsedFrame verified;
  tlsweep::ParsedFrame offloaded;
  const ParseResult v = tlsweep::ParseFrame(data, size, &verified, true);
  const ParseResult o = tlsweep::ParseFrame(data, size, &offloaded, false);
  if (v != o && !tlsweep::IsChecksumDrop(v)) std::abort();
  if (v == ParseResult::kTcp) {
    const tlsweep::ParsedTcp& t = verified.tcp;
    // The payload the TCP stack will read lies inside the frame.
    if (size_t{t.payload_offset} + t.payload_len > size) std::abort();
    const tlsweep::ParsedTcp& u = offloaded.tcp;
    if (t.saddr != u.saddr || t.daddr != u.daddr || t.sport != u.sport ||
        t.dport != u.dport || t.seq != u.seq || t.ack != u.ack ||
        t.flags != u.flags || t.window != u.window ||
        t.payload_len != u.payload_len || t.payload_offset != u.payload_offset) {
      std::abort();
    }
  }
  if (o == ParseResult::kTcp) {
    const tlsweep::ParsedTcp& t = offloaded.tcp;
    if (size_t{t.payload_offset} + t.payload_len > size) std::abort();
  }
  if (tlsweep::ParseResultName(v).empty()) std::abort();
  // The option decoder alone, on the same bytes.
  tlsweep::TcpOptionsSeen options;
  tlsweep::ParseTcpOptions(data, size, &options);
  return 0;
}
