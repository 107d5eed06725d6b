// Well-known finite-field Diffie-Hellman primes, named by their SHA-256.
//
// Logjam (Adrian et al., CCS 2015) showed why the prime matters beside its
// size: a few 1024-bit primes, shared by millions of servers, are worth one
// precomputation each. So each DHE prime a server sends is recorded by size
// and SHA-256, and the well-known ones get a name: the RFC groups and the
// primes compiled into common server software. Each entry cites where its
// value comes from; the table holds only hashes, so the values themselves
// stay in their sources (and tests/tls/dh_primes_test.cc re-derives the RFC
// ones from OpenSSL's copies).
#ifndef TLSWEEP_TLS_DH_PRIMES_H_
#define TLSWEEP_TLS_DH_PRIMES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tlsweep {

struct WellKnownDhPrime {
  std::string_view sha256_hex;  // of the prime's big-endian bytes
  uint32_t bits;
  std::string_view name;    // e.g. "RFC 3526 group 14 (2048-bit MODP)"
  std::string_view source;  // where the value was taken from
};

// SHA-256 of `prime` as 64 lower-case hex digits, after dropping leading
// zero bytes (a server may send p with one), so equal primes hash equally.
std::string DhPrimeSha256Hex(std::span<const uint8_t> prime);

// The well-known prime with this SHA-256 (lower-case hex), or null.
const WellKnownDhPrime* FindWellKnownDhPrime(std::string_view sha256_hex);

// Every entry, for reports and tests.
std::span<const WellKnownDhPrime> WellKnownDhPrimes();

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_DH_PRIMES_H_
