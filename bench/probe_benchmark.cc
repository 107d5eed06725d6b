// The send path without a NIC: finishing one probe from its template, and a
// whole generator burst (walk + target lookup + source choice + cookie +
// finish + checksums) as a sender lcore runs it. The budget is 40 ns per
// packet (25 Mpps) on one core.
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "packet/probe.h"
#include "scan/probe_generator.h"
#include "scan/scan_config.h"

namespace tlsweep {
namespace {

void BM_ProbeFinish(benchmark::State& state) {
  ProbeConfig config;
  config.options = static_cast<TcpOptionProfile>(state.range(0));
  const SynProbe probe(config);
  std::vector<uint8_t> frame(probe.frame_len());
  probe.WriteTemplate(frame.data());
  uint32_t i = 0;
  for (auto _ : state) {
    probe.Finish(frame.data(), ProbeFields{Ipv4Address(0x0a000001), Ipv4Address(i),
                                           static_cast<uint16_t>(i), 25, i * 2654435761u,
                                           static_cast<uint16_t>(i >> 3)});
    benchmark::DoNotOptimize(frame.data());
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ProbeFinish)->Arg(0)->Arg(2)->ArgName("profile");

// A full-IPv4 plan: 0.0.0.0/0 minus the default blocklist, `range(0)` ports.
std::unique_ptr<ScanPlan> Ipv4Plan(int ports) {
  ScanConfig c;
  c.targets.target_args = {"0.0.0.0/0"};
  c.ports = {25};
  if (ports == 12) c.ports = {25, 110, 143, 465, 587, 993, 995, 5222, 5223, 5269, 6667, 6697};
  c.seed = 1;
  c.sources = SourceRange{Ipv4Address(0xc0000201), 4};
  return *ScanPlan::Create(c, SipKey{1, 2});
}

void BM_GeneratorBurst(benchmark::State& state) {
  const auto plan = Ipv4Plan(static_cast<int>(state.range(0)));
  const SynProbe probe(plan->config().probe);
  auto gen = *ProbeGenerator::Create(*plan, probe, 0);
  constexpr size_t kBurst = 32;
  std::vector<std::vector<uint8_t>> buffers(kBurst, std::vector<uint8_t>(probe.frame_len()));
  uint8_t* frames[kBurst];
  for (size_t i = 0; i < kBurst; ++i) {
    probe.WriteTemplate(buffers[i].data());
    frames[i] = buffers[i].data();
  }
  int64_t packets = 0;
  for (auto _ : state) {
    packets += static_cast<int64_t>(gen.FillBurst(frames, kBurst));
    benchmark::DoNotOptimize(frames[0]);
  }
  state.SetItemsProcessed(packets);
  state.counters["ns_per_packet"] = benchmark::Counter(
      static_cast<double>(packets), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GeneratorBurst)->Arg(1)->Arg(12)->ArgName("ports");

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
