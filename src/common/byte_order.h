// Explicit big-endian loads and stores for wire formats.
//
// Headers are decoded field by field from byte pointers, never by casting a
// packed struct over a buffer: that keeps alignment and aliasing defined and
// makes the byte order visible at every use. Values are host-order integers
// everywhere else; the conversion happens only here, at the wire.
#ifndef TLSWEEP_COMMON_BYTE_ORDER_H_
#define TLSWEEP_COMMON_BYTE_ORDER_H_

#include <cstdint>

namespace tlsweep {

inline uint16_t LoadBe16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}
inline uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace tlsweep

#endif  // TLSWEEP_COMMON_BYTE_ORDER_H_
