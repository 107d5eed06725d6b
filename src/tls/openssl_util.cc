// See openssl_util.h.
#include "tls/openssl_util.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace tlsweep {

std::string DrainOpenSslErrors() {
  std::string text;
  // ERR_error_string_n writes at most this many bytes; OpenSSL documents 256
  // as enough for any message.
  constexpr size_t kErrBufSize = 256;
  char buf[kErrBufSize];
  for (unsigned long code = ERR_get_error(); code != 0;
       code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  if (bytes.empty()) return "";
  // EVP_EncodeBlock writes 4 output bytes per 3 input bytes plus a NUL.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &md_len, EVP_sha256(),
                 nullptr) != 1) {
    DrainOpenSslErrors();
    return "";
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), md_len));
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (rejecting overlong
// forms and surrogates), or 0 if there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char min = (k == 1) ? lo : 0x80;
    const unsigned char max = (k == 1) ? hi : 0xbf;
    if (b < min || b > max) return 0;
  }
  return len;
}

}  // namespace

std::string JsonSafe(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    const size_t len = Utf8SequenceLength(bytes, i);
    const bool control = b < 0x20 && b != '\t' && b != '\r' && b != '\n';
    if (len == 0 || control || b == 0x7f) {
      out += "\\x";
      out += kDigits[b >> 4];
      out += kDigits[b & 0x0f];
      ++i;
      continue;
    }
    out.append(bytes.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace tlsweep
