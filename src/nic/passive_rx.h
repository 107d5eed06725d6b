// `tlsweep passive` on a DPDK port (a NIC on a mirror/SPAN port or a tap;
// net_pcap replaying a file; net_ring in benchmarks): one PassiveAnalyzer
// per analyzer lcore, each seeing whole connections.
//
// How frames reach the analyzers, chosen by what the port can do:
//  - "single": one analyzer; the main lcore polls the port's one queue
//    and analyzes.
//  - "rss": the port spreads IPv4 TCP over one RX queue per analyzer with
//    the symmetric Toeplitz key (passive/symmetric_rss.h), so both
//    directions of a connection land in one queue; analyzer i polls queue
//    i on lcore i (the main lcore is analyzer 0).
//  - "software": the port has no RSS (net_pcap has one queue per file,
//    net_ring and af_packet none): the main lcore polls the one queue,
//    computes the same symmetric hash in software and passes each mbuf
//    through a single-producer ring to analyzer lcore WorkerOf(hash). A
//    full ring drops the frame and counts it per lcore.
//
// The run ends on `stop` (Ctrl-C) or, with end_after_idle_ns, once no
// frame arrived for that long: how the end of net_pcap's file shows
// (its rx_pcap without infinite_rx=1 returns no more packets at the end
// of the file and nothing says so otherwise). Every analyzer then sees
// Finish() on its own lcore.
#ifndef TLSWEEP_NIC_PASSIVE_RX_H_
#define TLSWEEP_NIC_PASSIVE_RX_H_

#include <cstdint>
#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "common/stop_token.h"
#include "passive/analyzer.h"
#include "output/metadata.h"

namespace tlsweep {

struct PassiveRxOptions {
  uint16_t port_id = 0;
  // 0: only `stop` ends the capture. Unset: kPcapEndIdleNs on net_pcap,
  // 0 on every other driver (a mirror port may be quiet for hours).
  std::optional<uint64_t> end_after_idle_ns;
};

// net_pcap reads its file as fast as the lcore takes frames, so a pause
// means the end of the file; 2 s covers the longest stall seen when the
// lcore's CPU is shared (the CFS slices of a busy 2-CPU machine are
// milliseconds, a page-cache miss on the file tens of milliseconds).
inline constexpr uint64_t kPcapEndIdleNs = 2'000'000'000;

// Runs the capture on an EAL already started: analyzers[i] is analyzer
// lcore i's. Needs analyzers.size() lcores with RSS, one more without
// (the error says how many). Returns when the capture ended, each
// analyzer Finish()ed, with the summary's driver, dispatch, rx_queues,
// port, lcores and ended_idle filled in.
absl::StatusOr<PassiveDpdkSummary> RunPassiveCapture(const PassiveRxOptions& options,
                                                   std::span<PassiveAnalyzer* const> analyzers,
                                                   const StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_PASSIVE_RX_H_
