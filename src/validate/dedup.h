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
//   512 MiB at most per port, split into pages of kPageBytes = 64 KiB
//   (2^19 addresses, a /13) that are allocated, zeroed, on first hit. A page
//   table of 2^13 pointers (64 KiB) per port is itself allocated on the
//   port's first hit. 64 KiB pages: big enough that the page table stays
//   small (64 KiB, L2-resident) and a full sweep makes only 8192 allocations
//   per port; small enough that a scan of a few dense CIDR blocks pays little
//   rounding (a /16 costs one 64 KiB page instead of 8 KiB of bits), and
//   that the ~14 % of IPv4 that is reserved or blocklisted (0/8, 10/8,
//   127/8, 224/3, ...: whole /8s, i.e. 32 pages each) never gets pages.
//
// * Hash set (small scans): an absl::flat_hash_set<uint64_t> of
//   (address << 16 | port index), reserved up front for every (target, port)
//   pair so that Insert never rehashes. Its memory is fixed and predictable:
//   about 9 bytes per slot (8-byte key + 1 control byte) and between 8/7 and
//   16/7 slots per pair, i.e. 10-21 bytes per pair.
//
// Choice: the one with the smaller worst case. The hash set's is exact
// (HashModeBytes); the bitmap's worst case is every target in its own page,
// ports * (64 KiB table + min(targets, 8192) * 64 KiB), i.e. 512 MiB per port
// once targets >= 8192. For one port this puts the switch at about 29 million
// targets (where the set's table doubles to 2^26 slots = 576 MiB): a full
// sweep (3.7e9) uses the bitmap, a list of a few million hosts uses the set.
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
  // Page geometry of bitmap mode (see the file comment for the choice).
  static constexpr int kPageShift = 19;  // addresses per page = 2^19 (a /13)
  static constexpr size_t kPageBytes = (size_t{1} << kPageShift) / 8;  // 64 KiB
  static constexpr size_t kPagesPerPort = size_t{1} << (32 - kPageShift);
  static constexpr size_t kPageTableBytes = kPagesPerPort * sizeof(void*);

  // ports: the scan's port list; a port's index is its position in the list
  // (a repeated port keeps the index of its first occurrence).
  // expected_targets: number of addresses in the target space (values above
  // 2^32 are treated as 2^32). Allocates the port index (256 KiB) and, in hash
  // mode, the whole hash table; bitmap pages come later, on first hit.
  Dedup(std::span<const uint16_t> ports, uint64_t expected_targets);

  Dedup(const Dedup&) = delete;
  Dedup& operator=(const Dedup&) = delete;

  // Records (address, port). Returns true the first time this pair is seen,
  // false for a repeat.
  //
  // A port that is not in the port list returns false and is not stored (it
  // is counted in unknown_port_count()). The caller only passes validated
  // responses, whose port is always one we probed, so this never happens in
  // a correct scan; if it does, "not new" is the safe answer: true would
  // make the caller emit a result, once per packet, for a port never scanned.
  //
  // Allocation: none in hash mode while the number of distinct pairs stays
  // within the reservation (targets x ports, which validated responses cannot
  // exceed). In bitmap mode, the first hit on a port allocates its 64 KiB page
  // table and the first hit in a page allocates that 64 KiB page; at most
  // 8192 pages + 1 table per port over a whole scan. If such an allocation
  // fails, returns true (a possible duplicate is better than a lost result)
  // and counts it in allocation_failures().
  bool Insert(Ipv4Address address, uint16_t port) {
    const uint32_t index = port_index_[port];
    if (index == kNotScanned) {
      ++unknown_port_count_;
      return false;
    }
    if (!uses_bitmap_) {
      return set_.insert((uint64_t{address.value()} << 16) | index).second;
    }
    PageTable* table = tables_[index].get();
    if (table == nullptr && (table = AllocateTable(index)) == nullptr) {
      return true;
    }
    const uint32_t a = address.value();
    uint64_t* page = table->pages[a >> kPageShift].get();
    if (page == nullptr && (page = AllocatePage(*table, a >> kPageShift)) ==
                               nullptr) {
      return true;
    }
    const uint32_t bit = a & ((uint32_t{1} << kPageShift) - 1);
    uint64_t& word = page[bit >> 6];
    const uint64_t mask = uint64_t{1} << (bit & 63);
    if ((word & mask) != 0) return false;
    word |= mask;
    return true;
  }

  // Bytes allocated now: port index, page tables and pages (bitmap mode) or
  // the hash table's backing array (hash mode). For the run's metadata.
  uint64_t memory_bytes() const;
  // True in bitmap mode, false in hash-set mode.
  bool uses_bitmap() const { return uses_bitmap_; }
  // Bitmap pages allocated so far (0 in hash mode).
  uint64_t pages_allocated() const { return pages_allocated_; }
  // Insert calls whose port was not in the port list.
  uint64_t unknown_port_count() const { return unknown_port_count_; }
  // Insert calls that could not allocate a page or page table.
  uint64_t allocation_failures() const { return allocation_failures_; }

  // Bytes the hash set would allocate when reserved for `pairs` entries, and
  // the bitmap's worst case for this target space; the constructor picks the
  // smaller. Exposed for tests and for the run's metadata.
  static uint64_t HashModeBytes(uint64_t pairs);
  static uint64_t BitmapWorstCaseBytes(size_t ports, uint64_t targets);

 private:
  static constexpr uint32_t kNotScanned = 0xffffffffU;
  static constexpr size_t kWordsPerPage = kPageBytes / sizeof(uint64_t);
  struct PageTable {
    std::unique_ptr<uint64_t[]> pages[kPagesPerPort];
  };

  PageTable* AllocateTable(uint32_t index);
  uint64_t* AllocatePage(PageTable& table, uint32_t page_number);

  bool uses_bitmap_ = false;
  // port number -> index in the port list, or kNotScanned. 65536 entries
  // (256 KiB) so the lookup is one load for any port list; only the entries
  // of scanned ports are ever touched on the data path.
  std::vector<uint32_t> port_index_;
  // Bitmap mode: one lazily allocated page table per port index.
  std::vector<std::unique_ptr<PageTable>> tables_;
  // Hash mode.
  absl::flat_hash_set<uint64_t> set_;

  uint64_t fixed_bytes_ = 0;  // port index + table-pointer vector
  uint64_t tables_allocated_ = 0;
  uint64_t pages_allocated_ = 0;
  uint64_t unknown_port_count_ = 0;
  uint64_t allocation_failures_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_VALIDATE_DEDUP_H_
