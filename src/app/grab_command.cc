#include "app/grab_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
#include "app/flag_table.h"
#include "app/grab_flags.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "grab/grab_input.h"
#include "grab/kernel_grabber.h"
#include "app/stop_signal.h"
#include "output/metadata.h"
#include "output/record_json.h"
#include "targets/target_parse.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

constexpr char kUsageHead[] = R"(usage: tlsweep grab [flags] [FILE...]

Reads targets from FILEs (default: standard input), one per line: ip,
ip,port, ip:port, ZGrab2's ip,,,port, tlsweep/ZMap CSV with a saddr header,
or tlsweep's JSON lines. Grabs each over kernel sockets and writes one JSON
record per host and port.

)";

struct GrabCommandLine {
  GrabFlags grab;
  std::vector<uint16_t> ports;
  std::string output_file;
  std::string metadata_file;
  std::vector<std::string> inputs;
  bool help = false;
};

std::vector<FlagGroup> Flags(GrabCommandLine* cl) {
  FlagGroup input = {"Input",
                     {{.name = "ports", .short_name = 'p', .arg = "LIST",
                       .help = "ports for lines with a bare address",
                       .set = SetParsed(&cl->ports, ParsePortList)}}};
  FlagGroup output = {"Output", OutputFileFlags("records; default stdout", &cl->output_file,
                                                &cl->metadata_file, &cl->grab.options.quiet)};
  return {std::move(input), GrabFlagGroup(&cl->grab), std::move(output)};
}

absl::StatusOr<GrabCommandLine> Parse(const std::vector<std::string>& args) {
  GrabCommandLine cl;
  TLSWEEP_ASSIGN_OR_RETURN(ParsedFlags parsed, ParseFlags("grab", Flags(&cl), args));
  cl.help = parsed.help;
  cl.inputs = std::move(parsed.positional);
  if (cl.inputs.empty()) cl.inputs.push_back("-");
  if (!cl.help) TLSWEEP_RETURN_IF_ERROR(ResolveRawProbes(&cl.grab));
  return cl;
}

std::string Usage() {
  GrabCommandLine defaults;
  return absl::StrCat(kUsageHead, FlagHelp(Flags(&defaults)));
}

// Reads every input; bad lines are reported with file and line and skipped.
absl::StatusOr<std::vector<GrabTarget>> ReadTargets(const GrabCommandLine& cl, uint64_t* bad_lines) {
  GrabInputParser parser(cl.ports);
  std::vector<GrabTarget> targets;
  for (const std::string& name : cl.inputs) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (name != "-") {
      file.open(name);
      if (!file) return absl::NotFoundError(absl::StrCat("cannot open input ", name, ": ", std::strerror(errno)));
      in = &file;
    }
    std::string line;
    uint64_t number = 0;
    while (std::getline(*in, line)) {
      ++number;
      auto parsed = parser.ParseLine(line);
      if (!parsed.ok()) {
        ++*bad_lines;
        std::fprintf(stderr, "tlsweep grab: %s:%llu: %s (skipped)\n",
                     name == "-" ? "stdin" : name.c_str(), static_cast<unsigned long long>(number),
                     std::string(parsed.status().message()).c_str());
        continue;
      }
      targets.insert(targets.end(), parsed->begin(), parsed->end());
    }
  }
  return targets;
}

absl::Status Run(const GrabCommandLine& cl, const StopToken& stop) {
  const std::string start_time = Rfc3339Now();
  uint64_t bad_lines = 0;
  TLSWEEP_ASSIGN_OR_RETURN(std::vector<GrabTarget> targets, ReadTargets(cl, &bad_lines));
  TLSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<TlsContext> tls,
                           TlsContext::Create(cl.grab.profile, cl.grab.ca_file));
  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!cl.output_file.empty() && cl.output_file != "-") {
    file.reset(std::fopen(cl.output_file.c_str(), "w"));
    if (!file) return absl::NotFoundError(absl::StrCat("-o: cannot create ", cl.output_file, ": ", std::strerror(errno)));
    out = file.get();
  }
  GrabStats stats;
  const uint64_t t0 = WallClockNs();
  const GrabRecordSink write_record = [out](const GrabResult& grab,
                                           const std::optional<ScanResult>& scan) {
    const std::string line = GrabRecordLine(grab, scan);
    std::fwrite(line.data(), 1, line.size(), out);
  };
  TLSWEEP_RETURN_IF_ERROR(RunKernelGrab(targets, *tls, cl.grab.options, stop, write_record, &stats));
  if (std::fflush(out) != 0 || std::ferror(out) != 0) {
    return absl::UnavailableError(absl::StrCat("-o: write to ", cl.output_file.empty() ? "stdout" : cl.output_file, " failed"));
  }
  if (!cl.metadata_file.empty()) {
    GrabRunSummary summary;
    summary.run = {start_time, static_cast<double>(WallClockNs() - t0) / 1e9,
                   !stop.running()};
    summary.inputs = cl.inputs;
    summary.input_lines_skipped = bad_lines;
    summary.targets = targets.size();
    summary.stats = stats;
    summary.settings = GrabSettingsMetadata(cl.grab.options, cl.grab.profile, cl.grab.ca_file,
                                            cl.grab.names_file);
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(cl.metadata_file, GrabMetadata(summary)));
  }
  if (!cl.grab.options.quiet) {
    std::fprintf(stderr, "grab: %llu records (%llu input lines skipped)\n",
                 static_cast<unsigned long long>(stats.finished), static_cast<unsigned long long>(bad_lines));
  }
  return absl::OkStatus();
}

}  // namespace

int GrabCommand(const std::vector<std::string>& args, StopToken& stop) {
  auto cl = Parse(args);
  if (!cl.ok()) return CommandError("grab", cl.status(), 2);
  if (cl->help) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  InstallStopSignals(stop);
  const absl::Status status = Run(*cl, stop);
  return status.ok() ? 0 : CommandError("grab", status, 1);
}

}  // namespace tlsweep
