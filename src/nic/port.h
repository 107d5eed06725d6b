// One DPDK Ethernet port set up for tlsweep: queue pairs, mempools sized
// from the queue depths, MAC address, link state and counters.
//
// Queue layout: a scan with T sender lcores and W grab lcores uses T+W+1
// queue pairs. TX queue i (i < T) belongs to sender i, T+j to grab lcore j,
// the last one to the control lcore (ARP, and grabs run on it). The
// control lcore polls every RX queue, so no answer is lost whichever queue
// the NIC's RSS (or af_packet's fanout) puts it on.
#ifndef TLSWEEP_NIC_PORT_H_
#define TLSWEEP_NIC_PORT_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "runner/packet_io.h"

struct rte_mempool;

namespace tlsweep {

// How a passive capture wants its port: receive queues only matter (TX
// queues exist because DPDK wants as many as it is asked for, and carry
// nothing).
struct CaptureConfig {
  uint16_t rx_queues = 1;
  // More than one queue: spread flows by RSS with the symmetric Toeplitz
  // key (passive/symmetric_rss.h). The port must offer RSS over IPv4 TCP
  // (PortHasTcpRss).
  bool symmetric_rss = false;
  // Mbufs held outside the RX rings (software dispatch rings).
  uint32_t extra_mbufs = 0;
};

// Whether `port_id`'s driver can spread IPv4 TCP over `queues` RX queues by
// RSS (a NIC; not net_pcap, net_ring, af_packet). After StartEal.
bool PortHasTcpRss(uint16_t port_id, uint16_t queues);

class Port {
 public:
  // Configures and starts port `port_id` with `queues` queue pairs of the
  // given depths. Every failure names the DPDK call and the port.
  static absl::StatusOr<std::unique_ptr<Port>> Open(uint16_t port_id,
                                                    uint16_t queues,
                                                    uint16_t rx_desc = 1024,
                                                    uint16_t tx_desc = 1024);
  // A port for `tlsweep passive`: promiscuous (a mirror port's frames are
  // for other hosts), `config.rx_queues` queue pairs, symmetric RSS when
  // asked.
  static absl::StatusOr<std::unique_ptr<Port>> OpenForCapture(uint16_t port_id,
                                                              const CaptureConfig& config);
  ~Port();
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  uint16_t id() const { return id_; }
  uint16_t queues() const { return queues_; }
  const MacAddress& mac() const { return mac_; }
  const std::string& driver() const { return driver_; }
  // Mbufs for received frames and control frames (ARP) sent by the
  // control lcore.
  rte_mempool* pool() const { return pool_; }
  // IPv4 and TCP checksums computed by the NIC on transmit (enabled when
  // the driver offers both).
  bool tx_checksum_offload() const { return tx_checksum_offload_; }

  // A pool of `count` mbufs for frames sent on this port. The port owns it
  // and frees it after the port is closed (a NIC may still hold mbufs in
  // its TX ring until then).
  absl::StatusOr<rte_mempool*> CreateTxPool(uint32_t count);

  // A pool of `count` mbufs that are ready-made probes: the data area holds
  // `frame`, data_len and pkt_len are its length. Senders write only
  // per-target fields. A sent mbuf returns to the pool with DPDK's raw-mbuf
  // invariants (refcnt 1, one segment) and every other field as it was, so
  // senders take them with rte_mempool_get_bulk, without the per-mbuf
  // rte_pktmbuf_reset of rte_pktmbuf_alloc_bulk. Owned like CreateTxPool's.
  absl::StatusOr<rte_mempool*> CreateTemplatePool(uint32_t count,
                                                  std::span<const uint8_t> frame);

  // The driver's counters, plus for af_packet the kernel's drops on its
  // sockets. Control lcore only (reading the kernel's counters resets them).
  PortStats Stats() const;
  bool LinkUp() const;

 private:
  Port(uint16_t id, uint16_t queues) : id_(id), queues_(queues) {}
  static absl::StatusOr<std::unique_ptr<Port>> OpenPort(uint16_t port_id, uint16_t queues,
                                                        uint16_t rx_desc, uint16_t tx_desc,
                                                        const CaptureConfig* capture);

  uint16_t id_;
  uint16_t queues_;
  MacAddress mac_;
  std::string driver_;
  rte_mempool* pool_ = nullptr;
  std::vector<rte_mempool*> tx_pools_;
  bool tx_checksum_offload_ = false;
  bool started_ = false;
  // af_packet: the PMD's AF_PACKET sockets on the port's interface, whose
  // PACKET_STATISTICS count the frames the kernel dropped (DPDK 22.11's
  // af_packet PMD reports neither imissed nor xstats for them).
  std::vector<int> packet_sockets_;
  mutable uint64_t ring_drops_ = 0;  // PACKET_STATISTICS resets on each read
};

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_PORT_H_
