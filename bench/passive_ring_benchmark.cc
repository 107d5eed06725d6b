// `tlsweep passive`'s receive side on a DPDK port without a file reader in
// the loop: the frames of a capture are copied, untimed, into mbufs queued
// on an rte_ring that DPDK's net_ring PMD presents as a port
// (rte_eth_from_rings), then received and analyzed by the same
// RunPassiveCapture that `tlsweep passive --eal` runs, on one analyzer
// lcore ("single" dispatch). The figure is frames and bytes over the
// analyzer's active time (first burst to last, metadata dpdk.active_seconds):
// what one lcore sustains when the NIC is not the limit. Compare with
// `tlsweep passive -r FILE` (libpcap's reader in the loop) and
// `tlsweep passive --eal "--vdev=net_pcap0,rx_pcap=FILE"` (net_pcap's
// reader and a copy per frame in the loop); bench/RESULTS.md 12.passdpdk15.
//
// A standalone program, as rx_replay_benchmark: the EAL starts once per
// process, and the port is closed at the end of the capture, so one run
// per process.
//
// usage: passive_ring_benchmark CAPTURE.pcap [MAX_FRAMES]
//   every frame of CAPTURE (at most MAX_FRAMES, default 500,000) is queued;
//   frames longer than an mbuf's 2048-byte data room are skipped (counted).
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "nic/passive_rx.h"
#include "passive/analyzer.h"
#include "passive/pcap_source.h"

namespace {

// 2^20 slots: a ring holds one less; above the default MAX_FRAMES.
constexpr unsigned kRingSize = 1u << 20;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CAPTURE.pcap [MAX_FRAMES]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const uint64_t max_frames = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 500'000;
  std::vector<std::string> eal = {"passive_ring_benchmark", "--no-huge", "-m", "2048",
                                  "--no-shconf", "--no-pci", "--lcores=0@0",
                                  "--log-level=lib.eal:error"};
  std::vector<char*> eal_argv;
  for (std::string& s : eal) eal_argv.push_back(s.data());
  if (rte_eal_init(static_cast<int>(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "rte_eal_init failed\n");
    return 1;
  }
  rte_ring* ring = rte_ring_create("passive_bench", kRingSize, rte_socket_id(),
                                   RING_F_SP_ENQ | RING_F_SC_DEQ);
  rte_mempool* pool = rte_pktmbuf_pool_create("passive_bench", static_cast<unsigned>(max_frames),
                                              0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
  if (ring == nullptr || pool == nullptr) {
    std::fprintf(stderr, "ring or pool: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  const int port = rte_eth_from_rings("net_ring_passive", &ring, 1, &ring, 1, rte_socket_id());
  if (port < 0) {
    std::fprintf(stderr, "rte_eth_from_rings: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  // Untimed: the capture into mbufs on the ring.
  absl::StatusOr<tlsweep::PcapSource> source = tlsweep::PcapSource::Open(path);
  if (!source.ok()) {
    std::fprintf(stderr, "%s\n", source.status().ToString().c_str());
    return 1;
  }
  tlsweep::CapturedFrame frame;
  uint64_t queued = 0, skipped = 0;
  while (queued < max_frames && source->Next(&frame)) {
    if (frame.bytes.size() > RTE_MBUF_DEFAULT_DATAROOM) {
      ++skipped;
      continue;
    }
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) break;
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(frame.bytes.size())),
                frame.bytes.data(), frame.bytes.size());
    if (rte_ring_sp_enqueue(ring, m) != 0) {
      rte_pktmbuf_free(m);
      break;
    }
    ++queued;
  }
  uint64_t records = 0;
  tlsweep::PassiveAnalyzer analyzer({}, [&](const tlsweep::ConnectionRecord&) { ++records; });
  tlsweep::PassiveAnalyzer* analyzers[] = {&analyzer};
  tlsweep::StopToken stop;
  tlsweep::PassiveRxOptions options;
  options.port_id = static_cast<uint16_t>(port);
  options.end_after_idle_ns = 500'000'000;  // the ring is full before the capture starts
  absl::StatusOr<tlsweep::PassiveDpdkSummary> s =
      tlsweep::RunPassiveCapture(options, analyzers, stop);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
    return 1;
  }
  const tlsweep::PassiveCounters& c = analyzer.counters();
  std::printf("driver %s: %llu frames queued (%llu too long, skipped), %llu analyzed, "
              "%llu records, %.3f s active: %.3f Mpps, %.3f Gbit/s (captured bytes)\n",
              s->driver.c_str(), static_cast<unsigned long long>(queued),
              static_cast<unsigned long long>(skipped),
              static_cast<unsigned long long>(c.packets),
              static_cast<unsigned long long>(records), s->active_seconds,
              static_cast<double>(c.packets) / s->active_seconds / 1e6,
              static_cast<double>(c.bytes) * 8 / s->active_seconds / 1e9);
  rte_eal_cleanup();
  return 0;
}
