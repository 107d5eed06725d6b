#include "targets/target_parse.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

#ifndef TLSWEEP_DEFAULT_BLOCKLIST
#define TLSWEEP_DEFAULT_BLOCKLIST "/usr/local/share/tlsweep/blocklist.conf"
#endif
#ifndef TLSWEEP_SOURCE_BLOCKLIST
#define TLSWEEP_SOURCE_BLOCKLIST "conf/blocklist.conf"
#endif

namespace tlsweep {
namespace {

// This abseil build has its own absl::string_view, distinct from
// std::string_view, so the few string helpers needed are written out here.
absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
         c == '\f';
}

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The pieces of `s` between `sep` characters ("a,,b" -> "a", "", "b").
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> pieces;
  for (;;) {
    const size_t at = s.find(sep);
    pieces.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return pieces;
    s.remove_prefix(at + 1);
  }
}

// Parses a strict dotted quad. On failure returns nullopt and sets `why`.
std::optional<uint32_t> ParseDottedQuad(std::string_view text,
                                        std::string_view* why) {
  // Ipv4Address::Parse takes "010" as decimal 10; inet_aton (ZMap) takes it
  // as octal 8. Refuse the ambiguity before it gets there.
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    const bool octet_start = i == 0 || text[i - 1] == '.';
    if (octet_start && text[i] == '0' && text[i + 1] >= '0' &&
        text[i + 1] <= '9') {
      *why = "an octet has a leading zero (octal or decimal?)";
      return std::nullopt;
    }
  }
  std::optional<Ipv4Address> address = Ipv4Address::Parse(text);
  if (!address.has_value()) {
    *why = "not a dotted quad a.b.c.d of decimal octets 0..255";
    return std::nullopt;
  }
  return address->value();
}

absl::Status TokenError(std::string_view kind, std::string_view token,
                        std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid ", Av(kind), " '", Av(token), "': ", Av(why)));
}

// Parses one decimal port 1..65535; nullopt for anything else.
std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  uint32_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

bool FileExists(const char* path) {
  struct stat st;
  return ::stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

absl::StatusOr<AddressInterval> ParseAddressToken(std::string_view token) {
  const std::string_view t = Strip(token);
  if (t.empty()) {
    return absl::InvalidArgumentError("empty address token");
  }
  std::string_view why;
  if (size_t slash = t.find('/'); slash != std::string_view::npos) {
    std::optional<uint32_t> base = ParseDottedQuad(t.substr(0, slash), &why);
    if (!base.has_value()) return TokenError("CIDR", t, why);
    const std::string_view len_text = t.substr(slash + 1);
    unsigned len = 0;
    auto [end, ec] = std::from_chars(len_text.data(),
                                     len_text.data() + len_text.size(), len);
    if (len_text.empty() || len_text.size() > 2 || ec != std::errc() ||
        end != len_text.data() + len_text.size() || len > 32) {
      return TokenError("CIDR", t, "prefix length must be 0..32");
    }
    // Host bits are masked, as ZMap does (see the header).
    const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
    return AddressInterval{*base & mask, (*base & mask) | ~mask};
  }
  if (size_t dash = t.find('-'); dash != std::string_view::npos) {
    std::optional<uint32_t> first = ParseDottedQuad(t.substr(0, dash), &why);
    if (!first.has_value()) return TokenError("range", t, why);
    std::optional<uint32_t> last = ParseDottedQuad(t.substr(dash + 1), &why);
    if (!last.has_value()) return TokenError("range", t, why);
    if (*first > *last) {
      return TokenError("range", t, "the first address is after the last");
    }
    return AddressInterval{*first, *last};
  }
  std::optional<uint32_t> address = ParseDottedQuad(t, &why);
  if (!address.has_value()) return TokenError("address", t, why);
  return AddressInterval{*address, *address};
}

absl::Status ReadAddressFile(const std::string& path, AddressSet* out) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"),
                                             &std::fclose);
  if (file == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot open ", path));
  }
  std::unique_ptr<char, void (*)(void*)> buffer(nullptr, &std::free);
  size_t capacity = 0;
  std::vector<AddressInterval> intervals;
  for (int line_number = 1;; ++line_number) {
    char* raw = buffer.release();
    errno = 0;
    const ssize_t n = ::getline(&raw, &capacity, file.get());
    buffer.reset(raw);
    if (n < 0) {
      if (std::ferror(file.get())) {
        return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
      }
      break;
    }
    std::string_view line(raw, static_cast<size_t>(n));
    line = line.substr(0, line.find('#'));
    line = Strip(line);
    if (line.empty()) continue;
    absl::StatusOr<AddressInterval> interval = ParseAddressToken(line);
    if (!interval.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", line_number, ": ", interval.status().message()));
    }
    intervals.push_back(*interval);
  }
  out->AddSet(AddressSet::FromIntervals(std::move(intervals)));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint16_t>> ParsePortList(std::string_view spec) {
  if (Strip(spec).empty()) {
    return absl::InvalidArgumentError("empty port list");
  }
  std::vector<uint16_t> ports;
  std::vector<bool> seen(65536, false);
  auto add = [&](uint32_t port) {
    if (!seen[port]) {
      seen[port] = true;
      ports.push_back(static_cast<uint16_t>(port));
    }
  };
  for (std::string_view element : Split(spec, ',')) {
    element = Strip(element);
    if (element.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty element in port list '", Av(spec), "'"));
    }
    const size_t dash = element.find('-');
    if (dash == std::string_view::npos) {
      std::optional<uint16_t> port = ParsePort(element);
      if (!port.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid port '", Av(element), "': ports are decimal 1..65535"));
      }
      add(*port);
      continue;
    }
    std::optional<uint16_t> first = ParsePort(Strip(element.substr(0, dash)));
    std::optional<uint16_t> last = ParsePort(Strip(element.substr(dash + 1)));
    if (!first.has_value() || !last.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid port range '", Av(element),
                       "': expected FIRST-LAST with ports 1..65535"));
    }
    if (*first > *last) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid port range '", Av(element),
                       "': the first port is after the last"));
    }
    for (uint32_t port = *first; port <= *last; ++port) add(port);
  }
  return ports;
}

std::string DefaultBlocklistPath() {
  if (FileExists(TLSWEEP_DEFAULT_BLOCKLIST)) return TLSWEEP_DEFAULT_BLOCKLIST;
  if (FileExists(TLSWEEP_SOURCE_BLOCKLIST)) return TLSWEEP_SOURCE_BLOCKLIST;
  return TLSWEEP_DEFAULT_BLOCKLIST;
}

absl::StatusOr<AllowedAddresses> BuildAllowedAddresses(
    const TargetOptions& options) {
  if (options.no_blocklist && !options.blocklist_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--no-blocklist and -b ", options.blocklist_file,
                     " contradict each other: give one of them"));
  }
  if (options.target_args.empty() && options.list_file.empty() &&
      options.allowlist_file.empty()) {
    return absl::InvalidArgumentError(
        "no targets: give addresses, CIDRs or ranges, -I or -w");
  }

  // The union of every source of targets (ZMap: allowlist ∪ arguments).
  std::vector<AddressInterval> from_args;
  from_args.reserve(options.target_args.size());
  for (const std::string& arg : options.target_args) {
    absl::StatusOr<AddressInterval> interval = ParseAddressToken(arg);
    if (!interval.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("target argument: ", interval.status().message()));
    }
    from_args.push_back(*interval);
  }
  AddressSet requested = AddressSet::FromIntervals(std::move(from_args));
  if (!options.list_file.empty()) {
    TLSWEEP_RETURN_IF_ERROR(ReadAddressFile(options.list_file, &requested));
  }
  if (!options.allowlist_file.empty()) {
    TLSWEEP_RETURN_IF_ERROR(
        ReadAddressFile(options.allowlist_file, &requested));
  }
  if (requested.empty()) {
    return absl::InvalidArgumentError(
        "no targets: the arguments, -I and -w files name no address; give "
        "addresses, CIDRs or ranges, -I or -w");
  }

  // The blocklist wins over every source (ZMap applies it after the
  // allowlist), and 0.0.0.0 is never a destination (ZMap, RFC 1122).
  AllowedAddresses result;
  AddressSet blocklist;
  if (options.no_blocklist) {
    result.blocklist_source = "none";
  } else {
    result.blocklist_source = options.blocklist_file.empty()
                                  ? DefaultBlocklistPath()
                                  : options.blocklist_file;
    TLSWEEP_RETURN_IF_ERROR(
        ReadAddressFile(result.blocklist_source, &blocklist));
  }
  const bool zero_only_by_rule =
      requested.Contains(Ipv4Address(0)) && !blocklist.Contains(Ipv4Address(0));
  blocklist.Add({0, 0});

  result.allowed = requested;
  result.allowed.Subtract(blocklist);
  result.requested = requested.Count();
  result.blocked = result.requested - result.allowed.Count();
  if (result.allowed.empty()) {
    if (options.no_blocklist) {
      return absl::InvalidArgumentError(
          "no targets: the only requested address is 0.0.0.0, which is never "
          "scanned (RFC 1122 3.2.1.3)");
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "all ", result.requested, " requested addresses are in the blocklist ",
        result.blocklist_source,
        zero_only_by_rule ? " or are 0.0.0.0 (never scanned)" : ""));
  }
  return result;
}

}  // namespace tlsweep
