// Set-up, lazy allocation and memory accounting for Dedup; the per-response
// Insert is inline in dedup.h. See dedup.h for the choice between the paged
// bitmap and the hash set.
#include "validate/dedup.h"

#include <sys/mman.h>

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
  return uint64_t{ports} * (kPageTableBytes + pages * kPageBytes);
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
    bitmaps_.resize(distinct, nullptr);
  } else {
    set_.reserve(pairs);
  }
  fixed_bytes_ = port_index_.size() * sizeof(port_index_[0]) +
                 bitmaps_.size() * sizeof(bitmaps_[0]);
}

Dedup::~Dedup() {
  for (PortBitmap* b : bitmaps_) {
    if (b == nullptr) continue;
    munmap(b->words, kPagesPerPort * kPageBytes);
    delete b;
  }
}

Dedup::PortBitmap* Dedup::MapBitmap(uint32_t index) {
  // 512 MiB of address space, no memory yet: the kernel supplies zeroed
  // pages on first touch. MAP_NORESERVE: no swap reservation for what a
  // scan may never touch.
  const size_t bytes = kPagesPerPort * kPageBytes;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    ++allocation_failures_;
    return nullptr;
  }
  // Huge pages where the kernel allows them (THP "madvise" or "always");
  // without them the bitmap still works, with more TLB misses.
  madvise(p, bytes, MADV_HUGEPAGE);
  auto* bitmap = new (std::nothrow) PortBitmap();
  if (bitmap == nullptr) {
    munmap(p, bytes);
    ++allocation_failures_;
    return nullptr;
  }
  bitmap->words = static_cast<uint64_t*>(p);
  bitmaps_[index] = bitmap;
  ++bitmaps_mapped_;
  return bitmap;
}

uint64_t Dedup::memory_bytes() const {
  if (!uses_bitmap_) return fixed_bytes_ + HashTableBytes(set_.capacity());
  return fixed_bytes_ + bitmaps_mapped_ * kPageTableBytes +
         pages_allocated_ * kPageBytes;
}

}  // namespace tlsweep
