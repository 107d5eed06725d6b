#include "app/grab_command.h"

#include <getopt.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
#include "app/grab_flags.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "grab/grab_input.h"
#include "grab/kernel_grabber.h"
#include "nlohmann/json.hpp"
#include "scan/scan_metadata.h"
#include "app/stop_signal.h"
#include "targets/target_parse.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

constexpr char kUsageHead[] = R"(usage: tlsweep grab [flags] [FILE...]

Reads targets from FILEs (default: standard input), one per line: ip,
ip,port, ip:port, ZGrab2's ip,,,port, tlsweep/ZMap CSV with a saddr header,
or tlsweep's JSON lines. Grabs each over kernel sockets and writes one JSON
record per host and port.

  -p, --ports=LIST         ports for lines with a bare address
)";
constexpr char kUsageTail[] = R"(  -o, --output-file=FILE   records (default stdout)
  -m, --metadata-file=FILE JSON summary of the run
  -q, --quiet              no status line
)";

const struct option kOwnOptions[] = {
    {"ports", required_argument, nullptr, 'p'},
    {"output-file", required_argument, nullptr, 'o'},
    {"metadata-file", required_argument, nullptr, 'm'},
    {"quiet", no_argument, nullptr, 'q'},
    {"help", no_argument, nullptr, 'h'},
};

struct GrabCommandLine {
  GrabFlags grab;
  std::vector<uint16_t> ports;
  std::string output_file;
  std::string metadata_file;
  std::vector<std::string> inputs;
  bool help = false;
};

absl::StatusOr<GrabCommandLine> Parse(const std::vector<std::string>& args) {
  GrabCommandLine cl;
  std::vector<option> options(std::begin(kOwnOptions), std::end(kOwnOptions));
  options.insert(options.end(), GrabLongOptions().begin(), GrabLongOptions().end());
  options.push_back({nullptr, 0, nullptr, 0});
  std::vector<std::string> storage = {"tlsweep grab"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  optind = 0;
  opterr = 0;
  while (true) {
    int index = -1;
    const int opt = getopt_long(static_cast<int>(storage.size()), argv.data(), "p:o:m:qh",
                                options.data(), &index);
    if (opt == -1) break;
    if (opt == '?' || opt == ':') {
      return absl::InvalidArgumentError(absl::StrCat("unknown or incomplete flag '", argv[optind - 1],
                                                     "' (see tlsweep grab --help)"));
    }
    const std::string flag = index >= 0 ? absl::StrCat("--", options[index].name)
                                        : absl::StrCat("-", std::string(1, static_cast<char>(opt)));
    switch (opt) {
      case 'p': {
        auto ports = ParsePortList(optarg);
        if (!ports.ok()) return FlagError(flag, ports.status());
        cl.ports = *std::move(ports);
        break;
      }
      case 'o': cl.output_file = optarg; break;
      case 'm': cl.metadata_file = optarg; break;
      case 'q': cl.grab.options.quiet = true; break;
      case 'h': cl.help = true; break;
      default: TLSWEEP_RETURN_IF_ERROR(ApplyGrabFlag(opt, flag, optarg, &cl.grab));
    }
  }
  for (int i = optind; i < static_cast<int>(storage.size()); ++i) cl.inputs.push_back(argv[i]);
  if (cl.inputs.empty()) cl.inputs.push_back("-");
  return cl;
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
  TLSWEEP_RETURN_IF_ERROR(RunKernelGrab(targets, *tls, cl.grab.options, stop, out, &stats));
  if (std::fflush(out) != 0 || std::ferror(out) != 0) {
    return absl::UnavailableError(absl::StrCat("-o: write to ", cl.output_file.empty() ? "stdout" : cl.output_file, " failed"));
  }
  if (!cl.metadata_file.empty()) {
    nlohmann::json meta = {
        {"tlsweep_version", TLSWEEP_VERSION},
        {"mode", "grab"},
        {"start_time", start_time},
        {"end_time", Rfc3339Now()},
        {"duration_seconds", static_cast<double>(WallClockNs() - t0) / 1e9},
        {"interrupted", !stop.running()},
        {"inputs", cl.inputs},
        {"input_lines_skipped", bad_lines},
        {"targets", targets.size()},
        {"grabs_started", stats.started},
        {"grabs_finished", stats.finished},
        {"targets_without_module", stats.no_module},
        {"by_status", GrabStatusCountsJson(stats.by_status)},
    };
    meta.update(GrabFlagsMetadata(cl.grab));
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(cl.metadata_file, meta));
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
    std::fputs(kUsageHead, stdout);
    std::fputs(GrabFlagsUsage(), stdout);
    std::fputs(kUsageTail, stdout);
    return 0;
  }
  InstallStopSignals(stop);
  const absl::Status status = Run(*cl, stop);
  return status.ok() ? 0 : CommandError("grab", status, 1);
}

}  // namespace tlsweep
