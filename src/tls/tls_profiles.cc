// See tls_profiles.h.
#include "tls/tls_profiles.h"

#include <sys/stat.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tls/tls_registry.h"

#ifndef TLSWEEP_DEFAULT_TLS_PROFILES
#define TLSWEEP_DEFAULT_TLS_PROFILES "/usr/local/share/tlsweep/tls_profiles.conf"
#endif
#ifndef TLSWEEP_SOURCE_TLS_PROFILES
#define TLSWEEP_SOURCE_TLS_PROFILES "conf/tls_profiles.conf"
#endif

namespace tlsweep {
namespace {

// Debian's abseil has its own string_view type; StrCat takes that.
absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<uint32_t> ParseNumber(std::string_view token, uint32_t max) {
  int base = 10;
  if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
    token.remove_prefix(2);
    base = 16;
  }
  uint32_t value = 0;
  const auto [end, ec] =
      std::from_chars(token.data(), token.data() + token.size(), value, base);
  if (ec != std::errc() || end != token.data() + token.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<uint16_t> ParseVersion(std::string_view token) {
  if (token == "ssl3") return kSsl3Version;
  if (token == "tls1.0") return kTls10Version;
  if (token == "tls1.1") return kTls11Version;
  if (token == "tls1.2") return kTls12Version;
  if (token == "tls1.3") return kTls13Version;
  const std::optional<uint32_t> v = ParseNumber(token, 0xFFFF);
  if (!v.has_value()) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

std::optional<uint16_t> ParseSuite(std::string_view token) {
  if (const std::optional<uint32_t> v = ParseNumber(token, 0xFFFF)) {
    return static_cast<uint16_t>(*v);
  }
  for (const CipherSuiteInfo& suite : AllCipherSuites()) {
    if (suite.name == token) return suite.id;
  }
  return std::nullopt;
}

std::optional<uint16_t> ParseGroup(std::string_view token) {
  if (const std::optional<uint32_t> v = ParseNumber(token, 0xFFFF)) {
    return static_cast<uint16_t>(*v);
  }
  return NamedGroupByName(token);
}

std::optional<uint16_t> ParseSignatureScheme(std::string_view token) {
  if (const std::optional<uint32_t> v = ParseNumber(token, 0xFFFF)) {
    return static_cast<uint16_t>(*v);
  }
  return SignatureSchemeByName(token);
}

// RFC 8422 5.1.2 ECPointFormat names.
std::optional<uint8_t> ParsePointFormat(std::string_view token) {
  if (token == "uncompressed") return 0;
  if (token == "ansiX962_compressed_prime") return 1;
  if (token == "ansiX962_compressed_char2") return 2;
  const std::optional<uint32_t> v = ParseNumber(token, 0xFF);
  if (!v.has_value()) return std::nullopt;
  return static_cast<uint8_t>(*v);
}

std::optional<bool> ParseSwitch(std::string_view token) {
  if (token == "yes") return true;
  if (token == "no") return false;
  return std::nullopt;
}

// The items of a list value, separated by blanks or commas.
std::vector<std::string_view> Tokens(std::string_view value) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (IsSpace(value[i]) || value[i] == ',')) ++i;
    const size_t start = i;
    while (i < value.size() && !IsSpace(value[i]) && value[i] != ',') ++i;
    if (i > start) tokens.push_back(value.substr(start, i - start));
  }
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::string_view file_name) : file_name_(file_name) {}

  absl::StatusOr<std::vector<ClientHelloProfile>> Parse(std::string_view text) {
    while (!text.empty()) {
      const size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      ++line_;
      if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
        line = line.substr(0, hash);
      }
      line = Strip(line);
      if (line.empty()) continue;
      absl::Status status = line.front() == '[' ? StartProfile(line)
                                                : Setting(line);
      if (!status.ok()) return status;
    }
    if (absl::Status status = FinishProfile(); !status.ok()) return status;
    if (profiles_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name_, ": no profiles"));
    }
    return std::move(profiles_);
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name_, ":", line_, ": ", Av(what)));
  }

  absl::Status StartProfile(std::string_view line) {
    if (line.back() != ']' || line.size() < 3) {
      return Error("expected [profile-name]");
    }
    if (absl::Status status = FinishProfile(); !status.ok()) return status;
    const std::string_view name =
        Strip(line.substr(1, line.size() - 2));
    for (char c : name) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
        return Error(absl::StrCat("bad profile name '", Av(name), "'"));
      }
    }
    for (const ClientHelloProfile& p : profiles_) {
      if (p.name == name) {
        return Error(absl::StrCat("profile '", Av(name), "' defined twice"));
      }
    }
    current_ = ClientHelloProfile();
    current_->name = std::string(name);
    start_line_ = line_;
    return absl::OkStatus();
  }

  // Checks the profile just read; errors point at its [name] line.
  absl::Status FinishProfile() {
    if (!current_.has_value()) return absl::OkStatus();
    ClientHelloProfile& p = *current_;
    const int saved = line_;
    line_ = start_line_;
    const std::string where = absl::StrCat("profile '", p.name, "': ");
    if (p.source.empty()) return Error(where + std::string("no source"));
    if (p.cipher_suites.empty() && p.sslv2_cipher_specs.empty()) {
      return Error(where + "no suites");
    }
    bool offers_tls13 = false;
    for (uint16_t v : p.supported_versions) offers_tls13 |= v == kTls13Version;
    if (!p.key_shares.empty() && !offers_tls13) {
      return Error(where + "key_share without tls1.3 in supported_versions");
    }
    for (uint16_t group : p.key_shares) {
      bool listed = false;
      for (uint16_t g : p.groups) listed |= g == group;
      if (!listed) return Error(where + "key_share group not in groups");
    }
    line_ = saved;
    profiles_.push_back(std::move(p));
    current_.reset();
    return absl::OkStatus();
  }

  template <typename T, typename F>
  absl::Status AppendList(std::string_view key, std::string_view value,
                          F parse, std::vector<T>* out) {
    const std::vector<std::string_view> tokens = Tokens(value);
    if (tokens.empty()) return Error(absl::StrCat(Av(key), ": empty list"));
    for (std::string_view token : tokens) {
      const std::optional<T> v = parse(token);
      if (!v.has_value()) {
        return Error(absl::StrCat(Av(key), ": cannot read '", Av(token), "'"));
      }
      out->push_back(*v);
    }
    return absl::OkStatus();
  }

  absl::Status Setting(std::string_view line) {
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return Error("expected key = value");
    const std::string_view key = Strip(line.substr(0, eq));
    const std::string_view value =
        Strip(line.substr(eq + 1));
    if (!current_.has_value()) {
      return Error(absl::StrCat("'", Av(key), "' outside a [profile]"));
    }
    ClientHelloProfile& p = *current_;
    if (key == "source") {
      if (value.empty()) return Error("source: empty");
      if (!p.source.empty()) p.source += ' ';
      p.source += value;
      return absl::OkStatus();
    }
    if (key == "record_version" || key == "client_version") {
      const std::vector<std::string_view> tokens = Tokens(value);
      std::optional<uint16_t> v;
      if (tokens.size() == 1) v = ParseVersion(tokens[0]);
      if (!v.has_value()) {
        return Error(absl::StrCat(Av(key), ": cannot read '", Av(value), "'"));
      }
      (key == "record_version" ? p.record_version : p.client_version) = *v;
      return absl::OkStatus();
    }
    if (key == "suites") {
      return AppendList(key, value, ParseSuite, &p.cipher_suites);
    }
    if (key == "supported_versions") {
      return AppendList(key, value, ParseVersion, &p.supported_versions);
    }
    if (key == "groups") return AppendList(key, value, ParseGroup, &p.groups);
    if (key == "point_formats") {
      return AppendList(key, value, ParsePointFormat, &p.point_formats);
    }
    if (key == "signature_algorithms") {
      return AppendList(key, value, ParseSignatureScheme,
                        &p.signature_algorithms);
    }
    if (key == "sslv2_ciphers") {
      return AppendList(
          key, value,
          [](std::string_view token) { return ParseNumber(token, 0xFFFFFF); },
          &p.sslv2_cipher_specs);
    }
    if (key == "key_share") {
      return AppendList(
          key, value,
          [](std::string_view token) -> std::optional<uint16_t> {
            const std::optional<uint16_t> g = ParseGroup(token);
            if (g == kGroupX25519 || g == kGroupSecp256r1) return g;
            return std::nullopt;
          },
          &p.key_shares);
    }
    bool* flag = nullptr;
    if (key == "sni") flag = &p.server_name;
    if (key == "extended_master_secret") flag = &p.extended_master_secret;
    if (key == "renegotiation_info") flag = &p.renegotiation_info;
    if (key == "renegotiation_scsv") flag = &p.renegotiation_scsv;
    if (key == "session_ticket") flag = &p.session_ticket;
    if (key == "status_request") flag = &p.status_request;
    if (flag == nullptr) return Error(absl::StrCat("unknown key '", Av(key), "'"));
    const std::optional<bool> v = ParseSwitch(value);
    if (!v.has_value()) {
      return Error(absl::StrCat(Av(key), ": expected yes or no, got '", Av(value), "'"));
    }
    *flag = *v;
    return absl::OkStatus();
  }

  std::string file_name_;
  int line_ = 0;
  int start_line_ = 0;
  std::optional<ClientHelloProfile> current_;
  std::vector<ClientHelloProfile> profiles_;
};

}  // namespace

absl::StatusOr<std::vector<ClientHelloProfile>> ParseTlsProfiles(
    std::string_view text, std::string_view file_name) {
  return Parser(file_name).Parse(text);
}

absl::StatusOr<std::vector<ClientHelloProfile>> LoadTlsProfiles(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseTlsProfiles(text.str(), path);
}

std::string DefaultTlsProfilesPath() {
  struct stat st;
  if (stat(TLSWEEP_DEFAULT_TLS_PROFILES, &st) == 0) {
    return TLSWEEP_DEFAULT_TLS_PROFILES;
  }
  return TLSWEEP_SOURCE_TLS_PROFILES;
}

const ClientHelloProfile* FindTlsProfile(
    const std::vector<ClientHelloProfile>& profiles, std::string_view name) {
  for (const ClientHelloProfile& p : profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace tlsweep
