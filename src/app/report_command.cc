#include "app/report_command.h"

#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
#include "app/flag_table.h"
#include "common/status_macros.h"
#include "report/aggregate.h"
#include "report/metadata.h"
#include "report/render.h"
#include "report/tables.h"

namespace tlsweep {
namespace {

constexpr char kUsage[] = R"(usage: tlsweep report [flags] FILE...

Reads JSON Lines result files of tlsweep grab / tlsweep run (several shards
of one scan merge; "-" is standard input) and prints the study's tables per
protocol and port as Markdown: scan overview, TLS versions per ClientHello
profile, cipher classes and suites, key exchange and DH sizes, certificates,
key and certificate reuse, authentication mechanisms and their combinations.

Passive records (tlsweep passive -o, told by their "client_ip") may be given
beside them: each is one observed connection, and the report then shows a
connections column next to the servers column (mechanism combinations,
versions, cipher classes, DH sizes) and tables of STARTTLS upgrades,
plaintext credentials and client offers.

A host and port counts once: the first record read for it wins, later ones
are counted as duplicates. Bad lines (not JSON, a truncated last line, a
record of another version) are reported on stderr as FILE:LINE and skipped;
the report says how many. Records carry no version field yet.
)";
constexpr char kUsageTail[] = R"(
Exit status: 0 done, 1 an input, metadata or output file failed, 2 bad flags.
)";

struct ReportCommandLine {
  std::vector<std::string> inputs;
  std::vector<std::string> metadata;
  std::string csv_dir;
  std::string html;
  report::ReportOptions options;
  bool quiet = false;
  bool help = false;
};

std::vector<FlagGroup> Flags(ReportCommandLine* cl) {
  return {{"",
           {{.name = "metadata", .short_name = 'm', .arg = "FILE",
             .help = "metadata JSON of the scan (-m of tlsweep scan/run), for the targets "
                     "column; repeat for shards or scans",
             .set = [cl](const std::string&, const std::string& value) {
               cl->metadata.push_back(value);
               return absl::OkStatus();
             }},
            {.name = "csv-dir", .arg = "DIR", .help = "also write each table as DIR/<table>.csv",
             .set = SetString(&cl->csv_dir)},
            {.name = "html", .arg = "FILE",
             .help = "also write a self-contained HTML page with charts",
             .set = SetString(&cl->html)},
            {.name = "top", .arg = "N", .help = "cipher suites and shared keys listed per port",
             .default_value = absl::StrCat(cl->options.top),
             .set = SetNumber<size_t>(&cl->options.top, 1, 1000000)},
            {.name = "top-combinations", .arg = "N",
             .help = "mechanism combinations listed per port and side",
             .default_value = absl::StrCat(cl->options.top_combinations),
             .set = SetNumber<size_t>(&cl->options.top_combinations, 1, 1000000)},
            {.name = "quiet", .short_name = 'q', .help = "no summary line on stderr",
             .set = SetTrue(&cl->quiet)}}}};
}

absl::StatusOr<ReportCommandLine> Parse(const std::vector<std::string>& args) {
  ReportCommandLine cl;
  TLSWEEP_ASSIGN_OR_RETURN(ParsedFlags parsed, ParseFlags("report", Flags(&cl), args));
  cl.help = parsed.help;
  cl.inputs = std::move(parsed.positional);
  if (cl.inputs.empty() && !cl.help) {
    return absl::InvalidArgumentError("no input files (see tlsweep report --help)");
  }
  return cl;
}

std::string Usage() {
  ReportCommandLine defaults;
  return absl::StrCat(kUsage, report::kRecordVersionRule, "\n", FlagHelp(Flags(&defaults)),
                      kUsageTail);
}

absl::Status Run(const ReportCommandLine& cl) {
  TLSWEEP_ASSIGN_OR_RETURN(const report::TargetCounts targets,
                           report::ReadTargetCounts(cl.metadata));
  report::Aggregator aggregator(stderr);
  for (const std::string& input : cl.inputs) TLSWEEP_RETURN_IF_ERROR(aggregator.AddFile(input));
  const report::Report r = report::BuildReport(aggregator, targets, cl.options);
  const std::string markdown = report::RenderMarkdown(r);
  if (std::fwrite(markdown.data(), 1, markdown.size(), stdout) != markdown.size() ||
      std::fflush(stdout) != 0) {
    return absl::UnavailableError("cannot write to stdout");
  }
  if (!cl.csv_dir.empty()) TLSWEEP_RETURN_IF_ERROR(report::WriteCsvFiles(r, cl.csv_dir));
  if (!cl.html.empty()) TLSWEEP_RETURN_IF_ERROR(report::WriteFile(cl.html, report::RenderHtml(r)));
  if (!cl.quiet) std::fprintf(stderr, "report: %s\n", r.summary.front().c_str());
  return absl::OkStatus();
}

}  // namespace

int ReportCommand(const std::vector<std::string>& args) {
  auto cl = Parse(args);
  if (!cl.ok()) return CommandError("report", cl.status(), 2);
  if (cl->help) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  const absl::Status status = Run(*cl);
  return status.ok() ? 0 : CommandError("report", status, 1);
}

}  // namespace tlsweep
