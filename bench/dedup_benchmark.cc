// Cost of Dedup::Insert per response, in both representations, for first
// sightings and for repeats.
//
// Bitmap mode is measured on addresses spread over the whole IPv4 space (what
// a full sweep's answers look like: each Insert touches a random cache line
// of up to 512 MiB, so this is dominated by cache and TLB misses) and on
// addresses inside one /16 (cache-resident: the instruction cost alone).
// The lazy page allocation (64 KiB zero-filled on a page's first hit, 8192
// times per port per sweep) is measured on its own, per page; the spread
// first-sighting run starts with every page present, as a sweep is after its
// first few thousand answers.
//
// Addresses come from a precomputed array made by a fixed-seed generator, so
// runs are comparable.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "common/net_types.h"
#include "validate/dedup.h"

namespace tlsweep {
namespace {

constexpr uint16_t kPort = 443;
constexpr uint16_t kPorts[] = {kPort};
// Full-sweep target count: picks bitmap mode.
constexpr uint64_t kFullScan = 3'700'000'000;
// Distinct addresses per batch: 2^20, large enough to defeat the caches in
// the spread case, small enough to build quickly.
constexpr size_t kBatch = size_t{1} << 20;

// Distinct addresses in shuffled order: `count` of them anywhere in IPv4
// (spread), or all 65536 of 10.1.0.0/16 (dense; `count` ignored).
std::vector<uint32_t> MakeAddresses(bool spread, size_t count = kBatch) {
  std::mt19937_64 rng(42);
  std::vector<uint32_t> addresses;
  if (spread) {
    // A random odd multiplier makes i -> i * m a bijection: distinct values.
    const uint32_t m = static_cast<uint32_t>(rng()) | 1;
    for (size_t i = 0; i < count; ++i) {
      addresses.push_back(static_cast<uint32_t>(i) * m);
    }
  } else {
    for (uint32_t i = 0; i < 65536; ++i) addresses.push_back(0x0a010000U | i);
  }
  std::shuffle(addresses.begin(), addresses.end(), rng);
  return addresses;
}

// Every Insert is a first sighting: the structure is rebuilt (timer paused)
// whenever the distinct addresses are used up.
void InsertFirst(benchmark::State& state, uint64_t expected_targets,
                 bool spread) {
  const std::vector<uint32_t> addresses = MakeAddresses(spread);
  auto dedup = std::make_unique<Dedup>(kPorts, expected_targets);
  size_t i = 0;
  for (auto _ : state) {
    if (i == addresses.size()) {
      state.PauseTiming();
      dedup.reset();
      dedup = std::make_unique<Dedup>(kPorts, expected_targets);
      i = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(dedup->Insert(Ipv4Address(addresses[i++]), kPort));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["memory_MiB"] =
      static_cast<double>(dedup->memory_bytes()) / (1 << 20);
  state.SetLabel(dedup->uses_bitmap() ? "bitmap" : "hash");
}

// Every Insert is a repeat: all addresses are inserted before timing.
void InsertRepeat(benchmark::State& state, uint64_t expected_targets,
                  const std::vector<uint32_t>& addresses) {
  Dedup dedup(kPorts, expected_targets);
  for (const uint32_t a : addresses) dedup.Insert(Ipv4Address(a), kPort);
  size_t i = 0;
  for (auto _ : state) {
    if (i == addresses.size()) i = 0;
    benchmark::DoNotOptimize(dedup.Insert(Ipv4Address(addresses[i++]), kPort));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["memory_MiB"] =
      static_cast<double>(dedup.memory_bytes()) / (1 << 20);
  state.SetLabel(dedup.uses_bitmap() ? "bitmap" : "hash");
}

// Bitmap mode (full sweep), answers from all over IPv4.
// First sightings in steady state: every page already exists (as after the
// first few thousand answers of a sweep). The first kBatch addresses warm the
// pages (2^20 random addresses hit all 8192, ~128 each); the next kBatch,
// all new, are timed. Fixed to one batch of iterations so nothing is rebuilt.
void BM_BitmapFirstSpread(benchmark::State& state) {
  const std::vector<uint32_t> addresses = MakeAddresses(true, 2 * kBatch);
  Dedup dedup(kPorts, kFullScan);
  for (size_t i = 0; i < kBatch; ++i) {
    dedup.Insert(Ipv4Address(addresses[i]), kPort);
  }
  size_t i = kBatch;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dedup.Insert(Ipv4Address(addresses[i++]), kPort));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pages"] = static_cast<double>(dedup.pages_allocated());
  state.SetLabel("bitmap");
}
// The lazy allocation itself: each Insert is the first hit on its page, so
// it allocates and zero-fills 64 KiB (page faults included). One item = one
// page; a sweep pays this 8192 times per port, early on.
void BM_BitmapPageFirstTouch(benchmark::State& state) {
  Dedup dedup(kPorts, kFullScan);
  uint64_t page = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dedup.Insert(
        Ipv4Address(static_cast<uint32_t>(page++ << Dedup::kPageShift)),
        kPort));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["memory_MiB"] =
      static_cast<double>(dedup.memory_bytes()) / (1 << 20);
}
void BM_BitmapRepeatSpread(benchmark::State& state) {
  InsertRepeat(state, kFullScan, MakeAddresses(true));
}
// Bitmap mode, answers from one /16 (one page: cache-resident).
void BM_BitmapFirstDense(benchmark::State& state) {
  InsertFirst(state, kFullScan, false);
}
void BM_BitmapRepeatDense(benchmark::State& state) {
  InsertRepeat(state, kFullScan, MakeAddresses(false));
}
// Hash mode, reserved for kBatch targets (16 MiB table: beyond the caches).
void BM_HashFirst(benchmark::State& state) {
  InsertFirst(state, kBatch, true);
}
void BM_HashRepeat(benchmark::State& state) {
  InsertRepeat(state, kBatch, MakeAddresses(true));
}
// Hash mode, 1000 targets (the table fits in L1/L2).
void BM_HashRepeatSmall(benchmark::State& state) {
  const std::vector<uint32_t> all = MakeAddresses(true);
  const std::vector<uint32_t> addresses(all.begin(), all.begin() + 1000);
  InsertRepeat(state, addresses.size(), addresses);
}

BENCHMARK(BM_BitmapFirstSpread)->Iterations(kBatch);
BENCHMARK(BM_BitmapPageFirstTouch)->Iterations(Dedup::kPagesPerPort);
BENCHMARK(BM_BitmapRepeatSpread);
BENCHMARK(BM_BitmapFirstDense);
BENCHMARK(BM_BitmapRepeatDense);
BENCHMARK(BM_HashFirst);
BENCHMARK(BM_HashRepeat);
BENCHMARK(BM_HashRepeatSmall);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
