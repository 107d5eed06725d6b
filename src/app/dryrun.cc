#include "app/dryrun.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "packet/pcap_writer.h"
#include "scan/probe_generator.h"
#include "scan/rate_limiter.h"
#include "scan/resume.h"
#include "scan/scan_metadata.h"

namespace tlsweep {
namespace {

// The burst the DPDK sender uses; the dry run builds probes the same way.
constexpr size_t kBurst = 32;

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

}  // namespace

absl::Status RunDryrun(const ScanCommand& cmd, const StopToken& stop) {
  const std::string start_time = Rfc3339Now();
  TLSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<ScanPlan> plan,
                           ScanPlan::Create(cmd.config, Cookies::RandomKey()));
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

  // One buffer per burst slot, holding the template once (ZMap's contract:
  // constant bytes are written when a buffer is prepared, not per packet).
  std::vector<std::vector<uint8_t>> buffers(kBurst, std::vector<uint8_t>(probe.frame_len()));
  uint8_t* frames[kBurst];
  for (size_t i = 0; i < kBurst; ++i) {
    probe.WriteTemplate(buffers[i].data());
    frames[i] = buffers[i].data();
  }
  ProbeFields fields[kBurst];

  RateLimiter limiter(config.rate, static_cast<uint32_t>(probe.wire_len()),
                      1'000'000'000, kBurst);
  const uint64_t t0 = NowNs();
  limiter.Start(t0);
  uint64_t sent = 0;
  uint64_t next_status = t0 + 1'000'000'000;
  size_t active = senders.size();
  absl::Status io_status;
  // The senders take turns a burst at a time, as parallel lcores would
  // interleave, but in one thread so the output is deterministic.
  while (active > 0 && stop.running() && io_status.ok()) {
    active = 0;
    for (ProbeGenerator& g : senders) {
      if (g.done()) continue;
      ++active;
      uint64_t now = NowNs();
      uint32_t allowed = limiter.Acquire(now, kBurst);
      while (allowed == 0 && stop.running()) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(
            std::min<uint64_t>(limiter.TicksUntilNext(now), 10'000'000)));
        now = NowNs();
        allowed = limiter.Acquire(now, kBurst);
      }
      const size_t n = g.FillBurst(frames, allowed, fields);
      const uint64_t wall = WallClockNs();
      for (size_t i = 0; i < n && io_status.ok(); ++i) {
        if (pcap) io_status = pcap->Write(frames[i], static_cast<uint32_t>(probe.frame_len()), wall);
        if (lines) {
          const ProbeFields& f = fields[i];
          std::fprintf(lines.get(), "%s,%u,%s,%u,%u,%u\n",
                       f.saddr.ToString().c_str(), f.sport,
                       f.daddr.ToString().c_str(), f.dport, f.seq, f.ip_id);
        }
      }
      sent += n;
      if (!cmd.run.quiet && now >= next_status) {
        double progress = 0;
        for (const ProbeGenerator& s : senders) progress += s.progress();
        progress /= static_cast<double>(senders.size());
        const double secs = static_cast<double>(now - t0) / 1e9;
        std::fprintf(stderr, "%s %5.1f%% done; send: %llu (%.0f p/s avg); dry run\n",
                     absl::FormatDuration(absl::Seconds(static_cast<int64_t>(secs))).c_str(),
                     100 * progress, static_cast<unsigned long long>(sent),
                     static_cast<double>(sent) / secs);
        next_status += 1'000'000'000;
      }
    }
  }
  const double elapsed = static_cast<double>(NowNs() - t0) / 1e9;
  TLSWEEP_RETURN_IF_ERROR(io_status);
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
  TLSWEEP_ASSIGN_OR_RETURN(
      const std::string resume_written,
      SaveResumeIfIncomplete(cmd.run.resume_out_file, *plan, positions, complete));
  if (!cmd.run.metadata_file.empty()) {
    nlohmann::json meta = RunMetadata(
        *plan, {"dryrun", start_time, elapsed, !stop.running(),
                complete, cmd.run.resume_file, resume_written});
    meta["packets_built"] = sent;
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(cmd.run.metadata_file, meta));
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
