#include "validate/validator.h"

#include "packet/headers.h"

namespace tlsweep {

std::string_view ClassificationName(Classification c) {
  switch (c) {
    case Classification::kSynAck: return "synack";
    case Classification::kRst: return "rst";
    case Classification::kIcmpUnreachable: return "icmp-unreach";
  }
  return "?";
}

std::string_view ValidateResultName(ValidateResult r) {
  switch (r) {
    case ValidateResult::kValid: return "valid";
    case ValidateResult::kNotForUs: return "not_for_us";
    case ValidateResult::kWrongPort: return "wrong_port";
    case ValidateResult::kBadAck: return "bad_ack";
    case ValidateResult::kUnexpectedFlags: return "unexpected_flags";
    case ValidateResult::kNotAProbeAnswer: return "not_a_probe_answer";
    case ValidateResult::kCount: break;
  }
  return "?";
}

uint64_t ValidateCounters::invalid() const {
  uint64_t n = 0;
  for (size_t i = 1; i < by_result.size(); ++i) n += by_result[i];
  return n;
}

ValidateResult Validator::Validate(ParseResult kind, const ParsedFrame& frame,
                                   ScanResponse* out) const {
  switch (kind) {
    case ParseResult::kTcp:
      return ValidateTcp(frame.tcp, out);
    case ParseResult::kIcmpUnreachable:
      return ValidateIcmp(frame.icmp, out);
    default:
      return ValidateResult::kNotAProbeAnswer;
  }
}

ValidateResult Validator::ValidateTcp(const ParsedTcp& tcp,
                                      ScanResponse* out) const {
  if (!sources_.Contains(tcp.daddr)) return ValidateResult::kNotForUs;
  // Cheap filter before the hash: a port outside our range is no answer.
  if (!cookies_.SportInRange(tcp.dport)) return ValidateResult::kWrongPort;
  // The reply's source is the probe's destination and vice versa.
  const Cookies::Value cookie = cookies_.Make(tcp.daddr, tcp.saddr, tcp.sport);
  if (tcp.dport != cookie.sport) return ValidateResult::kWrongPort;
  const uint8_t syn_ack_rst = tcp.flags & (kTcpSyn | kTcpAck | kTcpRst);
  if (syn_ack_rst == (kTcpSyn | kTcpAck)) {
    if (tcp.ack != cookie.seq + 1) return ValidateResult::kBadAck;
    out->classification = Classification::kSynAck;
    out->success = true;
  } else if ((tcp.flags & kTcpRst) != 0) {
    if (tcp.ack != cookie.seq + 1 && tcp.ack != cookie.seq) {
      return ValidateResult::kBadAck;
    }
    out->classification = Classification::kRst;
    out->success = false;
  } else {
    return ValidateResult::kUnexpectedFlags;
  }
  out->target = tcp.saddr;
  out->port = tcp.sport;
  out->saddr = tcp.daddr;
  out->sport = tcp.dport;
  out->ttl = tcp.ttl;
  out->window = tcp.window;
  out->options = tcp.options;
  out->icmp_responder = Ipv4Address();
  out->icmp_code = 0;
  return ValidateResult::kValid;
}

ValidateResult Validator::ValidateIcmp(const ParsedIcmpUnreachable& icmp,
                                       ScanResponse* out) const {
  if (!sources_.Contains(icmp.daddr) || icmp.quoted_saddr != icmp.daddr) {
    return ValidateResult::kNotForUs;
  }
  if (!cookies_.SportInRange(icmp.quoted_sport)) return ValidateResult::kWrongPort;
  const Cookies::Value cookie =
      cookies_.Make(icmp.quoted_saddr, icmp.quoted_daddr, icmp.quoted_dport);
  if (icmp.quoted_sport != cookie.sport) return ValidateResult::kWrongPort;
  if (icmp.quoted_seq != cookie.seq) return ValidateResult::kBadAck;
  out->target = icmp.quoted_daddr;
  out->port = icmp.quoted_dport;
  out->saddr = icmp.quoted_saddr;
  out->sport = icmp.quoted_sport;
  out->classification = Classification::kIcmpUnreachable;
  out->success = false;
  out->ttl = icmp.ttl;
  out->window = 0;
  out->options = TcpOptionsSeen{};
  out->icmp_responder = icmp.responder;
  out->icmp_code = icmp.code;
  return ValidateResult::kValid;
}

}  // namespace tlsweep
