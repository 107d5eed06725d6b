// tlsweep's entry point: dispatches the subcommand and is the only place
// that turns an absl::Status into a message and an exit code.
#include <cstdio>
#include <string>
#include <vector>

#include "app/dpdk_command.h"
#include "app/dryrun.h"
#include "app/flag_parsing.h"
#include "app/grab_command.h"
#include "app/passive_command.h"
#include "app/report_command.h"
#include "app/run_command.h"
#include "app/scan_flags.h"
#include "app/stop_signal.h"
#include "common/stop_token.h"

namespace {

constexpr char kUsage[] = R"(usage: tlsweep COMMAND [flags]

commands:
  scan      stateless SYN scan (--dryrun: build the probes, send nothing)
  grab      STARTTLS/TLS grabs of a host list over kernel sockets
  run       scan on DPDK and grab every open port over tlsweep's own TCP
  passive   records of observed mail connections from pcap/pcapng captures
  report    tables (Markdown, CSV, HTML) from result files
  version   print the version
  help      this text; `tlsweep COMMAND --help` for a command's flags
)";

int Scan(const std::vector<std::string>& args, tlsweep::StopToken& stop) {
  auto cmd = tlsweep::ParseScanFlags(args);
  if (!cmd.ok()) return tlsweep::CommandError("scan", cmd.status(), 2);
  if (cmd->help) {
    std::fputs(tlsweep::ScanUsage().c_str(), stdout);
    return 0;
  }
  tlsweep::InstallStopSignals(stop);
  const absl::Status status =
      cmd->dryrun ? tlsweep::RunDryrun(*cmd, stop) : tlsweep::RunOnDpdk(*cmd, stop);
  return status.ok() ? 0 : tlsweep::CommandError("scan", status, 1);
}
}  // namespace

int main(int argc, char** argv) {
  // The one stop token of this run: Ctrl-C trips it (app/stop_signal.h).
  tlsweep::StopToken stop;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::printf("tlsweep %s\n", TLSWEEP_VERSION);
    return 0;
  }
  if (args[0] == "scan") return Scan({args.begin() + 1, args.end()}, stop);
  if (args[0] == "grab") return tlsweep::GrabCommand({args.begin() + 1, args.end()}, stop);
  if (args[0] == "run") return tlsweep::RunCommand({args.begin() + 1, args.end()}, stop);
  if (args[0] == "passive") return tlsweep::PassiveCommand({args.begin() + 1, args.end()}, stop);
  if (args[0] == "report") return tlsweep::ReportCommand({args.begin() + 1, args.end()});
  std::fprintf(stderr, "tlsweep: unknown command '%s'\n%s", args[0].c_str(), kUsage);
  return 2;
}
