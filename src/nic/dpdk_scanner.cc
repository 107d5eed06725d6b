#include "nic/dpdk_scanner.h"

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "nic/dpdk_io.h"

namespace tlsweep {
namespace {

// The grab pool as the scan's open-port consumer; the metadata's "grab"
// part also carries the grab's flags.
class GrabPoolConsumer final : public OpenPortConsumer {
 public:
  GrabPoolConsumer(std::unique_ptr<GrabPool> pool, nlohmann::json settings)
      : pool_(std::move(pool)), settings_(std::move(settings)) {}

  bool Claims(const uint8_t* frame, uint16_t len) const override {
    return pool_->Claims(frame, len);
  }
  void Dispatch(void* handle) override { pool_->Dispatch(static_cast<rte_mbuf*>(handle)); }
  void Offer(const ScanResult& result, const RecordWriter& write) override {
    pool_->Offer(result, write);
  }
  bool Backlogged() const override { return pool_->Backlogged(); }
  absl::Status Launch(uint32_t senders) override { return pool_->Launch(senders); }
  void Poll(const RecordWriter& write) override { pool_->Poll(write); }
  void Finish() override { pool_->Finish(); }
  bool Done() const override { return pool_->Done(); }
  void AddStatus(StatusSnapshot* s) const override {
    const GrabPoolCounters g = pool_->Counters();
    s->grabs_in_flight = g.in_flight;
    s->grabs_done = g.finished;
    s->grabs_not_grabbed = g.not_grabbed;
    s->scan_paused = pool_->Backlogged();
    for (size_t i = 0; i < std::size(g.by_status); ++i) {
      if (g.by_status[i] != 0) {
        s->grabs_by_status.emplace_back(GrabStatusName(static_cast<GrabStatus>(i)), g.by_status[i]);
      }
    }
  }
  GrabPoolSummary Summary() const override {
    GrabPoolSummary summary = pool_->Summary();
    summary.settings = settings_;
    return summary;
  }

 private:
  std::unique_ptr<GrabPool> pool_;
  nlohmann::json settings_;
};

}  // namespace

absl::Status RunDpdkScan(const ScanPlan& plan, Port& port, const DpdkScanOptions& options,
                         const StopToken& stop) {
  const ScanConfig& config = plan.config();
  const uint32_t senders = config.sender_threads;
  if (rte_lcore_count() < senders + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "-T ", senders, " needs ", senders + 1, " lcores (one per sender and the main "
        "lcore), the EAL has ", rte_lcore_count(), ": give more with -l or --lcores"));
  }
  if (port.queues() < senders + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "port ", port.id(), " has ", port.queues(), " queues, -T ", senders, " needs ", senders + 1));
  }
  OpenPortConsumerFactory grab;
  if (options.grab) {
    const uint32_t scan_last = config.sport_first + config.sport_count - 1u;
    if (config.sport_first <= options.grab->port_last && options.grab->port_first <= scan_last) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the scan's source ports ", config.sport_first, "-", scan_last,
          " overlap the grab's ", options.grab->port_first, "-", options.grab->port_last,
          ": each answer must have one owner (-s, --grab-ports)"));
    }
    if (options.tls == nullptr) return absl::InvalidArgumentError("grabbing needs a TLS context");
    grab = [&](const MacAddress& source_mac, const MacAddress& gateway_mac)
        -> absl::StatusOr<std::unique_ptr<OpenPortConsumer>> {
      TLSWEEP_ASSIGN_OR_RETURN(
          std::unique_ptr<GrabPool> pool,
          GrabPool::Create(port, *options.grab, *options.tls, config.sources.first, source_mac,
                           gateway_mac, static_cast<uint16_t>(senders), stop));
      return std::make_unique<GrabPoolConsumer>(std::move(pool), options.grab_settings);
    };
  }
  DpdkPacketIo io(port, options.eal_args);
  return RunScan(plan, io, options, grab, stop);
}

}  // namespace tlsweep
