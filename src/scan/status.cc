#include "scan/status.h"

#include <cmath>
#include <cstdio>
#include <iterator>

#include "absl/strings/str_cat.h"
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

double HitRate(const StatusSnapshot& s) {
  return s.sent > 0 ? static_cast<double>(s.hits) / static_cast<double>(s.sent) : 0;
}

// The status file's columns, in their order: which part each belongs to
// (nullptr: every command's), its name, and its cell.
struct Column {
  bool StatusParts::*part;
  const char* name;
  std::string (*cell)(const StatusSnapshot& prev, const StatusSnapshot& now, double dt);
};
const Column kColumns[] = {
    {nullptr, "elapsed_s",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrFormat("%.3f", n.elapsed_s);
     }},
    {nullptr, "progress",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrFormat("%.6f", n.progress);
     }},
    {&StatusParts::send, "sent",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) { return absl::StrCat(n.sent); }},
    {&StatusParts::send, "send_rate",
     [](const StatusSnapshot& p, const StatusSnapshot& n, double dt) {
       return absl::StrFormat("%.1f", Rate(n.sent, p.sent, dt));
     }},
    {&StatusParts::receive, "received",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrCat(n.received);
     }},
    {&StatusParts::receive, "recv_rate",
     [](const StatusSnapshot& p, const StatusSnapshot& n, double dt) {
       return absl::StrFormat("%.1f", Rate(n.received, p.received, dt));
     }},
    {&StatusParts::receive, "hits",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) { return absl::StrCat(n.hits); }},
    {&StatusParts::receive, "hitrate",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrFormat("%.6f", HitRate(n));
     }},
    {&StatusParts::receive, "rx_missed",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrCat(n.rx_missed);
     }},
    {&StatusParts::receive, "tx_failed",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrCat(n.tx_failed);
     }},
    {&StatusParts::receive, "invalid",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrCat(n.invalid);
     }},
    {&StatusParts::send, "sending_done",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return std::string(n.sending_done ? "1" : "0");
     }},
    {&StatusParts::grab, "grabs_in_flight",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrCat(n.grabs_in_flight);
     }},
    {&StatusParts::grab, "grabs_done",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrCat(n.grabs_done);
     }},
    {&StatusParts::grab, "grabs_not_grabbed",
     [](const StatusSnapshot&, const StatusSnapshot& n, double) {
       return absl::StrCat(n.grabs_not_grabbed);
     }},
};

bool Shows(StatusParts parts, const Column& c) { return c.part == nullptr || parts.*c.part; }

}  // namespace

std::string FormatStatusLine(StatusParts parts, const StatusSnapshot& prev,
                             const StatusSnapshot& now) {
  const double dt = now.elapsed_s - prev.elapsed_s;
  const double avg_dt = now.elapsed_s;
  std::string left;
  if (now.sending_done) {
    // Only a receiving scan waits for late answers after its last probe.
    left = parts.receive ? absl::StrFormat("cooldown %.0fs left", now.cooldown_left_s) : "done";
  } else if (now.scan_paused) {
    left = "paused: grab backlog";
  } else if (now.progress > 0) {
    left = absl::StrFormat("%s left", Clock(now.elapsed_s * (1 - now.progress) / now.progress));
  } else {
    left = "? left";
  }
  std::string line = absl::StrFormat("%s %3.0f%% (%s)", Clock(now.elapsed_s),
                                     std::floor(100 * now.progress), left);
  if (parts.send) {
    absl::StrAppendFormat(&line, "; send: %u %sp/s (%sp/s avg)", now.sent,
                          Human(Rate(now.sent, prev.sent, dt)), Human(Rate(now.sent, 0, avg_dt)));
  }
  if (parts.receive) {
    absl::StrAppendFormat(
        &line,
        "; recv: %u %sp/s (%sp/s avg); hits: %u; drops: rx %u, tx %u, invalid %u; "
        "hitrate: %.2f%%",
        now.received, Human(Rate(now.received, prev.received, dt)),
        Human(Rate(now.received, 0, avg_dt)), now.hits, now.rx_missed, now.tx_failed,
        now.invalid, 100 * HitRate(now));
  } else if (parts.send) {
    line += "; dry run";  // built, not sent: nothing can answer
  }
  if (parts.grab) {
    absl::StrAppendFormat(&line, "; grabs: %u in flight, %u", now.grabs_in_flight,
                          now.grabs_done);
    if (now.grabs_total > 0) absl::StrAppendFormat(&line, " of %u", now.grabs_total);
    absl::StrAppendFormat(&line, " done (%s/s)", Human(Rate(now.grabs_done, prev.grabs_done, dt)));
    for (const auto& [status, count] : now.grabs_by_status) {
      absl::StrAppendFormat(&line, ", %s %u", status, count);
    }
    if (now.grabs_not_grabbed > 0) absl::StrAppendFormat(&line, ", not grabbed %u", now.grabs_not_grabbed);
  }
  return line;
}

std::string StatusCsvHeader(StatusParts parts) {
  std::string header;
  for (const Column& c : kColumns) {
    if (Shows(parts, c)) absl::StrAppend(&header, header.empty() ? "" : ",", c.name);
  }
  return header;
}

std::string StatusCsvRow(StatusParts parts, const StatusSnapshot& prev,
                         const StatusSnapshot& now) {
  const double dt = now.elapsed_s - prev.elapsed_s;
  std::string row;
  for (const Column& c : kColumns) {
    if (Shows(parts, c)) absl::StrAppend(&row, row.empty() ? "" : ",", c.cell(prev, now, dt));
  }
  return row;
}

absl::StatusOr<StatusReporter> StatusReporter::Create(StatusParts parts, bool quiet,
                                                      const std::string& csv_path) {
  std::unique_ptr<std::ofstream> csv;
  if (!csv_path.empty()) {
    csv = std::make_unique<std::ofstream>(csv_path, std::ios::trunc);
    if (!*csv) return absl::NotFoundError(absl::StrCat("-u: cannot create ", csv_path));
    *csv << StatusCsvHeader(parts) << "\n";
  }
  return StatusReporter(parts, quiet, std::move(csv));
}

void StatusReporter::Report(const StatusSnapshot& now) {
  if (!quiet_) std::fprintf(stderr, "%s\n", FormatStatusLine(parts_, prev_, now).c_str());
  // Flushed every row, so `tail -f` and a killed run see every second.
  if (csv_) *csv_ << StatusCsvRow(parts_, prev_, now) << "\n" << std::flush;
  prev_ = now;
}

}  // namespace tlsweep
