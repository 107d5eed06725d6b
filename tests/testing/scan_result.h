// A scan answer as the receive path hands it to the output stage, with
// fixed addresses, TTL, window and time, for the tests of the record
// writers (record_json_test, result_output_test) to build their inputs
// from one definition; and the field-by-field comparison of two answers for
// the tests of the files that store them (resume_test, journal_test).
#ifndef TLSWEEP_TESTS_TESTING_SCAN_RESULT_H_
#define TLSWEEP_TESTS_TESTING_SCAN_RESULT_H_

#include <cstdint>

#include "common/net_types.h"
#include "gtest/gtest.h"
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

// An open port's SYN-ACK with every TCP option set (MSS, window scale, SACK,
// timestamps), for the tests of the files that keep open ports (resume and
// journal); its time differs per target.
inline ScanResult SampleOpenPort(Ipv4Address target, uint16_t port) {
  ScanResult r;
  r.response.target = target;
  r.response.port = port;
  r.response.saddr = *Ipv4Address::Parse("10.9.0.1");
  r.response.sport = 40001;
  r.response.classification = Classification::kSynAck;
  r.response.success = true;
  r.response.ttl = 61;
  r.response.window = 64240;
  r.response.options = {.has_mss = true, .has_wscale = true, .sack_permitted = true,
                        .has_timestamps = true, .mss = 1460, .wscale = 7, .ts_val = 4000000001u,
                        .ts_ecr = 17};
  r.timestamp_ns = 1'764'000'000'123'456'789ull + target.value();
  return r;
}

// Expects `a` and `b` to be the same answer, field by field, the repeat
// flag included (files that store results, resume and journal, must give
// them back unchanged).
inline void ExpectSameScanResult(const ScanResult& a, const ScanResult& b) {
  EXPECT_EQ(a.response.target, b.response.target);
  EXPECT_EQ(a.response.port, b.response.port);
  EXPECT_EQ(a.response.saddr, b.response.saddr);
  EXPECT_EQ(a.response.sport, b.response.sport);
  EXPECT_EQ(a.response.classification, b.response.classification);
  EXPECT_EQ(a.response.success, b.response.success);
  EXPECT_EQ(a.response.ttl, b.response.ttl);
  EXPECT_EQ(a.response.window, b.response.window);
  const TcpOptionsSeen& x = a.response.options;
  const TcpOptionsSeen& y = b.response.options;
  EXPECT_EQ(x.has_mss, y.has_mss);
  EXPECT_EQ(x.has_wscale, y.has_wscale);
  EXPECT_EQ(x.sack_permitted, y.sack_permitted);
  EXPECT_EQ(x.has_timestamps, y.has_timestamps);
  EXPECT_EQ(x.mss, y.mss);
  EXPECT_EQ(x.wscale, y.wscale);
  EXPECT_EQ(x.ts_val, y.ts_val);
  EXPECT_EQ(x.ts_ecr, y.ts_ecr);
  EXPECT_EQ(a.repeat, b.repeat);
  EXPECT_EQ(a.timestamp_ns, b.timestamp_ns);
}

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_SCAN_RESULT_H_
