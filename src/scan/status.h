// The once-a-second status line on stderr, in ZMap's shape, and the same
// figures as a CSV row for the status file (-u): one format for every
// command. A command shows the parts it has: the scan's sending (scan, dry
// run, run), its receiving (scan and run on a NIC) and the grabs (run,
// grab); the CSV has the columns of those parts, in one fixed order.
//
// The control thread takes a StatusSnapshot of the counters every second;
// rates are differences between consecutive snapshots, averages are over
// the whole run.
#ifndef TLSWEEP_SCAN_STATUS_H_
#define TLSWEEP_SCAN_STATUS_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tlsweep {

// Which parts of the status a command shows.
struct StatusParts {
  bool send = false;     // probes built and sent
  bool receive = false;  // answers from the NIC (not in a dry run)
  bool grab = false;     // grabs, by status
};
inline constexpr StatusParts kScanStatus{.send = true, .receive = true};
inline constexpr StatusParts kDryrunStatus{.send = true};
inline constexpr StatusParts kRunStatus{.send = true, .receive = true, .grab = true};
inline constexpr StatusParts kGrabStatus{.grab = true};

struct StatusSnapshot {
  double elapsed_s = 0;
  // Fraction done, in [0, 1]: of the sending, or for `grab` of the targets.
  double progress = 0;
  bool sending_done = false;
  double cooldown_left_s = 0;
  uint64_t sent = 0;        // probes handed to the NIC (dry run: built)
  uint64_t received = 0;    // unique valid answers of any kind
  uint64_t hits = 0;        // unique open ports
  uint64_t rx_missed = 0;   // frames the NIC or the kernel ring dropped
  uint64_t tx_failed = 0;   // probes the NIC refused after retries
  uint64_t invalid = 0;     // frames that were not valid answers
  uint64_t grabs_in_flight = 0;
  uint64_t grabs_done = 0;
  uint64_t grabs_total = 0;        // targets to grab, when known (`grab`); 0: unknown
  uint64_t grabs_not_grabbed = 0;  // queue full or interrupted
  bool scan_paused = false;        // `run`: senders held for the grab backlog
  std::vector<std::pair<std::string, uint64_t>> grabs_by_status;  // non-zero ones
};

// "0:05  42% (0:07 left); send: 42000 10.00 Kp/s (8.40 Kp/s avg); recv: ...".
std::string FormatStatusLine(StatusParts parts, const StatusSnapshot& prev,
                             const StatusSnapshot& now);

// CSV header and row of the status file (-u): the columns of `parts`.
std::string StatusCsvHeader(StatusParts parts);
std::string StatusCsvRow(StatusParts parts, const StatusSnapshot& prev,
                         const StatusSnapshot& now);

// Where a command's status goes: the line to stderr unless quiet, the row
// to the -u file if one was named. Remembers the last snapshot for rates.
class StatusReporter {
 public:
  // Creates `csv_path` ("" for none) and writes its header. Error: the file
  // cannot be created.
  static absl::StatusOr<StatusReporter> Create(StatusParts parts, bool quiet,
                                               const std::string& csv_path);

  void Report(const StatusSnapshot& now);

 private:
  StatusReporter(StatusParts parts, bool quiet, std::unique_ptr<std::ofstream> csv)
      : parts_(parts), quiet_(quiet), csv_(std::move(csv)) {}

  StatusParts parts_;
  bool quiet_;
  std::unique_ptr<std::ofstream> csv_;
  StatusSnapshot prev_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_STATUS_H_
