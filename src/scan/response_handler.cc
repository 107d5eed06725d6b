#include "scan/response_handler.h"

namespace tlsweep {

ResponseHandler::ResponseHandler(const ScanPlan& plan, const MacAddress& our_mac,
                                 Dedup& dedup)
    : plan_(plan),
      validator_(plan.cookies(), plan.config().sources),
      our_mac_(our_mac),
      dedup_(dedup) {}

ResponseHandler::Action ResponseHandler::Handle(const uint8_t* frame, size_t len,
                                                uint64_t now_ns,
                                                ScanResult* result,
                                                uint8_t* reply) {
  ++counters_.frames;
  ParsedFrame parsed;
  const ParseResult kind = ParseFrame(frame, len, &parsed);
  counters_.parse.Count(kind);
  if (kind == ParseResult::kArp) return HandleArp(frame, len, reply);
  if (kind != ParseResult::kTcp && kind != ParseResult::kIcmpUnreachable) {
    return Action::kNone;
  }
  ValidateResult v = validator_.Validate(kind, parsed, &result->response);
  // The cookie proves the answer is to a probe of ours; the target must also
  // still be in the scan (a forged answer from outside it is not a result).
  if (v == ValidateResult::kValid &&
      !plan_.allowed().allowed.Contains(result->response.target)) {
    v = ValidateResult::kNotForUs;
  }
  counters_.validate.Count(v);
  if (v != ValidateResult::kValid) return Action::kNone;
  result->repeat = !dedup_.Insert(result->response.target, result->response.port);
  result->timestamp_ns = now_ns;
  if (result->repeat) {
    ++counters_.repeats;
  } else {
    switch (result->response.classification) {
      case Classification::kSynAck: ++counters_.synack; break;
      case Classification::kRst: ++counters_.rst; break;
      case Classification::kIcmpUnreachable: ++counters_.icmp_unreach; break;
    }
  }
  return Action::kResult;
}

ResponseHandler::Action ResponseHandler::HandleArp(const uint8_t* frame,
                                                   size_t len, uint8_t* reply) {
  const std::optional<ArpMessage> m = ParseArp(frame, len);
  if (!m) {
    ++counters_.arp_ignored;
    return Action::kNone;
  }
  if (m->op == kArpOpReply && gateway_ip_ && m->sender_ip == *gateway_ip_) {
    gateway_mac_ = m->sender_mac;
    return Action::kNone;
  }
  if (m->op == kArpOpRequest && plan_.config().sources.Contains(m->target_ip)) {
    BuildArpReply(*m, our_mac_, m->target_ip, reply);
    ++counters_.arp_replies_sent;
    return Action::kArpReply;
  }
  ++counters_.arp_ignored;
  return Action::kNone;
}

}  // namespace tlsweep
