#include "scan/rate_limiter.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "absl/strings/str_cat.h"

namespace tlsweep {

RateSpec RateSpec::Split(uint32_t n) const {
  if (unit == Unit::kUnlimited || n <= 1) return *this;
  return RateSpec{unit, std::max<uint64_t>(1, per_second / n)};
}

std::string RateSpec::ToString() const {
  switch (unit) {
    case Unit::kUnlimited: return "unlimited";
    case Unit::kPacketsPerSecond: return absl::StrCat(per_second, " pps");
    case Unit::kBitsPerSecond: return absl::StrCat(per_second, " bps");
  }
  return "?";
}

absl::StatusOr<uint64_t> ParseBandwidth(std::string_view text) {
  uint64_t multiplier = 1;
  std::string_view digits = text;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'G': case 'g': multiplier = 1000000000; break;
      case 'M': case 'm': multiplier = 1000000; break;
      case 'K': case 'k': multiplier = 1000; break;
      default: break;
    }
    if (multiplier != 1) digits.remove_suffix(1);
  }
  uint64_t value = 0;
  const auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() ||
      end != digits.data() + digits.size() ||
      value > std::numeric_limits<uint64_t>::max() / multiplier) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid bandwidth '", std::string(text),
        "' (bits per second, optional K, M or G suffix)"));
  }
  return value * multiplier;
}

RateLimiter::RateLimiter(RateSpec spec, uint32_t wire_bytes,
                         uint64_t ticks_per_second, uint32_t burst) {
  if (spec.unit == RateSpec::Unit::kUnlimited || spec.per_second == 0) return;
  unlimited_ = false;
  units_per_second_ = spec.per_second;
  const uint64_t units_per_packet =
      spec.unit == RateSpec::Unit::kBitsPerSecond ? uint64_t{wire_bytes} * 8 : 1;
  cost_ = units_per_packet * ticks_per_second;
  capacity_ = cost_ * std::max<uint32_t>(burst, 1);
}

void RateLimiter::Start(uint64_t now) {
  tokens_ = 0;
  last_ = now;
}

uint64_t RateLimiter::TokensAt(uint64_t now) const {
  if (now <= last_) return tokens_;
  // Earning more than the capacity is pointless, and capping the elapsed
  // ticks first keeps elapsed * rate from overflowing after a long stall.
  const uint64_t max_elapsed = capacity_ / units_per_second_ + 1;
  const uint64_t elapsed = std::min(now - last_, max_elapsed);
  return std::min(capacity_, tokens_ + elapsed * units_per_second_);
}

uint32_t RateLimiter::Acquire(uint64_t now, uint32_t wanted) {
  if (unlimited_) return wanted;
  tokens_ = TokensAt(now);
  last_ = std::max(last_, now);
  // Tokens never exceed burst * cost, so this loop runs at most `burst`
  // times; a compare-and-subtract beats a division here.
  uint32_t granted = 0;
  while (granted < wanted && tokens_ >= cost_) {
    tokens_ -= cost_;
    ++granted;
  }
  return granted;
}

uint64_t RateLimiter::TicksUntilNext(uint64_t now) const {
  if (unlimited_) return 0;
  const uint64_t tokens = TokensAt(now);
  if (tokens >= cost_) return 0;
  return (cost_ - tokens + units_per_second_ - 1) / units_per_second_;
}

}  // namespace tlsweep
