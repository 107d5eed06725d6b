// TargetSpace::At, the per-probe index -> (address, port) mapping, on the space
// of a real sweep: 0.0.0.0/0 minus the default blocklist, with 1 port and with
// the 12 ports of DESIGN.md. Indices are pseudo-random (as the cyclic
// permutation makes them), drawn from a precomputed table so that the
// generator's cost is not measured. The calls are independent of each other,
// as in the send loop, so the main figure is throughput per call; the
// latency:1 cases chain each call on the previous result instead.
//
// BM_ReferenceAt is the obvious version (hardware 64-bit division, binary
// search over the intervals) for comparison; BM_At/holes is a blocklist of
// 20,000 holes crowded into three /8s, the slow path's case.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "targets/target_parse.h"
#include "targets/target_space.h"
#include "testing/reference_space.h"

namespace tlsweep {
namespace {

constexpr size_t kIndexTableSize = 4096;  // fits in L1 with the tables

const char* const kTwelvePorts =
    "25,587,465,143,993,110,995,5222,5269,5223,6667,6697";

AddressSet FullSpaceMinusBlocklist() {
  TargetOptions options;
  options.target_args = {"0.0.0.0/0"};
  auto allowed = BuildAllowedAddresses(options);
  if (!allowed.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(allowed.status().message()).c_str());
    std::exit(1);
  }
  return allowed->allowed;
}

AddressSet FullSpaceMinusCrowdedHoles() {
  AddressSet allowed = FullSpaceMinusBlocklist();
  std::mt19937 rng(99);
  std::vector<AddressInterval> holes;
  for (int i = 0; i < 20'000; ++i) {
    const uint32_t first = ((static_cast<uint32_t>(rng() % 3) + 50) << 24) +
                           (static_cast<uint32_t>(rng()) & 0xffffff);
    holes.push_back({first, first + static_cast<uint32_t>(rng() % 300)});
  }
  allowed.Subtract(AddressSet::FromIntervals(holes));
  return allowed;
}

std::vector<uint64_t> RandomIndices(uint64_t size) {
  std::mt19937_64 rng(2016);
  std::vector<uint64_t> indices(kIndexTableSize);
  for (uint64_t& i : indices) i = rng() % size;
  return indices;
}

using ::tlsweep::testing::ReferenceSpace;

enum Layout { kBlocklist = 0, kCrowdedHoles = 1 };

AddressSet MakeLayout(int64_t layout) {
  return layout == kCrowdedHoles ? FullSpaceMinusCrowdedHoles()
                                 : FullSpaceMinusBlocklist();
}

std::vector<uint16_t> MakePorts(int64_t num_ports) {
  return *ParsePortList(num_ports == 1 ? "443" : kTwelvePorts);
}

// kThroughput: independent calls, as in the send loop. kLatency: each index
// depends on the previous result, so calls cannot overlap (the cost of one
// call on its own, plus a load and an add).
enum Mode { kThroughput = 0, kLatency = 1 };

template <typename Space>
void RunAt(benchmark::State& state, const Space& space, int64_t mode) {
  const std::vector<uint64_t> indices = RandomIndices(space.size());
  uint64_t i = 0;
  if (mode == kLatency) {
    for (auto _ : state) {
      const Target t = space.At(indices[i & (kIndexTableSize - 1)]);
      i += 1 + (t.address.value() & 1);
    }
    benchmark::DoNotOptimize(i);
  } else {
    for (auto _ : state) {
      Target t = space.At(indices[i++ & (kIndexTableSize - 1)]);
      benchmark::DoNotOptimize(t);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Args: {layout, number of ports, mode}.
void BM_At(benchmark::State& state) {
  const AddressSet allowed = MakeLayout(state.range(0));
  auto space = TargetSpace::Create(allowed, MakePorts(state.range(1)));
  if (!space.ok()) {
    state.SkipWithError("TargetSpace::Create failed");
    return;
  }
  state.counters["intervals"] = static_cast<double>(allowed.intervals().size());
  state.counters["buckets"] = static_cast<double>(space->num_buckets());
  state.counters["split"] = static_cast<double>(space->num_split_buckets());
  state.counters["crowded"] = static_cast<double>(space->num_crowded_buckets());
  RunAt(state, *space, state.range(2));
}

void BM_ReferenceAt(benchmark::State& state) {
  const AddressSet allowed = MakeLayout(state.range(0));
  const ReferenceSpace space(allowed, MakePorts(state.range(1)));
  state.counters["intervals"] = static_cast<double>(allowed.intervals().size());
  RunAt(state, space, state.range(2));
}

void Cases(benchmark::internal::Benchmark* b) {
  b->ArgNames({"holes", "ports", "latency"});
  for (int64_t mode : {kThroughput, kLatency}) {
    b->Args({kBlocklist, 1, mode});
    b->Args({kBlocklist, 12, mode});
    b->Args({kCrowdedHoles, 12, mode});
  }
}
BENCHMARK(BM_At)->Apply(Cases);
BENCHMARK(BM_ReferenceAt)->Apply(Cases);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
