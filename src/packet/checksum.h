// The Internet checksum (RFC 1071) and its incremental form (RFC 1624).
//
// Written here rather than taken from DPDK's rte_raw_cksum() because this
// stage must build and be unit-tested without DPDK (only src/nic/ includes
// rte_*.h), and because the probe builder never recomputes a whole header:
// it starts from the precomputed sum of a frame template and adds only the
// per-target words, which is cheaper than any full-buffer routine.
//
// Sums are kept unfolded in 64 bits (a frame of up to 2^48 bytes cannot
// overflow them) and folded once at the end.
#ifndef TLSWEEP_PACKET_CHECKSUM_H_
#define TLSWEEP_PACKET_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

namespace tlsweep {

// Adds the bytes at `data` to `sum` as big-endian 16-bit words; an odd final
// byte is padded with zero (RFC 1071 section 4.1).
uint64_t ChecksumAdd(const uint8_t* data, size_t len, uint64_t sum = 0);

// Adds the 16-bit halves of a 32-bit value (an address, a sequence number).
constexpr uint64_t ChecksumAdd32(uint32_t v, uint64_t sum = 0) {
  return sum + (v >> 16) + (v & 0xffff);
}

// Folds a 64-bit running sum to 16 bits with end-around carry.
constexpr uint16_t ChecksumFold(uint64_t sum) {
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// The value to store in a checksum field: the one's complement of the folded
// sum of everything it covers (with the field itself taken as zero).
constexpr uint16_t ChecksumFinish(uint64_t sum) {
  return static_cast<uint16_t>(~ChecksumFold(sum));
}

// Sum of the TCP/UDP pseudo-header (RFC 793 section 3.1) for IPv4.
constexpr uint64_t PseudoHeaderSum(uint32_t saddr, uint32_t daddr,
                                   uint8_t protocol, uint16_t l4_length) {
  return ChecksumAdd32(saddr) + ChecksumAdd32(daddr) + protocol + l4_length;
}

// True when a header including its checksum field sums to 0xffff, i.e. the
// checksum is correct (RFC 1071: the receiver's sum is all ones).
inline bool ChecksumValid(uint64_t sum_including_field) {
  return ChecksumFold(sum_including_field) == 0xffff;
}

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_CHECKSUM_H_
