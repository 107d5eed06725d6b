// Target counts for the scan overview, from the metadata JSON that
// `tlsweep scan -m` / `tlsweep run -m` write.
//
// A run's metadata holds its whole target space: "addresses_allowed"
// addresses, each probed on every port of "target_ports" (so "targets" is
// their product). Every shard of a scan writes the same space, so metadata
// files of one scan (same seed, permutation and space) count once; files of
// different scans add up. The targets of a port are then the allowed
// addresses of every scan that probed it. Caveats (missing shards, a run
// that stopped early, a --max-targets cap) become notes under the table.
#ifndef TLSWEEP_REPORT_METADATA_H_
#define TLSWEEP_REPORT_METADATA_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tlsweep::report {

struct TargetCounts {
  bool known = false;                  // at least one scan gave per-port targets
  std::map<uint16_t, uint64_t> per_port;
  std::vector<std::string> notes;      // caveats, one sentence each
};

// Reads every metadata file. NotFound / InvalidArgument naming the file when
// one cannot be read or is not a JSON object; a file without a target space
// (e.g. `tlsweep grab -m`) only adds a note.
absl::StatusOr<TargetCounts> ReadTargetCounts(const std::vector<std::string>& paths);

}  // namespace tlsweep::report

#endif  // TLSWEEP_REPORT_METADATA_H_
