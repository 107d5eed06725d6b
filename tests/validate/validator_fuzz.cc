// libFuzzer target: the scan's receive path, ParseFrame then
// Validator::Validate, on arbitrary frames.
//
// Checksums are left unverified (the NIC-offload path) so that the fuzzer's
// frames reach the validator. A random frame almost never carries a valid
// cookie, so every frame the parser accepts is also validated a second time
// with its acknowledgement and destination port forged to the cookie's (as
// an answer to one of our probes would carry them): that reaches the
// accepting branches. Whatever is accepted must name the probe it answers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "packet/parse.h"
#include "validate/cookie.h"
#include "validate/validator.h"

namespace tlsweep {
namespace {

constexpr SipKey kKey = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
// 10.77.0.100 - 10.77.0.103: addresses of the seed frames (tests/testing/frames.h).
const SourceRange kSources{Ipv4Address(0x0a4d0064), 4};

void Check(const Validator& validator, ParseResult kind, const ParsedFrame& frame) {
  ScanResponse response;
  const ValidateResult r = validator.Validate(kind, frame, &response);
  if (ValidateResultName(r).empty()) std::abort();
  if (r != ValidateResult::kValid) return;
  if (!kSources.Contains(response.saddr)) std::abort();
  if (ClassificationName(response.classification).empty()) std::abort();
  if (kind == ParseResult::kTcp &&
      (response.target != frame.tcp.saddr || response.port != frame.tcp.sport ||
       response.sport != frame.tcp.dport)) {
    std::abort();
  }
}

}  // namespace
}  // namespace tlsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  static const Cookies cookies(kKey, 40000, 1000);
  static const Validator validator(cookies, kSources);
  ParsedFrame frame;
  const ParseResult kind = ParseFrame(data, size, &frame, false);
  Check(validator, kind, frame);
  if (kind == ParseResult::kTcp) {
    ParsedTcp& t = frame.tcp;
    const Cookies::Value c = cookies.Make(t.daddr, t.saddr, t.sport);
    t.dport = c.sport;
    t.ack = c.seq + (t.seq & 1);  // SYN-ACKs acknowledge seq + 1; RSTs either
    Check(validator, kind, frame);
  } else if (kind == ParseResult::kIcmpUnreachable) {
    ParsedIcmpUnreachable& i = frame.icmp;
    const Cookies::Value c = cookies.Make(i.quoted_saddr, i.quoted_daddr, i.quoted_dport);
    i.quoted_sport = c.sport;
    i.quoted_seq = c.seq;
    Check(validator, kind, frame);
  }
  return 0;
}
