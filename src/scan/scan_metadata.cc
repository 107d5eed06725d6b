#include "scan/scan_metadata.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace tlsweep {

nlohmann::json PlanMetadata(const ScanPlan& plan) {
  const ScanConfig& c = plan.config();
  const SourceRange& s = c.sources;
  return {
      {"seed", c.seed},
      {"prime", plan.group().prime},
      {"generator", plan.group().generator},
      {"start", plan.group().start},
      {"shard", c.shard},
      {"shards", c.num_shards},
      {"sender_threads", c.sender_threads},
      {"target_ports", c.ports},
      {"targets", plan.space().size()},
      {"addresses_allowed", plan.allowed().allowed.Count()},
      {"addresses_requested", plan.allowed().requested},
      {"addresses_blocked", plan.allowed().blocked},
      {"blocklist", plan.allowed().blocklist_source},
      {"probes_per_target", c.probes},
      {"max_targets", c.max_targets},
      {"rate", c.rate.ToString()},
      {"source_ip_first", s.first.ToString()},
      {"source_ip_last", Ipv4Address(s.first.value() + s.count - 1).ToString()},
      {"source_port_first", c.sport_first},
      {"source_port_last", c.sport_first + c.sport_count - 1},
      {"source_mac", c.probe.src_mac.ToString()},
      {"gateway_mac", c.probe.dst_mac.ToString()},
      {"probe_ttl", c.probe.ttl},
      {"tcp_options", std::string(TcpOptionProfileName(c.probe.options))},
  };
}

nlohmann::json RunMetadata(const ScanPlan& plan, const RunSummary& run) {
  nlohmann::json meta = PlanMetadata(plan);
  meta["tlsweep_version"] = TLSWEEP_VERSION;
  meta["mode"] = run.mode;
  meta["start_time"] = run.start_time;
  meta["end_time"] = Rfc3339Now();
  meta["duration_seconds"] = run.duration_seconds;
  meta["interrupted"] = run.interrupted;
  meta["complete"] = run.complete;
  meta["resumed_from"] = run.resumed_from;
  meta["resume_file"] = run.resume_file;
  return meta;
}

absl::Status WriteJsonFile(const std::string& path, const nlohmann::json& doc) {
  // Written to a temporary name and renamed, so a reader (or a crash) never
  // sees half a file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    out.close();
    if (!out) {
      return absl::UnavailableError(
          absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot rename ", tmp, " to ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace tlsweep
