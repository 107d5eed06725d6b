// Helpers shared by the subcommands: a bounded whole number and a parser's
// error, both naming the flag they came from, and the exit convention.
#ifndef TLSWEEP_APP_FLAG_PARSING_H_
#define TLSWEEP_APP_FLAG_PARSING_H_

#include <charconv>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace tlsweep {

// The exit convention of every subcommand: prints "tlsweep COMMAND: message"
// on stderr and returns `code` (2: bad flags or files named on the command
// line; 1: the run failed).
inline int CommandError(const char* command, const absl::Status& status, int code) {
  std::fprintf(stderr, "tlsweep %s: %s\n", command, std::string(status.message()).c_str());
  return code;
}

// A parser's error, prefixed with the flag it came from.
inline absl::Status FlagError(const std::string& flag, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", status.message()));
}

// `text` as a whole number in [min, max]; the error names flag and value.
template <typename T>
absl::StatusOr<T> ParseFlagNumber(const std::string& flag, const std::string& text, T min,
                                  T max) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": invalid value '", text,
                                                   "' (a whole number from ", min, " to ", max,
                                                   ")"));
  }
  return value;
}

}  // namespace tlsweep

#endif  // TLSWEEP_APP_FLAG_PARSING_H_
