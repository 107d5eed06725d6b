// The resume file: where each sender thread stood when a scan stopped
// (Ctrl-C, -n, or -- as a periodic checkpoint -- a kill -9 at any moment),
// so that `--resume FILE` continues there and the two runs together record
// what one uninterrupted run would have.
//
// The file also records what the positions are positions *in* (seed, group,
// target-space size, shard, threads, -P): resuming against a different plan
// would silently probe the wrong targets, so it is refused with a message
// naming the first field that differs.
//
// A checkpoint (runner/scan_runner.cc writes one every --checkpoint-interval)
// adds what a crash needs on top of the positions, because a kill -9 leaves
// no chance to finish anything:
// - "output": the result file and its length at the checkpoint, made durable
//   (fflush + fsync) before the checkpoint was written. Records after that
//   length (and a partial last line) are cut off on resume: the answers
//   they held come again from the re-sent probes or the pending list.
// - "recorded": the (address, port) of every answer recorded since the
//   positions were taken. The positions lag the checkpoint by the answer
//   window (scan_runner.cc), so the resumed run re-sends probes some of
//   whose answers are already in the output; these go into its duplicate
//   filter first, so they are not recorded twice.
// - "pending" (`tlsweep run`): the open ports handed to the grabber whose
//   records were not yet in the output; the resumed run grabs them again.
// - "journal": the open-port journal (scan/journal.h) and its length when
//   the checkpoint was taken. Its entries past that length are the open
//   ports found after the checkpoint; the resumed run grabs (run) or writes
//   (scan) them again rather than count on their servers answering the
//   re-sent probes.
#ifndef TLSWEEP_SCAN_RESUME_H_
#define TLSWEEP_SCAN_RESUME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "scan/probe_generator.h"
#include "scan/response_handler.h"
#include "scan/scan_config.h"

namespace tlsweep {

// One (address, port) answer.
struct AnswerKey {
  Ipv4Address target;
  uint16_t port = 0;
  friend bool operator==(const AnswerKey&, const AnswerKey&) = default;
};

// The result file a checkpoint covers: its path (absolute) and the bytes
// of it that were on disk when the checkpoint was taken.
struct CheckpointOutput {
  std::string path;
  uint64_t bytes = 0;
  friend bool operator==(const CheckpointOutput&, const CheckpointOutput&) = default;
};

// The open-port journal at a checkpoint: its path (absolute) and length.
struct CheckpointJournal {
  std::string path;
  uint64_t bytes = 0;
  friend bool operator==(const CheckpointJournal&, const CheckpointJournal&) = default;
};

struct Checkpoint {
  // One per sender thread, in thread order.
  std::vector<SenderPosition> positions;
  // Absent in the resume file of a dry run or of a scan writing to stdout.
  std::optional<CheckpointOutput> output = std::nullopt;
  std::vector<AnswerKey> recorded = {};
  // Open ports (SYN-ACK answers) waiting for their grab record.
  std::vector<ScanResult> pending = {};
  // Absent when the run kept no journal (and in older resume files).
  std::optional<CheckpointJournal> journal = std::nullopt;
};

// Writes `checkpoint` for `plan` to `path`, atomically and durably
// (common/atomic_file.h).
absl::Status WriteCheckpoint(const std::string& path, const ScanPlan& plan,
                             const Checkpoint& checkpoint);

// Where an early stop saves its position unless --resume-out says otherwise.
inline constexpr char kDefaultResumeFile[] = "tlsweep.resume.json";

// At the end of a run: when any sender has work left, writes `checkpoint`
// to `out_path` (kDefaultResumeFile if empty) and returns the path written;
// returns "" when the run was complete.
absl::StatusOr<std::string> SaveResumeIfIncomplete(const std::string& out_path,
                                                   const ScanPlan& plan,
                                                   const Checkpoint& checkpoint, bool complete);

// Reads a resume file or checkpoint and checks it against `plan`. The
// positions have targets_sent reset to 0 (a new -n applies to the new run).
// Errors name the file: unreadable, not a resume file (corrupt, truncated),
// another scan's, malformed entries.
absl::StatusOr<Checkpoint> ReadCheckpoint(const std::string& path, const ScanPlan& plan);

// Only the positions (the dry run, which has no answers).
absl::StatusOr<std::vector<SenderPosition>> ReadResumeFile(const std::string& path,
                                                           const ScanPlan& plan);

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_RESUME_H_
