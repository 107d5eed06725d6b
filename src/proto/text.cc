// See text.h.
#include "proto/text.h"

#include <cstdint>

namespace tlsweep::proto_text {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  size_t len = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, min = 0x80, cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, min = 0x800, cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, min = 0x10000, cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string JsonSafe(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      out.push_back(s[i]);
      ++i;
    } else if (b == '\t' || b == '\n') {
      out.push_back(s[i]);
      ++i;
    } else if (size_t n = b >= 0x80 ? Utf8SequenceLength(s, i) : 0; n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
      ++i;
    }
  }
  return out;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) fields.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return fields;
}

bool SaysServerBusy(std::string_view reply) {
  // Sources, one per phrase:
  //   [SYS/TEMP]: RFC 3206 section 4 ("a temporary system problem ... likely
  //     to clear up"), e.g. Dovecot's pop3-login at its limits. Not RFC
  //     5530's [UNAVAILABLE]: Dovecot answers STARTTLS with "NO [UNAVAILABLE]
  //     TLS support isn't enabled", a refusal for good; nor [INUSE] /
  //     RFC 3206 [IN-USE], which are about a locked mailbox after login.
  //   "connection queue full": Dovecot's login processes
  //     (src/login-common/client-common.c) when login_max_connections or the
  //     process limit is reached.
  //   "too many connections": Postfix smtpd's 421 "Error: too many
  //     connections from <addr>" (anvil), ProFTPD-style limits, MySQL.
  //   "no more connections": InspIRCd's connect-class limit ("No more
  //     connections allowed from your host via this connect class").
  //   "too many users", "server full", "try again later", "server busy":
  //     the usual wordings of 421 / ERROR at capacity (RFC 5321 4.2.3's
  //     "421 Service not available ... try again later").
  static constexpr std::string_view kPhrases[] = {
      "[SYS/TEMP",           "CONNECTION QUEUE FULL",
      "TOO MANY CONNECTIONS",
      "NO MORE CONNECTIONS", "TOO MANY USERS",
      "SERVER FULL",         "TRY AGAIN LATER",
      "SERVER BUSY",         "SERVER IS BUSY",
  };
  const std::string upper = AsciiUpper(reply);
  for (std::string_view phrase : kPhrases) {
    if (upper.find(phrase) != std::string::npos) return true;
  }
  return false;
}

}  // namespace tlsweep::proto_text
