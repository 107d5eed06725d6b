// Building the cyclic group that orders a scan (see cyclic.h).
//
// Why the walk covers every element exactly once, in brief (cyclic.h has the
// full argument): (Z/pZ)* for a prime p is cyclic of order p-1; a generator
// g, checked against every prime factor q of p-1 (g^((p-1)/q) != 1), has
// order exactly p-1, so start * g^j for j = 0 .. p-2 lists every element of
// {1 .. p-1} once; element e is target e - 1 and the few e > num_elements are
// skipped.
//
// Everything here runs once per scan (control plane), so it favours plain
// 128-bit arithmetic with hardware division over speed. The only per-step
// code, ModMultiplier::Mul, lives inline in the header.
#include "targets/cyclic.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"

namespace tlsweep {
namespace {

// Trial division bound for DistinctPrimeFactors. Below it a division is
// cheaper than the rho iterations needed to find the same factor; above it
// rho's ~sqrt(q) steps for a factor q win. With 2^12, the cofactor of a
// number below 2^48 that remains has at most three prime factors, which rho
// splits in a few thousand steps.
constexpr uint64_t kTrialDivisionLimit = uint64_t{1} << 12;

// Pollard-Brent batches this many |x - y| products before one gcd, the value
// Brent (1980) suggests; it trades a rare backtrack for ~100x fewer gcds.
constexpr uint64_t kRhoBatch = 128;

// Draws of a candidate generator before giving up. Primitive roots make up
// phi(p-1)/(p-1) > 0.148 of (Z/pZ)* for every p < 2^48 (the worst case is
// p-1 divisible by every prime up to 37, whose product is below 2^48), so
// 1000 draws all fail with probability below 0.852^1000 < 1e-69: reaching
// the limit means a bug, not bad luck.
constexpr int kMaxGeneratorDraws = 1000;

// SplitMix64 (Steele, Lea and Flood, 2014; the reference constants from
// Vigna's splitmix64.c). Fully specified, so every machine derives the same
// group from the same seed.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Returns a uniform draw from [lo, hi] (lo <= hi, hi - lo < 2^64 - 1).
  // Rejects raw outputs below 2^64 mod range so that the accepted ones are a
  // whole number of copies of [0, range); specified here rather than taken
  // from std::uniform_int_distribution, whose algorithm varies by library.
  uint64_t Uniform(uint64_t lo, uint64_t hi) {
    const uint64_t range = hi - lo + 1;
    const uint64_t threshold = (0 - range) % range;  // 2^64 mod range
    for (;;) {
      const uint64_t x = Next();
      if (x >= threshold) return lo + x % range;
    }
  }

 private:
  uint64_t state_;
};

// One Miller-Rabin round: returns false iff `base` proves n (odd, > 2,
// n - 1 = d * 2^s with d odd) composite.
bool MillerRabinRound(uint64_t n, uint64_t d, int s, uint64_t base) {
  uint64_t x = PowMod(base % n, d, n);
  if (x == 0 || x == 1 || x == n - 1) return true;
  for (int i = 1; i < s; ++i) {
    x = MulMod(x, x, n);
    if (x == n - 1) return true;
    if (x == 1) return false;
  }
  return false;
}

// Returns a non-trivial factor of the odd composite n, by Brent's variant of
// Pollard's rho with f(y) = y^2 + c. Deterministic: c runs 1, 2, 3, ...
uint64_t PollardBrent(uint64_t n) {
  auto step = [n](uint64_t y, uint64_t c) {
    return static_cast<uint64_t>((static_cast<Uint128>(MulMod(y, y, n)) + c) %
                                 n);
  };
  auto distance = [](uint64_t a, uint64_t b) { return a > b ? a - b : b - a; };
  for (uint64_t c = 1;; ++c) {
    uint64_t y = 2;
    uint64_t x = y;
    uint64_t ys = y;
    uint64_t product = 1;
    uint64_t g = 1;
    for (uint64_t r = 1; g == 1; r *= 2) {
      x = y;
      for (uint64_t i = 0; i < r; ++i) y = step(y, c);
      for (uint64_t k = 0; k < r && g == 1; k += kRhoBatch) {
        ys = y;
        const uint64_t batch = std::min(kRhoBatch, r - k);
        for (uint64_t i = 0; i < batch; ++i) {
          y = step(y, c);
          product = MulMod(product, distance(x, y), n);
        }
        g = std::gcd(product, n);
      }
    }
    if (g == n) {
      // The batch overshot (or the product hit 0): redo it one step at a time.
      do {
        ys = step(ys, c);
        g = std::gcd(distance(x, ys), n);
      } while (g == 1);
    }
    if (g != n) return g;
  }
}

void CollectPrimeFactors(uint64_t n, std::vector<uint64_t>* factors) {
  if (n == 1) return;
  if (IsPrime(n)) {
    factors->push_back(n);
    return;
  }
  const uint64_t d = PollardBrent(n);
  CollectPrimeFactors(d, factors);
  CollectPrimeFactors(n / d, factors);
}

bool IsPrimitiveRoot(uint64_t g, uint64_t prime,
                     const std::vector<uint64_t>& factors) {
  if (g == 0 || g >= prime) return false;
  for (uint64_t q : factors) {
    if (PowMod(g, (prime - 1) / q, prime) == 1) return false;
  }
  return true;
}

}  // namespace

uint64_t MulMod(uint64_t a, uint64_t b, uint64_t mod) {
  return static_cast<uint64_t>(static_cast<Uint128>(a) * b % mod);
}

uint64_t PowMod(uint64_t base, uint64_t exp, uint64_t mod) {
  if (mod == 1) return 0;
  uint64_t result = 1;
  base %= mod;
  while (exp != 0) {
    if (exp & 1) result = MulMod(result, base, mod);
    base = MulMod(base, base, mod);
    exp >>= 1;
  }
  return result;
}

bool IsPrime(uint64_t n) {
  static constexpr uint64_t kBases[] = {2,  3,  5,  7,  11, 13,
                                        17, 19, 23, 29, 31, 37};
  if (n < 2) return false;
  for (uint64_t p : kBases) {
    if (n % p == 0) return n == p;
  }
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  for (uint64_t base : kBases) {
    if (!MillerRabinRound(n, d, s, base)) return false;
  }
  return true;
}

std::vector<uint64_t> DistinctPrimeFactors(uint64_t n) {
  std::vector<uint64_t> factors;
  if (n <= 1) return factors;
  for (uint64_t d = 2; d < kTrialDivisionLimit && d * d <= n;
       d += (d == 2 ? 1 : 2)) {
    if (n % d != 0) continue;
    factors.push_back(d);
    do {
      n /= d;
    } while (n % d == 0);
  }
  CollectPrimeFactors(n, &factors);
  std::sort(factors.begin(), factors.end());
  factors.erase(std::unique(factors.begin(), factors.end()), factors.end());
  return factors;
}

absl::StatusOr<CyclicGroup> MakeCyclicGroup(uint64_t num_elements,
                                            uint64_t seed) {
  if (num_elements == 0 || num_elements >= kMaxCyclicElements) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "MakeCyclicGroup(num_elements=%d): must be in [1, 2^48)",
        num_elements));
  }
  CyclicGroup group;
  // Smallest prime > num_elements, but at least 3: (Z/2Z)* is trivial and
  // ModMultiplier needs an odd modulus. Below 2^48 prime gaps are under 1000,
  // so this loop is short.
  group.prime = std::max<uint64_t>(num_elements + 1, 3);
  while (!IsPrime(group.prime)) ++group.prime;
  group.prime_factors = DistinctPrimeFactors(group.prime - 1);

  SplitMix64 rng(seed);
  // Candidates from [2, p-1]: 1 is never primitive for p >= 3.
  for (int draw = 0; draw < kMaxGeneratorDraws; ++draw) {
    const uint64_t candidate = rng.Uniform(2, group.prime - 1);
    if (IsPrimitiveRoot(candidate, group.prime, group.prime_factors)) {
      group.generator = candidate;
      break;
    }
  }
  if (group.generator == 0) {
    return absl::InternalError(absl::StrFormat(
        "MakeCyclicGroup(num_elements=%d, seed=%d): no primitive root modulo "
        "%d in %d draws",
        num_elements, seed, group.prime, kMaxGeneratorDraws));
  }
  group.start = rng.Uniform(1, group.prime - 1);
  return group;
}

absl::Status ValidateCyclicGroup(const CyclicGroup& group,
                                 uint64_t num_elements) {
  const uint64_t p = group.prime;
  if (p < 3 || p >= (uint64_t{1} << 63) || !IsPrime(p)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "cyclic group: prime=%d is not an odd prime below 2^63", p));
  }
  if (num_elements == 0 || num_elements >= p) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "cyclic group: num_elements=%d must be in [1, prime=%d)", num_elements,
        p));
  }
  uint64_t rest = p - 1;
  for (size_t i = 0; i < group.prime_factors.size(); ++i) {
    const uint64_t q = group.prime_factors[i];
    if ((i > 0 && q <= group.prime_factors[i - 1]) || !IsPrime(q) ||
        rest % q != 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "cyclic group: prime_factors[%d]=%d is not a new ascending prime "
          "factor of prime-1=%d",
          i, q, p - 1));
    }
    while (rest % q == 0) rest /= q;
  }
  if (rest != 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "cyclic group: prime_factors miss part %d of prime-1=%d", rest, p - 1));
  }
  if (!IsPrimitiveRoot(group.generator, p, group.prime_factors)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "cyclic group: generator=%d is not a primitive root modulo %d",
        group.generator, p));
  }
  if (group.start == 0 || group.start >= p) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "cyclic group: start=%d must be in [1, prime=%d)", group.start, p));
  }
  return absl::OkStatus();
}

ModMultiplier::ModMultiplier(uint64_t multiplier, uint64_t prime)
    : multiplier_(multiplier % prime),
      quotient_(static_cast<uint64_t>(
          (static_cast<Uint128>(multiplier % prime) << 64) / prime)),
      prime_(prime) {}

}  // namespace tlsweep
