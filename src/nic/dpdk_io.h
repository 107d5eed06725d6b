// runner/packet_io.h on a DPDK port: senders on the worker lcores (sender i
// on worker lcore i and TX queue i, mbufs from a template pool), the
// control side on the calling (main) lcore polling every RX queue and
// sending control frames on the last TX queue (port.h has the layout).
#ifndef TLSWEEP_NIC_DPDK_IO_H_
#define TLSWEEP_NIC_DPDK_IO_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nic/port.h"
#include "runner/packet_io.h"

struct rte_mbuf;

namespace tlsweep {

class DpdkPacketIo final : public PacketIo {
 public:
  // `eal_args` only for the metadata.
  DpdkPacketIo(Port& port, std::string eal_args);
  ~DpdkPacketIo() override;

  uint64_t Now() const override;
  uint64_t hz() const override;
  MacAddress mac() const override { return port_.mac(); }
  absl::Status StartSenders(std::span<const uint8_t> probe_template,
                            std::span<const std::unique_ptr<SenderState>> senders,
                            const StopToken& stop) override;
  void JoinSenders() override;
  uint16_t rx_queues() const override { return port_.queues(); }
  uint16_t RxBurst(uint16_t queue, void** handles, const uint8_t** frames, uint16_t* lens,
                   uint16_t n) override;
  void FreeRx(void** handles, uint16_t n) override;
  bool QueueControl(const uint8_t* frame, uint16_t len) override;
  uint16_t FlushControl() override;
  PortStats Stats() const override { return port_.Stats(); }
  DpdkPortInfo PortInfo() const override;

 private:
  struct SenderLaunch;

  Port& port_;
  const std::string eal_args_;
  std::vector<std::unique_ptr<SenderLaunch>> launches_;
  rte_mbuf* control_[kSendBurst];
  uint16_t control_count_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_DPDK_IO_H_
