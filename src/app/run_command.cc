#include "app/run_command.h"

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "app/dpdk_command.h"
#include "app/flag_parsing.h"
#include "app/flag_table.h"
#include "app/grab_flags.h"
#include "app/scan_flags.h"
#include "common/status_macros.h"
#include "app/stop_signal.h"
#include "output/metadata.h"

namespace tlsweep {
namespace {

constexpr char kUsageHead[] = R"(usage: tlsweep run [flags] TARGET...

Scans TARGETs on DPDK like `tlsweep scan` and grabs every open port over
tlsweep's own TCP on the same port, as `tlsweep grab` would over kernel
sockets. Writes one JSON record per open port to -o: the grab's record with
the scan's answer under "scan" ("not_grabbed" when the grab queue was full
or the run was interrupted first). -m adds the grab pool's counters. The
scan's flags are tlsweep scan's; -O, -f, --output-all and --dryrun do not
apply.

)";

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

// Without -s, the scan's source ports start where the scan's default range
// does and end below the grab's first port (0 ports if it starts below).
void EndScanPortsBelowGrab(const GrabPoolOptions& pool, ScanConfig* config) {
  config->sport_count = static_cast<uint16_t>(
      pool.port_first > config->sport_first ? pool.port_first - config->sport_first : 0);
}

// The grab's flags and the pool's, which come before the scan's.
std::vector<FlagGroup> RunFlagGroups(RunFlags* run) {
  GrabPoolOptions& pool = run->pool;
  FlagGroup pool_group = {
      "Grab pool",
      {{.name = "grab-ports", .arg = "P-Q",
        .help = "grab connections' source ports; without -s, the scan's stop below them",
        .default_value = absl::StrCat(pool.port_first, "-", pool.port_last),
        .set = [&pool](const std::string& flag, const std::string& value) {
          return ParsePortRange(flag, value, &pool.port_first, &pool.port_last);
        }},
       {.name = "grab-lcores", .arg = "N|auto",
        .help = "lcores running grabs; 0: the control lcore grabs between receive polls, in "
                "bounded steps; auto: one of their own with -i, else the EAL's spare lcores",
        .default_value = "auto",
        .set = [&pool](const std::string& flag, const std::string& value) -> absl::Status {
          pool.lcores_auto = value == "auto";
          if (pool.lcores_auto) return absl::OkStatus();
          return SetNumber<uint32_t>(&pool.lcores, 0, 64)(flag, value);
        }},
       {.name = "grab-queue", .arg = "N",
        .help = "open ports waiting per grab lcore; above it the scan pauses (or, with "
                "--grab-overflow drop, ports are recorded as not grabbed: queue-full)",
        .default_value = absl::StrCat(pool.queue_limit),
        .set = SetNumber<uint32_t>(&pool.queue_limit, 1, 1u << 24)},
       {.name = "grab-overflow", .arg = "pause|drop",
        .help = "when the grab queue is full: pause the senders until the grabs catch up, or "
                "record the open port as not grabbed (queue-full) and keep the scan's pace",
        .default_value = "pause",
        .set = [&pool](const std::string& flag, const std::string& value) -> absl::Status {
          if (value != "pause" && value != "drop") {
            return absl::InvalidArgumentError(
                absl::StrCat(flag, ": '", value, "' is neither pause nor drop"));
          }
          pool.drop_when_full = value == "drop";
          return absl::OkStatus();
        }}}};
  return {GrabFlagGroup(&run->grab), std::move(pool_group)};
}

std::string Usage() {
  RunFlags run;
  ScanCommand scan;
  EndScanPortsBelowGrab(run.pool, &scan.config);  // the -s default shown
  return absl::StrCat(kUsageHead, kTargetHelp, "\n",
                      FlagHelp(Concat(RunFlagGroups(&run), ScanFlagGroups(&scan))));
}

absl::StatusOr<ScanCommand> Parse(const std::vector<std::string>& args, RunFlags* run) {
  ExtraFlags extra;
  extra.command = "run";
  extra.groups = RunFlagGroups(run);
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
    EndScanPortsBelowGrab(run->pool, &cmd.config);
    if (cmd.config.sport_count == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--grab-ports starts below ", cmd.config.sport_first + 1, ": give the scan's -s too"));
    }
  }
  TLSWEEP_RETURN_IF_ERROR(ResolveRawProbes(&run->grab));
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
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  auto tls = TlsContext::Create(run.grab.profile, run.grab.ca_file);
  if (!tls.ok()) return CommandError("run", tls.status(), 2);
  cmd->run.grab_settings =
      GrabSettingsMetadata(run.grab.options, run.grab.profile, run.grab.ca_file, run.grab.names_file);
  run.pool.grab = std::move(run.grab.options);  // --names may hold millions
  cmd->run.grab = std::move(run.pool);
  cmd->run.tls = tls->get();
  InstallStopSignals(stop);
  const absl::Status status = RunOnDpdk(*cmd, stop);
  return status.ok() ? 0 : CommandError("run", status, 1);
}

}  // namespace tlsweep
