// See anonymize.h.
#include "passive/anonymize.h"

#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tlsweep {

// The minimum key file: SipHash's 128-bit key.
constexpr size_t kMinKeyBytes = 16;

absl::StatusOr<ClientPseudonyms> ClientPseudonyms::FromKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read the key file"));
  const std::string material((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (material.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": a key file needs at least ", kMinKeyBytes, " bytes of secret"));
  }
  return FromKeyMaterial(material);
}

ClientPseudonyms ClientPseudonyms::FromKeyMaterial(std::string_view material) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(material.data(), material.size(), digest, &len, EVP_sha256(), nullptr);
  return ClientPseudonyms(SipKeyFromBytes(digest));
}

std::string ClientPseudonyms::Pseudonym(Ipv4Address client) const {
  const uint32_t v = client.value();
  const uint8_t bytes[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                            static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  return absl::StrFormat("anon-%016x", SipHash24(key_, bytes, sizeof(bytes)));
}

}  // namespace tlsweep
