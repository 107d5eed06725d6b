// Stateless validation and classification of probe answers.
//
// No per-probe state is kept: everything needed to decide whether a frame
// answers one of our probes is recomputed from the frame itself with the
// scan's keyed cookie (cookie.h). A SYN-ACK must acknowledge cookie + 1; a
// RST must carry cookie or cookie + 1 (RFC 9293 3.10.7.1 resets a SYN with
// ack = seq + 1, some stacks send the bare seq); an ICMP destination
// unreachable must quote our probe's addresses, ports and cookie. The
// destination port of a reply must be the source port the cookie chose.
// Everything else is counted by reason and dropped.
#ifndef TLSWEEP_VALIDATE_VALIDATOR_H_
#define TLSWEEP_VALIDATE_VALIDATOR_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "common/net_types.h"
#include "packet/parse.h"
#include "validate/cookie.h"

namespace tlsweep {

// The scan's own source addresses: `count` consecutive addresses from
// `first` (ZMap's -S a.b.c.d-a.b.c.e).
struct SourceRange {
  Ipv4Address first;
  uint32_t count = 1;

  bool Contains(Ipv4Address a) const {
    return a.value() - first.value() < count;  // wraps for a < first
  }
  // The source address used for probes to `daddr`: spread over the range by
  // a multiplicative hash (Knuth's 2^32 / phi) and a multiply-shift, so the
  // choice is stable per target and costs no division.
  Ipv4Address For(Ipv4Address daddr) const {
    const uint32_t h = daddr.value() * 0x9e3779b1u;
    return Ipv4Address(first.value() +
                       static_cast<uint32_t>((uint64_t{h} * count) >> 32));
  }
};

enum class Classification : uint8_t { kSynAck, kRst, kIcmpUnreachable };

// "synack", "rst", "icmp-unreach": the names ZMap's output uses.
std::string_view ClassificationName(Classification c);

// One validated answer, as the scan records it.
struct ScanResponse {
  Ipv4Address target;  // the probed address
  uint16_t port = 0;   // the probed port
  Ipv4Address saddr;   // our source address of the probe
  uint16_t sport = 0;  // our source port of the probe
  Classification classification = Classification::kSynAck;
  bool success = false;  // true for a SYN-ACK: the port is open
  uint8_t ttl = 0;
  uint16_t window = 0;
  TcpOptionsSeen options;
  Ipv4Address icmp_responder;  // for kIcmpUnreachable
  uint8_t icmp_code = 0;
};

enum class ValidateResult : uint8_t {
  kValid,
  kNotForUs,         // destination is not one of our source addresses
  kWrongPort,        // destination port is not the cookie's source port
  kBadAck,           // acknowledgement does not match the cookie
  kUnexpectedFlags,  // neither SYN-ACK nor RST (a bare ACK, a SYN, data)
  kNotAProbeAnswer,  // not TCP or ICMP unreachable at all
  kCount,
};

std::string_view ValidateResultName(ValidateResult r);

struct ValidateCounters {
  std::array<uint64_t, static_cast<size_t>(ValidateResult::kCount)> by_result{};
  void Count(ValidateResult r) { ++by_result[static_cast<size_t>(r)]; }
  uint64_t operator[](ValidateResult r) const {
    return by_result[static_cast<size_t>(r)];
  }
  uint64_t invalid() const;  // everything but kValid
};

class Validator {
 public:
  Validator(const Cookies& cookies, SourceRange sources)
      : cookies_(cookies), sources_(sources) {}

  // Decides whether a parsed frame answers one of our probes. On kValid
  // fills `out`; otherwise `out` is unspecified.
  ValidateResult Validate(ParseResult kind, const ParsedFrame& frame,
                          ScanResponse* out) const;

 private:
  ValidateResult ValidateTcp(const ParsedTcp& tcp, ScanResponse* out) const;
  ValidateResult ValidateIcmp(const ParsedIcmpUnreachable& icmp,
                              ScanResponse* out) const;

  const Cookies& cookies_;
  SourceRange sources_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_VALIDATE_VALIDATOR_H_
