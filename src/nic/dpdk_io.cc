#include "nic/dpdk_io.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "nic/probe_tx.h"

namespace tlsweep {

// What a sender lcore gets.
struct DpdkPacketIo::SenderLaunch {
  SenderState* sender;
  const StopToken* stop;
  uint16_t port;
  uint16_t queue;
  rte_mempool* pool;

  // A sender lcore: scan/send_loop.h over its TX queue.
  static int Main(void* arg) {
    auto* l = static_cast<SenderLaunch*>(arg);
    DpdkProbeTx tx(l->port, l->queue, l->pool);
    SendLoop<DpdkProbeTx> loop(tx, l->sender->generator, l->sender->limiter,
                               l->sender->counters, *l->stop);
    loop.Run();
    return 0;
  }
};

DpdkPacketIo::DpdkPacketIo(Port& port, std::string eal_args)
    : port_(port), eal_args_(std::move(eal_args)) {}

DpdkPacketIo::~DpdkPacketIo() {
  if (control_count_ > 0) rte_pktmbuf_free_bulk(control_, control_count_);
}

uint64_t DpdkPacketIo::Now() const { return rte_rdtsc(); }
uint64_t DpdkPacketIo::hz() const { return rte_get_tsc_hz(); }

absl::Status DpdkPacketIo::StartSenders(std::span<const uint8_t> probe_template,
                                        std::span<const std::unique_ptr<SenderState>> senders,
                                        const StopToken& stop) {
  const auto count = static_cast<uint32_t>(senders.size());
  // Each sender may hold a full TX ring plus a burst; af_packet and most
  // NICs free mbufs long before that.
  const uint32_t probe_mbufs = count * (4096 + 2 * kSendBurst) + rte_lcore_count() * 256;
  TLSWEEP_ASSIGN_OR_RETURN(rte_mempool * probe_pool,
                           port_.CreateTemplatePool(probe_mbufs, probe_template));
  for (uint32_t t = 0; t < count; ++t) {
    launches_.push_back(std::make_unique<SenderLaunch>(SenderLaunch{
        senders[t].get(), &stop, port_.id(), static_cast<uint16_t>(t), probe_pool}));
  }
  uint32_t t = 0;
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    if (t == count) break;
    if (int ret = rte_eal_remote_launch(SenderLaunch::Main, launches_[t].get(), lcore); ret != 0) {
      for (uint32_t u = 0; u < t; ++u) senders[u]->counters.abort.store(true);
      rte_eal_mp_wait_lcore();
      return absl::InternalError(absl::StrCat("rte_eal_remote_launch(lcore=", lcore, "): ", ret));
    }
    ++t;
  }
  return absl::OkStatus();
}

void DpdkPacketIo::JoinSenders() { rte_eal_mp_wait_lcore(); }

uint16_t DpdkPacketIo::RxBurst(uint16_t queue, void** handles, const uint8_t** frames,
                               uint16_t* lens, uint16_t n) {
  auto** mbufs = reinterpret_cast<rte_mbuf**>(handles);
  const uint16_t got = rte_eth_rx_burst(port_.id(), queue, mbufs, n);
  for (uint16_t i = 0; i < got; ++i) {
    frames[i] = rte_pktmbuf_mtod(mbufs[i], const uint8_t*);
    lens[i] = rte_pktmbuf_data_len(mbufs[i]);
  }
  return got;
}

void DpdkPacketIo::FreeRx(void** handles, uint16_t n) {
  rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(handles), n);
}

bool DpdkPacketIo::QueueControl(const uint8_t* frame, uint16_t len) {
  rte_mbuf* m = control_count_ < kSendBurst ? rte_pktmbuf_alloc(port_.pool()) : nullptr;
  uint8_t* p = m != nullptr ? reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, len)) : nullptr;
  if (p == nullptr) {
    rte_pktmbuf_free(m);
    return false;
  }
  std::memcpy(p, frame, len);
  control_[control_count_++] = m;
  return true;
}

uint16_t DpdkPacketIo::FlushControl() {
  if (control_count_ == 0) return 0;
  const uint16_t sent = rte_eth_tx_burst(port_.id(), static_cast<uint16_t>(port_.queues() - 1),
                                         control_, control_count_);
  const auto refused = static_cast<uint16_t>(control_count_ - sent);
  if (refused > 0) rte_pktmbuf_free_bulk(control_ + sent, refused);
  control_count_ = 0;
  return refused;
}

DpdkPortInfo DpdkPacketIo::PortInfo() const {
  return {port_.id(), port_.driver(), port_.mac(), port_.queues(), eal_args_};
}

}  // namespace tlsweep
