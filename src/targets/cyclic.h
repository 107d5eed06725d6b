// The cyclic group that orders a scan's targets, in the manner of ZMap.
//
// A scan must visit every target exactly once, in an order that spreads the
// probes over the Internet (no network sees a burst of consecutive
// addresses), and must do so with no per-target memory: 3.7e9 addresses, times
// the number of ports, do not fit in a bitmap per sender thread worth keeping
// on the data plane. ZMap's answer, used here, is to walk a cyclic group.
//
// Why the walk covers every element exactly once:
//   * Let p be a prime. The non-zero residues {1, ..., p-1} form a group under
//     multiplication modulo p, and that group is cyclic: some element g (a
//     primitive root) has order exactly p-1, so g^0, g^1, ..., g^(p-2) are
//     p-1 distinct residues, i.e. all of them.
//   * An element g has order exactly p-1 iff g^((p-1)/q) != 1 for every prime
//     q dividing p-1: its order divides p-1, and if it were a proper divisor d
//     it would divide (p-1)/q for some prime q | p-1, making g^((p-1)/q) = 1.
//     MakeCyclicGroup checks exactly this, so the generator it returns is
//     primitive; it does not rely on luck.
//   * Multiplying by a fixed non-zero `start` is a bijection of the group (its
//     inverse is multiplication by start^-1), so x_j = start * g^j for
//     j = 0 .. p-2 is again every non-zero residue exactly once; `start`
//     merely rotates the cycle.
//   * With p > num_elements, element e maps to target index e - 1 when
//     e - 1 < num_elements; every index in [0, num_elements) is some e - 1 with
//     e in [1, p-1], so it appears once, and the p - 1 - num_elements larger
//     elements are skipped. p is the smallest prime above num_elements, so the
//     skips are a prime gap's worth (a few hundred at most below 2^48), not a
//     factor of two as with a power-of-two group.
//
// Determinism: machines running shards of one scan each build the group from
// the same (num_elements, seed) and must agree on it bit for bit, so every
// random choice comes from SplitMix64 (fully specified) with our own rejection
// sampling; nothing depends on std::uniform_int_distribution or the platform.
//
// Each step is one modular multiplication by a constant. ModMultiplier does it
// with Shoup's precomputed-quotient form of Barrett reduction: two 64x64
// multiplications, a subtraction and a conditional subtraction, with no
// hardware division on the hot path.
#ifndef TLSWEEP_TARGETS_CYCLIC_H_
#define TLSWEEP_TARGETS_CYCLIC_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/uint128.h"

namespace tlsweep {

// The largest number of elements MakeCyclicGroup accepts (exclusive): 2^48
// covers every IPv4 address times every 16-bit port (2^32 * 65535 < 2^48).
inline constexpr uint64_t kMaxCyclicElements = uint64_t{1} << 48;

// The group (Z/pZ)* for the smallest prime p > num_elements (and p >= 3), with
// a primitive root `generator` and a first element `start`, both drawn from
// the seed. Element e of the walk stands for target index e - 1.
struct CyclicGroup {
  uint64_t prime = 0;
  uint64_t generator = 0;
  uint64_t start = 0;  // first element of the walk, in [1, p-1]
  // The distinct prime factors of prime-1, ascending.
  std::vector<uint64_t> prime_factors;

  friend bool operator==(const CyclicGroup&, const CyclicGroup&) = default;
};

// Builds the group for num_elements in [1, 2^48) from `seed`. The same
// (num_elements, seed) gives the same group on every machine. Returns
// InvalidArgument when num_elements is out of range; Internal only if no
// primitive root was found after many draws, which cannot happen for a prime.
absl::StatusOr<CyclicGroup> MakeCyclicGroup(uint64_t num_elements,
                                            uint64_t seed);

// Returns OK when `group` is usable for num_elements targets: prime is an odd
// prime below 2^63 and above num_elements, prime_factors are exactly the
// distinct prime factors of prime-1, generator is a primitive root and start
// lies in [1, prime-1]. InvalidArgument naming the first problem otherwise.
// For groups that come from outside (a resumed scan's saved state).
absl::Status ValidateCyclicGroup(const CyclicGroup& group,
                                 uint64_t num_elements);

// Returns (a * b) mod m for m >= 1. Uses a 128-bit product and division:
// control plane only.
uint64_t MulMod(uint64_t a, uint64_t b, uint64_t mod);

// Returns base^exp mod m for m >= 1 (0 when m == 1; 1 when exp == 0 and
// m > 1). Control plane only.
uint64_t PowMod(uint64_t base, uint64_t exp, uint64_t mod);

// Returns true iff n is prime. Deterministic Miller-Rabin: the first twelve
// primes as bases are proven sufficient for all n < 3.3e24 (Sorenson and
// Webster, 2015), hence for every 64-bit n.
bool IsPrime(uint64_t n);

// Returns the distinct prime factors of n >= 1 in ascending order (empty for
// n == 1): trial division by small numbers, then Brent's variant of Pollard's
// rho on what remains. Milliseconds for any n < 2^64 in practice.
std::vector<uint64_t> DistinctPrimeFactors(uint64_t n);

// Multiplies by a fixed constant modulo a fixed odd prime p < 2^63, without a
// division: Shoup's method precomputes w = floor(c * 2^64 / p) once, then for
// any x < 2^64, q = floor(x * w / 2^64) is floor(x * c / p) or one less, so
// x * c - q * p (computed modulo 2^64) lies in [0, 2p) and one conditional
// subtraction finishes. 2p < 2^64 is why p must stay below 2^63.
class ModMultiplier {
 public:
  // Precondition: 3 <= prime < 2^63 (odd); multiplier is reduced mod prime.
  ModMultiplier(uint64_t multiplier, uint64_t prime);

  // Returns x * multiplier mod prime for x < prime (indeed for any x).
  uint64_t Mul(uint64_t x) const {
    const uint64_t q =
        static_cast<uint64_t>((static_cast<Uint128>(x) * quotient_) >> 64);
    const uint64_t r = x * multiplier_ - q * prime_;
    return r >= prime_ ? r - prime_ : r;
  }

  uint64_t multiplier() const { return multiplier_; }
  uint64_t prime() const { return prime_; }

 private:
  uint64_t multiplier_;  // c mod p
  uint64_t quotient_;    // floor(c * 2^64 / p)
  uint64_t prime_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TARGETS_CYCLIC_H_
