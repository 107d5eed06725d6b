#include "runner/scan_runner.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "packet/arp.h"
#include "packet/parse.h"
#include "packet/probe.h"
#include "packet/rst.h"
#include "scan/resume.h"
#include "output/writer_thread.h"
#include "validate/dedup.h"

namespace tlsweep {
namespace {

constexpr uint16_t kBurst = kSendBurst;

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
      for (uint16_t i = 0; i < m; ++i) {
        if (actions[i] == ResponseHandler::Action::kResult) {
          if (results[i].response.success) Reset(frames[i], lens[i]);
          if (consumer_ == nullptr) {
            writer_.Push(results[i]);
          } else if (results[i].response.success && !results[i].repeat) {
            consumer_->Offer(results[i], [this](std::string_view line) { writer_.PushLine(line); });
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

// One sender per -T, each resuming where --resume says.
absl::StatusOr<std::vector<std::unique_ptr<SenderState>>> MakeSenders(
    const ScanPlan& plan, const SynProbe& probe, const std::string& resume_file, uint64_t hz) {
  const ScanConfig& config = plan.config();
  const uint32_t count = config.sender_threads;
  std::vector<SenderPosition> from(count);
  if (!resume_file.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(from, ReadResumeFile(resume_file, plan));
  }
  std::vector<std::unique_ptr<SenderState>> senders;
  for (uint32_t t = 0; t < count; ++t) {
    TLSWEEP_ASSIGN_OR_RETURN(ProbeGenerator g, ProbeGenerator::Create(plan, probe, t, from[t]));
    senders.push_back(std::make_unique<SenderState>(
        g, RateLimiter(config.rate.Split(count), static_cast<uint32_t>(probe.wire_len()), hz,
                       kBurst)));
  }
  return senders;
}

// The control loop: receive, grab, watch the senders, then the cooldown;
// the status line once a second. Returns when the cooldown is over (or
// `stop` says stop now) and the consumer, if any, is done.
void ControlLoop(PacketIo& io, Receiver& receiver, const ResponseHandler& handler,
                 OpenPortConsumer* consumer, const RecordWriter& write_record,
                 const std::vector<std::unique_ptr<SenderState>>& senders, double cooldown_s,
                 const StopToken& stop, uint64_t t0, StatusReporter& status) {
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
  std::optional<ResultWriter> writer;
  {
    OutputOptions out = options.output;
    out.multi_port = config.ports.size() > 1;
    TLSWEEP_ASSIGN_OR_RETURN(writer, ResultWriter::Open(options.output_file, out));
  }
  TLSWEEP_ASSIGN_OR_RETURN(
      StatusReporter status,
      StatusReporter::Create(grabbing ? kRunStatus : kScanStatus, options.quiet,
                             options.status_file));

  Dedup dedup(config.ports, plan.space().size());
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
  const RecordWriter write_record = [&writer_thread](std::string_view line) {
    writer_thread.PushLine(line);
  };
  const SynProbe probe(probe_config);
  std::vector<uint8_t> frame(probe.frame_len());
  probe.WriteTemplate(frame.data());

  TLSWEEP_ASSIGN_OR_RETURN(const std::vector<std::unique_ptr<SenderState>> senders,
                           MakeSenders(plan, probe, options.resume_file, io.hz()));

  const uint64_t hz = io.hz();
  const uint64_t t0 = io.Now();
  const uint64_t wall0 = WallClockNs();
  TLSWEEP_RETURN_IF_ERROR(io.StartSenders(frame, senders, stop));
  if (consumer) {
    if (absl::Status s = consumer->Launch(sender_count); !s.ok()) {
      for (auto& sender : senders) sender->counters.abort.store(true);
      consumer->Finish();
      io.JoinSenders();
      return s;
    }
  }

  ControlLoop(io, receiver, handler, consumer.get(), write_record, senders, options.cooldown_s,
              stop, t0, status);
  io.JoinSenders();
  if (consumer) consumer->Poll(write_record);  // the last records
  const double elapsed = static_cast<double>(io.Now() - t0) / static_cast<double>(hz);
  const uint64_t wall_elapsed_ns = WallClockNs() - wall0;
  const PortStats port_stats = io.Stats();
  const StatusSnapshot last =
      Snapshot(senders, handler.counters(), port_stats, consumer.get(), elapsed, true, 0);
  status.Report(last);
  writer_thread.Stop();
  TLSWEEP_RETURN_IF_ERROR(writer->Close());

  bool complete = true;
  std::vector<SenderPosition> positions;
  for (const auto& s : senders) {
    positions.push_back(s->generator.position());
    complete = complete && s->generator.progress() >= 1.0;
  }
  TLSWEEP_ASSIGN_OR_RETURN(
      const std::string resume_written,
      SaveResumeIfIncomplete(options.resume_out_file, plan, positions, complete));
  if (!resume_written.empty() && !options.quiet) {
    std::fprintf(stderr, "stopped early: continue with --resume %s\n", resume_written.c_str());
  }
  if (!options.metadata_file.empty()) {
    DpdkScanSummary summary;
    summary.run = {start_time, static_cast<double>(wall_elapsed_ns) / 1e9, !stop.running()};
    summary.progress = {complete, options.resume_file, resume_written};
    summary.cooldown_seconds = options.cooldown_s;
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
