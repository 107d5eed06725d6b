#include "app/dryrun.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "output/metadata.h"
#include "packet/pcap_writer.h"
#include "scan/probe_generator.h"
#include "scan/rate_limiter.h"
#include "scan/resume.h"
#include "scan/send_loop.h"
#include "scan/status.h"

namespace tlsweep {
namespace {

uint64_t NowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch()).count());
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != stdout) std::fclose(f);
  }
};

// The dry run's probe transmitter for scan/send_loop.h: a burst's worth of
// buffers holding the template once (ZMap's contract: constant bytes are
// written when a buffer is prepared, not per packet); "transmitting" writes
// each probe to the pcap file and/or as a line. Every burst is taken whole;
// a write error is kept and ends the run.
class DryrunTx {
 public:
  DryrunTx(const SynProbe& probe, PcapWriter* pcap, std::FILE* lines)
      : buffers_(kSendBurst, std::vector<uint8_t>(probe.frame_len())),
        frame_len_(static_cast<uint32_t>(probe.frame_len())),
        pcap_(pcap),
        lines_(lines) {
    for (size_t i = 0; i < kSendBurst; ++i) {
      probe.WriteTemplate(buffers_[i].data());
      frames_[i] = buffers_[i].data();
    }
  }

  uint8_t* const* Get(uint32_t /*n*/) { return frames_; }
  void Unget(uint32_t /*from*/, uint32_t /*n*/) {}
  uint32_t Send(uint32_t from, uint32_t n) {
    const uint64_t wall = WallClockNs();
    for (uint32_t i = from; i < from + n && status_.ok(); ++i) {
      if (pcap_ != nullptr) status_ = pcap_->Write(frames_[i], frame_len_, wall);
      if (lines_ != nullptr) {
        const ProbeFields& f = fields_[i];
        std::fprintf(lines_, "%s,%u,%s,%u,%u,%u\n", f.saddr.ToString().c_str(), f.sport,
                     f.daddr.ToString().c_str(), f.dport, f.seq, f.ip_id);
      }
    }
    return n;
  }
  void Drop(uint32_t /*from*/, uint32_t /*n*/) {}
  ProbeFields* fields() { return fields_; }
  uint64_t Now() const { return NowNs(); }
  uint64_t hz() const { return 1'000'000'000; }
  // Sleeps until the limiter has tokens, but at most 10 ms so that a stop
  // is seen promptly.
  void Wait(uint64_t ticks) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<uint64_t>(ticks, 10'000'000)));
  }

  const absl::Status& status() const { return status_; }

 private:
  std::vector<std::vector<uint8_t>> buffers_;
  uint8_t* frames_[kSendBurst];
  ProbeFields fields_[kSendBurst];
  const uint32_t frame_len_;
  PcapWriter* const pcap_;
  std::FILE* const lines_;
  absl::Status status_;
};

}  // namespace

absl::Status RunDryrun(const ScanCommand& cmd, const StopToken& stop) {
  const std::string start_time = Rfc3339Now();
  TLSWEEP_ASSIGN_OR_RETURN(const SipKey key, Cookies::RandomKey());
  TLSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<ScanPlan> plan,
                           ScanPlan::Create(cmd.config, key));
  const ScanConfig& config = plan->config();

  std::vector<SenderPosition> from(config.sender_threads);
  if (!cmd.run.resume_file.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(from, ReadResumeFile(cmd.run.resume_file, *plan));
  }
  const SynProbe probe(config.probe);
  std::vector<ProbeGenerator> senders;
  for (uint32_t t = 0; t < config.sender_threads; ++t) {
    TLSWEEP_ASSIGN_OR_RETURN(ProbeGenerator g,
                             ProbeGenerator::Create(*plan, probe, t, from[t]));
    senders.push_back(g);
  }

  std::optional<PcapWriter> pcap;
  if (!cmd.pcap_file.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(pcap, PcapWriter::Open(cmd.pcap_file));
  }
  // Lines go to -o, or to stdout unless only a pcap file was asked for.
  std::unique_ptr<std::FILE, FileCloser> lines;
  if (!cmd.run.output_file.empty() && cmd.run.output_file != "-") {
    lines.reset(std::fopen(cmd.run.output_file.c_str(), "w"));
    if (!lines) {
      return absl::NotFoundError(absl::StrCat("-o: cannot create ", cmd.run.output_file));
    }
  } else if (cmd.run.output_file == "-" || cmd.pcap_file.empty()) {
    lines.reset(stdout);
  }
  if (lines) std::fputs("saddr,sport,daddr,dport,seq,ipid\n", lines.get());

  DryrunTx tx(probe, pcap ? &*pcap : nullptr, lines.get());
  // One limiter for all senders: they share this thread, so the rate is
  // the whole scan's.
  RateLimiter limiter(config.rate, static_cast<uint32_t>(probe.wire_len()), tx.hz(), kSendBurst);
  std::vector<SenderCounters> counters(senders.size());
  std::vector<SendLoop<DryrunTx>> loops;
  for (size_t t = 0; t < senders.size(); ++t) {
    loops.emplace_back(tx, senders[t], limiter, counters[t], stop);
    loops.back().Start();
  }
  TLSWEEP_ASSIGN_OR_RETURN(
      StatusReporter status,
      StatusReporter::Create(kDryrunStatus, cmd.run.quiet, cmd.run.status_file));
  // The status of the senders `secs` into the run.
  const auto snapshot = [&counters](double secs, bool done) {
    StatusSnapshot snap;
    snap.elapsed_s = secs;
    for (const SenderCounters& c : counters) {
      snap.progress += c.progress.load(std::memory_order_relaxed);
      snap.sent += c.sent.load(std::memory_order_relaxed);
    }
    snap.progress /= static_cast<double>(counters.size());
    snap.sending_done = done;
    return snap;
  };
  const uint64_t t0 = tx.Now();
  uint64_t next_status = t0 + tx.hz();
  size_t active = loops.size();
  // The senders take turns a step at a time, as parallel lcores would
  // interleave, but in one thread so the output is deterministic.
  while (active > 0 && tx.status().ok()) {
    active = 0;
    for (size_t t = 0; t < loops.size(); ++t) {
      if (counters[t].done.load(std::memory_order_relaxed) || !loops[t].Step()) continue;
      ++active;
    }
    const uint64_t now = tx.Now();
    if (now >= next_status) {
      status.Report(snapshot(static_cast<double>(now - t0) / 1e9, false));
      next_status += 1'000'000'000;
    }
  }
  const double elapsed = static_cast<double>(NowNs() - t0) / 1e9;
  status.Report(snapshot(elapsed, true));
  uint64_t sent = 0;
  for (const SenderCounters& c : counters) sent += c.sent.load(std::memory_order_relaxed);
  TLSWEEP_RETURN_IF_ERROR(tx.status());
  if (pcap) TLSWEEP_RETURN_IF_ERROR(pcap->Close());
  if (lines && std::fflush(lines.get()) != 0) {
    return absl::UnavailableError(absl::StrCat("-o: write to ", cmd.run.output_file, " failed"));
  }

  bool complete = true;
  std::vector<SenderPosition> positions;
  for (const ProbeGenerator& g : senders) {
    positions.push_back(g.position());
    complete = complete && g.done() && g.progress() >= 1.0;
  }
  Checkpoint checkpoint;  // positions only: a dry run has no answers
  checkpoint.positions = positions;
  TLSWEEP_ASSIGN_OR_RETURN(
      const std::string resume_written,
      SaveResumeIfIncomplete(cmd.run.resume_out_file, *plan, checkpoint, complete));
  if (!cmd.run.metadata_file.empty()) {
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(
        cmd.run.metadata_file,
        DryrunMetadata(*plan, {start_time, elapsed, !stop.running()},
                       {complete, cmd.run.resume_file, resume_written}, sent)));
  }
  if (!cmd.run.quiet) {
    std::fprintf(stderr,
                 "dry run: %llu probes to %llu targets x %u probes (seed %llu, "
                 "prime %llu, generator %llu) in %.2f s%s%s\n",
                 static_cast<unsigned long long>(sent),
                 static_cast<unsigned long long>(plan->space().size()),
                 config.probes, static_cast<unsigned long long>(config.seed),
                 static_cast<unsigned long long>(plan->group().prime),
                 static_cast<unsigned long long>(plan->group().generator),
                 elapsed, complete ? "" : "; stopped early, resume with --resume ",
                 resume_written.c_str());
  }
  return absl::OkStatus();
}

}  // namespace tlsweep
