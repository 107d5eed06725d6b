// The seam between the scan and a NIC, in the spirit of ZMap's send
// backends and mTCP's io_module: what the scan's orchestration
// (runner/scan_runner.h) needs of a port, and nothing of DPDK. nic/dpdk_io.h
// implements it on a DPDK port; runner/memory_io.h in memory, for tests.
//
// Two halves. The senders run scan/send_loop.h, one per TX queue, started
// and joined here because where they run (lcores, threads) is the I/O's
// business. The control side is burst I/O on the calling thread: receive
// bursts from every RX queue, control frames (ARP, resets) on the control
// TX queue, the port's counters.
#ifndef TLSWEEP_RUNNER_PACKET_IO_H_
#define TLSWEEP_RUNNER_PACKET_IO_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "common/net_types.h"
#include "common/stop_token.h"
#include "output/metadata.h"
#include "scan/probe_generator.h"
#include "scan/rate_limiter.h"
#include "scan/send_loop.h"

namespace tlsweep {

struct PortStats {
  uint64_t ipackets = 0;
  uint64_t opackets = 0;
  uint64_t imissed = 0;    // dropped by the NIC: RX ring full
  uint64_t ierrors = 0;
  uint64_t oerrors = 0;
  uint64_t rx_nombuf = 0;  // dropped for lack of mbufs
  // af_packet: frames the kernel dropped because the PMD's receive ring
  // was full (PACKET_STATISTICS tp_drops of its sockets).
  uint64_t ring_drops = 0;
  // Which counter sees receive drops: "imissed" (the driver's own),
  // "packet_statistics" (af_packet: the kernel's, in ring_drops) or "none"
  // (the driver counts no receive drops: a loss would go unseen).
  const char* rx_drops_counted = "imissed";
};

// One sender's state: read by the control side while it runs (counters)
// and after it stopped (the generator's position, for resume).
struct SenderState {
  SenderState(ProbeGenerator g, RateLimiter l) : generator(g), limiter(l) {}

  ProbeGenerator generator;
  RateLimiter limiter;
  SenderCounters counters;
};

class PacketIo {
 public:
  virtual ~PacketIo() = default;

  // The control side's clock (ticks, and ticks per second).
  virtual uint64_t Now() const = 0;
  virtual uint64_t hz() const = 0;
  virtual MacAddress mac() const = 0;

  // Starts sender i on TX queue i for every entry of `senders`, each
  // running SendLoop over frames that hold `probe_template`. On an error
  // no sender is left running.
  virtual absl::Status StartSenders(std::span<const uint8_t> probe_template,
                                    std::span<const std::unique_ptr<SenderState>> senders,
                                    const StopToken& stop) = 0;
  // Waits until every sender (and anything else StartSenders or a grab
  // pool started) has returned.
  virtual void JoinSenders() = 0;

  virtual uint16_t rx_queues() const = 0;
  // Receives up to `n` frames from RX queue `queue`: their handles (for
  // FreeRx, or to hand a frame on), bytes and lengths. Returns how many.
  virtual uint16_t RxBurst(uint16_t queue, void** handles, const uint8_t** frames,
                           uint16_t* lens, uint16_t n) = 0;
  virtual void FreeRx(void** handles, uint16_t n) = 0;

  // Copies a control frame for the next FlushControl; false when there is
  // no buffer for it (or kSendBurst frames are queued already).
  virtual bool QueueControl(const uint8_t* frame, uint16_t len) = 0;
  // Transmits the queued control frames; returns how many were refused
  // (and freed).
  virtual uint16_t FlushControl() = 0;

  virtual PortStats Stats() const = 0;
  // What the metadata says of the port: id, driver, MAC, queues, EAL
  // arguments.
  virtual DpdkPortInfo PortInfo() const = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_RUNNER_PACKET_IO_H_
