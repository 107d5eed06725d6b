// The receive path on a DPDK port: SYN-ACK frames replayed through DPDK's
// net_ring PMD (a port whose TX queue is looped back to its RX queue, all
// inside the process) and received as the control lcore of `tlsweep scan`
// receives them: rte_eth_rx_burst, ResponseHandler::Handle (parse, cookie
// validation, classification, dedup) for every frame, rte_pktmbuf_free_bulk.
// The goal is 14.88 Mpps on one lcore, the 10GbE line rate of minimum-size
// frames.
//
// A standalone program rather than a Google Benchmark one, because the EAL
// can start only once per process and the ring must be refilled outside the
// timed part. Each round, untimed: the scan's own ProbeGenerator builds
// probes of a full single-port IPv4 plan (0.0.0.0/0 minus the default
// blocklist, port 443), each probe is turned into the SYN-ACK its target
// would send (Linux's 74-byte answer with MSS, SACK, timestamps, window
// scale; correct cookie and checksums) in a freshly allocated mbuf of the
// port's RX pool, and the ring is filled with rte_eth_tx_burst. Timed: the
// receive loop until the ring is empty. The result writer (formatting and
// I/O of the results) is not part of the timed loop unless --output is
// given: then every result goes to the scanner's WriterThread (a copy into
// its ring; the thread formats and writes), or with --inline-output is
// formatted and written on the receive loop itself, as the scanner did
// before output/writer_thread.h. The writer thread's end (drain, join) is
// timed separately.
//
// usage: rx_replay_benchmark [--frames=N] [--warmup=W] [--distinct=D] [--runs=R] [--no-handle]
//                            [--eal="EAL ARGS"]
//   --frames    frames received per run (default 50,000,000)
//   --warmup    frames received before the timed part starts (default 0),
//               e.g. to leave the dedup bitmap's first touch of its pages
//               out of the figure
//   --distinct  0 (default): every frame answers a different probe, so every
//               one is a new host for dedup; D > 0: the first D answers
//               are replayed over and over (repeats after the first pass)
//   --targets   the plan's targets (default 0.0.0.0/0, the full sweep);
//               a small range keeps the dedup bitmap small and cache-hot
//   --no-handle baseline: rx_burst and free only, ResponseHandler skipped
//   --output    write the results (-O csv, default filter: new open ports)
//               to this file through the writer thread
//   --inline-output  with --output: write on the receive loop instead
//   --eal       default "--no-huge -m 1024 --no-shconf --no-pci
//               --vdev=net_ring0 -l 0 --log-level=lib.eal:error"
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/byte_order.h"
#include "nic/eal.h"
#include "nic/port.h"
#include "packet/checksum.h"
#include "packet/probe.h"
#include "scan/probe_generator.h"
#include "scan/response_handler.h"
#include "output/result_output.h"
#include "scan/scan_config.h"
#include "output/writer_thread.h"
#include "testing/synack.h"
#include "validate/dedup.h"

namespace tlsweep {
namespace {

constexpr uint16_t kBurst = 32;            // as the scanner's receiver
constexpr uint16_t kRound = 1008;          // frames per refill; net_ring holds 1023
constexpr uint32_t kUs = 0xc0000201;       // 192.0.2.1

// CPU time of this thread: with other work on the machine, the TSC-timed
// figure includes time the thread was not running; this one does not.
uint64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t WallNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

using ::tlsweep::testing::kSynAckLen;
using ::tlsweep::testing::WriteSynAck;

struct Args {
  uint64_t frames = 50'000'000;
  uint64_t warmup = 0;
  uint64_t distinct = 0;
  int runs = 3;
  bool handle = true;
  std::string output;
  bool inline_output = false;
  std::string targets = "0.0.0.0/0";
  std::string eal =
      "--no-huge -m 1024 --no-shconf --no-pci --vdev=net_ring0 -l 0 --log-level=lib.eal:error";
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    auto value = [&](const char* name) -> const char* {
      const size_t n = std::strlen(name);
      return s.compare(0, n, name) == 0 ? s.c_str() + n : nullptr;
    };
    if (const char* v = value("--frames=")) {
      a->frames = std::strtoull(v, nullptr, 10);
    } else if (const char* v5 = value("--warmup=")) {
      a->warmup = std::strtoull(v5, nullptr, 10);
    } else if (const char* v2 = value("--distinct=")) {
      a->distinct = std::strtoull(v2, nullptr, 10);
    } else if (const char* v3 = value("--runs=")) {
      a->runs = std::atoi(v3);
    } else if (const char* v4 = value("--eal=")) {
      a->eal = v4;
    } else if (const char* v6 = value("--targets=")) {
      a->targets = v6;
    } else if (const char* v7 = value("--output=")) {
      a->output = v7;
    } else if (s == "--inline-output") {
      a->inline_output = true;
    } else if (s == "--no-handle") {
      a->handle = false;
    } else if (s.compare(0, 12, "--benchmark_") == 0) {
      // run_benchmarks.sh passes Google Benchmark's flags to every program.
    } else {
      std::fprintf(stderr, "rx_replay_benchmark: unknown argument %s\n", s.c_str());
      return false;
    }
  }
  return a->frames > 0 && a->runs > 0;
}

// Makes SYN-ACKs for the probes of `plan`, in the scan's own order.
class AnswerSource {
 public:
  AnswerSource(const ScanPlan& plan, uint64_t distinct)
      : plan_(plan), probe_(plan.config().probe), distinct_(distinct) {
    for (uint16_t i = 0; i < kRound; ++i) {
      buffers_.emplace_back(probe_.frame_len());
      probe_.WriteTemplate(buffers_.back().data());
      frames_.push_back(buffers_.back().data());
    }
    Restart();
  }

  // Fills `out[0..n)` with n SYN-ACK frames addressed to `mac`.
  void Fill(rte_mbuf** out, uint16_t n, const MacAddress& mac) {
    uint16_t done = 0;
    while (done < n) {
      size_t want = n - done;
      if (distinct_ != 0) want = std::min<uint64_t>(want, distinct_ - made_);
      size_t got = generator_->FillBurst(frames_.data(), want, fields_);
      if (got == 0) {  // the whole plan answered (or D reached): start over
        Restart();
        continue;
      }
      for (size_t i = 0; i < got; ++i) {
        rte_mbuf* m = out[done + i];
        uint8_t* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, kSynAckLen));
        WriteSynAck(fields_[i], mac, static_cast<uint32_t>(made_ + i) * 2654435761u, p);
      }
      made_ += got;
      done = static_cast<uint16_t>(done + got);
      if (distinct_ != 0 && made_ == distinct_) Restart();
    }
  }

 private:
  void Restart() {
    generator_ = std::make_unique<ProbeGenerator>(*ProbeGenerator::Create(plan_, probe_, 0));
    made_ = 0;
  }

  const ScanPlan& plan_;
  const SynProbe probe_;
  const uint64_t distinct_;
  std::unique_ptr<ProbeGenerator> generator_;
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<uint8_t*> frames_;
  ProbeFields fields_[kRound];
  uint64_t made_ = 0;
};

int Main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) return 2;

  ScanConfig config;
  config.targets.target_args = {args.targets};  // default blocklist applies
  config.ports = {443};
  config.seed = 1;
  config.sources = SourceRange{Ipv4Address(kUs), 1};
  auto plan = ScanPlan::Create(config, SipKey{0x0123456789abcdefull, 0xfedcba9876543210ull});
  if (!plan.ok()) {
    std::fprintf(stderr, "ScanPlan::Create: %s\n", std::string(plan.status().message()).c_str());
    return 1;
  }

  std::vector<std::string> eal;
  {
    std::istringstream in(args.eal);
    for (std::string t; in >> t;) eal.push_back(t);
  }
  if (absl::Status s = StartEal(eal); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 1;
  }
  int rc = 0;
  {
    auto port = Port::Open(0, 1);
    if (!port.ok()) {
      std::fprintf(stderr, "%s\n", std::string(port.status().message()).c_str());
      StopEal();
      return 1;
    }
    const uint16_t pid = (*port)->id();
    rte_mempool* pool = (*port)->pool();
    const MacAddress our_mac = (*port)->mac();
    const uint64_t hz = rte_get_tsc_hz();
    std::printf("# rx_replay_benchmark: targets=%s driver=%s frames/run=%llu warmup=%llu distinct=%llu "
                "handler=%s runs=%d plan=%llu targets tsc_hz=%llu\n# eal: %s\n",
                args.targets.c_str(), (*port)->driver().c_str(),
                static_cast<unsigned long long>(args.frames),
                static_cast<unsigned long long>(args.warmup),
                static_cast<unsigned long long>(args.distinct), args.handle ? "on" : "off",
                args.runs,
                static_cast<unsigned long long>((*plan)->space().size()),
                static_cast<unsigned long long>(hz), args.eal.c_str());

    std::vector<double> mpps;
    for (int run = 0; run < args.runs && rc == 0; ++run) {
      // A fresh handler and dedup per run, as a scan has.
      Dedup dedup((*plan)->config().ports, (*plan)->space().size());
      ResponseHandler handler(**plan, our_mac, dedup);
      AnswerSource source(**plan, args.distinct);
      std::optional<ResultWriter> writer;
      std::optional<WriterThread> writer_thread;
      if (!args.output.empty()) {
        OutputOptions out;
        out.format = OutputFormat::kCsv;
        auto w = ResultWriter::Open(args.output, out);
        if (!w.ok()) {
          std::fprintf(stderr, "%s\n", std::string(w.status().message()).c_str());
          rc = 1;
          break;
        }
        writer.emplace(*std::move(w));
        if (!args.inline_output) writer_thread.emplace(*writer);
      }
      uint64_t received = 0;  // timed frames
      uint64_t warm = 0;      // frames received before timing
      uint64_t timed_ticks = 0;
      uint64_t timed_cpu_ns = 0;
      uint64_t results = 0;
      const uint64_t wall0 = rte_rdtsc();
      rte_mbuf* fill[kRound];
      while (received < args.frames) {
        // Untimed: allocate, write the answers, put them on the ring.
        const bool warming = warm < args.warmup;
        const uint16_t want = static_cast<uint16_t>(
            std::min<uint64_t>(kRound, warming ? args.warmup - warm : args.frames - received));
        if (rte_pktmbuf_alloc_bulk(pool, fill, want) != 0) {
          std::fprintf(stderr, "rte_pktmbuf_alloc_bulk(%u) failed\n", want);
          rc = 1;
          break;
        }
        source.Fill(fill, want, our_mac);
        const uint16_t queued = rte_eth_tx_burst(pid, 0, fill, want);
        if (queued < want) rte_pktmbuf_free_bulk(fill + queued, want - queued);

        // Timed: the receive loop of the scanner's control lcore.
        const uint64_t cpu0 = ThreadCpuNs();
        const uint64_t t0 = rte_rdtsc();
        uint64_t got_round = 0;
        while (true) {
          rte_mbuf* mbufs[kBurst];
          const uint16_t n = rte_eth_rx_burst(pid, 0, mbufs, kBurst);
          if (n == 0) break;
          if (args.handle) {
            // As the scanner's Receiver::Poll does: one HandleBurst per burst.
            const uint8_t* frames[kBurst];
            uint16_t lens[kBurst];
            ResponseHandler::Action actions[kBurst];
            ScanResult burst_results[kBurst];
            uint8_t replies[kBurst][kArpFrameLen];
            for (uint16_t i = 0; i < n; ++i) {
              frames[i] = rte_pktmbuf_mtod(mbufs[i], const uint8_t*);
              lens[i] = rte_pktmbuf_data_len(mbufs[i]);
            }
            handler.HandleBurst(frames, lens, n, WallNs(), actions, burst_results, replies);
            for (uint16_t i = 0; i < n; ++i) {
              if (actions[i] != ResponseHandler::Action::kResult) continue;
              ++results;
              if (writer_thread) {
                writer_thread->Push(burst_results[i]);
              } else if (writer) {
                writer->Write(burst_results[i]);
              }
            }
          }
          rte_pktmbuf_free_bulk(mbufs, n);
          got_round += n;
        }
        if (warming) {
          warm += got_round;
        } else {
          timed_ticks += rte_rdtsc() - t0;
          timed_cpu_ns += ThreadCpuNs() - cpu0;
          received += got_round;
        }
        if (got_round != queued) {
          std::fprintf(stderr, "ring returned %llu of %u frames\n",
                       static_cast<unsigned long long>(got_round), queued);
          rc = 1;
        }
      }
      double drain_s = 0;
      if (writer) {
        const uint64_t d0 = rte_rdtsc();
        if (writer_thread) writer_thread->Stop();
        if (absl::Status s = writer->Close(); !s.ok()) {
          std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
          rc = 1;
        }
        drain_s = static_cast<double>(rte_rdtsc() - d0) / static_cast<double>(hz);
        std::printf("run %d: output %s, %llu lines written, %.3f s to drain and close after the "
                    "timed part\n",
                    run + 1, writer_thread ? "writer thread" : "inline",
                    static_cast<unsigned long long>(writer->written()), drain_s);
      }
      const double wall_s = static_cast<double>(rte_rdtsc() - wall0) / static_cast<double>(hz);
      const double timed_s = static_cast<double>(timed_ticks) / static_cast<double>(hz);
      const ReceiveCounters& c = handler.counters();
      const double rate = static_cast<double>(received) / timed_s / 1e6;
      const double cpu_s = static_cast<double>(timed_cpu_ns) / 1e9;
      std::printf("run %d: %llu frames in %.3f s timed (%.3f s with refill): %.2f Mpps, "
                  "%.1f ns/frame; thread CPU %.3f s: %.2f Mpps per CPU-second; results=%llu synack=%llu repeats=%llu invalid=%llu "
                  "dedup=%.1f MiB\n",
                  run + 1, static_cast<unsigned long long>(received), timed_s, wall_s, rate,
                  timed_s * 1e9 / static_cast<double>(received), cpu_s,
                  static_cast<double>(received) / cpu_s / 1e6,
                  static_cast<unsigned long long>(results),
                  static_cast<unsigned long long>(c.synack),
                  static_cast<unsigned long long>(c.repeats),
                  static_cast<unsigned long long>(c.invalid()),
                  static_cast<double>(dedup.memory_bytes()) / (1 << 20));
      if (args.handle && results != received + warm) {
        std::fprintf(stderr, "only %llu of %llu frames were valid answers\n",
                     static_cast<unsigned long long>(results),
                     static_cast<unsigned long long>(received + warm));
        rc = 1;
      }
      mpps.push_back(rate);
    }
    if (rc == 0) {
      std::sort(mpps.begin(), mpps.end());
      std::printf("median %.2f Mpps (min %.2f, max %.2f) over %zu runs\n", mpps[mpps.size() / 2],
                  mpps.front(), mpps.back(), mpps.size());
    }
  }
  StopEal();
  return rc;
}

}  // namespace
}  // namespace tlsweep

int main(int argc, char** argv) { return tlsweep::Main(argc, argv); }
