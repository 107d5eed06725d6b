// See passive_rx.h.
#include "nic/passive_rx.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/time_format.h"
#include "nic/port.h"
#include "passive/symmetric_rss.h"

namespace tlsweep {
namespace {

// DPDK's examples' burst size (l2fwd, l3fwd's MAX_PKT_BURST).
constexpr uint16_t kBurst = 32;
// A software-dispatch ring per analyzer: 4096 mbufs is about 0.3 ms at
// 14.88 Mpps, more than an analyzer stalls on one flow's reassembly.
constexpr uint32_t kRingSize = 4096;
// The longest frame an analyzer linearises: an IPv4 packet's 65535 bytes
// plus Ethernet and one VLAN tag (a capture taken on a sending host holds
// TSO super-frames that large).
constexpr uint32_t kMaxFrame = 65535 + 18;
// Headers the software hash reads: Ethernet, one VLAN tag, IPv4 with
// options (60 bytes), the ports.
constexpr uint32_t kHashHeaderBytes = 14 + 4 + 60 + 4;

// Wall-clock nanoseconds from the TSC (the analyzer's idle timeouts and
// the records' first/last times): one system clock read at start.
class TscClock {
 public:
  TscClock() : base_ns_(WallClockNs()), base_tsc_(rte_rdtsc()), hz_(rte_get_tsc_hz()) {}
  uint64_t Now() const {
    const uint64_t d = rte_rdtsc() - base_tsc_;
    return base_ns_ + d / hz_ * 1'000'000'000ull + d % hz_ * 1'000'000'000ull / hz_;
  }

 private:
  uint64_t base_ns_, base_tsc_, hz_;
};

// One lcore's state, on its own cache lines: `packets` is read by the main
// lcore for the idle end while the owner writes it.
struct alignas(64) Lane {
  PassiveAnalyzer* analyzer = nullptr;
  rte_ring* ring = nullptr;   // software dispatch: its input
  int32_t queue = -1;         // rss: the queue it polls
  std::atomic<uint64_t> packets{0};
  uint64_t bytes = 0;
  uint64_t first_ns = 0;  // the first and last burst it received
  uint64_t last_ns = 0;
  uint64_t ring_drops = 0;
  uint64_t oversize = 0;
  uint32_t lcore = 0;
  std::unique_ptr<uint8_t[]> scratch{new uint8_t[kMaxFrame]};
};

struct Shared {
  uint16_t port_id = 0;
  const TscClock* clock = nullptr;
  std::atomic<bool> done{false};
};

// Analyzes `n` mbufs and frees them.
void AnalyzeBurst(Lane& lane, const TscClock& clock, rte_mbuf** mbufs, uint16_t n) {
  const uint64_t now = clock.Now();
  if (lane.first_ns == 0) lane.first_ns = now;
  lane.last_ns = now;
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n; ++i) {
    const uint32_t len = rte_pktmbuf_pkt_len(mbufs[i]);
    bytes += len;
    if (len > kMaxFrame) {
      ++lane.oversize;
      continue;
    }
    // The frame's bytes in one piece: the mbuf's data when it has one
    // segment, else copied into the lane's buffer (net_pcap chains mbufs
    // for frames longer than one).
    const auto* data = static_cast<const uint8_t*>(rte_pktmbuf_read(mbufs[i], 0, len,
                                                                    lane.scratch.get()));
    if (data == nullptr) continue;
    lane.analyzer->Frame(CapturedFrame{std::span<const uint8_t>(data, len), len, now});
  }
  lane.bytes += bytes;
  lane.packets.fetch_add(n, std::memory_order_relaxed);
  rte_pktmbuf_free_bulk(mbufs, n);
}

// "rss" and "single": poll one queue until done.
void PollQueue(Lane& lane, const Shared& shared) {
  rte_mbuf* mbufs[kBurst];
  while (!shared.done.load(std::memory_order_relaxed)) {
    const uint16_t n = rte_eth_rx_burst(shared.port_id, static_cast<uint16_t>(lane.queue),
                                        mbufs, kBurst);
    if (n > 0) AnalyzeBurst(lane, *shared.clock, mbufs, n);
  }
  lane.analyzer->Finish();
}

// "software", an analyzer lcore: its ring until done and empty (the
// dispatcher sets done only after its last enqueue).
void DrainRing(Lane& lane, const Shared& shared) {
  rte_mbuf* mbufs[kBurst];
  for (;;) {
    const bool done = shared.done.load(std::memory_order_acquire);
    const unsigned n = rte_ring_sc_dequeue_burst(lane.ring, reinterpret_cast<void**>(mbufs),
                                                 kBurst, nullptr);
    if (n > 0) {
      AnalyzeBurst(lane, *shared.clock, mbufs, static_cast<uint16_t>(n));
    } else if (done) {
      break;
    }
  }
  lane.analyzer->Finish();
}

struct Launch {
  Lane* lane;
  const Shared* shared;
  bool software;
};

int LaunchLane(void* arg) {
  const auto* l = static_cast<const Launch*>(arg);
  if (l->software) DrainRing(*l->lane, *l->shared); else PollQueue(*l->lane, *l->shared);
  return 0;
}

// The main lcore's part of "software": receive, hash, hand over. Returns
// when stopped or idle; `rx` counts what it received.
bool Dispatch(std::span<Lane> lanes, Lane& rx, const Shared& shared, uint64_t idle_ns,
              const StopToken& stop) {
  rte_mbuf* mbufs[kBurst];
  rte_mbuf* per_lane[kBurst];
  uint8_t header[kHashHeaderBytes];
  const uint32_t workers = static_cast<uint32_t>(lanes.size());
  uint64_t last_rx = shared.clock->Now();
  while (stop.running()) {
    const uint16_t n = rte_eth_rx_burst(shared.port_id, 0, mbufs, kBurst);
    if (n == 0) {
      if (idle_ns != 0 && shared.clock->Now() - last_rx > idle_ns) return true;
      continue;
    }
    last_rx = shared.clock->Now();
    if (rx.first_ns == 0) rx.first_ns = last_rx;
    rx.last_ns = last_rx;
    rx.packets.fetch_add(n, std::memory_order_relaxed);
    uint32_t lane_of[kBurst];
    for (uint16_t i = 0; i < n; ++i) {
      const uint32_t len = std::min(rte_pktmbuf_pkt_len(mbufs[i]), kHashHeaderBytes);
      rx.bytes += rte_pktmbuf_pkt_len(mbufs[i]);
      const auto* h = static_cast<const uint8_t*>(rte_pktmbuf_read(mbufs[i], 0, len, header));
      lane_of[i] = WorkerOf(h == nullptr ? 0 : SymmetricFrameHash({h, len}), workers);
    }
    // One enqueue per lane with frames in this burst, in arrival order.
    for (uint32_t w = 0; w < workers; ++w) {
      uint16_t k = 0;
      for (uint16_t i = 0; i < n; ++i) {
        if (lane_of[i] == w) per_lane[k++] = mbufs[i];
      }
      if (k == 0) continue;
      const unsigned sent = rte_ring_sp_enqueue_burst(
          lanes[w].ring, reinterpret_cast<void* const*>(per_lane), k, nullptr);
      if (sent < k) {
        lanes[w].ring_drops += k - sent;
        rte_pktmbuf_free_bulk(per_lane + sent, k - sent);
      }
    }
  }
  return false;
}

// "rss" and "single" on the main lcore: its own queue, and the watch for
// the end (stop, or every lane idle).
bool PollAndWatch(std::span<Lane> lanes, const Shared& shared, uint64_t idle_ns,
                  const StopToken& stop) {
  Lane& mine = lanes[0];
  rte_mbuf* mbufs[kBurst];
  uint64_t seen = 0;
  uint64_t last_change = shared.clock->Now();
  uint32_t polls = 0;
  while (stop.running()) {
    const uint16_t n = rte_eth_rx_burst(shared.port_id, static_cast<uint16_t>(mine.queue),
                                        mbufs, kBurst);
    if (n > 0) AnalyzeBurst(mine, *shared.clock, mbufs, n);
    // Every 1024 polls (microseconds), not every poll: the sum reads
    // other lcores' cache lines.
    if (idle_ns == 0 || (++polls & 1023) != 0) continue;
    uint64_t total = 0;
    for (const Lane& l : lanes) total += l.packets.load(std::memory_order_relaxed);
    const uint64_t now = shared.clock->Now();
    if (total != seen) {
      seen = total;
      last_change = now;
    } else if (now - last_change > idle_ns) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<PassiveDpdkSummary> RunPassiveCapture(const PassiveRxOptions& options,
                                                   std::span<PassiveAnalyzer* const> analyzers,
                                                   const StopToken& stop) {
  const uint32_t n = static_cast<uint32_t>(analyzers.size());
  PassiveDpdkSummary summary;
  const bool rss = n > 1 && PortHasTcpRss(options.port_id, static_cast<uint16_t>(n));
  const bool software = n > 1 && !rss;
  summary.dispatch = n == 1 ? "single" : rss ? "rss" : "software";
  const uint32_t lcores_needed = software ? n + 1 : n;
  if (rte_lcore_count() < lcores_needed) {
    return absl::InvalidArgumentError(absl::StrCat(
        n, " analyzers need ", lcores_needed, " EAL lcores",
        software ? " (the port has no RSS over IPv4 TCP: one more lcore receives and "
                   "dispatches by a software symmetric hash)"
                 : "",
        "; the EAL has ", rte_lcore_count(), " (give -l/--lcores in --eal)"));
  }
  CaptureConfig config;
  config.rx_queues = static_cast<uint16_t>(rss ? n : 1);
  config.symmetric_rss = rss;
  config.extra_mbufs = software ? n * kRingSize : 0;
  absl::StatusOr<std::unique_ptr<Port>> port = Port::OpenForCapture(options.port_id, config);
  if (!port.ok()) return port.status();
  summary.driver = (*port)->driver();
  summary.port_id = options.port_id;
  summary.analyzers = n;
  summary.rx_queues = config.rx_queues;
  const uint64_t idle_ns = options.end_after_idle_ns.value_or(
      summary.driver == "net_pcap" ? kPcapEndIdleNs : 0);
  summary.end_after_idle_seconds = static_cast<double>(idle_ns) / 1e9;

  const TscClock clock;
  Shared shared;
  shared.port_id = options.port_id;
  shared.clock = &clock;
  std::vector<Lane> lanes(n);
  Lane rx;  // software: the dispatcher's counts
  rx.lcore = rte_lcore_id();
  for (uint32_t i = 0; i < n; ++i) {
    lanes[i].analyzer = analyzers[i];
    if (software) {
      const std::string name = absl::StrCat("tlsweep_pass", i);
      lanes[i].ring = rte_ring_create(name.c_str(), kRingSize, rte_socket_id(),
                                      RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (lanes[i].ring == nullptr) {
        for (uint32_t j = 0; j < i; ++j) rte_ring_free(lanes[j].ring);
        return absl::ResourceExhaustedError(
            absl::StrCat("rte_ring_create(", name, ", ", kRingSize, "): ",
                         rte_strerror(rte_errno)));
      }
    } else {
      lanes[i].queue = static_cast<int32_t>(i);
    }
  }
  // Worker lcores in EAL order: every lane in "software", lanes 1.. else
  // (lane 0 is the main lcore's).
  std::vector<Launch> launches(n);
  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  for (uint32_t i = software ? 0 : 1; i < n; ++i) {
    launches[i] = {&lanes[i], &shared, software};
    lanes[i].lcore = lcore;
    if (int ret = rte_eal_remote_launch(LaunchLane, &launches[i], lcore); ret != 0) {
      // Lanes already launched end (their Finish() included) before the
      // error returns; nothing was received yet.
      shared.done.store(true, std::memory_order_release);
      rte_eal_mp_wait_lcore();
      for (Lane& l : lanes) {
        if (l.ring != nullptr) rte_ring_free(l.ring);
      }
      return absl::InternalError(absl::StrCat("rte_eal_remote_launch(lcore=", lcore,
                                              "): ", rte_strerror(-ret)));
    }
    lcore = rte_get_next_lcore(lcore, 1, 0);
  }
  if (software) {
    summary.ended_idle = Dispatch(lanes, rx, shared, idle_ns, stop);
    shared.done.store(true, std::memory_order_release);
  } else {
    lanes[0].lcore = rte_lcore_id();
    summary.ended_idle = PollAndWatch(lanes, shared, idle_ns, stop);
    shared.done.store(true, std::memory_order_release);
    lanes[0].analyzer->Finish();
  }
  rte_eal_mp_wait_lcore();
  const PortStats stats = (*port)->Stats();
  summary.port = {stats.ipackets,  stats.opackets,  stats.imissed,         stats.ierrors,
                  stats.oerrors,   stats.rx_nombuf, stats.ring_drops,      stats.rx_drops_counted};
  uint64_t first = software ? rx.first_ns : 0, last = software ? rx.last_ns : 0;
  if (software) {
    summary.lcores.push_back({rx.lcore, "rx", 0, rx.packets.load(), rx.bytes, 0, 0});
  }
  for (const Lane& l : lanes) {
    if (l.first_ns != 0 && (first == 0 || l.first_ns < first)) first = l.first_ns;
    last = std::max(last, l.last_ns);
  }
  summary.active_seconds = static_cast<double>(last - first) / 1e9;
  for (Lane& l : lanes) {
    if (l.ring != nullptr) rte_ring_free(l.ring);
    summary.lcores.push_back({l.lcore, software ? "analyzer" : "rx+analyzer", l.queue,
                              l.packets.load(), l.bytes, l.ring_drops, l.oversize});
  }
  return summary;
}

}  // namespace tlsweep
