// A SYN-ACK as Linux sends it (MSS, SACK-permitted, timestamps, window
// scale: 74 bytes), answering the probe `p`: from (daddr, dport) to (saddr,
// sport), acknowledging p.seq + 1. For the receive-path benchmarks, which
// need millions of valid answers fast (tests build theirs with frames.h,
// whose checksums are independent of src/packet).
#ifndef TLSWEEP_TESTS_TESTING_SYNACK_H_
#define TLSWEEP_TESTS_TESTING_SYNACK_H_

#include <cstdint>
#include <cstring>

#include "common/byte_order.h"
#include "common/net_types.h"
#include "packet/checksum.h"
#include "packet/probe.h"

namespace tlsweep::testing {

inline constexpr size_t kSynAckLen = 74;

inline void WriteSynAck(const ProbeFields& p, const MacAddress& to_mac, uint32_t isn,
                        uint8_t* f) {
  std::memset(f, 0, kSynAckLen);
  std::memcpy(f, to_mac.bytes().data(), 6);
  const uint8_t from_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
  std::memcpy(f + 6, from_mac, 6);
  StoreBe16(f + 12, 0x0800);
  uint8_t* ip = f + 14;
  ip[0] = 0x45;
  StoreBe16(ip + 2, 60);
  StoreBe16(ip + 6, 0x4000);
  ip[8] = 57;
  ip[9] = 6;
  StoreBe32(ip + 12, p.daddr.value());
  StoreBe32(ip + 16, p.saddr.value());
  StoreBe16(ip + 10, ChecksumFinish(ChecksumAdd(ip, 20)));
  uint8_t* tcp = ip + 20;
  StoreBe16(tcp, p.dport);
  StoreBe16(tcp + 2, p.sport);
  StoreBe32(tcp + 4, isn);
  StoreBe32(tcp + 8, p.seq + 1);
  tcp[12] = 0xa0;
  tcp[13] = 0x12;
  StoreBe16(tcp + 14, 65160);
  const uint8_t opts[] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7};
  std::memcpy(tcp + 20, opts, sizeof(opts));
  StoreBe16(tcp + 16, ChecksumFinish(PseudoHeaderSum(p.daddr.value(), p.saddr.value(), 6, 40) +
                                     ChecksumAdd(tcp, 40)));
}

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_SYNACK_H_
