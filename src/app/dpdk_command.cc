#include "app/dpdk_command.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "nic/dpdk_scanner.h"
#include "nic/eal.h"
#include "nic/port.h"
#include "validate/cookie.h"

namespace tlsweep {
namespace {

// Grab lcores before the EAL starts. --grab-lcores auto: with -i tlsweep
// makes the lcores itself and gives the grabs one of their own, so that the
// control lcore only receives (the issue-12 loss: grabbing between receive
// polls let the af_packet ring overflow); with an EAL configuration,
// RunOnDpdk takes the spare lcores once the EAL is up.
uint32_t GrabLcores(const ScanCommand& cmd) {
  if (!cmd.run.grab) return 0;
  if (cmd.run.grab->lcores_auto) return cmd.interface.empty() ? 0 : 1;
  return cmd.run.grab->lcores;
}

// Queue pairs (and lcores): one per sender and grab lcore, one for control.
uint32_t Lcores(const ScanCommand& cmd, uint32_t grab_lcores) {
  return cmd.config.sender_threads + grab_lcores + 1;
}

// The EAL arguments: af_packet on -i, or a --dpdk-config file, plus --eal.
// With -i, lcores map onto the machine's CPUs round-robin so that -T may
// exceed the core count on small machines (at a cost in rate).
std::vector<std::string> EalArgs(const ScanCommand& cmd, std::vector<std::string> from_file) {
  std::vector<std::string> args = std::move(from_file);
  const uint32_t lcores = Lcores(cmd, GrabLcores(cmd));
  if (!cmd.interface.empty()) {
    const auto af = AfPacketEalArgs(cmd.interface, static_cast<int>(lcores));
    args.insert(args.end(), af.begin(), af.end());
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::string> map;
    for (uint32_t l = 0; l < lcores; ++l) map.push_back(absl::StrCat(l, "@", l % cpus));
    args.push_back(absl::StrCat("--lcores=", absl::StrJoin(map, ",")));
  }
  args.insert(args.end(), cmd.eal_args.begin(), cmd.eal_args.end());
  return args;
}

}  // namespace

absl::Status RunOnDpdk(const ScanCommand& cmd, const StopToken& stop) {
  // The plan first: bad targets or files fail before DPDK starts.
  TLSWEEP_ASSIGN_OR_RETURN(const SipKey key, Cookies::RandomKey());
  TLSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<ScanPlan> plan,
                           ScanPlan::Create(cmd.config, key));
  std::vector<std::string> from_file;
  if (!cmd.dpdk_config.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(from_file, ReadEalConfigFile(cmd.dpdk_config));
  }
  const std::vector<std::string> eal = EalArgs(cmd, std::move(from_file));
  TLSWEEP_RETURN_IF_ERROR(StartEal(eal));
  absl::Status status;
  {
    DpdkScanOptions options = cmd.run;
    uint32_t grab_lcores = GrabLcores(cmd);
    if (options.grab && options.grab->lcores_auto) {
      // As many as --grab-lcores takes at most.
      grab_lcores = std::min(SpareLcores(cmd.port_id, cmd.config.sender_threads + 1), 64u);
    }
    if (options.grab) options.grab->lcores = grab_lcores;
    auto port = Port::Open(cmd.port_id, static_cast<uint16_t>(Lcores(cmd, grab_lcores)));
    if (!port.ok()) {
      status = port.status();
    } else {
      options.eal_args = absl::StrJoin(eal, " ");
      status = RunDpdkScan(*plan, **port, options, stop);
    }
  }
  StopEal();
  return status;
}

}  // namespace tlsweep
