// The plan half of a run's metadata JSON: what was scanned and how (seed,
// group, shard, targets and blocklist sizes, probe settings). Each runner
// adds its own counters and times to it.
#ifndef TLSWEEP_SCAN_SCAN_METADATA_H_
#define TLSWEEP_SCAN_SCAN_METADATA_H_

#include <string>

#include "absl/status/status.h"
#include "common/time_format.h"
#include "nlohmann/json.hpp"
#include "scan/scan_config.h"

namespace tlsweep {

nlohmann::json PlanMetadata(const ScanPlan& plan);

// The plan's metadata plus how a run went: `mode` ("dryrun", "dpdk"), start
// and end times, duration, whether it was interrupted or complete, and the
// resume files read and written.
struct RunSummary {
  std::string mode;
  std::string start_time;
  double duration_seconds = 0;
  bool interrupted = false;
  bool complete = false;
  std::string resumed_from;
  std::string resume_file;
};
nlohmann::json RunMetadata(const ScanPlan& plan, const RunSummary& run);

// Writes `doc` to `path` (pretty-printed) atomically; the error names the
// path.
absl::Status WriteJsonFile(const std::string& path, const nlohmann::json& doc);

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_SCAN_METADATA_H_
