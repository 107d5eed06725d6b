// tlsweep's entry point: dispatches the subcommand and is the only place
// that turns an absl::Status into a message and an exit code.
#include <algorithm>
#include <cstdio>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/dryrun.h"
#include "app/grab_command.h"
#include "app/scan_flags.h"
#include "common/status_macros.h"
#include "nic/dpdk_scanner.h"
#include "nic/eal.h"
#include "nic/port.h"
#include "scan/stop_signal.h"
#include "validate/cookie.h"

namespace {

constexpr char kUsage[] = R"(usage: tlsweep COMMAND [flags]

commands:
  scan      stateless SYN scan (--dryrun: build the probes, send nothing)
  grab      STARTTLS/TLS grabs of a host list over kernel sockets
  version   print the version
  help      this text; `tlsweep scan --help` for the scan's flags
)";

// The EAL arguments: af_packet on -i, or a --dpdk-config file, plus --eal.
// With -i, lcores 0..T map onto the machine's CPUs round-robin so that -T
// may exceed the core count on small machines (at a cost in rate).
std::vector<std::string> EalArgs(const tlsweep::ScanCommand& cmd,
                                 std::vector<std::string> from_file) {
  std::vector<std::string> args = std::move(from_file);
  const uint32_t queues = cmd.config.sender_threads + 1;
  if (!cmd.interface.empty()) {
    const auto af = tlsweep::AfPacketEalArgs(cmd.interface, static_cast<int>(queues));
    args.insert(args.end(), af.begin(), af.end());
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::string> map;
    for (uint32_t l = 0; l < queues; ++l) map.push_back(absl::StrCat(l, "@", l % cpus));
    args.push_back(absl::StrCat("--lcores=", absl::StrJoin(map, ",")));
  }
  args.insert(args.end(), cmd.eal_args.begin(), cmd.eal_args.end());
  return args;
}

absl::Status ScanOnDpdk(const tlsweep::ScanCommand& cmd) {
  // The plan first: bad targets or files fail before DPDK starts.
  TLSWEEP_ASSIGN_OR_RETURN(
      std::unique_ptr<tlsweep::ScanPlan> plan,
      tlsweep::ScanPlan::Create(cmd.config, tlsweep::Cookies::RandomKey()));
  std::vector<std::string> from_file;
  if (!cmd.dpdk_config.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(from_file, tlsweep::ReadEalConfigFile(cmd.dpdk_config));
  }
  const std::vector<std::string> eal = EalArgs(cmd, std::move(from_file));
  TLSWEEP_RETURN_IF_ERROR(tlsweep::StartEal(eal));
  absl::Status status;
  {
    auto port = tlsweep::Port::Open(cmd.port_id,
                                    static_cast<uint16_t>(cmd.config.sender_threads + 1));
    if (!port.ok()) {
      status = port.status();
    } else {
      tlsweep::DpdkScanOptions options = cmd.run;
      options.eal_args = absl::StrJoin(eal, " ");
      status = tlsweep::RunDpdkScan(*plan, **port, options);
    }
  }
  tlsweep::StopEal();
  return status;
}

int Scan(const std::vector<std::string>& args) {
  auto cmd = tlsweep::ParseScanFlags(args);
  if (!cmd.ok()) {
    std::fprintf(stderr, "tlsweep scan: %s\n", std::string(cmd.status().message()).c_str());
    return 2;
  }
  if (cmd->help) {
    std::fputs(tlsweep::ScanUsage(), stdout);
    return 0;
  }
  tlsweep::InstallStopSignals();
  const absl::Status status =
      cmd->dryrun ? tlsweep::RunDryrun(*cmd) : ScanOnDpdk(*cmd);
  if (!status.ok()) {
    std::fprintf(stderr, "tlsweep scan: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::printf("tlsweep %s\n", TLSWEEP_VERSION);
    return 0;
  }
  if (args[0] == "scan") return Scan({args.begin() + 1, args.end()});
  if (args[0] == "grab") return tlsweep::GrabCommand({args.begin() + 1, args.end()});
  std::fprintf(stderr, "tlsweep: unknown command '%s'\n%s", args[0].c_str(), kUsage);
  return 2;
}
