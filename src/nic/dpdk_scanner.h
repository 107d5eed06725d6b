// `tlsweep scan` on a DPDK port: sender lcores walking their sub-shards and
// the control lcore receiving, answering ARP, validating and writing.
//
// Lcore layout (see port.h for queues): worker lcore i runs sender i on TX
// queue i; the main lcore polls every RX queue, answers ARP on the control
// TX queue, writes results, prints the status line once a second and runs
// the cooldown. Senders share nothing writable with anyone but their own
// cache-line-aligned counters, which the main lcore reads.
#ifndef TLSWEEP_NIC_DPDK_SCANNER_H_
#define TLSWEEP_NIC_DPDK_SCANNER_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "common/net_types.h"
#include "common/stop_token.h"
#include "nic/grab_pool.h"
#include "nlohmann/json.hpp"
#include "nic/port.h"
#include "scan/result_output.h"
#include "scan/scan_config.h"
#include "tls/tls_context.h"

namespace tlsweep {

struct DpdkScanOptions {
  // ZMap's default: answers arriving 8 s after the last probe still count.
  double cooldown_s = 8;
  std::optional<Ipv4Address> gateway_ip;  // resolved by ARP unless gateway_mac
  std::optional<MacAddress> gateway_mac;  // -G
  std::optional<MacAddress> source_mac;   // --source-mac; default the port's
  // ARP for the gateway: a request every 0.5 s, for at most this long.
  double arp_timeout_s = 3;
  bool quiet = false;
  std::string status_file;  // -u
  std::string output_file;  // -o
  OutputOptions output;
  std::string metadata_file;  // -m
  std::string resume_file;    // --resume
  std::string resume_out_file;
  std::string eal_args;       // for the metadata
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
