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
  const Action action = Classify(frame, len, result, reply);
  if (action == Action::kResult) Record(result, now_ns);
  return action;
}

void ResponseHandler::HandleBurst(const uint8_t* const* frames, const uint16_t* lens,
                                  size_t n, uint64_t now_ns, Action* actions,
                                  ScanResult* results,
                                  uint8_t (*replies)[kArpFrameLen]) {
  for (size_t i = 0; i < n; ++i) {
    actions[i] = Classify(frames[i], lens[i], &results[i], replies[i]);
    if (actions[i] == Action::kResult) {
      dedup_.Prefetch(results[i].response.target, results[i].response.port);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (actions[i] == Action::kResult) Record(&results[i], now_ns);
  }
}

ResponseHandler::Action ResponseHandler::Classify(const uint8_t* frame, size_t len,
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
  return v == ValidateResult::kValid ? Action::kResult : Action::kNone;
}

void ResponseHandler::Record(ScanResult* result, uint64_t now_ns) {
  result->repeat = !dedup_.Insert(result->response.target, result->response.port);
  result->timestamp_ns = now_ns;
  if (result->repeat) {
    ++counters_.repeats;
    return;
  }
  switch (result->response.classification) {
    case Classification::kSynAck: ++counters_.synack; break;
    case Classification::kRst: ++counters_.rst; break;
    case Classification::kIcmpUnreachable: ++counters_.icmp_unreach; break;
  }
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
