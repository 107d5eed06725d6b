// Lays out a Report (tables.h) three ways: Markdown for a terminal or a
// README, one CSV file per table for spreadsheets and scripts, and one
// self-contained HTML page with inline SVG charts that opens offline (no
// scripts, fonts, style sheets or images from anywhere else).
#ifndef TLSWEEP_REPORT_RENDER_H_
#define TLSWEEP_REPORT_RENDER_H_

#include <string>

#include "absl/status/status.h"
#include "report/tables.h"

namespace tlsweep::report {

std::string RenderMarkdown(const Report& report);

// One RFC 4180 CSV per table, DIR/<table id>.csv (shares as percentages
// without the "%"); creates DIR. Unavailable naming the file on failure.
absl::Status WriteCsvFiles(const Report& report, const std::string& dir);

// One CSV document for `table`.
std::string RenderCsv(const Table& table);

// The whole page; exactly one <svg> element per chart.
std::string RenderHtml(const Report& report);

// Writes `contents` to `path`; Unavailable naming the file on failure.
absl::Status WriteFile(const std::string& path, const std::string& contents);

}  // namespace tlsweep::report

#endif  // TLSWEEP_REPORT_RENDER_H_
