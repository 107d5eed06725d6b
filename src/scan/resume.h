// The resume file: where each sender thread stood when a scan stopped early
// (Ctrl-C or -n), so that `--resume FILE` continues exactly there and the
// two runs together probe what one uninterrupted run would have.
//
// The file also records what the positions are positions *in* (seed, group,
// target-space size, shard, threads, -P): resuming against a different plan
// would silently probe the wrong targets, so it is refused with a message
// naming the first field that differs.
#ifndef TLSWEEP_SCAN_RESUME_H_
#define TLSWEEP_SCAN_RESUME_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scan/probe_generator.h"
#include "scan/scan_config.h"

namespace tlsweep {

// Writes the positions of all sender threads of `plan` (one per thread, in
// thread order) to `path`, atomically (a temporary file then rename).
absl::Status WriteResumeFile(const std::string& path, const ScanPlan& plan,
                             const std::vector<SenderPosition>& positions);

// Where an early stop saves its position unless --resume-out says otherwise.
inline constexpr char kDefaultResumeFile[] = "tlsweep.resume.json";

// At the end of a run: when any sender has work left, writes the positions
// to `out_path` (kDefaultResumeFile if empty) and returns the path written;
// returns "" when the run was complete.
absl::StatusOr<std::string> SaveResumeIfIncomplete(
    const std::string& out_path, const ScanPlan& plan,
    const std::vector<SenderPosition>& positions, bool complete);

// Reads a resume file and checks it against `plan`. Returns one position per
// sender thread, with targets_sent reset to 0 (a new -n applies to the new
// run).
absl::StatusOr<std::vector<SenderPosition>> ReadResumeFile(
    const std::string& path, const ScanPlan& plan);

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_RESUME_H_
