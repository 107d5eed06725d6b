// Pseudonyms for client addresses (`--anonymize-clients KEYFILE`).
//
// A keyed hash, not a prefix-preserving scheme: the passive columns count
// connections and distinct clients, which equality under a key preserves;
// client subnets are not needed. Prefix-preserving pseudonyms (Crypto-PAn)
// keep the address tree, and with it the structure that lets an adversary
// who knows or injects some traffic undo them (Brekne and Arnes 2005;
// Coull et al., "Playing Devil's Advocate", NDSS 2007). The hash is the
// project's SipHash-2-4 (validate/siphash.h, a PRF under a 128-bit key);
// the key is the first 16 bytes of SHA-256 of the key file, so any file
// of at least 16 bytes of secret serves. The pseudonym is "anon-" and 16
// hex digits: the same client under the same key gets the same name.
#ifndef TLSWEEP_PASSIVE_ANONYMIZE_H_
#define TLSWEEP_PASSIVE_ANONYMIZE_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "validate/siphash.h"

namespace tlsweep {

class ClientPseudonyms {
 public:
  // Reads the key file; fails if it cannot be read or holds under 16 bytes.
  static absl::StatusOr<ClientPseudonyms> FromKeyFile(const std::string& path);
  // From key material directly (tests).
  static ClientPseudonyms FromKeyMaterial(std::string_view material);

  std::string Pseudonym(Ipv4Address client) const;

 private:
  explicit ClientPseudonyms(SipKey key) : key_(key) {}
  SipKey key_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_ANONYMIZE_H_
