// SipHash-2-4 over an arbitrary byte string; see siphash.h for why this is
// ours and not OpenSSL's. Loads go through memcpy-free byte assembly so the
// code is independent of host byte order and alignment.
#include "validate/siphash.h"

namespace tlsweep {
namespace {

// Little-endian load of n <= 8 bytes into the low bytes of a word.
uint64_t LoadLe(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

SipKey SipKeyFromBytes(const uint8_t key[16]) {
  return SipKey{LoadLe(key, 8), LoadLe(key + 8, 8)};
}

uint64_t SipHash24(const SipKey& key, const uint8_t* data, size_t len) {
  using namespace siphash_internal;  // NOLINT(build/namespaces): local helpers
  State s = Init(key);
  const size_t full = len & ~size_t{7};
  for (size_t i = 0; i < full; i += 8) Compress(s, LoadLe(data + i, 8));
  // Last block: the 0..7 remaining bytes, then len mod 256 in the top byte.
  uint64_t last = uint64_t{static_cast<uint8_t>(len)} << 56;
  if (len > full) last |= LoadLe(data + full, len - full);
  Compress(s, last);
  return Finalize(s);
}

}  // namespace tlsweep
