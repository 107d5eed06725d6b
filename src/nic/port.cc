#include "nic/port.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <dirent.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "passive/symmetric_rss.h"

namespace tlsweep {
namespace {

// Per-lcore mempool cache: DPDK's examples use 256; it must stay below
// RTE_MEMPOOL_CACHE_MAX_SIZE (512) and well below the pool size.
constexpr unsigned kMempoolCache = 256;
// Link wait: 90 polls of 100 ms, DPDK's examples' 9 s check_all_ports_link_status.
constexpr int kLinkWaitPolls = 90;

absl::Status DpdkError(const std::string& call, uint16_t port, int ret) {
  return absl::InternalError(absl::StrCat(call, "(port=", port, "): ",
                                          rte_strerror(ret < 0 ? -ret : ret)));
}

struct TemplateArg {
  const uint8_t* frame;
  size_t len;
};

void WriteTemplate(rte_mempool*, void* arg, void* obj, unsigned) {
  const auto* t = static_cast<const TemplateArg*>(arg);
  auto* m = static_cast<rte_mbuf*>(obj);
  // A ready-made probe: the template at the headroom (data_off, set by
  // rte_pktmbuf_init) and the frame's length.
  std::memcpy(static_cast<uint8_t*>(m->buf_addr) + RTE_PKTMBUF_HEADROOM, t->frame, t->len);
  m->data_len = static_cast<uint16_t>(t->len);
  m->pkt_len = static_cast<uint32_t>(t->len);
}

// The process's AF_PACKET sockets bound to interface `ifindex`: the
// af_packet PMD's, one per queue pair (tlsweep opens no other). Found by
// their descriptors, since the PMD does not expose them.
std::vector<int> PacketSockets(uint32_t ifindex) {
  std::vector<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (const dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    int domain = 0;
    socklen_t len = sizeof(domain);
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
        domain != AF_PACKET) {
      continue;
    }
    sockaddr_ll addr;
    len = sizeof(addr);
    std::memset(&addr, 0, sizeof(addr));
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
        static_cast<uint32_t>(addr.sll_ifindex) == ifindex) {
      fds.push_back(static_cast<int>(fd));
    }
  }
  closedir(dir);
  return fds;
}

// Drivers known to count no receive drops at all (rte_eth_stats.imissed
// stays 0 whatever happens): virtual devices without a ring of their own
// that could overflow unseen, or whose overflow DPDK does not read.
bool CountsNoRxDrops(const std::string& driver) {
  return driver == "net_tap" || driver == "net_ring" || driver == "net_null" ||
         driver == "net_pcap";
}

}  // namespace

bool PortHasTcpRss(uint16_t port_id, uint16_t queues) {
  rte_eth_dev_info info;
  if (rte_eth_dev_info_get(port_id, &info) != 0) return false;
  return (info.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) != 0 &&
         info.max_rx_queues >= queues && info.max_tx_queues >= queues;
}

absl::StatusOr<std::unique_ptr<Port>> Port::Open(uint16_t port_id, uint16_t queues,
                                                 uint16_t rx_desc, uint16_t tx_desc) {
  return OpenPort(port_id, queues, rx_desc, tx_desc, nullptr);
}

absl::StatusOr<std::unique_ptr<Port>> Port::OpenForCapture(uint16_t port_id,
                                                           const CaptureConfig& config) {
  return OpenPort(port_id, config.rx_queues, 1024, 1024, &config);
}

absl::StatusOr<std::unique_ptr<Port>> Port::OpenPort(uint16_t port_id, uint16_t queues,
                                                     uint16_t rx_desc, uint16_t tx_desc,
                                                     const CaptureConfig* capture) {
  if (!rte_eth_dev_is_valid_port(port_id)) {
    return absl::NotFoundError(absl::StrCat("DPDK port ", port_id, " does not exist (",
                                            rte_eth_dev_count_avail(), " ports available)"));
  }
  std::unique_ptr<Port> port(new Port(port_id, queues));
  rte_eth_dev_info info;
  if (int ret = rte_eth_dev_info_get(port_id, &info); ret != 0) {
    return DpdkError("rte_eth_dev_info_get", port_id, ret);
  }
  port->driver_ = info.driver_name;
  if (queues > info.max_rx_queues || queues > info.max_tx_queues) {
    return absl::InvalidArgumentError(absl::StrCat(
        "port ", port_id, " (", port->driver_, ") has ", info.max_tx_queues,
        " TX and ", info.max_rx_queues, " RX queues; this ",
        capture != nullptr ? "capture needs " : "scan needs ", queues,
        capture != nullptr ? " (one per analyzer lcore)"
                           : " (one per sender and grab lcore, plus one for control): lower -T "
                             "or --grab-lcores, or raise the driver's queue count (af_packet: "
                             "qpairs=)"));
  }
  rte_eth_conf conf;
  std::memset(&conf, 0, sizeof(conf));
  // The grab pool's TCP segments leave their checksums to the NIC where it
  // can compute them (ixgbe, i40e, tap); af_packet cannot, so there the
  // stack writes them in software. Probes always carry software checksums:
  // they are incremental over a template and cost less than a descriptor's
  // offload context.
  constexpr uint64_t kCksum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
  if ((info.tx_offload_capa & kCksum) == kCksum) {
    conf.txmode.offloads = kCksum;
    port->tx_checksum_offload_ = true;
  }
  // The symmetric key at the driver's key length (40 bytes on most NICs,
  // 52 on i40e), over IPv4 and IPv4 TCP only: both directions of a
  // connection land in one queue (passive/symmetric_rss.h).
  std::vector<uint8_t> rss_key;
  if (capture != nullptr && capture->symmetric_rss && queues > 1) {
    rss_key.resize(info.hash_key_size != 0 ? info.hash_key_size : kRssKeyLen);
    SymmetricRssKey(rss_key);
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_key = rss_key.data();
    conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<uint8_t>(rss_key.size());
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP) & info.flow_type_rss_offloads;
  }
  if (int ret = rte_eth_dev_configure(port_id, queues, queues, &conf); ret != 0) {
    return DpdkError("rte_eth_dev_configure", port_id, ret);
  }
  if (int ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc); ret != 0) {
    return DpdkError("rte_eth_dev_adjust_nb_rx_tx_desc", port_id, ret);
  }
  // Enough mbufs to fill every RX ring, plus every lcore's cache, plus
  // bursts in flight (the sizing rule of DPDK's l2fwd/l3fwd examples).
  const unsigned nb_mbufs = queues * (rx_desc + 64) + rte_lcore_count() * kMempoolCache + 1024 +
                           (capture != nullptr ? capture->extra_mbufs : 0);
  const std::string pool_name = absl::StrCat("tlsweep_rx", port_id);
  port->pool_ = rte_pktmbuf_pool_create(pool_name.c_str(), nb_mbufs, kMempoolCache, 0,
                                        RTE_MBUF_DEFAULT_BUF_SIZE,
                                        rte_eth_dev_socket_id(port_id));
  if (port->pool_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "rte_pktmbuf_pool_create(", pool_name, ", ", nb_mbufs, " mbufs): ",
        rte_strerror(rte_errno), " (raise -m or reserve more hugepages)"));
  }
  const int socket = rte_eth_dev_socket_id(port_id);
  for (uint16_t q = 0; q < queues; ++q) {
    if (int ret = rte_eth_rx_queue_setup(port_id, q, rx_desc, socket, nullptr, port->pool_); ret != 0) {
      return DpdkError(absl::StrCat("rte_eth_rx_queue_setup(queue=", q, ")"), port_id, ret);
    }
    if (int ret = rte_eth_tx_queue_setup(port_id, q, tx_desc, socket, nullptr); ret != 0) {
      return DpdkError(absl::StrCat("rte_eth_tx_queue_setup(queue=", q, ")"), port_id, ret);
    }
  }
  if (int ret = rte_eth_dev_start(port_id); ret != 0) {
    return DpdkError("rte_eth_dev_start", port_id, ret);
  }
  port->started_ = true;
  if (capture != nullptr) {
    // Virtual devices without the notion (net_ring) answer -ENOTSUP: they
    // receive everything anyway.
    if (int ret = rte_eth_promiscuous_enable(port_id); ret != 0 && ret != -ENOTSUP) {
      return DpdkError("rte_eth_promiscuous_enable", port_id, ret);
    }
  }
  if (port->driver_ == "net_af_packet") {
    port->packet_sockets_ = PacketSockets(info.if_index);
  }
  // A NIC's link comes up a second or two after start; probes sent before
  // that are lost. Wait for it, bounded (DPDK's examples wait up to 9 s).
  for (int i = 0; i < kLinkWaitPolls && !port->LinkUp(); ++i) rte_delay_ms(100);
  if (!port->LinkUp()) {
    return absl::UnavailableError(absl::StrCat(
        "port ", port_id, " (", port->driver_, "): link is down after ",
        kLinkWaitPolls / 10, " s (cable, peer, or the kernel interface is down)"));
  }
  rte_ether_addr addr;
  if (int ret = rte_eth_macaddr_get(port_id, &addr); ret != 0) {
    return DpdkError("rte_eth_macaddr_get", port_id, ret);
  }
  std::array<uint8_t, 6> bytes;
  std::memcpy(bytes.data(), addr.addr_bytes, 6);
  port->mac_ = MacAddress(bytes);
  return port;
}

Port::~Port() {
  if (started_) {
    rte_eth_dev_stop(id_);
    rte_eth_dev_close(id_);
  }
  for (rte_mempool* p : tx_pools_) rte_mempool_free(p);
  rte_mempool_free(pool_);
}

absl::StatusOr<rte_mempool*> Port::CreateTxPool(uint32_t count) {
  const std::string name = absl::StrCat("tlsweep_tx", id_, "_", tx_pools_.size());
  rte_mempool* pool = rte_pktmbuf_pool_create(name.c_str(), count, kMempoolCache, 0,
                                              RTE_MBUF_DEFAULT_BUF_SIZE,
                                              rte_eth_dev_socket_id(id_));
  if (pool == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "rte_pktmbuf_pool_create(", name, ", ", count, " mbufs): ",
        rte_strerror(rte_errno), " (raise -m or reserve more hugepages)"));
  }
  tx_pools_.push_back(pool);
  return pool;
}

absl::StatusOr<rte_mempool*> Port::CreateTemplatePool(uint32_t count,
                                                      std::span<const uint8_t> frame) {
  if (frame.size() > RTE_MBUF_DEFAULT_DATAROOM) {
    return absl::InvalidArgumentError(absl::StrCat("template of ", frame.size(),
                                                   " bytes does not fit an mbuf"));
  }
  TLSWEEP_ASSIGN_OR_RETURN(rte_mempool * pool, CreateTxPool(count));
  TemplateArg arg{frame.data(), frame.size()};
  rte_mempool_obj_iter(pool, WriteTemplate, &arg);
  return pool;
}

PortStats Port::Stats() const {
  rte_eth_stats s;
  PortStats out;
  if (rte_eth_stats_get(id_, &s) == 0) {
    out.ipackets = s.ipackets;
    out.opackets = s.opackets;
    out.imissed = s.imissed;
    out.ierrors = s.ierrors;
    out.oerrors = s.oerrors;
    out.rx_nombuf = s.rx_nombuf;
  }
  if (!packet_sockets_.empty()) {
    for (int fd : packet_sockets_) {
      tpacket_stats ps;
      socklen_t len = sizeof(ps);
      if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &ps, &len) == 0) ring_drops_ += ps.tp_drops;
    }
    out.ring_drops = ring_drops_;
    out.rx_drops_counted = "packet_statistics";
  } else if (driver_ == "net_af_packet" || CountsNoRxDrops(driver_)) {
    out.rx_drops_counted = "none";
  }
  return out;
}

bool Port::LinkUp() const {
  rte_eth_link link;
  std::memset(&link, 0, sizeof(link));
  return rte_eth_link_get_nowait(id_, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}

}  // namespace tlsweep
