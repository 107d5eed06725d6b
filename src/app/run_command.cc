#include "app/run_command.h"

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "app/dpdk_command.h"
#include "app/flag_parsing.h"
#include "app/grab_flags.h"
#include "app/scan_flags.h"
#include "common/status_macros.h"
#include "app/stop_signal.h"

namespace tlsweep {
namespace {

constexpr char kUsageHead[] = R"(usage: tlsweep run [flags] TARGET...

Scans TARGETs on DPDK like `tlsweep scan` and grabs every open port over
tlsweep's own TCP on the same port, as `tlsweep grab` would over kernel
sockets. Writes one JSON record per open port to -o: the grab's record with
the scan's answer under "scan" ("not_grabbed" when the grab queue was full
or the run was interrupted first). -m adds the grab pool's counters.

Grab
)";
constexpr char kUsageRun[] = R"(      --grab-ports=P-Q     grab connections' source ports (default 49152-65535;
                           the scan's -s then defaults to 32768-49151)
      --grab-lcores=N      lcores running grabs (default 0: the control lcore
                           grabs between receive polls)
      --grab-queue=N       open ports waiting per grab lcore (default 65536)

Scan (as tlsweep scan; -O, -f and --output-all do not apply)
)";

enum Long { kGrabPorts = 3000, kGrabLcores, kGrabQueue };

struct RunFlags {
  GrabFlags grab;
  GrabPoolOptions pool;
};

absl::Status ParsePortRange(const std::string& flag, const std::string& value, uint16_t* first,
                            uint16_t* last) {
  const std::vector<std::string> parts = absl::StrSplit(value, '-');
  if (parts.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": '", value, "' is not a range P-Q"));
  }
  TLSWEEP_ASSIGN_OR_RETURN(*first, ParseFlagNumber<uint16_t>(flag, parts[0], 1, 65535));
  TLSWEEP_ASSIGN_OR_RETURN(*last, ParseFlagNumber<uint16_t>(flag, parts[1], *first, 65535));
  return absl::OkStatus();
}

absl::StatusOr<ScanCommand> Parse(const std::vector<std::string>& args, RunFlags* run) {
  ExtraFlags extra;
  extra.command = "run";
  extra.options.assign(GrabLongOptions().begin(), GrabLongOptions().end());
  extra.options.push_back({"grab-ports", required_argument, nullptr, kGrabPorts});
  extra.options.push_back({"grab-lcores", required_argument, nullptr, kGrabLcores});
  extra.options.push_back({"grab-queue", required_argument, nullptr, kGrabQueue});
  extra.apply = [run](int opt, const std::string& flag, const std::string& value) -> absl::Status {
    switch (opt) {
      case kGrabPorts:
        return ParsePortRange(flag, value, &run->pool.port_first, &run->pool.port_last);
      case kGrabLcores: {
        TLSWEEP_ASSIGN_OR_RETURN(run->pool.lcores, ParseFlagNumber<uint32_t>(flag, value, 0, 64));
        return absl::OkStatus();
      }
      case kGrabQueue: {
        TLSWEEP_ASSIGN_OR_RETURN(run->pool.queue_limit,
                                 ParseFlagNumber<uint32_t>(flag, value, 1, 1u << 24));
        return absl::OkStatus();
      }
      default: return ApplyGrabFlag(opt, flag, value, &run->grab);
    }
  };
  TLSWEEP_ASSIGN_OR_RETURN(ScanCommand cmd, ParseScanFlags(args, &extra));
  if (cmd.help) return cmd;
  if (cmd.dryrun || !cmd.pcap_file.empty()) {
    return absl::InvalidArgumentError("--dryrun: a dry run sends nothing; use tlsweep scan --dryrun");
  }
  if (cmd.run.output.format != OutputFormat::kDefault || !cmd.run.output.fields.empty() ||
      cmd.run.output.all) {
    return absl::InvalidArgumentError(
        "-O, -f and --output-all choose tlsweep scan's output; tlsweep run writes JSON records");
  }
  if (!cmd.source_ports_given) {
    // The scan's default range (32768-61000) up to the grab's first port.
    cmd.config.sport_first = 32768;
    cmd.config.sport_count = static_cast<uint16_t>(
        run->pool.port_first > cmd.config.sport_first ? run->pool.port_first - 32768 : 0);
    if (cmd.config.sport_count == 0) {
      return absl::InvalidArgumentError("--grab-ports starts below 32769: give the scan's -s too");
    }
  }
  cmd.run.quiet = cmd.run.quiet || run->grab.options.quiet;
  run->grab.options.quiet = cmd.run.quiet;
  return cmd;
}

}  // namespace

int RunCommand(const std::vector<std::string>& args, StopToken& stop) {
  RunFlags run;
  auto cmd = Parse(args, &run);
  if (!cmd.ok()) return CommandError("run", cmd.status(), 2);
  if (cmd->help) {
    std::fputs(kUsageHead, stdout);
    std::fputs(GrabFlagsUsage(), stdout);
    std::fputs(kUsageRun, stdout);
    // The scan's help without its own usage line.
    const std::string scan = ScanUsage();
    std::fputs(scan.substr(scan.find("\n\n") + 2).c_str(), stdout);
    return 0;
  }
  auto tls = TlsContext::Create(run.grab.profile, run.grab.ca_file);
  if (!tls.ok()) return CommandError("run", tls.status(), 2);
  cmd->run.grab_settings = GrabFlagsMetadata(run.grab);
  run.pool.grab = std::move(run.grab.options);  // --names may hold millions
  cmd->run.grab = std::move(run.pool);
  cmd->run.tls = tls->get();
  InstallStopSignals(stop);
  const absl::Status status = RunOnDpdk(*cmd, stop);
  return status.ok() ? 0 : CommandError("run", status, 1);
}

}  // namespace tlsweep
