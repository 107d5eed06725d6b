// See metadata.h. Not on the hot path (a few small files): nlohmann::json.
#include "report/metadata.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "output/metadata.h"

namespace tlsweep::report {
namespace {

struct Scan {
  uint64_t addresses = 0;
  std::vector<uint16_t> ports;
  uint64_t shards = 1;
  std::set<uint64_t> shards_seen;
  bool incomplete = false;
  uint64_t max_targets = 0;
  std::string first_file;
};

// The unsigned number under `key`, else `fallback` (absent or another type).
uint64_t UintOr(const nlohmann::json& j, const char* key, uint64_t fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : fallback;
}

bool BoolOr(const nlohmann::json& j, const char* key, bool fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::string TextOr(const nlohmann::json& j, const char* key, const char* fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

nlohmann::json ValueOrNull(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() ? *it : nlohmann::json();
}

}  // namespace

absl::StatusOr<TargetCounts> ReadTargetCounts(const std::vector<std::string>& paths) {
  TargetCounts out;
  std::map<std::string, Scan> scans;  // identity -> scan
  for (const std::string& path : paths) {
    std::ifstream in(path);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot open metadata ", path));
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json meta = nlohmann::json::parse(text.str(), nullptr, false);
    if (!meta.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("metadata ", path, " is not a JSON object"));
    }
    const auto ports = meta.find(metadata_key::kTargetPorts);
    const auto allowed = meta.find(metadata_key::kAddressesAllowed);
    if (ports == meta.end() || !ports->is_array() || allowed == meta.end() ||
        !allowed->is_number_unsigned()) {
      out.notes.push_back(absl::StrCat("metadata ", path, " (mode ",
                                       TextOr(meta, metadata_key::kMode, "?"),
                                       ") has no per-port target space; it adds no targets"));
      continue;
    }
    Scan scan;
    scan.addresses = allowed->get<uint64_t>();
    for (const nlohmann::json& p : *ports) {
      if (!p.is_number_unsigned() || p.get<uint64_t>() > 65535) {
        return absl::InvalidArgumentError(absl::StrCat("metadata ", path, ": bad target_ports"));
      }
      scan.ports.push_back(p.get<uint16_t>());
    }
    // Shards of one scan share the seed, the permutation and the space.
    const std::string identity =
        nlohmann::json{{"seed", ValueOrNull(meta, metadata_key::kSeed)},
                       {"prime", ValueOrNull(meta, metadata_key::kPrime)},
                       {"generator", ValueOrNull(meta, metadata_key::kGenerator)},
                       {"shards", ValueOrNull(meta, metadata_key::kShards)},
                       {"addresses", scan.addresses},
                       {"ports", scan.ports}}
            .dump();
    auto [it, inserted] = scans.emplace(identity, std::move(scan));
    Scan& s = it->second;
    if (inserted) {
      s.shards = std::max<uint64_t>(1, UintOr(meta, metadata_key::kShards, 1));
      s.first_file = path;
    }
    s.shards_seen.insert(UintOr(meta, metadata_key::kShard, 0));
    if (!BoolOr(meta, metadata_key::kComplete, true) ||
        BoolOr(meta, metadata_key::kInterrupted, false)) {
      s.incomplete = true;
    }
    s.max_targets = std::max(s.max_targets, UintOr(meta, metadata_key::kMaxTargets, 0));
  }
  for (const auto& [identity, s] : scans) {
    out.known = true;
    for (uint16_t port : s.ports) out.per_port[port] += s.addresses;
    if (s.shards_seen.size() < s.shards) {
      out.notes.push_back(absl::StrCat("scan of ", s.first_file, ": metadata of ", s.shards_seen.size(),
                                       " of ", s.shards,
                                       " shards given; targets count the whole target space"));
    }
    if (s.incomplete) {
      out.notes.push_back(absl::StrCat("scan of ", s.first_file,
                                       ": a run stopped before the end; fewer targets were probed "
                                       "than counted"));
    }
    if (s.max_targets > 0) {
      out.notes.push_back(absl::StrCat("scan of ", s.first_file, ": capped at --max-targets ",
                                       s.max_targets, "; fewer targets were probed than counted"));
    }
  }
  return out;
}

}  // namespace tlsweep::report
