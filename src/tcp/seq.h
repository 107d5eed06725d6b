// TCP sequence numbers: 32-bit counters compared modulo 2^32 (RFC 9293
// section 3.4, serial number arithmetic of RFC 1982).
//
// A connection's sequence space wraps about every 4 GiB, and an ISN can sit
// anywhere, so plain unsigned comparison breaks right at the wrap. Two
// numbers are ordered by the sign of their 32-bit difference, which is
// correct as long as they are less than 2^31 apart: windows and buffers are
// bounded far below that (RFC 7323 caps a scaled window at 2^30).
#ifndef TLSWEEP_TCP_SEQ_H_
#define TLSWEEP_TCP_SEQ_H_

#include <cstdint>

namespace tlsweep {

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(uint32_t value) : value_(value) {}
  constexpr uint32_t value() const { return value_; }

  friend constexpr SeqNum operator+(SeqNum a, uint32_t n) {
    return SeqNum(a.value_ + n);
  }
  friend constexpr SeqNum operator-(SeqNum a, uint32_t n) {
    return SeqNum(a.value_ - n);
  }
  constexpr SeqNum& operator+=(uint32_t n) {
    value_ += n;
    return *this;
  }
  // The signed distance from b to a: positive when a is after b.
  friend constexpr int32_t operator-(SeqNum a, SeqNum b) {
    return static_cast<int32_t>(a.value_ - b.value_);
  }
  friend constexpr bool operator==(SeqNum a, SeqNum b) = default;
  friend constexpr bool operator<(SeqNum a, SeqNum b) { return (a - b) < 0; }
  friend constexpr bool operator<=(SeqNum a, SeqNum b) { return (a - b) <= 0; }
  friend constexpr bool operator>(SeqNum a, SeqNum b) { return (a - b) > 0; }
  friend constexpr bool operator>=(SeqNum a, SeqNum b) { return (a - b) >= 0; }

 private:
  uint32_t value_ = 0;
};

// How many sequence numbers lie in [from, to), for to >= from.
constexpr uint32_t SeqSpan(SeqNum from, SeqNum to) {
  return to.value() - from.value();
}

constexpr SeqNum SeqMax(SeqNum a, SeqNum b) { return a < b ? b : a; }

}  // namespace tlsweep

#endif  // TLSWEEP_TCP_SEQ_H_
