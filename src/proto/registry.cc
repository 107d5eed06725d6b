// See registry.h.
#include "proto/registry.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "proto/modules.h"

namespace tlsweep {
namespace {

enum class Kind { kSmtp, kImap, kPop3, kXmppClient, kXmppServer, kIrc };

struct Entry {
  std::string_view name;
  uint16_t default_port;
  Kind kind;
  bool implicit_tls;
};

// DESIGN.md, "Protocols and ports".
constexpr Entry kEntries[] = {
    {"smtp", 25, Kind::kSmtp, false},
    {"submission", 587, Kind::kSmtp, false},
    {"smtps", 465, Kind::kSmtp, true},
    {"imap", 143, Kind::kImap, false},
    {"imaps", 993, Kind::kImap, true},
    {"pop3", 110, Kind::kPop3, false},
    {"pop3s", 995, Kind::kPop3, true},
    {"xmpp", 5222, Kind::kXmppClient, false},
    {"xmpp-server", 5269, Kind::kXmppServer, false},
    {"xmpps", 5223, Kind::kXmppClient, true},
    {"irc", 6667, Kind::kIrc, false},
    {"ircs", 6697, Kind::kIrc, true},
};

const Entry* Find(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<ProtocolModule> MakeModule(std::string_view name,
                                           const ModuleOptions& options) {
  const Entry* e = Find(name);
  if (e == nullptr) return nullptr;
  std::string n(e->name);
  switch (e->kind) {
    case Kind::kSmtp:
      return MakeSmtpModule(std::move(n), e->implicit_tls, options);
    case Kind::kImap:
      return MakeImapModule(std::move(n), e->implicit_tls, options);
    case Kind::kPop3:
      return MakePop3Module(std::move(n), e->implicit_tls, options);
    case Kind::kXmppClient:
      return MakeXmppModule(std::move(n), e->implicit_tls, false, options);
    case Kind::kXmppServer:
      return MakeXmppModule(std::move(n), e->implicit_tls, true, options);
    case Kind::kIrc:
      return MakeIrcModule(std::move(n), e->implicit_tls, options);
  }
  return nullptr;
}

bool IsKnownModule(std::string_view name) { return Find(name) != nullptr; }

std::vector<std::string_view> ModuleNames() {
  std::vector<std::string_view> names;
  for (const Entry& e : kEntries) names.push_back(e.name);
  return names;
}

absl::StatusOr<std::pair<uint16_t, std::string>> ParseModuleOverride(
    std::string_view spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("module override '", std::string(spec),
                     "': expected PORT=NAME, e.g. 2525=smtp"));
  }
  const std::string_view port_text = spec.substr(0, eq);
  const std::string_view name = spec.substr(eq + 1);
  unsigned port = 0;
  const auto [ptr, ec] = std::from_chars(
      port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port_text.empty() || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("module override '", std::string(spec), "': bad port '",
                     std::string(port_text), "' (1-65535)"));
  }
  if (!IsKnownModule(name)) {
    std::string known;
    for (std::string_view n : ModuleNames()) {
      absl::StrAppend(&known, known.empty() ? "" : ", ", std::string(n));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "module override '", std::string(spec), "': unknown module '",
        std::string(name), "' (known: ", known, ")"));
  }
  return std::make_pair(static_cast<uint16_t>(port), std::string(name));
}

PortModuleMap PortModuleMap::Defaults() {
  PortModuleMap m;
  for (const Entry& e : kEntries) {
    m.map_[e.default_port] = std::string(e.name);
    m.mapped_.set(e.default_port);
  }
  return m;
}

absl::Status PortModuleMap::ApplyOverride(std::string_view spec) {
  absl::StatusOr<std::pair<uint16_t, std::string>> parsed =
      ParseModuleOverride(spec);
  if (!parsed.ok()) return parsed.status();
  map_[parsed->first] = std::move(parsed->second);
  mapped_.set(parsed->first);
  return absl::OkStatus();
}

std::optional<std::string_view> PortModuleMap::ModuleFor(uint16_t port) const {
  if (!mapped_[port]) return std::nullopt;
  const auto it = map_.find(port);
  if (it == map_.end()) return std::nullopt;
  return std::string_view(it->second);
}

}  // namespace tlsweep
