// A scan answer as the receive path hands it to the output stage, with
// fixed addresses, TTL, window and time, for the tests of the record
// writers (record_json_test, result_output_test) to build their inputs
// from one definition.
#ifndef TLSWEEP_TESTS_TESTING_SCAN_RESULT_H_
#define TLSWEEP_TESTS_TESTING_SCAN_RESULT_H_

#include <cstdint>

#include "common/net_types.h"
#include "scan/response_handler.h"
#include "validate/validator.h"

namespace tlsweep::testing {

// 2023-11-14T22:13:20.123456Z
inline constexpr uint64_t kScanTimestampNs = 1700000000123456789ull;

// An answer of `target`:`port` classified `c` (an ICMP unreachable names
// its responder and code, the others carry a window).
inline ScanResult SampleScanResult(const char* target, uint16_t port,
                                   Classification c, bool repeat = false) {
  ScanResult r;
  r.response.target = *Ipv4Address::Parse(target);
  r.response.port = port;
  r.response.saddr = *Ipv4Address::Parse("10.9.0.1");
  r.response.sport = 40123;
  r.response.classification = c;
  r.response.success = c == Classification::kSynAck;
  r.response.ttl = 57;
  if (c == Classification::kIcmpUnreachable) {
    r.response.icmp_responder = *Ipv4Address::Parse("10.77.0.254");
    r.response.icmp_code = 13;
  } else {
    r.response.window = 64240;
  }
  r.repeat = repeat;
  r.timestamp_ns = kScanTimestampNs;
  return r;
}

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_SCAN_RESULT_H_
