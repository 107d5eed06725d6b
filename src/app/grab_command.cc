#include "app/grab_command.h"

#include <getopt.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "grab/grab_input.h"
#include "grab/kernel_grabber.h"
#include "nlohmann/json.hpp"
#include "scan/scan_metadata.h"
#include "scan/stop_signal.h"
#include "targets/target_parse.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

constexpr char kUsage[] = R"(usage: tlsweep grab [flags] [FILE...]

Reads targets from FILEs (default: standard input), one per line: ip,
ip,port, ip:port, ZGrab2's ip,,,port, tlsweep/ZMap CSV with a saddr header,
or tlsweep's JSON lines. Grabs each over kernel sockets and writes one JSON
record per host and port.

  -p, --ports=LIST         ports for lines with a bare address
      --module=PORT=NAME   run module NAME on PORT (repeatable); modules:
                           smtp submission smtps imap imaps pop3 pop3s xmpp
                           xmpp-server xmpps irc ircs
      --concurrency=N      grabs in flight (default 1000)
      --connect-rate=N     new connections per second (default: no limit)
      --per-host=N         grabs in flight per address (default 4)
      --connect-timeout=S  (default 10)   --timeout=S  per phase (default 10)
      --session-timeout=S  whole grab (default 30)
      --tls-profile=P      modern (default) or legacy
      --ca-file=FILE       root store (default: the system's)
      --server-name=NAME   SNI and name check for lines naming no server
                           (ZGrab2 lines ip,NAME,,port name their own)
      --xmpp-domain=NAME   XMPP stream to= (default: server name, then the IP)
      --ehlo-name=NAME     SMTP EHLO argument (default tlsweep.invalid)
  -o, --output-file=FILE   records (default stdout)
  -m, --metadata-file=FILE JSON summary of the run
  -q, --quiet              no status line
)";

enum Long { kModule = 1000, kConcurrency, kConnectRate, kPerHost, kConnectTimeout, kTimeout,
            kSessionTimeout, kTlsProfile, kCaFile, kServerName, kXmppDomain, kEhloName };

const struct option kOptions[] = {
    {"ports", required_argument, nullptr, 'p'},
    {"module", required_argument, nullptr, kModule},
    {"concurrency", required_argument, nullptr, kConcurrency},
    {"connect-rate", required_argument, nullptr, kConnectRate},
    {"per-host", required_argument, nullptr, kPerHost},
    {"connect-timeout", required_argument, nullptr, kConnectTimeout},
    {"timeout", required_argument, nullptr, kTimeout},
    {"session-timeout", required_argument, nullptr, kSessionTimeout},
    {"tls-profile", required_argument, nullptr, kTlsProfile},
    {"ca-file", required_argument, nullptr, kCaFile},
    {"server-name", required_argument, nullptr, kServerName},
    {"xmpp-domain", required_argument, nullptr, kXmppDomain},
    {"ehlo-name", required_argument, nullptr, kEhloName},
    {"output-file", required_argument, nullptr, 'o'},
    {"metadata-file", required_argument, nullptr, 'm'},
    {"quiet", no_argument, nullptr, 'q'},
    {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0},
};

struct GrabCommandLine {
  GrabOptions options;
  std::vector<uint16_t> ports;
  TlsProfile profile = TlsProfile::kModern;
  std::string ca_file;
  std::string output_file;
  std::string metadata_file;
  std::vector<std::string> inputs;
  bool help = false;
};

absl::StatusOr<GrabCommandLine> Parse(const std::vector<std::string>& args) {
  GrabCommandLine cl;
  std::vector<std::string> storage = {"tlsweep grab"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  optind = 0;
  opterr = 0;
  while (true) {
    int index = -1;
    const int opt = getopt_long(static_cast<int>(storage.size()), argv.data(), "p:o:m:qh", kOptions, &index);
    if (opt == -1) break;
    if (opt == '?' || opt == ':') {
      return absl::InvalidArgumentError(absl::StrCat("unknown or incomplete flag '", argv[optind - 1],
                                                     "' (see tlsweep grab --help)"));
    }
    const std::string flag = index >= 0 ? absl::StrCat("--", kOptions[index].name)
                                        : absl::StrCat("-", std::string(1, static_cast<char>(opt)));
    GrabOptions& o = cl.options;
    switch (opt) {
      case 'p': {
        auto ports = ParsePortList(optarg);
        if (!ports.ok()) return FlagError(flag, ports.status());
        cl.ports = *std::move(ports);
        break;
      }
      case kModule: {
        if (absl::Status s = o.ports.ApplyOverride(optarg); !s.ok()) {
          return FlagError(flag, s);
        }
        break;
      }
      case kConcurrency: { TLSWEEP_ASSIGN_OR_RETURN(o.concurrency, ParseFlagNumber<uint64_t>(flag, optarg, 1, 100000)); break; }
      case kConnectRate: { TLSWEEP_ASSIGN_OR_RETURN(o.connect_rate, ParseFlagNumber<uint64_t>(flag, optarg, 0, 10000000)); break; }
      case kPerHost: { TLSWEEP_ASSIGN_OR_RETURN(o.per_host, ParseFlagNumber<uint64_t>(flag, optarg, 1, 65535)); break; }
      case kConnectTimeout: { TLSWEEP_ASSIGN_OR_RETURN(uint64_t s, ParseFlagNumber<uint64_t>(flag, optarg, 1, 3600)); o.timeouts.connect_ms = s * 1000; break; }
      case kTimeout: { TLSWEEP_ASSIGN_OR_RETURN(uint64_t s, ParseFlagNumber<uint64_t>(flag, optarg, 1, 3600)); o.timeouts.phase_ms = s * 1000; break; }
      case kSessionTimeout: { TLSWEEP_ASSIGN_OR_RETURN(uint64_t s, ParseFlagNumber<uint64_t>(flag, optarg, 1, 3600)); o.timeouts.session_ms = s * 1000; break; }
      case kTlsProfile: {
        auto p = ParseTlsProfile(optarg);
        if (!p.ok()) return FlagError(flag, p.status());
        cl.profile = *p;
        break;
      }
      case kCaFile: cl.ca_file = optarg; break;
      case kServerName: o.server_name = optarg; break;
      case kXmppDomain: o.module_options.xmpp_domain = optarg; break;
      case kEhloName: o.module_options.ehlo_name = optarg; break;
      case 'o': cl.output_file = optarg; break;
      case 'm': cl.metadata_file = optarg; break;
      case 'q': o.quiet = true; break;
      case 'h': cl.help = true; break;
      default: return absl::InternalError(absl::StrCat("unhandled flag ", flag));
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

absl::Status Run(const GrabCommandLine& cl) {
  const std::string start_time = Rfc3339Now();
  uint64_t bad_lines = 0;
  TLSWEEP_ASSIGN_OR_RETURN(std::vector<GrabTarget> targets, ReadTargets(cl, &bad_lines));
  TLSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<TlsContext> tls, TlsContext::Create(cl.profile, cl.ca_file));
  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!cl.output_file.empty() && cl.output_file != "-") {
    file.reset(std::fopen(cl.output_file.c_str(), "w"));
    if (!file) return absl::NotFoundError(absl::StrCat("-o: cannot create ", cl.output_file, ": ", std::strerror(errno)));
    out = file.get();
  }
  GrabStats stats;
  const uint64_t t0 = WallClockNs();
  TLSWEEP_RETURN_IF_ERROR(RunKernelGrab(targets, *tls, cl.options, out, &stats));
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
        {"interrupted", CurrentStopLevel() != StopLevel::kRunning},
        {"inputs", cl.inputs},
        {"input_lines_skipped", bad_lines},
        {"targets", targets.size()},
        {"grabs_started", stats.started},
        {"grabs_finished", stats.finished},
        {"targets_without_module", stats.no_module},
        {"by_status", stats.by_status},
        {"tls_profile", std::string(TlsProfileName(cl.profile))},
        {"ca_file", cl.ca_file.empty() ? "system" : cl.ca_file},
        {"concurrency", cl.options.concurrency},
        {"connect_rate", cl.options.connect_rate},
        {"per_host", cl.options.per_host},
        {"timeouts_ms", {{"connect", cl.options.timeouts.connect_ms},
                         {"phase", cl.options.timeouts.phase_ms},
                         {"session", cl.options.timeouts.session_ms}}},
    };
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(cl.metadata_file, meta));
  }
  if (!cl.options.quiet) {
    std::fprintf(stderr, "grab: %llu records (%llu input lines skipped)\n",
                 static_cast<unsigned long long>(stats.finished), static_cast<unsigned long long>(bad_lines));
  }
  return absl::OkStatus();
}

}  // namespace

int GrabCommand(const std::vector<std::string>& args) {
  auto cl = Parse(args);
  if (!cl.ok()) {
    std::fprintf(stderr, "tlsweep grab: %s\n", std::string(cl.status().message()).c_str());
    return 2;
  }
  if (cl->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  InstallStopSignals();
  const absl::Status status = Run(*cl);
  if (!status.ok()) {
    std::fprintf(stderr, "tlsweep grab: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace tlsweep
