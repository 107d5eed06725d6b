// ZMap-style stateless probe validation: the scanner keeps no table of probes
// sent. Every field that lets it recognise an answer -- the SYN's sequence
// number, its source port and its IP ID -- is a keyed hash of the probe's
// (source address, destination address, destination port), so the receive
// path recomputes the same Value from the answer's addresses and ports and
// compares (a SYN-ACK must acknowledge seq + 1 and arrive on sport).
//
// The key is secret and fresh per scan (RandomKey), so an off-path host can
// neither forge an answer for a target it was not probed as nor make answers
// from one scan count in another. SipHash-2-4 is a PRF: the 64 output bits are
// independent, which is what lets one hash feed three fields.
//
// Bits of h = SipHash24Tuple(key, saddr, daddr, dport) used:
//   seq   = h bits 0..31
//   sport = sport_first + ((h bits 32..63) * sport_count) >> 32   (multiply-
//           shift range reduction, Lemire 2019: no division per probe; the
//           bias is at most sport_count / 2^32 < 2^-16 per port)
//   ip_id = h bits 32..47
// ip_id shares its bits with the sport input rather than using bits 48..63
// because the multiply-shift result depends almost entirely on the *high*
// bits of its input (for sport_count <= 2^16, sport is fixed by bits 48..63
// up to a carry from below), so bits 32..47 are the part of h that is
// independent of both seq and sport.
#ifndef TLSWEEP_VALIDATE_COOKIE_H_
#define TLSWEEP_VALIDATE_COOKIE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "validate/siphash.h"

namespace tlsweep {

class Cookies {
 public:
  // Source ports are drawn from [sport_first, sport_first + sport_count - 1].
  // Preconditions (checked by the caller, at flag parsing): sport_count >= 1
  // and sport_first + sport_count - 1 <= 65535.
  Cookies(const SipKey& key, uint16_t sport_first, uint16_t sport_count);

  // The per-probe fields, in host order.
  struct Value {
    uint32_t seq;
    uint16_t sport;
    uint16_t ip_id;
    friend bool operator==(const Value&, const Value&) = default;
  };

  // Returns the fields of the probe from `saddr` to (`daddr`, `dport`); the
  // same inputs under the same key always give the same Value. Never
  // allocates; safe to call concurrently (the object is immutable).
  Value Make(Ipv4Address saddr, Ipv4Address daddr, uint16_t dport) const {
    const uint64_t h =
        SipHash24Tuple(key_, saddr.value(), daddr.value(), dport);
    const uint64_t high = h >> 32;
    return Value{
        static_cast<uint32_t>(h),
        static_cast<uint16_t>(sport_first_ + ((high * sport_count_) >> 32)),
        static_cast<uint16_t>(high),
    };
  }

  // Returns true if `port` is in the source-port range, i.e. could be the
  // sport of some probe. A cheap first filter before recomputing Make.
  bool SportInRange(uint16_t port) const {
    return static_cast<uint32_t>(port - sport_first_) < sport_count_;
  }

  uint16_t sport_first() const { return sport_first_; }
  uint32_t sport_count() const { return sport_count_; }
  const SipKey& key() const { return key_; }

  // Returns a fresh uniformly random key from getrandom(2), or the error
  // when the kernel cannot supply one. There is no weaker fallback: a scan
  // under a guessable key would accept forged answers. Runs once at
  // start-up, never on network input.
  static absl::StatusOr<SipKey> RandomKey();

 private:
  SipKey key_;
  uint32_t sport_first_;
  uint32_t sport_count_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_VALIDATE_COOKIE_H_
