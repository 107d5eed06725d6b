// A scan from start to end over any PacketIo: resolve the gateway by ARP,
// start the senders, receive (validate, answer ARP, reset every SYN-ACK,
// write results or offer open ports to a grab pool), print the status line
// once a second, run the cooldown, and write the metadata and, when stopped
// early, the resume file.
//
// A stage of its own between output/ (whose metadata builder it calls) and
// nic/, free of DPDK, so that the whole loop runs in a unit test over
// runner/memory_io.h; nic/dpdk_scanner.h only sets up the DPDK side
// (lcores, queues, the grab pool) and calls RunScan. Threads: RunScan runs
// on the control thread (DPDK's main lcore); the senders run wherever
// PacketIo::StartSenders puts them and share only their counters.
#ifndef TLSWEEP_RUNNER_SCAN_RUNNER_H_
#define TLSWEEP_RUNNER_SCAN_RUNNER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/net_types.h"
#include "common/stop_token.h"
#include "output/metadata.h"
#include "runner/packet_io.h"
#include "scan/response_handler.h"
#include "scan/resume.h"
#include "output/result_output.h"
#include "scan/scan_config.h"
#include "scan/status.h"

namespace tlsweep {

struct ScanRunOptions {
  // ZMap's default: answers arriving 8 s after the last probe still count.
  double cooldown_s = 8;
  std::optional<Ipv4Address> gateway_ip;  // resolved by ARP unless gateway_mac
  std::optional<MacAddress> gateway_mac;  // -G
  std::optional<MacAddress> source_mac;   // --source-mac; default the port's
  // ARP for the gateway: a request every 0.5 s, for at most this long.
  double arp_timeout_s = 3;
  bool quiet = false;
  std::string status_file;  // -u
  std::string output_file;  // -o
  OutputOptions output;
  std::string metadata_file;  // -m
  std::string resume_file;    // --resume
  std::string resume_out_file;
  // --checkpoint-interval: a crash-safe checkpoint to resume_out_file this
  // often while the output is a regular file (0: only on an early stop).
  // 1 s: a kill -9 then costs at most about 2 s of probes sent again (one
  // interval plus the answer window, scan_runner.cc), and each checkpoint's
  // fsync of the output and the checkpoint file (a few ms on a local disk)
  // is a fraction of a percent of the writer thread's time.
  uint32_t checkpoint_interval_ms = 1000;
};

// Writes one whole record line (with its '\n') about the open port `key`.
using RecordWriter = std::function<void(const AnswerKey& key, std::string_view line)>;

// What `tlsweep run` attaches to the scan: a grab pool taking every new
// open port and the frames of its own connections (nic/grab_pool.h).
class OpenPortConsumer {
 public:
  virtual ~OpenPortConsumer() = default;
  // True for a frame of the consumer's connections: Dispatch() it (the
  // consumer takes the handle) instead of validating it as an answer.
  virtual bool Claims(const uint8_t* frame, uint16_t len) const = 0;
  virtual void Dispatch(void* handle) = 0;
  // A new open port; a record it cannot take is written through `write`.
  virtual void Offer(const ScanResult& result, const RecordWriter& write) = 0;
  // True while the senders must pause until the consumer catches up
  // (backpressure): RunScan holds them meanwhile.
  virtual bool Backlogged() const = 0;
  // Starts whatever runs beside the senders (grab lcores).
  virtual absl::Status Launch(uint32_t senders) = 0;
  // Every control loop: finished records to `write`.
  virtual void Poll(const RecordWriter& write) = 0;
  // No more open ports will come.
  virtual void Finish() = 0;
  virtual bool Done() const = 0;
  virtual void AddStatus(StatusSnapshot* status) const = 0;
  // The metadata's "grab" part.
  virtual GrabPoolSummary Summary() const = 0;
};

// Makes the consumer once the gateway's MAC is known (its connections
// need it).
using OpenPortConsumerFactory = std::function<absl::StatusOr<std::unique_ptr<OpenPortConsumer>>(
    const MacAddress& source_mac, const MacAddress& gateway_mac)>;

// Runs the scan of `plan` over `io` to the end of the cooldown (or a
// tripped `stop`) and, with `grab`, until the consumer is done. Errors:
// the gateway does not answer ARP, the senders do not start, files.
absl::Status RunScan(const ScanPlan& plan, PacketIo& io, const ScanRunOptions& options,
                     const OpenPortConsumerFactory& grab, const StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_RUNNER_SCAN_RUNNER_H_
