// Construction and key generation for the stateless probe cookies; the
// per-probe work (Cookies::Make) is inline in cookie.h.
#include "validate/cookie.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"

namespace tlsweep {

Cookies::Cookies(const SipKey& key, uint16_t sport_first, uint16_t sport_count)
    : key_(key), sport_first_(sport_first), sport_count_(sport_count) {}

absl::StatusOr<SipKey> Cookies::RandomKey() {
  uint8_t bytes[16];
  size_t have = 0;
  while (have < sizeof(bytes)) {
    // flags 0: the urandom pool, blocking only until it is first seeded.
    const ssize_t n = getrandom(bytes + have, sizeof(bytes) - have, 0);
    if (n > 0) {
      have += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      const int error = errno;
      explicit_bzero(bytes, sizeof(bytes));
      return absl::ErrnoToStatus(error, "getrandom(16 bytes) for the cookie key");
    }
  }
  const SipKey key = SipKeyFromBytes(bytes);
  explicit_bzero(bytes, sizeof(bytes));
  return key;
}

}  // namespace tlsweep
