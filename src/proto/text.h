// Small text helpers shared by the protocol modules.
//
// Written by hand rather than with absl::StrSplit because Debian's abseil has
// an absl::string_view distinct from std::string_view, and because peer text
// must be made JSON-safe (valid UTF-8) before it reaches nlohmann::json, whose
// dump() would otherwise throw on the first stray byte a server sends.
#ifndef TLSWEEP_PROTO_TEXT_H_
#define TLSWEEP_PROTO_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace tlsweep::proto_text {

// Valid UTF-8 is kept; every other byte and every control character except
// TAB and LF (which joins the lines of a multi-line reply; a peer's lines never
// contain one) is written as "\xNN". The result is always valid UTF-8.
std::string JsonSafe(std::string_view s);

// ASCII upper-case copy.
std::string AsciiUpper(std::string_view s);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// True when `s` starts with `prefix`, ignoring ASCII case.
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);

// `s` without leading and trailing spaces and tabs.
std::string_view Trim(std::string_view s);

// Splits on runs of spaces and tabs; no empty words.
std::vector<std::string_view> SplitWords(std::string_view s);

// Splits on `sep`; keeps empty fields out.
std::vector<std::string_view> SplitOn(std::string_view s, char sep);

// True when a server's error reply says it is busy or out of connections
// rather than refusing us for good: the [SYS/TEMP] response code (RFC 3206
// for POP3, used by IMAP servers too), or the texts real servers send at their connection limits (Dovecot's
// "Connection queue full", Postfix's "too many connections", InspIRCd's "No
// more connections allowed", ...). Case-insensitive.
bool SaysServerBusy(std::string_view reply);

}  // namespace tlsweep::proto_text

#endif  // TLSWEEP_PROTO_TEXT_H_
