// Cost of walking the cyclic permutation (targets/cyclic.h, targets/shard.h).
//
// The sender asks the iterator for one target per probe: at 14.88 Mpps per
// 10GbE port a sender thread has ~67 ns per packet in all, so a step must stay
// a few nanoseconds. Sizes: 3.7e9 is the allowed IPv4 space after the default
// blocklist (one port), 3.7e9 * 12 the same for the twelve ports of DESIGN.md.
// The full-cycle benchmark walks all of 2^32 once, as a scan of the whole
// IPv4 space on one port does, and reports the wall time in seconds.
// Group and iterator set-up are measured too: they run once per scan.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "benchmark/benchmark.h"
#include "targets/cyclic.h"
#include "targets/shard.h"

namespace tlsweep {
namespace {

// The allowed IPv4 space after the default blocklist, in round figures.
constexpr uint64_t kAllowedIpv4 = 3700000000;
// Sender bursts: the TX path hands 32 packets to the NIC at a time.
constexpr size_t kBurst = 32;
constexpr uint64_t kSeed = 0x7157eedULL;

ShardIterator MakeIterator(uint64_t num_elements) {
  auto group = MakeCyclicGroup(num_elements, kSeed);
  if (!group.ok()) std::abort();
  auto it = ShardIterator::Create(*group, num_elements, ShardSpec{});
  if (!it.ok()) std::abort();
  return *it;
}

void BM_Next(benchmark::State& state) {
  const uint64_t num_elements = static_cast<uint64_t>(state.range(0));
  ShardIterator it = MakeIterator(num_elements);
  uint64_t index = 0;
  for (auto _ : state) {
    if (!it.Next(&index))
      it = MakeIterator(num_elements);  // never, in practice
    benchmark::DoNotOptimize(index);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Next)->Arg(kAllowedIpv4)->Arg(kAllowedIpv4 * 12);

void BM_NextBurst(benchmark::State& state) {
  const uint64_t num_elements = static_cast<uint64_t>(state.range(0));
  ShardIterator it = MakeIterator(num_elements);
  uint64_t out[kBurst];
  int64_t items = 0;
  for (auto _ : state) {
    size_t got = it.NextBurst(out, kBurst);
    if (got == 0) it = MakeIterator(num_elements);
    benchmark::DoNotOptimize(out);
    items += static_cast<int64_t>(got);
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_NextBurst)->Arg(kAllowedIpv4)->Arg(kAllowedIpv4 * 12);

// One whole scan's worth of steps for 2^32 targets (4.29e9), in bursts.
void BM_FullCycleIpv4(benchmark::State& state) {
  const uint64_t num_elements = uint64_t{1} << 32;
  int64_t items = 0;
  for (auto _ : state) {
    ShardIterator it = MakeIterator(num_elements);
    uint64_t out[kBurst];
    uint64_t checksum = 0;  // keeps the indices alive
    for (size_t got; (got = it.NextBurst(out, kBurst)) != 0;) {
      for (size_t i = 0; i < got; ++i) checksum += out[i];
      items += static_cast<int64_t>(got);
    }
    // The indices are 0 .. 2^32-1, each once: their sum is known.
    if (checksum != (num_elements - 1) * num_elements / 2) {
      state.SkipWithError("full cycle did not visit every index once");
    }
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_FullCycleIpv4)->Iterations(1)->Unit(benchmark::kSecond);

void BM_MakeCyclicGroup(benchmark::State& state) {
  const uint64_t num_elements = static_cast<uint64_t>(state.range(0));
  uint64_t seed = 0;
  for (auto _ : state) {
    auto group = MakeCyclicGroup(num_elements, seed++);
    benchmark::DoNotOptimize(group);
  }
}
BENCHMARK(BM_MakeCyclicGroup)
    ->Arg(uint64_t{1} << 32)
    ->Arg(kAllowedIpv4 * 12)
    ->Arg((uint64_t{1} << 48) - 1)
    ->Unit(benchmark::kMicrosecond);

void BM_CreateShardIterator(benchmark::State& state) {
  const uint64_t num_elements = (uint64_t{1} << 48) - 1;
  auto group = MakeCyclicGroup(num_elements, kSeed);
  if (!group.ok()) std::abort();
  uint64_t steps_done = 0;
  for (auto _ : state) {
    auto it =
        ShardIterator::Create(*group, num_elements, {3, 8, 5, 6}, steps_done++);
    benchmark::DoNotOptimize(it);
  }
}
BENCHMARK(BM_CreateShardIterator)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
