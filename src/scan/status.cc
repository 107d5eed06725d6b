#include "scan/status.h"

#include <cmath>

#include "absl/strings/str_format.h"

namespace tlsweep {
namespace {

// 1234567 -> "1.23 M": ZMap's human-readable rates.
std::string Human(double v) {
  if (v >= 1e9) return absl::StrFormat("%.2f G", v / 1e9);
  if (v >= 1e6) return absl::StrFormat("%.2f M", v / 1e6);
  if (v >= 1e3) return absl::StrFormat("%.2f K", v / 1e3);
  return absl::StrFormat("%.0f ", v);
}

std::string Clock(double secs) {
  const int64_t s = static_cast<int64_t>(secs);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

double Rate(uint64_t now, uint64_t prev, double dt) {
  return dt > 0 ? static_cast<double>(now - prev) / dt : 0;
}

}  // namespace

std::string FormatStatusLine(const StatusSnapshot& prev, const StatusSnapshot& now) {
  const double dt = now.elapsed_s - prev.elapsed_s;
  const double avg_dt = now.elapsed_s;
  std::string left;
  if (now.sending_done) {
    left = absl::StrFormat("cooldown %.0fs left", now.cooldown_left_s);
  } else if (now.progress > 0) {
    left = absl::StrFormat("%s left", Clock(now.elapsed_s * (1 - now.progress) / now.progress));
  } else {
    left = "? left";
  }
  const double hitrate = now.sent > 0 ? 100.0 * static_cast<double>(now.hits) /
                                            static_cast<double>(now.sent)
                                      : 0;
  std::string line = absl::StrFormat(
      "%s %3.0f%% (%s); send: %u %sp/s (%sp/s avg); recv: %u %sp/s (%sp/s avg); "
      "hits: %u; drops: rx %u, tx %u, invalid %u; hitrate: %.2f%%",
      Clock(now.elapsed_s), std::floor(100 * now.progress), left, now.sent,
      Human(Rate(now.sent, prev.sent, dt)), Human(Rate(now.sent, 0, avg_dt)),
      now.received, Human(Rate(now.received, prev.received, dt)),
      Human(Rate(now.received, 0, avg_dt)), now.hits, now.rx_missed,
      now.tx_failed, now.invalid, hitrate);
  if (now.grabbing) {
    absl::StrAppendFormat(&line, "; grabs: %u in flight, %u done (%s/s)", now.grabs_in_flight,
                          now.grabs_done, Human(Rate(now.grabs_done, prev.grabs_done, dt)));
    for (const auto& [status, count] : now.grabs_by_status) {
      absl::StrAppendFormat(&line, ", %s %u", status, count);
    }
    if (now.grabs_not_grabbed > 0) absl::StrAppendFormat(&line, ", not grabbed %u", now.grabs_not_grabbed);
  }
  return line;
}

std::string StatusCsvHeader(bool grabbing) {
  std::string header =
      "elapsed_s,progress,sent,send_rate,received,recv_rate,hits,hitrate,"
      "rx_missed,tx_failed,invalid,sending_done";
  if (grabbing) header += ",grabs_in_flight,grabs_done,grabs_not_grabbed";
  return header;
}

std::string StatusCsvRow(const StatusSnapshot& prev, const StatusSnapshot& now) {
  const double dt = now.elapsed_s - prev.elapsed_s;
  return absl::StrFormat(
      "%.3f,%.6f,%u,%.1f,%u,%.1f,%u,%.6f,%u,%u,%u,%d", now.elapsed_s,
      now.progress, now.sent, Rate(now.sent, prev.sent, dt), now.received,
      Rate(now.received, prev.received, dt), now.hits,
      now.sent > 0 ? static_cast<double>(now.hits) / static_cast<double>(now.sent) : 0.0,
      now.rx_missed, now.tx_failed, now.invalid, now.sending_done ? 1 : 0) +
         (now.grabbing ? absl::StrFormat(",%u,%u,%u", now.grabs_in_flight, now.grabs_done,
                                         now.grabs_not_grabbed)
                       : "");
}

}  // namespace tlsweep
