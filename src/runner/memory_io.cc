#include "runner/memory_io.h"

#include <chrono>

namespace tlsweep {

// SendLoop's transmitter: a burst of buffers holding the template; every
// burst is taken whole.
class MemoryPacketIo::Tx {
 public:
  Tx(MemoryPacketIo& io, std::span<const uint8_t> probe_template)
      : io_(io), buffers_(kSendBurst, Frame(probe_template.begin(), probe_template.end())) {
    for (uint32_t i = 0; i < kSendBurst; ++i) frames_[i] = buffers_[i].data();
  }
  uint8_t* const* Get(uint32_t /*n*/) { return frames_; }
  void Unget(uint32_t /*from*/, uint32_t /*n*/) {}
  uint32_t Send(uint32_t from, uint32_t n) {
    for (uint32_t i = from; i < from + n; ++i) io_.Transmit(buffers_[i], /*probe=*/true);
    return n;
  }
  void Drop(uint32_t /*from*/, uint32_t /*n*/) {}
  static constexpr ProbeFields* fields() { return nullptr; }
  uint64_t Now() const { return io_.Now(); }
  uint64_t hz() const { return io_.hz(); }
  void Wait(uint64_t ticks) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<uint64_t>(ticks, 1'000'000)));
  }

 private:
  MemoryPacketIo& io_;
  std::vector<Frame> buffers_;
  uint8_t* frames_[kSendBurst];
};

MemoryPacketIo::~MemoryPacketIo() { JoinSenders(); }

void MemoryPacketIo::Inject(std::span<const uint8_t> frame) {
  std::lock_guard lock(mu_);
  rx_.emplace_back(frame.begin(), frame.end());
}

std::vector<MemoryPacketIo::Frame> MemoryPacketIo::probes() const {
  std::lock_guard lock(mu_);
  return probes_;
}

std::vector<MemoryPacketIo::Frame> MemoryPacketIo::control_frames() const {
  std::lock_guard lock(mu_);
  return control_;
}

uint64_t MemoryPacketIo::Now() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

absl::Status MemoryPacketIo::StartSenders(std::span<const uint8_t> probe_template,
                                          std::span<const std::unique_ptr<SenderState>> senders,
                                          const StopToken& stop) {
  for (const auto& s : senders) {
    SenderState* sender = s.get();
    const Frame probe(probe_template.begin(), probe_template.end());
    threads_.emplace_back([this, sender, probe, &stop] {
      Tx tx(*this, probe);
      SendLoop<Tx> loop(tx, sender->generator, sender->limiter, sender->counters, stop);
      loop.Run();
    });
  }
  return absl::OkStatus();
}

void MemoryPacketIo::JoinSenders() {
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

uint16_t MemoryPacketIo::RxBurst(uint16_t /*queue*/, void** handles, const uint8_t** frames,
                                 uint16_t* lens, uint16_t n) {
  std::lock_guard lock(mu_);
  uint16_t got = 0;
  while (got < n && !rx_.empty()) {
    auto* frame = new Frame(std::move(rx_.front()));
    rx_.pop_front();
    handles[got] = frame;
    frames[got] = frame->data();
    lens[got] = static_cast<uint16_t>(frame->size());
    ++got;
  }
  received_ += got;
  return got;
}

void MemoryPacketIo::FreeRx(void** handles, uint16_t n) {
  for (uint16_t i = 0; i < n; ++i) delete static_cast<Frame*>(handles[i]);
}

bool MemoryPacketIo::QueueControl(const uint8_t* frame, uint16_t len) {
  if (control_queued_.size() >= kSendBurst) return false;
  control_queued_.emplace_back(frame, frame + len);
  return true;
}

uint16_t MemoryPacketIo::FlushControl() {
  for (const Frame& f : control_queued_) Transmit(f, /*probe=*/false);
  control_queued_.clear();
  return 0;
}

void MemoryPacketIo::Transmit(std::span<const uint8_t> frame, bool probe) {
  {
    std::lock_guard lock(mu_);
    (probe ? probes_ : control_).emplace_back(frame.begin(), frame.end());
  }
  if (responder_) responder_(frame);
}

PortStats MemoryPacketIo::Stats() const {
  std::lock_guard lock(mu_);
  PortStats s;
  s.ipackets = received_;
  s.opackets = probes_.size() + control_.size();
  return s;
}

DpdkPortInfo MemoryPacketIo::PortInfo() const { return {0, "memory", mac_, 1, ""}; }

}  // namespace tlsweep
