// `tlsweep scan` and `tlsweep run` on a DPDK port: checks that the lcores
// and queues fit, sets up the grab pool, and runs runner/scan_runner.h over
// nic/dpdk_io.h.
//
// Lcore layout (see port.h for queues): worker lcore i runs sender i on TX
// queue i, the grab lcores follow; the main lcore runs the scan's control
// loop (receive, ARP, results, status line, cooldown).
#ifndef TLSWEEP_NIC_DPDK_SCANNER_H_
#define TLSWEEP_NIC_DPDK_SCANNER_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "common/net_types.h"
#include "common/stop_token.h"
#include "nic/grab_pool.h"
#include "nic/port.h"
#include "output/result_output.h"
#include "scan/scan_config.h"
#include "runner/scan_runner.h"
#include "tls/tls_context.h"

namespace tlsweep {

// The scan's options (runner/scan_runner.h) and what only DPDK runs need.
struct DpdkScanOptions : ScanRunOptions {
  std::string eal_args;  // for the metadata
  // `tlsweep run`: every new open port is grabbed by the pool, and the
  // output holds one JSON record per open port instead of scan lines.
  std::optional<GrabPoolOptions> grab;
  const TlsContext* tls = nullptr;
  nlohmann::json grab_settings;  // the grab's flags, for the metadata
};

// Runs the scan of `plan` on `port` to the end of the cooldown (or a
// tripped `stop`) and, with options.grab, until the last grab ends; then
// writes the metadata and, when stopped early, the resume file. Errors: the
// gateway does not answer ARP, too few lcores, files.
absl::Status RunDpdkScan(const ScanPlan& plan, Port& port,
                         const DpdkScanOptions& options, const StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_DPDK_SCANNER_H_
