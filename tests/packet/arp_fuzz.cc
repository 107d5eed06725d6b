// libFuzzer target: ParseArp on arbitrary frames. Anything it accepts must
// survive the responder's round trip: the reply built from it parses back
// as a reply addressed to the requester.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "packet/arp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::optional<tlsweep::ArpMessage> m = tlsweep::ParseArp(data, size);
  if (!m) return 0;
  const tlsweep::MacAddress our_mac({0x02, 0, 0, 0, 0, 0x64});
  const tlsweep::Ipv4Address our_ip(0x0a4d0064);
  uint8_t reply[tlsweep::kArpFrameLen];
  if (tlsweep::BuildArpReply(*m, our_mac, our_ip, reply) != sizeof(reply)) std::abort();
  const std::optional<tlsweep::ArpMessage> back = tlsweep::ParseArp(reply, sizeof(reply));
  if (!back || back->op != tlsweep::kArpOpReply || back->target_ip != m->sender_ip ||
      back->sender_ip != our_ip) {
    std::abort();
  }
  return 0;
}
