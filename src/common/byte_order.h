// Explicit big-endian loads and stores for wire formats.
//
// Headers are decoded field by field from byte pointers, never by casting a
// packed struct over a buffer: that keeps alignment and aliasing defined and
// makes the byte order visible at every use. Be16/Be32 hold a value that is
// already in network order, so a field can be precomputed once (a template)
// and stored without a swap per packet.
#ifndef TLSWEEP_COMMON_BYTE_ORDER_H_
#define TLSWEEP_COMMON_BYTE_ORDER_H_

#include <bit>
#include <cstdint>
#include <cstring>

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

// A 16-bit value kept in network byte order.
class Be16 {
 public:
  constexpr Be16() = default;
  static Be16 FromHost(uint16_t v) {
    Be16 b;
    StoreBe16(reinterpret_cast<uint8_t*>(&b.raw_), v);
    return b;
  }
  uint16_t ToHost() const {
    return LoadBe16(reinterpret_cast<const uint8_t*>(&raw_));
  }
  // Copies the two network-order bytes to `p` (no swap).
  void Store(uint8_t* p) const { std::memcpy(p, &raw_, sizeof(raw_)); }
  friend bool operator==(Be16, Be16) = default;

 private:
  uint16_t raw_ = 0;
};

// A 32-bit value kept in network byte order.
class Be32 {
 public:
  constexpr Be32() = default;
  static Be32 FromHost(uint32_t v) {
    Be32 b;
    StoreBe32(reinterpret_cast<uint8_t*>(&b.raw_), v);
    return b;
  }
  uint32_t ToHost() const {
    return LoadBe32(reinterpret_cast<const uint8_t*>(&raw_));
  }
  void Store(uint8_t* p) const { std::memcpy(p, &raw_, sizeof(raw_)); }
  friend bool operator==(Be32, Be32) = default;

 private:
  uint32_t raw_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_COMMON_BYTE_ORDER_H_
