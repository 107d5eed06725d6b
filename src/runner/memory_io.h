// runner/packet_io.h in memory, so the scan's whole loop (runner/scan_runner.h)
// runs in a unit test without the EAL: senders run SendLoop on threads of
// their own, every frame they or the control side transmit is kept and
// shown to a responder (the test's network), and frames the test injects
// are received in order on one RX queue.
//
// Not for rates: frames are copied into vectors and handed over under a
// mutex.
#ifndef TLSWEEP_RUNNER_MEMORY_IO_H_
#define TLSWEEP_RUNNER_MEMORY_IO_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "runner/packet_io.h"

namespace tlsweep {

class MemoryPacketIo final : public PacketIo {
 public:
  using Frame = std::vector<uint8_t>;
  // Sees every transmitted frame (probes on their sender's thread, control
  // frames on the control thread); may Inject() answers.
  using Responder = std::function<void(std::span<const uint8_t> frame)>;

  explicit MemoryPacketIo(const MacAddress& mac) : mac_(mac) {}
  ~MemoryPacketIo() override;

  void set_responder(Responder responder) { responder_ = std::move(responder); }
  // Queues a frame to be received. Thread-safe.
  void Inject(std::span<const uint8_t> frame);
  // Every probe sent so far, and every control frame. Thread-safe.
  std::vector<Frame> probes() const;
  std::vector<Frame> control_frames() const;

  uint64_t Now() const override;
  uint64_t hz() const override { return 1'000'000'000; }
  MacAddress mac() const override { return mac_; }
  absl::Status StartSenders(std::span<const uint8_t> probe_template,
                            std::span<const std::unique_ptr<SenderState>> senders,
                            const StopToken& stop) override;
  void JoinSenders() override;
  uint16_t rx_queues() const override { return 1; }
  uint16_t RxBurst(uint16_t queue, void** handles, const uint8_t** frames, uint16_t* lens,
                   uint16_t n) override;
  void FreeRx(void** handles, uint16_t n) override;
  bool QueueControl(const uint8_t* frame, uint16_t len) override;
  uint16_t FlushControl() override;
  PortStats Stats() const override;
  DpdkPortInfo PortInfo() const override;

 private:
  class Tx;
  // A sender's frames: sent, seen by the responder.
  void Transmit(std::span<const uint8_t> frame, bool probe);

  const MacAddress mac_;
  Responder responder_;
  mutable std::mutex mu_;
  std::deque<Frame> rx_;
  std::vector<Frame> probes_;
  std::vector<Frame> control_;
  uint64_t received_ = 0;
  std::vector<Frame> control_queued_;  // control thread only
  std::vector<std::thread> threads_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_RUNNER_MEMORY_IO_H_
