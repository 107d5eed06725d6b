// The once-a-second status line on stderr, in ZMap's shape, and the same
// figures as a CSV row for the status file (-u).
//
// The control thread takes a StatusSnapshot of the counters every second;
// rates are differences between consecutive snapshots, averages are over
// the whole run.
#ifndef TLSWEEP_SCAN_STATUS_H_
#define TLSWEEP_SCAN_STATUS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tlsweep {

struct StatusSnapshot {
  double elapsed_s = 0;
  double progress = 0;      // fraction of the sending done, in [0, 1]
  bool sending_done = false;
  double cooldown_left_s = 0;
  uint64_t sent = 0;        // probes handed to the NIC
  uint64_t received = 0;    // unique valid answers of any kind
  uint64_t hits = 0;        // unique open ports
  uint64_t rx_missed = 0;   // frames the NIC dropped (imissed)
  uint64_t tx_failed = 0;   // probes the NIC refused after retries
  uint64_t invalid = 0;     // frames that were not valid answers
  // `tlsweep run`: the grab pool's half.
  bool grabbing = false;
  uint64_t grabs_in_flight = 0;
  uint64_t grabs_done = 0;
  uint64_t grabs_not_grabbed = 0;  // queue full or interrupted
  std::vector<std::pair<std::string, uint64_t>> grabs_by_status;  // non-zero ones
};

// "0:05 42% (7s left); send: 42000 10.0 Kp/s (9.9 Kp/s avg); recv: 120 ...".
std::string FormatStatusLine(const StatusSnapshot& prev, const StatusSnapshot& now);

// CSV header and row of the status file (-u); `grabbing` adds the grab
// pool's columns.
std::string StatusCsvHeader(bool grabbing = false);
std::string StatusCsvRow(const StatusSnapshot& prev, const StatusSnapshot& now);

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_STATUS_H_
