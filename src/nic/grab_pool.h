// The grabber pool of `tlsweep run`: userspace TCP connections on the scan's
// own DPDK port, grabbing every host and port the scan finds open.
//
// The control lcore (dpdk_scanner.cc) hands the pool two things: each new
// open port (Offer), and every received frame addressed to a grab source
// port (Claims/Dispatch); both go through single-producer rings to the grab
// worker that owns the host (by address) or the port (by source port
// slice). A worker runs a TcpStack, a GrabScheduler and a StackGrabber,
// sends on its own TX queue and passes finished records back through a
// third ring; the control lcore writes them. Workers run on lcores of their
// own (--grab-lcores) or, with none, on the control lcore between receive
// polls in steps of bounded work. Nothing a worker does blocks the receive
// path; a full host ring pauses the senders (backpressure) or, by choice
// (--grab-overflow drop), records the host as not grabbed.
#ifndef TLSWEEP_NIC_GRAB_POOL_H_
#define TLSWEEP_NIC_GRAB_POOL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "common/stop_token.h"
#include "grab/scheduler.h"
#include "nic/port.h"
#include "output/metadata.h"
#include "scan/response_handler.h"
#include "scan/resume.h"
#include "tcp/tcp_stack.h"
#include "tls/tls_context.h"

struct rte_mbuf;

namespace tlsweep {

struct GrabPoolOptions {
  GrabOptions grab;
  // Grab source ports, split evenly between the workers; disjoint from the
  // scan's source ports so that each answer has one owner.
  uint16_t port_first = 49152;
  uint16_t port_last = 65535;
  // Dedicated grab lcores; 0: the control lcore grabs between receive
  // polls, in bounded steps. With `lcores_auto` (--grab-lcores auto, the
  // default) app/dpdk_command.cc chooses: one lcore of its own with -i,
  // else every EAL lcore beyond the senders' and the control's.
  uint32_t lcores = 0;
  bool lcores_auto = true;
  // Open ports waiting for a worker, per worker. The senders pause while
  // a worker's backlog is above it (`drop_when_full` false, the default),
  // or, with --grab-overflow drop, a host beyond it is recorded as
  // `not_grabbed: queue-full` and the scan keeps its pace.
  uint32_t queue_limit = 65536;
  bool drop_when_full = false;
  TcpStackConfig tcp;  // windows, buffers, retries (addresses are filled in)
};

// What the status line and the metadata show of the pool.
struct GrabPoolCounters {
  uint64_t offered = 0;
  uint64_t not_grabbed = 0;  // queue full, or interrupted before its turn
  uint64_t in_flight = 0;
  uint64_t finished = 0;
  GrabStatusCounts by_status{};
  uint64_t segments_dropped = 0;  // a worker's segment ring was full
};

// Takes one record line (with its '\n') and the open port it is about (the
// periodic checkpoint tracks which offered ports have their record).
using GrabRecordWriter = std::function<void(const AnswerKey& key, std::string_view line)>;

class GrabPool {
 public:
  // `first_queue`: the TX queue of the first grab lcore (the senders' count).
  // Workers read `stop`: at kStopSending waiting hosts are recorded as
  // interrupted, at kStopNow grabs in flight are abandoned.
  static absl::StatusOr<std::unique_ptr<GrabPool>> Create(
      Port& port, const GrabPoolOptions& options, const TlsContext& tls, Ipv4Address source_ip,
      const MacAddress& source_mac, const MacAddress& gateway_mac, uint16_t first_queue,
      const StopToken& stop);
  ~GrabPool();

  // Control lcore. True for an IPv4 TCP frame to the source address and a
  // grab port: Dispatch() it instead of validating it as a probe answer.
  bool Claims(const uint8_t* frame, uint16_t len) const;
  void Dispatch(rte_mbuf* mbuf);  // takes the mbuf
  // A new open port from the scan. When its worker's queue is full, the
  // port waits on the control lcore (backpressure, the default) or, with
  // `drop_when_full`, its record saying queue-full is written through
  // `write`.
  void Offer(const ScanResult& result, const GrabRecordWriter& write);
  // True while the senders should pause: the open ports waiting for
  // workers fill half of the pool's queue room, until they fall to a
  // quarter. Never with `drop_when_full`.
  bool Backlogged() const { return paused_; }

  // Starts the dedicated lcores (those after the senders'). Errors: too few
  // lcores for --grab-lcores.
  absl::Status Launch(uint32_t senders);
  // Control lcore, every loop: runs an inline worker's step, and passes
  // finished records to `write`.
  void Poll(const GrabRecordWriter& write);
  // The scan is over (cooldown done): workers end once their queues are
  // empty and their grabs finished.
  void Finish();
  bool Done() const;
  // Waits for dedicated lcores (after Done(), or after a second Ctrl-C).
  void Join();

  GrabPoolCounters Counters() const;
  // The pool's half of the metadata (output/metadata.h), without the
  // settings, which the pool does not know.
  GrabPoolSummary Summary() const;

 private:
  class Worker;
  GrabPool(const GrabPoolOptions& options, Ipv4Address source_ip);
  void UpdateBacklog();
  void FinishDrained();

  GrabPoolOptions options_;
  Ipv4Address source_ip_;
  uint32_t ports_per_worker_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  uint64_t offered_ = 0;
  uint64_t queue_full_ = 0;
  uint64_t segments_dropped_ = 0;
  bool finishing_ = false;
  bool paused_ = false;
  uint64_t pauses_ = 0;
  uint64_t paused_since_ = 0;  // TSC
  uint64_t paused_ticks_ = 0;
  uint64_t peak_waiting_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_GRAB_POOL_H_
