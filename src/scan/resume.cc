#include "scan/resume.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/atomic_file.h"
#include "nlohmann/json.hpp"

namespace tlsweep {
namespace {

using nlohmann::json;

constexpr int kResumeVersion = 1;

json PlanIdentity(const ScanPlan& plan) {
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

// A pending open port as one flat array (tens of thousands of them can be
// waiting for a grab, so no key names): what its record's "scan" object
// needs. Only SYN-ACKs are pending, so the classification, success and
// ICMP fields are implied.
enum PendingField {
  kTarget, kPort, kSaddr, kSport, kTtl, kWindow, kOptionFlags, kMss, kWscale, kTsVal, kTsEcr,
  kTimestampNs, kPendingFields
};
constexpr uint64_t kHasMss = 1, kHasWscale = 2, kSackPermitted = 4, kHasTimestamps = 8;

json PendingJson(const ScanResult& r) {
  const ScanResponse& s = r.response;
  const TcpOptionsSeen& o = s.options;
  const uint64_t flags = (o.has_mss ? kHasMss : 0) | (o.has_wscale ? kHasWscale : 0) |
                         (o.sack_permitted ? kSackPermitted : 0) |
                         (o.has_timestamps ? kHasTimestamps : 0);
  return json::array({s.target.value(), s.port, s.saddr.value(), s.sport, s.ttl, s.window, flags,
                      o.mss, o.wscale, o.ts_val, o.ts_ecr, r.timestamp_ns});
}

// The largest value each pending field may hold.
constexpr uint64_t kPendingMax[kPendingFields] = {
    0xffffffff, 0xffff, 0xffffffff, 0xffff, 0xff, 0xffff, 15, 0xffff, 0xff,
    0xffffffff, 0xffffffff, std::numeric_limits<uint64_t>::max()};

std::optional<ScanResult> PendingFromJson(const json& j) {
  if (!j.is_array() || j.size() != kPendingFields) return std::nullopt;
  uint64_t v[kPendingFields];
  for (size_t i = 0; i < kPendingFields; ++i) {
    if (!j[i].is_number_unsigned()) return std::nullopt;
    v[i] = j[i].get<uint64_t>();
    if (v[i] > kPendingMax[i]) return std::nullopt;
  }
  ScanResult r;
  ScanResponse& s = r.response;
  s.target = Ipv4Address(static_cast<uint32_t>(v[kTarget]));
  s.port = static_cast<uint16_t>(v[kPort]);
  s.saddr = Ipv4Address(static_cast<uint32_t>(v[kSaddr]));
  s.sport = static_cast<uint16_t>(v[kSport]);
  s.classification = Classification::kSynAck;
  s.success = true;
  s.ttl = static_cast<uint8_t>(v[kTtl]);
  s.window = static_cast<uint16_t>(v[kWindow]);
  s.options.has_mss = (v[kOptionFlags] & kHasMss) != 0;
  s.options.has_wscale = (v[kOptionFlags] & kHasWscale) != 0;
  s.options.sack_permitted = (v[kOptionFlags] & kSackPermitted) != 0;
  s.options.has_timestamps = (v[kOptionFlags] & kHasTimestamps) != 0;
  s.options.mss = static_cast<uint16_t>(v[kMss]);
  s.options.wscale = static_cast<uint8_t>(v[kWscale]);
  s.options.ts_val = static_cast<uint32_t>(v[kTsVal]);
  s.options.ts_ecr = static_cast<uint32_t>(v[kTsEcr]);
  r.timestamp_ns = v[kTimestampNs];
  return r;
}

absl::Status Malformed(const std::string& path, const char* what, const json& j) {
  std::string text = j.dump();
  if (text.size() > 80) text = text.substr(0, 80) + "...";
  return absl::InvalidArgumentError(absl::StrCat(path, ": malformed ", what, " ", text));
}

}  // namespace

absl::Status WriteCheckpoint(const std::string& path, const ScanPlan& plan,
                             const Checkpoint& checkpoint) {
  json doc = {{"tlsweep_resume", kResumeVersion}, {"plan", PlanIdentity(plan)}};
  json senders = json::array();
  for (const SenderPosition& p : checkpoint.positions) {
    senders.push_back({{"pass", p.pass}, {"steps_done", p.steps_done}});
  }
  doc["senders"] = std::move(senders);
  if (checkpoint.output) {
    doc["output"] = {{"path", checkpoint.output->path}, {"bytes", checkpoint.output->bytes}};
    // Flat [address, port, address, port, ...]: as many entries as answers
    // recorded in the answer window.
    json recorded = json::array();
    for (const AnswerKey& k : checkpoint.recorded) {
      recorded.push_back(k.target.value());
      recorded.push_back(k.port);
    }
    doc["recorded"] = std::move(recorded);
    json pending = json::array();
    for (const ScanResult& r : checkpoint.pending) pending.push_back(PendingJson(r));
    doc["pending"] = std::move(pending);
    if (checkpoint.journal) {
      doc["journal"] = {{"path", checkpoint.journal->path},
                        {"bytes", checkpoint.journal->bytes}};
    }
  }
  // One line: a checkpoint may list tens of thousands of pending ports.
  return WriteFileAtomically(path, doc.dump() + "\n");
}

absl::StatusOr<std::string> SaveResumeIfIncomplete(const std::string& out_path,
                                                   const ScanPlan& plan,
                                                   const Checkpoint& checkpoint, bool complete) {
  if (complete) return std::string();
  const std::string path = out_path.empty() ? kDefaultResumeFile : out_path;
  if (absl::Status s = WriteCheckpoint(path, plan, checkpoint); !s.ok()) return s;
  return path;
}

absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path, const ScanPlan& plan) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open resume file ", path,
                                            ": ", std::strerror(errno)));
  }
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() ||
      !doc.contains("tlsweep_resume") || doc["tlsweep_resume"] != kResumeVersion ||
      !doc.contains("plan") || !doc.contains("senders") ||
      !doc["senders"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a tlsweep resume file (version ", kResumeVersion,
                     "; corrupt or cut short?)"));
  }
  const json expected = PlanIdentity(plan);
  for (const auto& [key, value] : expected.items()) {
    if (!doc["plan"].contains(key) || doc["plan"][key] != value) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": the scan differs from the one that was interrupted: ", key,
          " was ", doc["plan"].contains(key) ? doc["plan"][key].dump() : "missing",
          ", now ", value.dump(),
          " (resume with the same targets, ports, seed, shard, threads and -P)"));
    }
  }
  Checkpoint c;
  for (const json& s : doc["senders"]) {
    if (!s.is_object() || !s.contains("pass") || !s.contains("steps_done") ||
        !s["pass"].is_number_unsigned() || !s["steps_done"].is_number_unsigned() ||
        s["pass"].get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
      return Malformed(path, "sender position", s);
    }
    c.positions.push_back(SenderPosition{s["pass"].get<uint32_t>(),
                                         s["steps_done"].get<uint64_t>(), 0});
  }
  if (c.positions.size() != plan.config().sender_threads) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", c.positions.size(), " sender positions for ",
        plan.config().sender_threads, " sender threads"));
  }
  if (!doc.contains("output")) return c;
  const json& out = doc["output"];
  if (!out.is_object() || !out.contains("path") || !out["path"].is_string() ||
      !out.contains("bytes") || !out["bytes"].is_number_unsigned() ||
      !doc.contains("recorded") || !doc["recorded"].is_array() || !doc.contains("pending") ||
      !doc["pending"].is_array()) {
    return Malformed(path, "checkpoint output", out);
  }
  c.output = CheckpointOutput{out["path"].get<std::string>(), out["bytes"].get<uint64_t>()};
  const json& recorded = doc["recorded"];
  if (recorded.size() % 2 != 0) return Malformed(path, "recorded list", recorded.size());
  c.recorded.reserve(recorded.size() / 2);
  for (size_t i = 0; i < recorded.size(); i += 2) {
    const json& a = recorded[i];
    const json& p = recorded[i + 1];
    if (!a.is_number_unsigned() || a.get<uint64_t>() > 0xffffffff || !p.is_number_unsigned() ||
        p.get<uint64_t>() > 0xffff) {
      return Malformed(path, "recorded answer", json::array({a, p}));
    }
    c.recorded.push_back(
        {Ipv4Address(a.get<uint32_t>()), static_cast<uint16_t>(p.get<uint32_t>())});
  }
  c.pending.reserve(doc["pending"].size());
  for (const json& p : doc["pending"]) {
    std::optional<ScanResult> r = PendingFromJson(p);
    if (!r) return Malformed(path, "pending open port", p);
    c.pending.push_back(*r);
  }
  if (doc.contains("journal")) {
    const json& j = doc["journal"];
    if (!j.is_object() || !j.contains("path") || !j["path"].is_string() || !j.contains("bytes") ||
        !j["bytes"].is_number_unsigned()) {
      return Malformed(path, "journal", j);
    }
    c.journal = CheckpointJournal{j["path"].get<std::string>(), j["bytes"].get<uint64_t>()};
  }
  return c;
}

absl::StatusOr<std::vector<SenderPosition>> ReadResumeFile(const std::string& path,
                                                           const ScanPlan& plan) {
  absl::StatusOr<Checkpoint> c = ReadCheckpoint(path, plan);
  if (!c.ok()) return c.status();
  return std::move(c->positions);
}

}  // namespace tlsweep
