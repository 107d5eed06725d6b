#include "scan/resume.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/atomic_file.h"
#include "nlohmann/json.hpp"

namespace tlsweep {
namespace {

constexpr int kResumeVersion = 1;

nlohmann::json PlanIdentity(const ScanPlan& plan) {
  const ScanConfig& c = plan.config();
  return {{"seed", c.seed},
          {"prime", plan.group().prime},
          {"generator", plan.group().generator},
          {"start", plan.group().start},
          {"targets", plan.space().size()},
          {"shard", c.shard},
          {"shards", c.num_shards},
          {"sender_threads", c.sender_threads},
          {"probes", c.probes}};
}

}  // namespace

absl::Status WriteResumeFile(const std::string& path, const ScanPlan& plan,
                             const std::vector<SenderPosition>& positions) {
  nlohmann::json doc = {{"tlsweep_resume", kResumeVersion},
                        {"plan", PlanIdentity(plan)}};
  nlohmann::json senders = nlohmann::json::array();
  for (const SenderPosition& p : positions) {
    senders.push_back({{"pass", p.pass}, {"steps_done", p.steps_done}});
  }
  doc["senders"] = std::move(senders);
  return WriteFileAtomically(path, doc.dump(2) + "\n");
}

absl::StatusOr<std::string> SaveResumeIfIncomplete(
    const std::string& out_path, const ScanPlan& plan,
    const std::vector<SenderPosition>& positions, bool complete) {
  if (complete) return std::string();
  const std::string path = out_path.empty() ? kDefaultResumeFile : out_path;
  if (absl::Status s = WriteResumeFile(path, plan, positions); !s.ok()) return s;
  return path;
}

absl::StatusOr<std::vector<SenderPosition>> ReadResumeFile(
    const std::string& path, const ScanPlan& plan) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open resume file ", path,
                                            ": ", std::strerror(errno)));
  }
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() ||
      doc.value("tlsweep_resume", 0) != kResumeVersion ||
      !doc.contains("plan") || !doc.contains("senders") ||
      !doc["senders"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a tlsweep resume file (version ",
                     kResumeVersion, ")"));
  }
  const nlohmann::json expected = PlanIdentity(plan);
  for (const auto& [key, value] : expected.items()) {
    if (!doc["plan"].contains(key) || doc["plan"][key] != value) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": the scan differs from the one that was interrupted: ", key,
          " was ", doc["plan"].contains(key) ? doc["plan"][key].dump() : "missing",
          ", now ", value.dump(),
          " (resume with the same targets, ports, seed, shard, threads and -P)"));
    }
  }
  std::vector<SenderPosition> positions;
  for (const nlohmann::json& s : doc["senders"]) {
    if (!s.is_object() || !s.contains("pass") || !s.contains("steps_done") ||
        !s["pass"].is_number_unsigned() || !s["steps_done"].is_number_unsigned()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": malformed sender position ", s.dump()));
    }
    positions.push_back(SenderPosition{s["pass"].get<uint32_t>(),
                                       s["steps_done"].get<uint64_t>(), 0});
  }
  if (positions.size() != plan.config().sender_threads) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", positions.size(), " sender positions for ",
        plan.config().sender_threads, " sender threads"));
  }
  return positions;
}

}  // namespace tlsweep
