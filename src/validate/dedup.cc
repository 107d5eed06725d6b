// Set-up, lazy allocation and memory accounting for Dedup; the per-response
// Insert is inline in dedup.h. See dedup.h for the choice between the paged
// bitmap and the hash set.
#include "validate/dedup.h"

#include <algorithm>
#include <bit>
#include <new>

namespace tlsweep {
namespace {

constexpr uint64_t kAddressSpace = uint64_t{1} << 32;
constexpr size_t kPortSpace = size_t{1} << 16;

// Control bytes of an absl raw_hash_set beyond one per slot: the sentinel and
// the Group::kWidth - 1 cloned bytes (absl/container/internal/raw_hash_set.h,
// kWidth = 16 with SSE2).
constexpr uint64_t kHashExtraControlBytes = 16;
// Bytes per slot: the 8-byte key and its control byte.
constexpr uint64_t kHashBytesPerSlot = sizeof(uint64_t) + 1;

uint64_t HashTableBytes(uint64_t capacity) {
  if (capacity == 0) return 0;
  return capacity * kHashBytesPerSlot + kHashExtraControlBytes;
}

}  // namespace

uint64_t Dedup::HashModeBytes(uint64_t pairs) {
  if (pairs == 0) return 0;
  // absl's reserve(n): capacity = the smallest 2^k - 1 that holds n at the
  // maximum load factor of 7/8 (GrowthToLowerboundCapacity, then
  // NormalizeCapacity in raw_hash_set.h).
  const uint64_t lower_bound = pairs + (pairs - 1) / 7;
  const uint64_t capacity = (~uint64_t{0}) >> std::countl_zero(lower_bound);
  return HashTableBytes(capacity);
}

uint64_t Dedup::BitmapWorstCaseBytes(size_t ports, uint64_t targets) {
  const uint64_t pages = std::min<uint64_t>(targets, kPagesPerPort);
  return uint64_t{ports} * (sizeof(PageTable) + pages * kPageBytes);
}

Dedup::Dedup(std::span<const uint16_t> ports, uint64_t expected_targets)
    : port_index_(kPortSpace, kNotScanned) {
  uint32_t distinct = 0;
  for (const uint16_t port : ports) {
    if (port_index_[port] == kNotScanned) port_index_[port] = distinct++;
  }
  const uint64_t targets = std::min(expected_targets, kAddressSpace);
  const uint64_t pairs = targets * distinct;
  uses_bitmap_ = HashModeBytes(pairs) > BitmapWorstCaseBytes(distinct, targets);
  if (uses_bitmap_) {
    tables_.resize(distinct);
  } else {
    set_.reserve(pairs);
  }
  fixed_bytes_ = port_index_.size() * sizeof(port_index_[0]) +
                 tables_.size() * sizeof(tables_[0]);
}

Dedup::PageTable* Dedup::AllocateTable(uint32_t index) {
  // Value-initialised: every page pointer starts null.
  tables_[index].reset(new (std::nothrow) PageTable());
  if (tables_[index] == nullptr) {
    ++allocation_failures_;
    return nullptr;
  }
  ++tables_allocated_;
  return tables_[index].get();
}

uint64_t* Dedup::AllocatePage(PageTable& table, uint32_t page_number) {
  // `()` zero-fills: every address in the page starts unseen.
  table.pages[page_number].reset(new (std::nothrow) uint64_t[kWordsPerPage]());
  if (table.pages[page_number] == nullptr) {
    ++allocation_failures_;
    return nullptr;
  }
  ++pages_allocated_;
  return table.pages[page_number].get();
}

uint64_t Dedup::memory_bytes() const {
  if (!uses_bitmap_) return fixed_bytes_ + HashTableBytes(set_.capacity());
  return fixed_bytes_ + tables_allocated_ * sizeof(PageTable) +
         pages_allocated_ * kPageBytes;
}

}  // namespace tlsweep
