// Strong types for the addresses and ports every stage passes around.
//
// An Ipv4Address holds its value in host order so that ranges, indices and
// comparisons are plain integer arithmetic; it is converted to network order
// only where it is written into a frame (see byte_order.h).
#ifndef TLSWEEP_COMMON_NET_TYPES_H_
#define TLSWEEP_COMMON_NET_TYPES_H_

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tlsweep {

class Ipv4Address {
 public:
  constexpr Ipv4Address() = default;
  constexpr explicit Ipv4Address(uint32_t host_order) : value_(host_order) {}
  constexpr uint32_t value() const { return value_; }
  friend constexpr auto operator<=>(Ipv4Address, Ipv4Address) = default;

  // Parses dotted-quad "a.b.c.d" (decimal, no leading '+', no spaces).
  // Returns nullopt for anything else.
  static std::optional<Ipv4Address> Parse(std::string_view text);
  std::string ToString() const;

 private:
  uint32_t value_ = 0;
};

class MacAddress {
 public:
  constexpr MacAddress() = default;
  constexpr explicit MacAddress(std::array<uint8_t, 6> bytes)
      : bytes_(bytes) {}
  const std::array<uint8_t, 6>& bytes() const { return bytes_; }
  friend bool operator==(const MacAddress&, const MacAddress&) = default;

  // Parses "aa:bb:cc:dd:ee:ff" (hex, ':' or '-' separated).
  static std::optional<MacAddress> Parse(std::string_view text);
  std::string ToString() const;

 private:
  std::array<uint8_t, 6> bytes_{};
};

}  // namespace tlsweep

#endif  // TLSWEEP_COMMON_NET_TYPES_H_
