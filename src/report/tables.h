// The report's tables and charts, defined once from the aggregates; the
// Markdown, CSV and HTML renderers (render.h) only lay them out.
//
// A "server" is one distinct (IPv4 address, port) record. Every share says
// its denominator in the column name or the table's note:
//   - overview: shares of open servers;
//   - versions, ciphers, key exchange: shares of ServerHellos (connections
//     where the server chose a version and suite, whether or not the
//     handshake then completed), versions per ClientHello profile;
//   - certificates, key types, signatures, reuse: shares of servers that
//     sent a certificate chain (the leaf is what is counted);
//   - mechanisms and combinations: shares of servers whose capability
//     listing was received on that side of the TLS upgrade;
//   - raw probes (per --raw-probes profile): shares of that profile's
//     ServerHellos; DH primes: servers that sent a DHE prime to any raw
//     probe; Logjam: servers that answered a raw probe;
//   - plaintext before TLS: servers with a listing before TLS;
//     LOGINDISABLED: IMAP servers whose capabilities were seen (before TLS on
//     143, inside TLS on 993).
// With passive records (tlsweep passive) beside them, a "connection" is one
// observed connection, each counted, and the tables the study has both
// columns for put a connections column next to the servers column:
//   - mechanism combinations: shares of the connections whose listing before
//     TLS was seen (after TLS it is encrypted);
//   - versions, cipher classes, DH sizes (tls_connections): shares of the
//     connections with the server's ServerHello;
//   - STARTTLS upgrade: shares of the connections on STARTTLS ports whose
//     STARTTLS step was seen; plaintext credentials: of those not upgraded;
//   - client offers: shares of the ClientHellos captured whole.
// Without passive records the report is what it was: no connections
// columns, no connection tables.
#ifndef TLSWEEP_REPORT_TABLES_H_
#define TLSWEEP_REPORT_TABLES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "report/aggregate.h"
#include "report/metadata.h"

namespace tlsweep::report {

struct Cell {
  enum class Kind { kText, kCount, kShare, kMissing };
  Kind kind = Kind::kMissing;
  std::string text;
  uint64_t count = 0;            // kCount; numerator of kShare
  uint64_t denominator = 0;      // kShare (never 0: a share of 0 is kMissing)

  static Cell Text(std::string t);
  static Cell Count(uint64_t n);
  // n / of; "-" when `of` is 0.
  static Cell Share(uint64_t n, uint64_t of);
  static Cell Missing();

  // "20.86%" for shares, the number for counts, "-" when missing.
  std::string Display() const;
  // As Display(), but shares as a bare percentage ("20.86") for CSV.
  std::string Plain() const;
};

struct Table {
  std::string id;     // CSV file name without ".csv"
  std::string title;
  std::string note;   // definitions and denominators
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

struct Chart {
  enum class Kind {
    kShareBars,  // one horizontal bar per label, values in [0, 1]
    kHistogram,  // one vertical bar per label, values are counts
    kCdf,        // points (x, cumulative share), x on a log scale
  };
  Kind kind = Kind::kShareBars;
  std::string id;
  std::string title;
  std::string x_label;
  std::vector<std::string> labels;
  std::vector<double> values;
  std::vector<std::pair<double, double>> points;
};

struct ReportOptions {
  size_t top = 10;              // cipher suites and shared keys per group
  size_t top_combinations = 6;  // mechanism combinations per group and side
};

struct Report {
  std::vector<std::string> summary;  // sentences about the input
  std::vector<Table> tables;
  std::vector<Chart> charts;
};

Report BuildReport(Aggregator& aggregator, const TargetCounts& targets,
                   const ReportOptions& options);

}  // namespace tlsweep::report

#endif  // TLSWEEP_REPORT_TABLES_H_
