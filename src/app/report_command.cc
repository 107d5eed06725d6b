#include "app/report_command.h"

#include <getopt.h>

#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
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

A host and port counts once: the first record read for it wins, later ones
are counted as duplicates. Bad lines (not JSON, a truncated last line, a
record of another version) are reported on stderr as FILE:LINE and skipped;
the report says how many. Records carry no version field yet.
)";
constexpr char kUsageFlags[] = R"(
  -m, --metadata=FILE      metadata JSON of the scan (-m of tlsweep scan/run),
                           for the targets column; repeat for shards or scans
      --csv-dir=DIR        also write each table as DIR/<table>.csv
      --html=FILE          also write a self-contained HTML page with charts
      --top=N              cipher suites and shared keys listed per port (10)
      --top-combinations=N mechanism combinations listed per port and side (6)
  -q, --quiet              no summary line on stderr
  -h, --help               this text

Exit status: 0 done, 1 an input, metadata or output file failed, 2 bad flags.
)";

const struct option kOptions[] = {
    {"metadata", required_argument, nullptr, 'm'},
    {"csv-dir", required_argument, nullptr, 'c'},
    {"html", required_argument, nullptr, 'H'},
    {"top", required_argument, nullptr, 't'},
    {"top-combinations", required_argument, nullptr, 'T'},
    {"quiet", no_argument, nullptr, 'q'},
    {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0},
};

struct ReportCommandLine {
  std::vector<std::string> inputs;
  std::vector<std::string> metadata;
  std::string csv_dir;
  std::string html;
  report::ReportOptions options;
  bool quiet = false;
  bool help = false;
};

absl::StatusOr<ReportCommandLine> Parse(const std::vector<std::string>& args) {
  ReportCommandLine cl;
  std::vector<std::string> storage = {"tlsweep report"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  optind = 0;
  opterr = 0;
  while (true) {
    int index = -1;
    const int opt =
        getopt_long(static_cast<int>(storage.size()), argv.data(), "m:qh", kOptions, &index);
    if (opt == -1) break;
    if (opt == '?' || opt == ':') {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown or incomplete flag '", argv[optind - 1], "' (see tlsweep report --help)"));
    }
    const std::string flag = index >= 0 ? absl::StrCat("--", kOptions[index].name)
                                        : absl::StrCat("-", std::string(1, static_cast<char>(opt)));
    switch (opt) {
      case 'm': cl.metadata.push_back(optarg); break;
      case 'c': cl.csv_dir = optarg; break;
      case 'H': cl.html = optarg; break;
      case 't': {
        TLSWEEP_ASSIGN_OR_RETURN(cl.options.top,
                                 ParseFlagNumber<size_t>(flag, optarg, 1, 1000000));
        break;
      }
      case 'T': {
        TLSWEEP_ASSIGN_OR_RETURN(cl.options.top_combinations,
                                 ParseFlagNumber<size_t>(flag, optarg, 1, 1000000));
        break;
      }
      case 'q': cl.quiet = true; break;
      case 'h': cl.help = true; break;
    }
  }
  for (int i = optind; i < static_cast<int>(storage.size()); ++i) cl.inputs.push_back(argv[i]);
  if (cl.inputs.empty() && !cl.help) {
    return absl::InvalidArgumentError("no input files (see tlsweep report --help)");
  }
  return cl;
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
    std::fputs(kUsage, stdout);
    std::fputs(report::kRecordVersionRule, stdout);
    std::fputs(kUsageFlags, stdout);
    return 0;
  }
  const absl::Status status = Run(*cl);
  return status.ok() ? 0 : CommandError("report", status, 1);
}

}  // namespace tlsweep
