// Starting DPDK for `tlsweep scan` and `tlsweep run`: the EAL arguments
// (af_packet on -i, a --dpdk-config file, --eal), the port with one queue
// pair per sender and grab lcore plus the control one, then the run.
#ifndef TLSWEEP_APP_DPDK_COMMAND_H_
#define TLSWEEP_APP_DPDK_COMMAND_H_

#include "absl/status/status.h"
#include "app/scan_flags.h"
#include "common/stop_token.h"

namespace tlsweep {

// Runs `cmd` on DPDK: a scan, or with cmd.run.grab a scan and its grabs.
// Runs the scan (or `run`) on DPDK until it ends or `stop` ends it.
absl::Status RunOnDpdk(const ScanCommand& cmd, const StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_DPDK_COMMAND_H_
