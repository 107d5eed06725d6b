#include "packet/checksum.h"

#include <bit>
#include <cstring>

namespace tlsweep {

uint64_t ChecksumAdd(const uint8_t* data, size_t len, uint64_t sum) {
  // Eight bytes at a time: the one's-complement sum is byte-order independent
  // up to a final swap (RFC 1071 section 2(B)), so native 32-bit halves are
  // summed and the result swapped once if the host is little-endian.
  uint64_t native = 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    native += (w & 0xffffffff) + (w >> 32);
  }
  for (; i + 2 <= len; i += 2) {
    uint16_t w;
    std::memcpy(&w, data + i, 2);
    native += w;
  }
  if (i < len) {
    // The odd byte is the high half of a big-endian word.
    uint8_t last[2] = {data[i], 0};
    uint16_t w;
    std::memcpy(&w, last, 2);
    native += w;
  }
  uint16_t folded = ChecksumFold(native);
  if constexpr (std::endian::native == std::endian::little) {
    folded = static_cast<uint16_t>((folded >> 8) | (folded << 8));
  }
  return sum + folded;
}

}  // namespace tlsweep
