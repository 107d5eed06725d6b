// Exact duplicate suppression of scan responses, in bounded memory.
//
// Hosts answer a SYN more than once (SYN-ACK retransmissions, RST after
// SYN-ACK, ICMP repeats), and a scan that sends several probes per target
// gets several answers; the results must hold one record per (address, port).
// The set is exact -- no Bloom filter -- because a false "seen" would silently
// drop an open port from a measurement.
//
// Two representations, fixed at construction:
//
// * Bitmap (large scans): per port, one bit per IPv4 address, 2^32 bits =
//   512 MiB, reserved as one anonymous mapping (MAP_NORESERVE) on the port's
//   first hit and advised for transparent huge pages (MADV_HUGEPAGE). The
//   kernel backs it lazily, zero-filled, one 2 MiB page (2^24 addresses, a
//   /8) at a time, so memory follows what answered, and an insert is one
//   load with no page table to chase. 2 MiB pages because a sweep's answers
//   land all over the space: with 4 KiB pages nearly every insert was a TLB
//   miss on top of a cache miss (bench/RESULTS.md measured 2 Mpps on the
//   receive path that way); 256 huge pages per port fit the TLB. Pages
//   first touched are counted for memory_bytes(). Blocklisted /8s (0/8,
//   10/8, 127/8, 224/3, ...) are never touched.
//
// * Hash set (small scans): an absl::flat_hash_set<uint64_t> of
//   (address << 16 | port index), reserved up front for every (target, port)
//   pair so that Insert never rehashes. Its memory is fixed and predictable:
//   about 9 bytes per slot (8-byte key + 1 control byte) and between 8/7 and
//   16/7 slots per pair, i.e. 10-21 bytes per pair.
//
// Choice: the one with the smaller worst case. The hash set's is exact
// (HashModeBytes); the bitmap's worst case is every target in its own page,
// ports * min(targets, 256) * 2 MiB, i.e. 512 MiB per port once targets >=
// 256. For one port this puts the switch at about 29 million targets (where
// the set's table doubles to 2^26 slots = 576 MiB): a full sweep (3.7e9)
// uses the bitmap, a list of a few million hosts uses the set.
// It also keeps an all-ports scan of a few hosts (65536 ports x 256
// addresses) in the set (288 MiB) rather than in bitmap pages (up to 1 TiB).
//
// Not thread-safe: one Dedup per receiving thread, or external locking.
#ifndef TLSWEEP_VALIDATE_DEDUP_H_
#define TLSWEEP_VALIDATE_DEDUP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "common/net_types.h"

namespace tlsweep {

class Dedup {
 public:
  // One bitmap page: 2^24 addresses (a /8), 2 MiB, an x86-64 huge page.
  static constexpr int kPageShift = 24;
  static constexpr size_t kPageBytes = (size_t{1} << kPageShift) / 8;
  static constexpr size_t kPagesPerPort = size_t{1} << (32 - kPageShift);
  // Per-port bookkeeping besides the mapping: the mapping's address and the
  // touched-page flags (sizeof(PortBitmap)).
  static constexpr size_t kPageTableBytes = sizeof(uint64_t*) + kPagesPerPort;

  // ports: the scan's port list (index = position; a repeated port shares
  // its first index); expected_targets: size of the target space.
  Dedup(std::span<const uint16_t> ports, uint64_t expected_targets);
  ~Dedup();
  Dedup(const Dedup&) = delete;
  Dedup& operator=(const Dedup&) = delete;

  // Records (address, port). Returns true the first time, false for a
  // repeat. A port not in the scan returns false, is not stored and is
  // counted (unknown_port_count); if the bitmap cannot be mapped the answer
  // is reported as new (true) and counted (allocation_failures): a possible
  // duplicate is better than a lost result.
  bool Insert(Ipv4Address address, uint16_t port) {
    const uint32_t index = port_index_[port];
    if (index == kNotScanned) {
      ++unknown_port_count_;
      return false;
    }
    if (!uses_bitmap_) {
      return set_.insert((uint64_t{address.value()} << 16) | index).second;
    }
    PortBitmap* bitmap = bitmaps_[index];
    if (bitmap == nullptr && (bitmap = MapBitmap(index)) == nullptr) return true;
    const uint32_t a = address.value();
    if (!bitmap->touched[a >> kPageShift]) {
      bitmap->touched[a >> kPageShift] = true;
      ++pages_allocated_;
    }
    uint64_t& word = bitmap->words[a >> 6];
    const uint64_t mask = uint64_t{1} << (a & 63);
    if ((word & mask) != 0) return false;
    word |= mask;
    return true;
  }

  // Starts fetching the bitmap word of (address, port) into the cache, so
  // that a burst's inserts overlap their memory latency. A no-op in hash
  // mode, for unknown ports and before the port's first insert.
  void Prefetch(Ipv4Address address, uint16_t port) const {
    if (!uses_bitmap_) return;
    const uint32_t index = port_index_[port];
    if (index == kNotScanned || bitmaps_[index] == nullptr) return;
    __builtin_prefetch(&bitmaps_[index]->words[address.value() >> 6], 1, 0);
  }

  // Bytes in use now: pages touched, bookkeeping and the hash table.
  uint64_t memory_bytes() const;
  bool uses_bitmap() const { return uses_bitmap_; }
  // Bitmap pages (2 MiB) touched so far.
  uint64_t pages_allocated() const { return pages_allocated_; }
  uint64_t unknown_port_count() const { return unknown_port_count_; }
  uint64_t allocation_failures() const { return allocation_failures_; }

  // The hash set's memory for `pairs` (target, port) pairs (exact), and the
  // bitmap's worst case: the two figures the constructor compares.
  static uint64_t HashModeBytes(uint64_t pairs);
  static uint64_t BitmapWorstCaseBytes(size_t ports, uint64_t targets);

 private:
  static constexpr uint32_t kNotScanned = 0xffffffffU;

  struct PortBitmap {
    uint64_t* words = nullptr;  // 2^26 words, mapped
    bool touched[kPagesPerPort] = {};
  };

  static_assert(sizeof(PortBitmap) == kPageTableBytes);

  PortBitmap* MapBitmap(uint32_t index);

  bool uses_bitmap_ = false;
  std::vector<uint32_t> port_index_;
  std::vector<PortBitmap*> bitmaps_;  // owned; unmapped by the destructor
  absl::flat_hash_set<uint64_t> set_;
  uint64_t fixed_bytes_ = 0;  // port index + bitmap pointers
  uint64_t bitmaps_mapped_ = 0;
  uint64_t pages_allocated_ = 0;
  uint64_t unknown_port_count_ = 0;
  uint64_t allocation_failures_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_VALIDATE_DEDUP_H_
