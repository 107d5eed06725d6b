// Module names and the port -> module map.
//
// The defaults are the port table of DESIGN.md; a run can remap any port
// (`--module 2525=smtp`) because real deployments put services on other
// ports. Names are the registry keys and also the record's data.<name> key.
#ifndef TLSWEEP_PROTO_REGISTRY_H_
#define TLSWEEP_PROTO_REGISTRY_H_

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/module.h"

namespace tlsweep {

// A new module for `name` ("smtp", "submission", "smtps", "imap", "imaps",
// "pop3", "pop3s", "xmpp", "xmpp-server", "xmpps", "irc", "ircs"); nullptr
// when the name is unknown.
std::unique_ptr<ProtocolModule> MakeModule(std::string_view name,
                                           const ModuleOptions& options);

// True when MakeModule knows `name`.
bool IsKnownModule(std::string_view name);

// All module names, in port-table order.
std::vector<std::string_view> ModuleNames();

// Parses "PORT=NAME" (e.g. "2525=smtp"): the port and the module name, or
// InvalidArgument naming what is wrong.
absl::StatusOr<std::pair<uint16_t, std::string>> ParseModuleOverride(
    std::string_view spec);

class PortModuleMap {
 public:
  // The port table of DESIGN.md.
  static PortModuleMap Defaults();

  // Applies one "PORT=NAME" override.
  absl::Status ApplyOverride(std::string_view spec);

  // The module name for `port`, or nullopt when the port has none.
  std::optional<std::string_view> ModuleFor(uint16_t port) const;
  // Whether `port` has a module: one bit test, for passive mode's drop path,
  // where most frames are of unmapped ports.
  bool Maps(uint16_t port) const { return mapped_[port]; }

 private:
  absl::flat_hash_map<uint16_t, std::string> map_;
  std::bitset<65536> mapped_;  // 8 KiB: the ports map_ has
};

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_REGISTRY_H_
