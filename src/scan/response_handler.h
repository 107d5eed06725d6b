// The receive side's per-frame logic, without a NIC: parse, answer ARP,
// validate against the cookie, classify, de-duplicate.
//
// The receive lcore calls Handle() for every frame of a burst; nothing here
// allocates, logs or blocks, and every frame that is not a probe answer ends
// in a counter. Results leave through the caller (one ScanResult per valid
// answer) so that formatting and I/O stay off the data plane.
#ifndef TLSWEEP_SCAN_RESPONSE_HANDLER_H_
#define TLSWEEP_SCAN_RESPONSE_HANDLER_H_

#include <cstdint>
#include <optional>

#include "common/net_types.h"
#include "packet/arp.h"
#include "packet/parse.h"
#include "scan/scan_config.h"
#include "validate/dedup.h"
#include "validate/validator.h"

namespace tlsweep {

struct ScanResult {
  ScanResponse response;
  bool repeat = false;        // (target, port) answered before
  uint64_t timestamp_ns = 0;  // wall clock, ns since the Unix epoch
};

struct ReceiveCounters {
  uint64_t frames = 0;
  ParseCounters parse;
  ValidateCounters validate;
  uint64_t synack = 0;         // unique SYN-ACKs: open ports (hits)
  uint64_t rst = 0;            // unique RSTs: closed ports
  uint64_t icmp_unreach = 0;   // unique ICMP unreachables: filtered
  uint64_t repeats = 0;        // valid answers for an already answered target
  uint64_t arp_replies_sent = 0;
  uint64_t arp_ignored = 0;    // ARP not for us, or malformed

  // Frames that were neither a valid answer nor ARP: the "invalid" figure of
  // the status line.
  uint64_t invalid() const {
    return parse.dropped() + validate.invalid() - validate[ValidateResult::kNotAProbeAnswer];
  }
};

class ResponseHandler {
 public:
  enum class Action { kNone, kResult, kArpReply };

  // `our_mac` is the port's address, answered for every source address of
  // the plan. `dedup` is owned by the caller (one per receive lcore).
  ResponseHandler(const ScanPlan& plan, const MacAddress& our_mac, Dedup& dedup);

  // Waits for the ARP reply of `ip` (the gateway) from now on.
  void ExpectGateway(Ipv4Address ip) { gateway_ip_ = ip; }
  std::optional<MacAddress> gateway_mac() const { return gateway_mac_; }

  // The most frames HandleBurst takes at once (the RX burst size).
  static constexpr size_t kMaxBurst = 32;

  // Handles one frame received at wall time `now_ns`. kResult: `*result`
  // holds a validated answer. kArpReply: `reply` (kArpFrameLen bytes) holds
  // an ARP reply to transmit. kNone: the frame was counted and is done.
  Action Handle(const uint8_t* frame, size_t len, uint64_t now_ns,
                ScanResult* result, uint8_t* reply);

  // Handles frames[0..n) (n <= kMaxBurst) as Handle does each, with
  // actions[i], results[i] and replies[i] for frame i. All frames are parsed
  // and validated first and their dedup entries prefetched, then
  // de-duplicated: in a sweep every answer's bit is a cache miss, and a
  // burst's misses then overlap instead of following one another.
  void HandleBurst(const uint8_t* const* frames, const uint16_t* lens, size_t n,
                   uint64_t now_ns, Action* actions, ScanResult* results,
                   uint8_t (*replies)[kArpFrameLen]);

  const ReceiveCounters& counters() const { return counters_; }

 private:
  Action HandleArp(const uint8_t* frame, size_t len, uint8_t* reply);
  // Everything but dedup: kResult means a valid answer still to de-duplicate.
  Action Classify(const uint8_t* frame, size_t len, ScanResult* result,
                  uint8_t* reply);
  // De-duplicates a classified answer and counts it.
  void Record(ScanResult* result, uint64_t now_ns);

  const ScanPlan& plan_;
  const Validator validator_;
  const MacAddress our_mac_;
  Dedup& dedup_;
  std::optional<Ipv4Address> gateway_ip_;
  std::optional<MacAddress> gateway_mac_;
  ReceiveCounters counters_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_RESPONSE_HANDLER_H_
