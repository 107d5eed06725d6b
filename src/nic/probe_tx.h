// The DPDK probe transmitter of scan/send_loop.h: ready-made probe mbufs
// taken raw from the template pool (Port::CreateTemplatePool) through this
// lcore's cache, sent with rte_eth_tx_burst on the sender's own TX queue.
#ifndef TLSWEEP_NIC_PROBE_TX_H_
#define TLSWEEP_NIC_PROBE_TX_H_

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include <cstdint>

#include "packet/probe.h"
#include "scan/send_loop.h"

namespace tlsweep {

class DpdkProbeTx {
 public:
  // Constructed on the sender's lcore: this lcore's cache of `pool` is
  // looked up once (rte_lcore_id() is a thread-local of the EAL's shared
  // library, a call per lookup).
  DpdkProbeTx(uint16_t port, uint16_t queue, rte_mempool* pool)
      : port_(port),
        queue_(queue),
        pool_(pool),
        cache_(rte_mempool_default_cache(pool, rte_lcore_id())),
        hz_(rte_get_tsc_hz()) {}

  // The template pool's mbufs are ready-made probes: no rte_pktmbuf_reset.
  uint8_t* const* Get(uint32_t n) {
    if (rte_mempool_generic_get(pool_, reinterpret_cast<void**>(mbufs_), n, cache_) != 0) {
      return nullptr;
    }
    for (uint32_t i = 0; i < n; ++i) frames_[i] = rte_pktmbuf_mtod(mbufs_[i], uint8_t*);
    return frames_;
  }
  void Unget(uint32_t from, uint32_t n) {
    rte_mempool_generic_put(pool_, reinterpret_cast<void**>(mbufs_ + from), n, cache_);
  }
  uint32_t Send(uint32_t from, uint32_t n) {
    return rte_eth_tx_burst(port_, queue_, mbufs_ + from, static_cast<uint16_t>(n));
  }
  void Drop(uint32_t from, uint32_t n) { rte_pktmbuf_free_bulk(mbufs_ + from, n); }
  static constexpr ProbeFields* fields() { return nullptr; }
  uint64_t Now() const { return rte_rdtsc(); }
  uint64_t hz() const { return hz_; }
  void Wait(uint64_t /*ticks*/) { rte_pause(); }

 private:
  const uint16_t port_;
  const uint16_t queue_;
  rte_mempool* const pool_;
  rte_mempool_cache* const cache_;
  const uint64_t hz_;
  rte_mbuf* mbufs_[kSendBurst];
  uint8_t* frames_[kSendBurst];
};

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_PROBE_TX_H_
