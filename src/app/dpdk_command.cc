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

// Queue pairs (and lcores): one per sender and grab lcore, one for control.
uint32_t Lcores(const ScanCommand& cmd) {
  return cmd.config.sender_threads + (cmd.run.grab ? cmd.run.grab->lcores : 0) + 1;
}

// The EAL arguments: af_packet on -i, or a --dpdk-config file, plus --eal.
// With -i, lcores map onto the machine's CPUs round-robin so that -T may
// exceed the core count on small machines (at a cost in rate).
std::vector<std::string> EalArgs(const ScanCommand& cmd, std::vector<std::string> from_file) {
  std::vector<std::string> args = std::move(from_file);
  const uint32_t lcores = Lcores(cmd);
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
    auto port = Port::Open(cmd.port_id, static_cast<uint16_t>(Lcores(cmd)));
    if (!port.ok()) {
      status = port.status();
    } else {
      DpdkScanOptions options = cmd.run;
      options.eal_args = absl::StrJoin(eal, " ");
      status = RunDpdkScan(*plan, **port, options, stop);
    }
  }
  StopEal();
  return status;
}

}  // namespace tlsweep
