#include "nic/grab_pool.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <deque>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "common/status_macros.h"
#include "grab/stack_grabber.h"
#include "output/record_fields.h"
#include "output/record_json.h"
#include "packet/headers.h"
#include "packet/parse.h"

namespace tlsweep {
namespace {

constexpr uint16_t kBurst = 32;
// Ring sizes (powers of two). Segments: a few RX bursts of backlog per
// worker. Records: a worker's finished grabs between two control polls.
constexpr unsigned kSegmentRing = 4096;
constexpr unsigned kRecordRing = 4096;
// Open ports a worker moves from its ring into its scheduler at most: the
// scheduler needs some depth to find a host below its per-host limit,
// and the ring stays the queue's bound.
constexpr size_t kSchedulerDepth = 1024;
// A grab worker's TX mbufs: twice the port's TX ring of 1024 descriptors.
constexpr uint32_t kTxPoolMbufs = 2048;
// With no grab lcore, the control lcore runs a worker's step between two
// receive polls, so a step must stay short: at most this many received
// segments, each of which moves one grab by at most one dialogue or TLS
// flight. The costliest flight, a handshake's key exchange and chain
// verification, takes 0.6 ms of libssl/libcrypto (bench/RESULTS.md section
// 7: 0.59-0.65 ms per whole grab), so a step stays near 2.5 ms, a third of
// the 8 ms of answers the af_packet ring holds (nic/eal.h kAfPacketFrames).
constexpr unsigned kInlineSegmentsPerStep = 4;
// On a grab lcore of its own a step is bounded too: segments keep coming as
// fast as the control lcore moves them (a peer that ignores our window; in
// principle also many connections over a link of microseconds of RTT, each
// ACK bringing the next segments back before the ring is empty), and a
// step that drained the ring until it was empty would not reach Poll():
// no deadline, retransmission or linger would run and no record would
// leave while the flood lasts (nic_test's flood test; section 12.hostile13b
// of bench/RESULTS.md). Eight bursts: at the 0.6 ms of the costliest
// segment (above) a step stays below 160 ms in the worst case and near
// 0.3 ms for ordinary segments (about a microsecond each: tcp_benchmark,
// bench/RESULTS.md section 10), while a Poll() with nothing due costs a
// timer-wheel look-up.
constexpr unsigned kLcoreSegmentsPerStep = 8 * kBurst;

static_assert(std::is_trivially_copyable_v<ScanResult>);
static_assert(sizeof(ScanResult) % 4 == 0, "rte_ring elements are multiples of 4 bytes");

uint64_t NowMs() { return rte_rdtsc() / (rte_get_tsc_hz() / 1000); }

// Next power of two at or above n (rte_ring sizes).
unsigned RingSize(uint64_t n) {
  unsigned size = 64;
  while (size < n && size < (1u << 30)) size <<= 1;
  return size;
}

// One worker's frames out: mbufs from its own pool, sent in bursts on its
// TX queue when the worker's step ends (or a burst is full).
class MbufSink : public FrameSink {
 public:
  MbufSink(uint16_t port, uint16_t queue, rte_mempool* pool, bool offload)
      : port_(port), queue_(queue), pool_(pool), offload_(offload) {}

  uint8_t* Reserve(uint16_t max_len) override {
    if (n_ == kBurst) Flush();
    current_ = rte_pktmbuf_alloc(pool_);
    if (current_ == nullptr || max_len > rte_pktmbuf_tailroom(current_)) {
      if (current_ != nullptr) rte_pktmbuf_free(current_);
      current_ = nullptr;
      return nullptr;
    }
    return rte_pktmbuf_mtod(current_, uint8_t*);
  }

  void Commit(uint16_t len) override {
    current_->data_len = len;
    current_->pkt_len = len;
    if (offload_) {
      current_->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
      current_->l2_len = kEthHeaderLen;
      current_->l3_len = kIpv4MinHeaderLen;
    }
    burst_[n_++] = current_;
    current_ = nullptr;
  }

  void Flush() {
    if (n_ == 0) return;
    const uint16_t sent = rte_eth_tx_burst(port_, queue_, burst_, n_);
    if (sent < n_) {
      // The stack retransmits what the NIC refused; a TX ring that stays
      // full is the NIC's problem, not a reason to wait here.
      tx_failed_ += n_ - sent;
      rte_pktmbuf_free_bulk(burst_ + sent, n_ - sent);
    }
    n_ = 0;
  }

  uint64_t tx_failed() const { return tx_failed_; }

 private:
  uint16_t port_;
  uint16_t queue_;
  rte_mempool* pool_;
  bool offload_;
  rte_mbuf* burst_[kBurst];
  uint16_t n_ = 0;
  rte_mbuf* current_ = nullptr;
  uint64_t tx_failed_ = 0;
};

}  // namespace

// One grab worker. Its rings are single-producer/single-consumer: the
// control lcore produces hosts and segments, the worker records.
class GrabPool::Worker {
 public:
  Worker(const GrabPoolOptions& options, const TlsContext& tls, const TcpStackConfig& tcp,
         uint16_t port, uint16_t queue, rte_mempool* pool, bool offload, const StopToken& stop)
      : stop_(stop),
        segments_per_step_(options.lcores == 0 ? kInlineSegmentsPerStep
                                               : kLcoreSegmentsPerStep),
        sink_(port, queue, pool, offload),
        stack_(tcp, sink_),
        scheduler_(tls, options.grab),
        grabber_(stack_, scheduler_,
                 [this](const GrabResult& grab, const std::optional<ScanResult>& scan) {
                   Emit({grab.ip, grab.port}, GrabRecordLine(grab, scan));
                 }) {}

  ~Worker() {
    void* p;
    if (segments_ != nullptr) {
      while (rte_ring_sc_dequeue(segments_, &p) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(p));
    }
    if (records_ != nullptr) {
      while (rte_ring_sc_dequeue(records_, &p) == 0) delete static_cast<KeyedLine*>(p);
    }
    for (KeyedLine* line : overflow_) delete line;
    rte_ring_free(hosts_);
    rte_ring_free(segments_);
    rte_ring_free(records_);
  }

  absl::Status CreateRings(uint32_t index, uint32_t queue_limit) {
    const std::string base = absl::StrCat("tlsweep_grab", index);
    const unsigned flags = RING_F_SP_ENQ | RING_F_SC_DEQ;
    hosts_ = rte_ring_create_elem((base + "_h").c_str(), sizeof(ScanResult),
                                  RingSize(queue_limit), rte_socket_id(), flags);
    segments_ = rte_ring_create((base + "_s").c_str(), kSegmentRing, rte_socket_id(), flags);
    records_ = rte_ring_create((base + "_r").c_str(), kRecordRing, rte_socket_id(), flags);
    if (hosts_ == nullptr || segments_ == nullptr || records_ == nullptr) {
      return absl::ResourceExhaustedError(
          absl::StrCat("rte_ring_create(", base, "): ", rte_strerror(rte_errno)));
    }
    return absl::OkStatus();
  }

  // Control lcore side.
  bool OfferHost(ScanResult r) { return rte_ring_sp_enqueue_elem(hosts_, &r, sizeof(r)) == 0; }
  // Open ports queued for the worker (the ring's count is exact from the
  // producer's side, up to what the worker takes meanwhile).
  size_t waiting() const { return rte_ring_count(hosts_) + held_.size(); }
  // Backpressure: a port the ring cannot take now waits here, on the
  // control lcore, and moves to the ring as the worker drains it.
  void Hold(const ScanResult& r) { held_.push_back(r); }
  bool held_empty() const { return held_.empty(); }
  void MoveHeld() {
    while (!held_.empty() && OfferHost(held_.front())) held_.pop_front();
  }
  bool OfferSegment(rte_mbuf* m) { return rte_ring_sp_enqueue(segments_, m) == 0; }
  template <typename Write>
  void DrainRecords(const Write& write) {
    void* lines[kBurst];
    unsigned n;
    while ((n = rte_ring_sc_dequeue_burst(records_, lines, kBurst, nullptr)) > 0) {
      for (unsigned i = 0; i < n; ++i) {
        auto* line = static_cast<KeyedLine*>(lines[i]);
        write(line->key, line->line);
        delete line;
      }
    }
  }
  void Finish() { finish_.store(true, std::memory_order_release); }
  bool done() const { return done_.load(std::memory_order_acquire); }

  // One pass: segments in, hosts in, grabs forward, frames out.
  void Step() {
    const uint64_t now = NowMs();
    const StopLevel level = stop_.level();
    if (level == StopLevel::kStopNow) {
      // Grabs in flight are abandoned (those already done keep their
      // records); the worker is done once every record it made is in the
      // ring, which the control lcore drains until then.
      grabber_.AbortAll();
      sink_.Flush();
      PushRecords();
      Publish();
      if (overflow_.empty()) done_.store(true, std::memory_order_release);
      return;
    }
    void* mbufs[kBurst];
    unsigned n;
    uint32_t budget = segments_per_step_;
    while (budget > 0 && (n = rte_ring_sc_dequeue_burst(segments_, mbufs,
                                                        std::min<uint32_t>(kBurst, budget),
                                                        nullptr)) > 0) {
      budget -= n;
      for (unsigned i = 0; i < n; ++i) {
        auto* m = static_cast<rte_mbuf*>(mbufs[i]);
        const uint8_t* frame = rte_pktmbuf_mtod(m, const uint8_t*);
        ParsedFrame parsed;
        const ParseResult r = ParseFrame(frame, rte_pktmbuf_data_len(m), &parsed);
        parse_.Count(r);
        if (r == ParseResult::kTcp) {
          stack_.OnSegment(parsed.tcp, frame + parsed.tcp.payload_offset, now);
        }
        rte_pktmbuf_free(m);
      }
    }
    ScanResult* hosts = hosts_burst_;
    while (scheduler_.queued() < kSchedulerDepth &&
           (n = rte_ring_sc_dequeue_burst_elem(hosts_, hosts, sizeof(ScanResult), kBurst,
                                               nullptr)) > 0) {
      for (unsigned i = 0; i < n; ++i) {
        const ScanResult& r = hosts[i];
        if (level != StopLevel::kRunning) {
          // Ctrl-C: in-flight grabs finish, waiting ones are recorded as such.
          Emit({r.response.target, r.response.port},
               NotGrabbedRecordLine(r, field::kNotGrabbedInterrupted));
          ++not_grabbed_;
          continue;
        }
        scheduler_.Push({{r.response.target, r.response.port, ""}, r});
      }
    }
    if (level != StopLevel::kRunning) {
      while (std::optional<QueuedGrab> g = scheduler_.Pop()) {
        Emit({g->scan->response.target, g->scan->response.port},
             NotGrabbedRecordLine(*g->scan, field::kNotGrabbedInterrupted));
        ++not_grabbed_;
      }
    }
    grabber_.Poll(now, level == StopLevel::kRunning);
    sink_.Flush();
    PushRecords();
    Publish();
    if (finish_.load(std::memory_order_acquire) && rte_ring_empty(hosts_) &&
        scheduler_.queued() == 0 && grabber_.in_flight() == 0 && overflow_.empty()) {
      done_.store(true, std::memory_order_release);
    }
  }

  static int Main(void* arg) {
    auto* w = static_cast<Worker*>(arg);
    while (!w->done()) w->Step();
    return 0;
  }

  struct Shared {
    std::atomic<uint64_t> in_flight{0};
    std::atomic<uint64_t> finished{0};
    std::atomic<uint64_t> not_grabbed{0};
    std::atomic<uint64_t> by_status[kGrabStatusCount] = {};
  };

  void Read(GrabPoolCounters* c) const {
    c->in_flight += shared_.in_flight.load(std::memory_order_relaxed);
    c->finished += shared_.finished.load(std::memory_order_relaxed);
    c->not_grabbed += shared_.not_grabbed.load(std::memory_order_relaxed);
    for (size_t i = 0; i < kGrabStatusCount; ++i) {
      c->by_status[i] += shared_.by_status[i].load(std::memory_order_relaxed);
    }
  }

  // After the worker is done (read by the control lcore only then).
  GrabWorkerCounters Counters() const {
    const GrabStats& s = scheduler_.stats();
    return {stack_.stats(), sink_.tx_failed(), grabber_.connect_errors(), s.no_module, parse_,
            s.raw_probes, s.raw_probe_status, s.enumerations, s.enumeration_connections,
            s.enumerations_truncated};
  }

 private:
  // A record and the open port it is about.
  struct KeyedLine {
    AnswerKey key;
    std::string line;
  };
  void Emit(const AnswerKey& key, std::string line) {
    overflow_.push_back(new KeyedLine{key, std::move(line)});
  }

  // Records to the control lcore; what the ring cannot take waits here, so
  // a slow writer delays records but never loses one.
  void PushRecords() {
    while (!overflow_.empty() && rte_ring_sp_enqueue(records_, overflow_.front()) == 0) {
      overflow_.pop_front();
    }
  }

  void Publish() {
    const GrabStats& s = scheduler_.stats();
    shared_.in_flight.store(grabber_.in_flight(), std::memory_order_relaxed);
    shared_.finished.store(s.finished, std::memory_order_relaxed);
    shared_.not_grabbed.store(not_grabbed_, std::memory_order_relaxed);
    if (s.finished != published_finished_) {
      published_finished_ = s.finished;
      for (size_t i = 0; i < kGrabStatusCount; ++i) {
        shared_.by_status[i].store(s.by_status[i], std::memory_order_relaxed);
      }
    }
  }

  const StopToken& stop_;
  const uint32_t segments_per_step_;
  std::deque<ScanResult> held_;  // control lcore only
  MbufSink sink_;
  TcpStack stack_;
  GrabScheduler scheduler_;
  StackGrabber grabber_;
  rte_ring* hosts_ = nullptr;
  rte_ring* segments_ = nullptr;
  rte_ring* records_ = nullptr;
  std::deque<KeyedLine*> overflow_;
  ScanResult hosts_burst_[kBurst];  // a member: not zeroed on every Step()
  ParseCounters parse_;
  uint64_t not_grabbed_ = 0;
  uint64_t published_finished_ = 0;
  std::atomic<bool> finish_{false};
  std::atomic<bool> done_{false};
  alignas(64) Shared shared_;
};

GrabPool::GrabPool(const GrabPoolOptions& options, Ipv4Address source_ip)
    : options_(options), source_ip_(source_ip) {}

GrabPool::~GrabPool() = default;

absl::StatusOr<std::unique_ptr<GrabPool>> GrabPool::Create(
    Port& port, const GrabPoolOptions& options, const TlsContext& tls, Ipv4Address source_ip,
    const MacAddress& source_mac, const MacAddress& gateway_mac, uint16_t first_queue,
    const StopToken& stop) {
  std::unique_ptr<GrabPool> pool(new GrabPool(options, source_ip));
  const uint32_t workers = std::max<uint32_t>(1, options.lcores);
  const uint32_t ports = static_cast<uint32_t>(options.port_last - options.port_first) + 1;
  if (ports < workers) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--grab-ports: ", ports, " ports cannot be split between ", workers, " grab lcores"));
  }
  pool->ports_per_worker_ = ports / workers;
  // Connections per worker: its share of --concurrency, plus room for
  // connections lingering in TIME-WAIT.
  const uint64_t per_worker = (options.grab.concurrency + workers - 1) / workers;
  for (uint32_t w = 0; w < workers; ++w) {
    TcpStackConfig tcp = options.tcp;
    tcp.local_mac = source_mac;
    tcp.gateway_mac = gateway_mac;
    tcp.local_ip = source_ip;
    tcp.port_first = static_cast<uint16_t>(options.port_first + w * pool->ports_per_worker_);
    tcp.port_last = static_cast<uint16_t>(tcp.port_first + pool->ports_per_worker_ - 1);
    tcp.max_connections = static_cast<uint32_t>(
        std::min<uint64_t>(per_worker + per_worker / 4 + 16, pool->ports_per_worker_));
    tcp.checksum_offload = port.tx_checksum_offload();
    tcp.isn_key[0] = rte_rand();
    tcp.isn_key[1] = rte_rand();
    // An mbuf lives only from Reserve() to the NIC's completion (the stack
    // keeps unacknowledged data in its own send buffers, not in mbufs): a
    // full TX ring, a burst being built and the lcore caches, whatever the
    // number of connections.
    TLSWEEP_ASSIGN_OR_RETURN(rte_mempool * mp, port.CreateTxPool(kTxPoolMbufs));
    // With no grab lcores the control lcore grabs, on its own TX queue.
    const uint16_t queue = options.lcores == 0 ? static_cast<uint16_t>(port.queues() - 1)
                                               : static_cast<uint16_t>(first_queue + w);
    pool->workers_.push_back(std::make_unique<Worker>(options, tls, tcp, port.id(), queue, mp,
                                                      tcp.checksum_offload, stop));
    TLSWEEP_RETURN_IF_ERROR(pool->workers_.back()->CreateRings(w, options.queue_limit));
  }
  return pool;
}

bool GrabPool::Claims(const uint8_t* frame, uint16_t len) const {
  if (len < kEthHeaderLen + kIpv4MinHeaderLen + kTcpMinHeaderLen) return false;
  if (LoadBe16(frame + kEthTypeOffset) != kEtherTypeIpv4) return false;
  const uint8_t* ip = frame + kEthHeaderLen;
  if (ip[kIpv4ProtoOffset] != kIpProtoTcp) return false;
  if (LoadBe32(ip + kIpv4DstOffset) != source_ip_.value()) return false;
  const size_t ihl = static_cast<size_t>(ip[0] & 0x0f) * 4;
  if (ihl < kIpv4MinHeaderLen || kEthHeaderLen + ihl + kTcpMinHeaderLen > len) return false;
  const uint16_t dport = LoadBe16(ip + ihl + kTcpDstPortOffset);
  return dport >= options_.port_first && dport <= options_.port_last;
}

void GrabPool::Dispatch(rte_mbuf* mbuf) {
  const uint8_t* ip = rte_pktmbuf_mtod(mbuf, const uint8_t*) + kEthHeaderLen;
  const uint16_t dport = LoadBe16(ip + (ip[0] & 0x0f) * 4 + kTcpDstPortOffset);
  const uint32_t w = std::min<uint32_t>((dport - options_.port_first) / ports_per_worker_,
                                        static_cast<uint32_t>(workers_.size() - 1));
  if (!workers_[w]->OfferSegment(mbuf)) {
    ++segments_dropped_;  // as if the NIC had dropped it: TCP retransmits
    rte_pktmbuf_free(mbuf);
  }
}

void GrabPool::Offer(const ScanResult& result, const GrabRecordWriter& write) {
  ++offered_;
  // All ports of one host go to one worker, so its per-host limit holds.
  const uint32_t w = static_cast<uint32_t>(
      (static_cast<uint64_t>(result.response.target.value()) * 0x9e3779b1u >> 32) % workers_.size());
  Worker& worker = *workers_[w];
  if (!worker.held_empty() || !worker.OfferHost(result)) {
    if (options_.drop_when_full) {
      ++queue_full_;
      write({result.response.target, result.response.port},
            NotGrabbedRecordLine(result, field::kNotGrabbedQueueFull));
    } else {
      worker.Hold(result);  // in order, behind those held before it
    }
  }
  UpdateBacklog();
}

// Backpressure, chosen over a spill to disk: the grabs are the bottleneck
// (hundreds to thousands per second against tens of thousands of open ports
// per second at line rate), so ports spilled to disk would only wait
// longer, the scan would end hours before its grabs, and a crash would
// lose the spill's order against the scan's progress. Pausing the senders
// keeps every queue in memory and bounded, and `run` paces the scan to
// what the pool finishes. The pause starts when half of the pool's queue
// room is taken and ends below a quarter (hysteresis, so the senders do
// not flap); the other half absorbs the answers to probes already sent.
// Beyond the ring, held_ takes what still arrives, bounded by the probes
// in flight when the pause began: rate x the longest answer delay (the
// cooldown's 8 s at most) x the hit rate, times sizeof(ScanResult).
void GrabPool::UpdateBacklog() {
  size_t waiting = 0;
  for (const auto& w : workers_) waiting += w->waiting();
  peak_waiting_ = std::max<uint64_t>(peak_waiting_, waiting);
  const uint64_t room = static_cast<uint64_t>(options_.queue_limit) * workers_.size();
  const uint64_t now = rte_rdtsc();
  if (!paused_ && waiting >= room / 2 && !options_.drop_when_full) {
    paused_ = true;
    ++pauses_;
    paused_since_ = now;
  } else if (paused_ && waiting <= room / 4) {
    paused_ = false;
    paused_ticks_ += now - paused_since_;
  }
}

absl::Status GrabPool::Launch(uint32_t senders) {
  if (options_.lcores == 0) return absl::OkStatus();
  if (rte_lcore_count() < senders + options_.lcores + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--grab-lcores ", options_.lcores, " with -T ", senders, " needs ",
        senders + options_.lcores + 1, " lcores, the EAL has ", rte_lcore_count()));
  }
  uint32_t skipped = 0;
  uint32_t w = 0;
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    if (skipped < senders) {
      ++skipped;
      continue;
    }
    if (w == workers_.size()) break;
    if (int ret = rte_eal_remote_launch(&Worker::Main, workers_[w].get(), lcore); ret != 0) {
      return absl::InternalError(absl::StrCat("rte_eal_remote_launch(lcore=", lcore, "): ", ret));
    }
    ++w;
  }
  return absl::OkStatus();
}

void GrabPool::Poll(const GrabRecordWriter& write) {
  for (auto& w : workers_) w->MoveHeld();
  UpdateBacklog();
  FinishDrained();
  if (options_.lcores == 0 && !workers_[0]->done()) workers_[0]->Step();
  for (auto& w : workers_) w->DrainRecords(write);
}

void GrabPool::Finish() {
  finishing_ = true;
  FinishDrained();
}

// A worker is told to finish only once the control lcore holds no port for
// it: a finished worker that empties its ring ends, and a port still held
// then would have no record.
void GrabPool::FinishDrained() {
  if (!finishing_) return;
  for (auto& w : workers_) {
    if (w->held_empty()) w->Finish();
  }
}

bool GrabPool::Done() const {
  for (const auto& w : workers_) {
    if (!w->done()) return false;
  }
  return true;
}

void GrabPool::Join() {
  if (options_.lcores > 0) rte_eal_mp_wait_lcore();
}

GrabPoolCounters GrabPool::Counters() const {
  GrabPoolCounters c;
  c.offered = offered_;
  for (const auto& w : workers_) w->Read(&c);
  c.not_grabbed += queue_full_;
  c.segments_dropped = segments_dropped_;
  return c;
}

GrabPoolSummary GrabPool::Summary() const {
  const GrabPoolCounters c = Counters();
  GrabPoolSummary summary;
  summary.offered = c.offered;
  summary.not_grabbed = c.not_grabbed;
  summary.queue_full = queue_full_;
  summary.finished = c.finished;
  summary.by_status = c.by_status;
  summary.segments_dropped = c.segments_dropped;
  summary.grab_lcores = options_.lcores;
  summary.overflow = options_.drop_when_full ? "drop" : "pause";
  summary.scan_pauses = pauses_;
  summary.scan_paused_seconds =
      static_cast<double>(paused_ticks_ + (paused_ ? rte_rdtsc() - paused_since_ : 0)) /
      static_cast<double>(rte_get_tsc_hz());
  summary.peak_waiting = peak_waiting_;
  summary.port_first = options_.port_first;
  summary.port_last = options_.port_last;
  summary.tcp_bytes_per_connection = TcpStack::BytesPerConnection(options_.tcp);
  for (const auto& w : workers_) summary.workers.push_back(w->Counters());
  return summary;
}

}  // namespace tlsweep
