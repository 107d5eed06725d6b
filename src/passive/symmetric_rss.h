// The Toeplitz hash of receive-side scaling (RSS), and the symmetric key
// that makes it give both directions of a TCP connection the same value, so
// that a passive capture spread over lcores sees each connection whole on
// one of them.
//
// Toeplitz is what NICs compute for RSS (Microsoft's "RSS hashing"
// specification; DPDK's rte_thash.h). With Microsoft's default key,
// hash(a->b) differs from hash(b->a). Woo and Park ("Scalable TCP Session
// Monitoring with Symmetric Receive-side Scaling", KAIST technical report,
// 2012) showed that a key repeating one 16-bit pattern makes it symmetric:
// the input is src address, dst address, src port, dst port, and swapping
// two fields whose offsets differ by a multiple of 16 bits meets the same
// key bits; 0x6d5a repeated keeps the default key's first two bytes and
// spreads flows evenly (their evaluation). The price: with a key of period
// 16 bits the hash depends only on the XOR of the tuple's 16-bit words, so
// it has 16 bits of entropy, plenty to pick one of a few lcores.
//
// The same function runs in software where a port has no RSS (DPDK's
// net_pcap, af_packet's single queue): one receive lcore hashes each frame
// and hands it to the analyzer lcore the NIC would have chosen.
#ifndef TLSWEEP_PASSIVE_SYMMETRIC_RSS_H_
#define TLSWEEP_PASSIVE_SYMMETRIC_RSS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tlsweep {

// 40 bytes: the RSS key length of most NICs (ixgbe, and DPDK's
// RTE_ETH_RSS_KEY_LEN-sized defaults); longer keys (i40e's 52 bytes) take
// the same pattern, see SymmetricRssKey.
inline constexpr size_t kRssKeyLen = 40;

// The symmetric key, 0x6d 0x5a repeated, `len` bytes long into `key`.
void SymmetricRssKey(std::span<uint8_t> key);

// Toeplitz hash of `input` under `key` (Microsoft's RSS definition: for
// every set bit of the input, from the most significant bit of the first
// byte, XOR in the 32 key bits that start at that bit's position). `key`
// must be at least input.size() + 4 bytes long.
uint32_t ToeplitzHash(std::span<const uint8_t> key, std::span<const uint8_t> input);

// The symmetric RSS hash of an Ethernet frame: over (src, dst, sport,
// dport) for an unfragmented IPv4 TCP or UDP segment, over the two
// addresses for other IPv4 (a fragment's ports are in its first piece
// only, as NICs do), 0 for anything else (ARP, IPv6, a truncated header).
// One 802.1Q tag is looked through.
uint32_t SymmetricFrameHash(std::span<const uint8_t> frame);

// Which of `workers` lcores takes a frame of hash `hash` (NICs index their
// redirection table by the hash's low bits; a modulo spreads as evenly for
// worker counts that are not powers of two).
inline uint32_t WorkerOf(uint32_t hash, uint32_t workers) { return hash % workers; }

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_SYMMETRIC_RSS_H_
