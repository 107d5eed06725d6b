#include "runner/scan_runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/atomic_file.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "packet/arp.h"
#include "packet/parse.h"
#include "packet/probe.h"
#include "packet/rst.h"
#include "scan/journal.h"
#include "scan/resume.h"
#include "output/writer_thread.h"
#include "validate/dedup.h"

namespace tlsweep {
namespace {

constexpr uint16_t kBurst = kSendBurst;

// How long after its probe an answer may arrive and still be recorded
// after a kill -9: a checkpoint's sender positions are those of a snapshot
// at least this old, so that the probes whose answers were still in flight
// at the checkpoint are sent again on resume. 1 s is several times the
// Internet's round-trip times (a few hundred ms at the far end of the
// distribution) plus the receive loop's queueing; answers slower than that
// are lost only if the run is killed (a clean stop waits for the cooldown).
constexpr double kAnswerWindowS = 1.0;

uint64_t KeyOf(const AnswerKey& k) { return uint64_t{k.target.value()} << 16 | k.port; }
AnswerKey KeyOf(const ScanResult& r) { return {r.response.target, r.response.port}; }

// The periodic checkpoint (scan/resume.h). The control thread takes a
// snapshot every interval: the senders' published positions, the answers
// recorded (scan) or offered to the grabber (run) since the snapshot that
// serves as the base, and the open ports offered but not yet written.
// The writer thread then, once every record pushed before the snapshot is
// written, flushes and fsyncs the output, and writes the checkpoint with
// the output's length (WriterThread::PushTask): so each open port is, at
// every checkpoint, either within the checkpointed length or pending.
//
// Each checkpoint also records the open-port journal's length at the
// snapshot (scan/journal.h): the journal's entries before it are, like
// every port offered before the snapshot, in the output or pending; those
// after it are the ports a kill -9 would otherwise leave to the re-sent
// probes.
//
// Resuming re-sends from the base's positions (at least kAnswerWindowS
// old), cuts the output back to the checkpointed length, puts the answers
// recorded since the base into the duplicate filter (their probes are sent
// again), grabs the pending ports again, and then the journal's ports past
// the checkpoint that the filter does not hold yet.
class Checkpointer {
 public:
  Checkpointer(const ScanPlan& plan, std::string path, std::string output_path,
               uint64_t interval_ticks, uint64_t hz, bool quiet)
      : interval_ticks_(interval_ticks),
        window_ticks_(static_cast<uint64_t>(kAnswerWindowS * static_cast<double>(hz))),
        state_(std::make_shared<State>(plan, std::move(path), std::move(output_path), quiet)) {}

  // The positions the senders start from, before they start, and the
  // answers a resumed run's checkpoint had recorded in its window: the
  // probes of those are sent again from the start position, so a kill
  // before the base moves on needs them again. The first checkpoint is
  // taken at once: a resumed run killed early must not resume again from
  // the older checkpoint (which names another output).
  void Start(uint64_t now, const std::vector<std::unique_ptr<SenderState>>& senders,
             const std::vector<AnswerKey>& carried) {
    Snapshot(now, senders);
    window_.insert(window_.end(), carried.begin(), carried.end());
    next_ = now;
  }

  // Receive loop: an answer that became a record (scan), or an open port
  // offered to the grabber (run), whose record then comes through Written.
  void Recorded(const ScanResult& r) { window_.push_back(KeyOf(r)); }
  void Offered(const ScanResult& r) {
    Recorded(r);
    pending_[KeyOf(KeyOf(r))] = r;
  }
  void Written(const AnswerKey& key) { pending_.erase(KeyOf(key)); }
  // The journal the receive loop appends to (same thread as Poll).
  void set_journal(const JournalWriter* journal) { journal_ = journal; }

  // Control loop: takes a checkpoint when one is due and the last one is
  // written (a slow disk skips checkpoints rather than queueing them).
  void Poll(uint64_t now, const std::vector<std::unique_ptr<SenderState>>& senders,
            WriterThread& writer) {
    if (now < next_) return;
    next_ = now + interval_ticks_;
    Snapshot(now, senders);
    if (state_->busy.exchange(true, std::memory_order_acq_rel)) return;
    // The base: the newest snapshot at least the answer window old.
    while (snapshots_.size() > 1 && snapshots_[1].tick + window_ticks_ <= now) {
      snapshots_.pop_front();
    }
    const Snap& base = snapshots_.front();
    window_.erase(window_.begin(),
                  window_.begin() + static_cast<ptrdiff_t>(base.window_index - window_base_));
    window_base_ = base.window_index;
    Checkpoint c;
    c.positions = base.positions;
    c.recorded = {window_.begin(), window_.end()};
    c.pending.reserve(pending_.size());
    for (const auto& [key, r] : pending_) c.pending.push_back(r);
    if (journal_ != nullptr) c.journal = CheckpointJournal{journal_->path(), journal_->bytes()};
    // The task holds the state, not the checkpointer: a run that ends on
    // an error destroys the checkpointer before the writer thread.
    writer.PushTask([state = state_, c = std::move(c)](ResultWriter& out) mutable {
      absl::StatusOr<uint64_t> bytes = out.Sync();
      absl::Status s = bytes.status();
      if (s.ok()) {
        c.output = CheckpointOutput{state->output_path, *bytes};
        s = WriteCheckpoint(state->path, state->plan, c);
      }
      if (s.ok()) {
        state->written.fetch_add(1, std::memory_order_relaxed);
      } else if (state->failed.fetch_add(1, std::memory_order_relaxed) == 0 && !state->quiet) {
        // Once: the scan goes on, without crash safety.
        std::fprintf(stderr, "checkpoint failed (the scan goes on): %s\n",
                     std::string(s.message()).c_str());
      }
      state->busy.store(false, std::memory_order_release);
    });
  }

  uint64_t written() const { return state_->written.load(std::memory_order_relaxed); }
  uint64_t failed() const { return state_->failed.load(std::memory_order_relaxed); }
  // Open ports offered and not yet written (after the run: none, unless a
  // second Ctrl-C abandoned them).
  std::vector<ScanResult> Pending() const {
    std::vector<ScanResult> out;
    for (const auto& [key, r] : pending_) out.push_back(r);
    return out;
  }

 private:
  struct Snap {
    uint64_t tick;
    std::vector<SenderPosition> positions;
    uint64_t window_index;  // window_ entries from here on came after it
  };
  // Shared with the writer thread's tasks.
  struct State {
    State(const ScanPlan& p, std::string cp, std::string out, bool q)
        : plan(p), path(std::move(cp)), output_path(std::move(out)), quiet(q) {}
    const ScanPlan& plan;
    const std::string path;
    const std::string output_path;
    const bool quiet;
    std::atomic<bool> busy{false};
    std::atomic<uint64_t> written{0};
    std::atomic<uint64_t> failed{0};
  };

  void Snapshot(uint64_t now, const std::vector<std::unique_ptr<SenderState>>& senders) {
    Snap snap{now, {}, window_base_ + window_.size()};
    for (const auto& sender : senders) snap.positions.push_back(sender->counters.ReadPosition());
    snapshots_.push_back(std::move(snap));
  }

  const uint64_t interval_ticks_;
  const uint64_t window_ticks_;
  uint64_t next_ = 0;
  std::deque<Snap> snapshots_;
  std::vector<AnswerKey> window_;  // answers since the base snapshot
  uint64_t window_base_ = 0;       // index of window_[0] since the start
  absl::flat_hash_map<uint64_t, ScanResult> pending_;
  const JournalWriter* journal_ = nullptr;
  std::shared_ptr<State> state_;
};

// The control thread's receive side: every RX queue, every frame through
// the handler; results to the writer thread (or, in `tlsweep run`, new open
// ports to the consumer), frames of the grab connections to the consumer, and on
// the control TX queue ARP replies and a reset for every SYN-ACK
// (packet/rst.h: the kernel of a ZMap host sends that one).
class Receiver {
 public:
  Receiver(PacketIo& io, ResponseHandler& handler, WriterThread& writer, uint8_t ttl)
      : io_(io), handler_(handler), writer_(writer), ttl_(ttl) {}

  void Poll() {
    static_assert(kBurst <= ResponseHandler::kMaxBurst);
    void* handles[kBurst];
    void* kept[kBurst];
    const uint8_t* rx_frames[kBurst];
    uint16_t rx_lens[kBurst];
    const uint8_t* frames[kBurst];
    uint16_t lens[kBurst];
    ResponseHandler::Action actions[kBurst];
    ScanResult results[kBurst];
    uint8_t replies[kBurst][kArpFrameLen];
    for (uint16_t q = 0; q < io_.rx_queues(); ++q) {
      const uint16_t n = io_.RxBurst(q, handles, rx_frames, rx_lens, kBurst);
      if (n == 0) continue;
      uint16_t m = 0;
      for (uint16_t i = 0; i < n; ++i) {
        if (consumer_ != nullptr && consumer_->Claims(rx_frames[i], rx_lens[i])) {
          consumer_->Dispatch(handles[i]);
          continue;
        }
        kept[m] = handles[i];
        frames[m] = rx_frames[i];
        lens[m] = rx_lens[i];
        ++m;
      }
      handler_.HandleBurst(frames, lens, m, WallClockNs(), actions, results, replies);
      if (journal_ != nullptr) Journal(actions, results, m);
      for (uint16_t i = 0; i < m; ++i) {
        if (actions[i] == ResponseHandler::Action::kResult) {
          if (results[i].response.success) Reset(frames[i], lens[i]);
          if (consumer_ == nullptr) {
            if (checkpointer_ != nullptr && !results[i].repeat && writer_.Keeps(results[i])) {
              checkpointer_->Recorded(results[i]);
            }
            writer_.Push(results[i]);
          } else if (results[i].response.success && !results[i].repeat) {
            if (checkpointer_ != nullptr) checkpointer_->Offered(results[i]);
            consumer_->Offer(results[i], *write_);
          }
        } else if (actions[i] == ResponseHandler::Action::kArpReply) {
          Queue(replies[i], kArpFrameLen);
        }
      }
      Flush();
      if (m > 0) io_.FreeRx(kept, m);
    }
  }

  void set_consumer(OpenPortConsumer* consumer) { consumer_ = consumer; }
  void set_checkpointer(Checkpointer* checkpointer) { checkpointer_ = checkpointer; }
  void set_record_writer(const RecordWriter* write) { write_ = write; }
  void set_journal(JournalWriter* journal) { journal_ = journal; }

  // Sends one control frame now (an ARP request).
  void Send(const uint8_t* frame, uint16_t len) {
    Queue(frame, len);
    Flush();
  }

  struct Counters {
    uint64_t rst_sent = 0;  // resets queued; control_tx_failed has those refused
    uint64_t control_tx_failed = 0;  // no buffer, or the TX queue was full
  };
  const Counters& counters() const { return counters_; }

 private:
  // Appends the burst's new open ports to the journal with one write(2),
  // before they are offered or recorded, so that a checkpoint taken after
  // this Poll counts them. Its cost on the receive thread, once per burst
  // that found any: about 0.5 us of CPU for one open port, 3.3 us for a
  // full burst of 32 (bench/journal_benchmark, bench/RESULTS.md
  // 13.journal12), against the grab or the record each port then costs.
  void Journal(const ResponseHandler::Action* actions, const ScanResult* results, uint16_t n) {
    uint8_t entries[kBurst * kJournalEntryBytes];
    size_t count = 0;
    for (uint16_t i = 0; i < n; ++i) {
      if (actions[i] == ResponseHandler::Action::kResult && results[i].response.success &&
          !results[i].repeat) {
        EncodeJournalEntry(results[i], entries + count * kJournalEntryBytes);
        ++count;
      }
    }
    if (count > 0) journal_->Append(entries, count);
  }

  // The reset for a validated SYN-ACK. The handler has verified its
  // checksums; this parse only finds the fields again.
  void Reset(const uint8_t* frame, uint16_t len) {
    ParsedFrame parsed;
    if (ParseFrame(frame, len, &parsed, /*verify_checksums=*/false) != ParseResult::kTcp) return;
    uint8_t rst[kRstFrameLen];
    BuildRstForSynAck(frame, parsed.tcp, ttl_, rst);
    if (Queue(rst, kRstFrameLen)) ++counters_.rst_sent;
  }

  bool Queue(const uint8_t* frame, uint16_t len) {
    if (io_.QueueControl(frame, len)) return true;
    ++counters_.control_tx_failed;
    return false;
  }

  void Flush() { counters_.control_tx_failed += io_.FlushControl(); }

  PacketIo& io_;
  ResponseHandler& handler_;
  WriterThread& writer_;
  OpenPortConsumer* consumer_ = nullptr;
  Checkpointer* checkpointer_ = nullptr;
  const RecordWriter* write_ = nullptr;  // with a consumer
  JournalWriter* journal_ = nullptr;  // with checkpoints
  const uint8_t ttl_;
  Counters counters_;
};

absl::StatusOr<MacAddress> ResolveGateway(Ipv4Address gateway, Ipv4Address our_ip,
                                          const MacAddress& our_mac, double timeout_s,
                                          PacketIo& io, Receiver& receiver,
                                          ResponseHandler& handler, const StopToken& stop) {
  handler.ExpectGateway(gateway);
  uint8_t request[kArpFrameLen];
  BuildArpRequest(our_mac, our_ip, gateway, request);
  const uint64_t hz = io.hz();
  const uint64_t start = io.Now();
  const uint64_t deadline = start + static_cast<uint64_t>(timeout_s * static_cast<double>(hz));
  uint64_t next_request = start;
  while (io.Now() < deadline && stop.level() != StopLevel::kStopNow) {
    if (io.Now() >= next_request) {
      receiver.Send(request, sizeof(request));
      next_request += hz / 2;
    }
    receiver.Poll();
    if (handler.gateway_mac()) return *handler.gateway_mac();
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the gateway ", gateway.ToString(), " did not answer ARP within ", timeout_s,
      " s (asked from ", our_ip.ToString(), ", ", our_mac.ToString(),
      "): check --gateway-ip and the link, or give its MAC with -G"));
}

StatusSnapshot Snapshot(const std::vector<std::unique_ptr<SenderState>>& senders,
                        const ReceiveCounters& rx, const PortStats& port,
                        const OpenPortConsumer* consumer, double elapsed, bool sending_done,
                        double cooldown_left) {
  StatusSnapshot s;
  s.elapsed_s = elapsed;
  s.sending_done = sending_done;
  s.cooldown_left_s = cooldown_left;
  for (const auto& sender : senders) {
    const SenderCounters& c = sender->counters;
    s.sent += c.sent.load(std::memory_order_relaxed);
    s.tx_failed += c.tx_failed.load(std::memory_order_relaxed);
    s.progress += c.progress.load(std::memory_order_relaxed);
  }
  s.progress /= static_cast<double>(senders.size());
  s.received = rx.synack + rx.rst + rx.icmp_unreach;
  s.hits = rx.synack;
  s.rx_missed = port.imissed + port.rx_nombuf + port.ring_drops;
  s.invalid = rx.invalid();
  if (consumer != nullptr) consumer->AddStatus(&s);
  return s;
}

// One sender per -T, each starting at `from` (--resume), which has one
// position per sender or none.
absl::StatusOr<std::vector<std::unique_ptr<SenderState>>> MakeSenders(
    const ScanPlan& plan, const SynProbe& probe, std::vector<SenderPosition> from, uint64_t hz) {
  const ScanConfig& config = plan.config();
  const uint32_t count = config.sender_threads;
  from.resize(count);
  std::vector<std::unique_ptr<SenderState>> senders;
  for (uint32_t t = 0; t < count; ++t) {
    TLSWEEP_ASSIGN_OR_RETURN(ProbeGenerator g, ProbeGenerator::Create(plan, probe, t, from[t]));
    senders.push_back(std::make_unique<SenderState>(
        g, RateLimiter(config.rate.Split(count), static_cast<uint32_t>(probe.wire_len()), hz,
                       kBurst)));
    senders.back()->counters.PublishPosition(senders.back()->generator.position());
  }
  return senders;
}

// Resuming from a checkpoint: the output it counted is cut back to the
// length it counted (records written after the checkpoint, and a partial
// last line, come again), durably. An output shorter than that lost
// records the checkpoint relies on: refused.
absl::Status CutOutputBack(const CheckpointOutput& output, const std::string& checkpoint) {
  struct stat st;
  if (stat(output.path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("--resume ", checkpoint, ": its output ", output.path,
                                            ": ", std::strerror(errno)));
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < output.bytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--resume ", checkpoint, ": its output ", output.path, " has ", size,
        " bytes, fewer than the ", output.bytes, " it counted: records were lost after it"));
  }
  if (size == output.bytes) return absl::OkStatus();
  const int fd = ::open(output.path.c_str(), O_WRONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::ftruncate(fd, static_cast<off_t>(output.bytes)) == 0 &&
                  ::fsync(fd) == 0;
  const int saved = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) {
    return absl::UnavailableError(absl::StrCat("--resume ", checkpoint, ": cannot cut ",
                                               output.path, " back to ", output.bytes,
                                               " bytes: ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

// The control loop: receive, grab, watch the senders, then the cooldown;
// the status line once a second. Returns when the cooldown is over (or
// `stop` says stop now) and the consumer, if any, is done.
void ControlLoop(PacketIo& io, Receiver& receiver, const ResponseHandler& handler,
                 OpenPortConsumer* consumer, const RecordWriter& write_record,
                 const std::vector<std::unique_ptr<SenderState>>& senders, double cooldown_s,
                 const StopToken& stop, uint64_t t0, StatusReporter& status,
                 Checkpointer* checkpointer, WriterThread& writer) {
  const uint64_t hz = io.hz();
  uint64_t next_status = t0 + hz;
  uint64_t cooldown_end = 0;
  bool sending_done = false;
  bool cooldown_done = false;
  bool holding = false;
  while (true) {
    receiver.Poll();
    if (consumer) {
      consumer->Poll(write_record);
      if (const bool hold = consumer->Backlogged(); hold != holding) {
        holding = hold;
        for (const auto& s : senders) s->counters.hold.store(hold, std::memory_order_relaxed);
      }
    }
    const uint64_t now = io.Now();
    if (checkpointer != nullptr) checkpointer->Poll(now, senders, writer);
    if (!sending_done) {
      bool all = true;
      for (const auto& s : senders) all = all && s->counters.done.load(std::memory_order_acquire);
      if (all) {
        sending_done = true;
        cooldown_end = now + static_cast<uint64_t>(cooldown_s * static_cast<double>(hz));
      }
    } else if (!cooldown_done && (now >= cooldown_end || stop.level() == StopLevel::kStopNow)) {
      // No more open ports can come: the consumer ends when its grabs do.
      cooldown_done = true;
      if (!consumer) break;
      consumer->Finish();
    }
    if (cooldown_done && consumer->Done()) break;
    if (now >= next_status) {
      const double elapsed = static_cast<double>(now - t0) / static_cast<double>(hz);
      const double left =
          sending_done ? static_cast<double>(cooldown_end - std::min(now, cooldown_end)) /
                             static_cast<double>(hz)
                       : 0;
      status.Report(Snapshot(senders, handler.counters(), io.Stats(), consumer, elapsed,
                             sending_done, left));
      next_status += hz;
    }
  }
}

// The metadata of a finished scan (-m): the counters for output/.
ScanCounters Counters(const StatusSnapshot& last, const ReceiveCounters& rx,
                      const Receiver::Counters& control, uint64_t results_written,
                      const Dedup& dedup, const PortStats& port_stats,
                      const std::vector<std::unique_ptr<SenderState>>& senders) {
  ScanCounters c;
  c.sent = last.sent;
  c.tx_failed = last.tx_failed;
  for (const auto& s : senders) c.mbuf_alloc_failed += s->counters.alloc_failed.load();
  c.rx = rx;
  c.results_written = results_written;
  c.rst_sent = control.rst_sent;
  c.control_tx_failed = control.control_tx_failed;
  c.dedup_bytes = dedup.memory_bytes();
  c.nic = {port_stats.ipackets,   port_stats.opackets, port_stats.imissed,
           port_stats.ierrors,    port_stats.oerrors,  port_stats.rx_nombuf,
           port_stats.ring_drops, port_stats.rx_drops_counted};
  return c;
}

}  // namespace

absl::Status RunScan(const ScanPlan& plan, PacketIo& io, const ScanRunOptions& options,
                     const OpenPortConsumerFactory& grab, const StopToken& stop) {
  const ScanConfig& config = plan.config();
  const uint32_t sender_count = config.sender_threads;
  const std::string start_time = Rfc3339Now();
  const bool grabbing = grab != nullptr;
  Checkpoint from;
  JournalTail journal_tail;
  if (!options.resume_file.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(from, ReadCheckpoint(options.resume_file, plan));
    if (from.journal) {
      // Before the output is cut: a journal that cannot be read stops the
      // resume with the files as they were.
      absl::StatusOr<JournalTail> tail = ReadJournalTail(from.journal->path, from.journal->bytes);
      if (!tail.ok()) {
        return absl::Status(
            tail.status().code(),
            absl::StrCat("--resume ", options.resume_file, ": ", tail.status().message(),
                         " (it holds the open ports found after the checkpoint; to resume "
                         "without them, remove \"journal\" from the resume file)"));
      }
      journal_tail = *std::move(tail);
      if (journal_tail.damaged_bytes > 0 && !options.quiet) {
        std::fprintf(stderr,
                     "--resume: %llu bytes of the journal %s are not whole entries (a torn "
                     "write, or a power cut): the open ports they held are found again only "
                     "if they answer the re-sent probes\n",
                     static_cast<unsigned long long>(journal_tail.damaged_bytes),
                     from.journal->path.c_str());
      }
    }
    if (from.output) TLSWEEP_RETURN_IF_ERROR(CutOutputBack(*from.output, options.resume_file));
  }
  const bool to_file = !options.output_file.empty() && options.output_file != "-";
  // Resumed into the output the checkpoint counted: go on after it.
  const bool append = to_file && from.output && SameFile(options.output_file, from.output->path);
  std::optional<ResultWriter> writer;
  {
    OutputOptions out = options.output;
    out.multi_port = config.ports.size() > 1;
    TLSWEEP_ASSIGN_OR_RETURN(writer, ResultWriter::Open(options.output_file, out, append));
  }
  // The output's absolute path: a resumed run may start elsewhere.
  const std::string output_path =
      writer->syncable() ? std::filesystem::absolute(options.output_file).string() : "";
  const std::string checkpoint_path =
      options.resume_out_file.empty() ? kDefaultResumeFile : options.resume_out_file;
  TLSWEEP_ASSIGN_OR_RETURN(
      StatusReporter status,
      StatusReporter::Create(grabbing ? kRunStatus : kScanStatus, options.quiet,
                             options.status_file));

  Dedup dedup(config.ports, plan.space().size());
  // Answers the resumed run's re-sent probes would record again, and the
  // pending ports it grabs again.
  for (const AnswerKey& k : from.recorded) dedup.Insert(k.target, k.port);
  for (const ScanResult& r : from.pending) dedup.Insert(r.response.target, r.response.port);
  // The journal's open ports past the checkpoint, each once: the filter
  // holds them before the resumed scan's answers to the re-sent probes
  // come (those are repeats then). A port outside the scan is dropped.
  std::vector<ScanResult> from_journal;
  for (const ScanResult& r : journal_tail.entries) {
    if (dedup.Insert(r.response.target, r.response.port)) from_journal.push_back(r);
  }
  const MacAddress src_mac = options.source_mac.value_or(io.mac());
  ResponseHandler handler(plan, src_mac, dedup);
  WriterThread writer_thread(*writer);
  Receiver receiver(io, handler, writer_thread, config.probe.ttl);

  ProbeConfig probe_config = config.probe;
  probe_config.src_mac = src_mac;
  if (options.gateway_mac) {
    probe_config.dst_mac = *options.gateway_mac;
  } else {
    if (!options.gateway_ip) {
      return absl::InvalidArgumentError(
          "no gateway: give --gateway-ip (resolved by ARP) or its MAC with -G");
    }
    TLSWEEP_ASSIGN_OR_RETURN(probe_config.dst_mac,
                             ResolveGateway(*options.gateway_ip, config.sources.first, src_mac,
                                            options.arp_timeout_s, io, receiver, handler, stop));
  }
  std::unique_ptr<OpenPortConsumer> consumer;
  if (grabbing) {
    TLSWEEP_ASSIGN_OR_RETURN(consumer, grab(src_mac, probe_config.dst_mac));
    receiver.set_consumer(consumer.get());
  }
  std::optional<Checkpointer> checkpointer;
  const std::string_view checkpoint_off = options.checkpoint_interval_ms == 0 ? kCheckpointIntervalZero
                                          : !writer->syncable()               ? kCheckpointOutputNotAFile
                                                                              : kCheckpointOn;
  if (checkpoint_off == kCheckpointOutputNotAFile && !options.quiet) {
    // Not silent: a user who counts on --resume after a crash learns it now.
    std::fprintf(stderr,
                 "no crash-safe checkpoints: the output is not a regular file (give -o FILE)\n");
  }
  if (checkpoint_off == kCheckpointOn) {
    checkpointer.emplace(plan, checkpoint_path, output_path,
                         options.checkpoint_interval_ms * io.hz() / 1000, io.hz(), options.quiet);
    receiver.set_checkpointer(&*checkpointer);
  }
  // The open-port journal, beside the checkpoints; a run resumed from a
  // checkpoint of the same file appends to it (that checkpoint's offset
  // stays valid until this run's first checkpoint replaces it).
  std::optional<JournalWriter> journal;
  if (checkpointer) {
    const std::string journal_path =
        std::filesystem::absolute(checkpoint_path + ".journal").string();
    absl::StatusOr<JournalWriter> opened = JournalWriter::Open(
        journal_path, from.journal && SameFile(from.journal->path, journal_path));
    if (!opened.ok()) return opened.status();
    journal.emplace(*std::move(opened));
    checkpointer->set_journal(&*journal);
    receiver.set_journal(&*journal);
  }
  const RecordWriter write_record = [&writer_thread, &checkpointer](const AnswerKey& key,
                                                                    std::string_view line) {
    if (checkpointer) checkpointer->Written(key);
    writer_thread.PushLine(line);
  };
  receiver.set_record_writer(&write_record);
  const SynProbe probe(probe_config);
  std::vector<uint8_t> frame(probe.frame_len());
  probe.WriteTemplate(frame.data());

  TLSWEEP_ASSIGN_OR_RETURN(const std::vector<std::unique_ptr<SenderState>> senders,
                           MakeSenders(plan, probe, from.positions, io.hz()));

  const uint64_t hz = io.hz();
  const uint64_t t0 = io.Now();
  const uint64_t wall0 = WallClockNs();
  if (checkpointer) checkpointer->Start(t0, senders, from.recorded);
  TLSWEEP_RETURN_IF_ERROR(io.StartSenders(frame, senders, stop));
  if (consumer) {
    if (absl::Status s = consumer->Launch(sender_count); !s.ok()) {
      for (auto& sender : senders) sender->counters.abort.store(true);
      consumer->Finish();
      io.JoinSenders();
      return s;
    }
  }
  // The open ports a resumed run's checkpoint had waiting for their
  // grab (or, resumed without grabbing, their scan record), then those its
  // journal has past the checkpoint. Not journaled again: until this run's
  // first checkpoint replaces the old one, the old journal holds them, and
  // from then on the checkpoints do (pending, or in the output).
  for (const std::vector<ScanResult>* list : {&from.pending, &from_journal}) {
    for (const ScanResult& r : *list) {
      if (consumer) {
        if (checkpointer) checkpointer->Offered(r);
        consumer->Offer(r, write_record);
      } else {
        if (checkpointer) checkpointer->Recorded(r);
        writer_thread.Push(r);
      }
    }
  }

  ControlLoop(io, receiver, handler, consumer.get(), write_record, senders, options.cooldown_s,
              stop, t0, status, checkpointer ? &*checkpointer : nullptr, writer_thread);
  io.JoinSenders();
  if (consumer) consumer->Poll(write_record);  // the last records
  const double elapsed = static_cast<double>(io.Now() - t0) / static_cast<double>(hz);
  const uint64_t wall_elapsed_ns = WallClockNs() - wall0;
  const PortStats port_stats = io.Stats();
  const StatusSnapshot last =
      Snapshot(senders, handler.counters(), port_stats, consumer.get(), elapsed, true, 0);
  status.Report(last);
  writer_thread.Stop();

  bool complete = true;
  Checkpoint final_position;
  for (const auto& s : senders) {
    final_position.positions.push_back(s->generator.position());
    complete = complete && s->generator.progress() >= 1.0;
  }
  if (writer->syncable()) {
    // After the cooldown every answer to a probe sent is in: the exact
    // positions, nothing recorded twice if resumed, and only ports a
    // second Ctrl-C abandoned still pending.
    TLSWEEP_ASSIGN_OR_RETURN(const uint64_t bytes, writer->Sync());
    final_position.output = CheckpointOutput{output_path, bytes};
    if (checkpointer) final_position.pending = checkpointer->Pending();
    if (journal) final_position.journal = CheckpointJournal{journal->path(), journal->bytes()};
  }
  TLSWEEP_RETURN_IF_ERROR(writer->Close());
  TLSWEEP_ASSIGN_OR_RETURN(
      const std::string resume_written,
      SaveResumeIfIncomplete(checkpoint_path, plan, final_position, complete));
  if (complete && checkpointer && checkpointer->written() > 0) {
    // The periodic checkpoints of a run that finished: nothing to resume.
    std::error_code ignored;  // a file someone removed already is fine
    std::filesystem::remove(checkpoint_path, ignored);
  }
  if (complete && journal) {
    // After the checkpoint that names it.
    std::error_code ignored;
    std::filesystem::remove(journal->path(), ignored);
  }
  if (journal && journal->failed() && !options.quiet) {
    std::fprintf(stderr, "open-port journal stopped (the run went on without it): %s\n",
                 journal->error().c_str());
  }
  if (!resume_written.empty() && !options.quiet) {
    std::fprintf(stderr, "stopped early: continue with --resume %s\n", resume_written.c_str());
  }
  if (!options.metadata_file.empty()) {
    DpdkScanSummary summary;
    summary.run = {start_time, static_cast<double>(wall_elapsed_ns) / 1e9, !stop.running()};
    summary.progress = {complete, options.resume_file, resume_written};
    summary.cooldown_seconds = options.cooldown_s;
    summary.checkpoint.interval_ms = options.checkpoint_interval_ms;
    summary.checkpoint.answer_window_s = kAnswerWindowS;
    summary.checkpoint.off_reason = checkpoint_off;
    if (checkpointer) {
      summary.checkpoint.file = checkpoint_path;
      summary.checkpoint.written = checkpointer->written();
      summary.checkpoint.failed = checkpointer->failed();
    }
    if (journal) {
      JournalSummary& j = summary.checkpoint.journal;
      j.file = journal->path();
      j.entries = journal->entries();
      j.writes = journal->writes();
      j.bytes = journal->bytes();
      j.error = journal->error();
    }
    summary.checkpoint.journal.resume_read = journal_tail.entries.size();
    summary.checkpoint.journal.resume_taken = from_journal.size();
    summary.checkpoint.journal.resume_damaged_bytes = journal_tail.damaged_bytes;
    summary.port = io.PortInfo();
    summary.source_mac = src_mac;
    summary.gateway_mac = probe_config.dst_mac;
    summary.frame_bytes = probe.frame_len();
    summary.counters = Counters(last, handler.counters(), receiver.counters(), writer->written(),
                                dedup, port_stats, senders);
    if (consumer) summary.grab = consumer->Summary();
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(options.metadata_file, DpdkScanMetadata(plan, summary)));
  }
  return absl::OkStatus();
}

}  // namespace tlsweep
