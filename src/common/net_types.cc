#include "common/net_types.h"

#include <charconv>

#include "absl/strings/str_format.h"

namespace tlsweep {

std::optional<Ipv4Address> Ipv4Address::Parse(std::string_view text) {
  uint32_t value = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    unsigned part = 0;
    auto [next, ec] = std::from_chars(p, end, part);
    // At most three digits: rejects "0001" and overflow alike.
    if (ec != std::errc() || part > 255 || next - p > 3) return std::nullopt;
    value = (value << 8) | part;
    p = next;
  }
  if (p != end) return std::nullopt;
  return Ipv4Address(value);
}

std::string Ipv4Address::ToString() const {
  return absl::StrFormat("%u.%u.%u.%u", value_ >> 24, (value_ >> 16) & 0xff,
                         (value_ >> 8) & 0xff, value_ & 0xff);
}

std::optional<MacAddress> MacAddress::Parse(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  std::array<uint8_t, 6> bytes{};
  for (int i = 0; i < 6; ++i) {
    const char* p = text.data() + 3 * i;
    if (i > 0 && p[-1] != ':' && p[-1] != '-') return std::nullopt;
    unsigned v = 0;
    auto [next, ec] = std::from_chars(p, p + 2, v, 16);
    if (ec != std::errc() || next != p + 2) return std::nullopt;
    bytes[i] = static_cast<uint8_t>(v);
  }
  return MacAddress(bytes);
}

std::string MacAddress::ToString() const {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", bytes_[0], bytes_[1],
                         bytes_[2], bytes_[3], bytes_[4], bytes_[5]);
}

}  // namespace tlsweep
