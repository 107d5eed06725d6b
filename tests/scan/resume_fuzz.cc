// libFuzzer target: resume files and checkpoints (`--resume`), read against
// a fixed plan (the scan of tests/scan/probe_generator_test.cc, two sender
// threads, two passes). Whatever ReadCheckpoint accepts must be safe to
// resume from: each sender's generator is created at its position and fills
// a few probes, and its progress stays within [0, 1]; every pending port is
// an open port (resume_test.cc checks the round trip: writing back here
// would fsync for every input). A position ProbeGenerator refuses is fine;
// one it accepts and then mishandles is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "scan/probe_generator.h"
#include "scan/resume.h"
#include "scan/scan_config.h"
#include "testing/fuzz_file.h"

namespace tlsweep {
namespace {

constexpr SipKey kKey = {0x0123456789abcdefull, 0xfedcba9876543210ull};

const ScanPlan& Plan() {
  static const ScanPlan* const plan = [] {
    ScanConfig c;
    c.targets.target_args = {"10.1.0.0/27", "10.2.0.5-10.2.0.9"};
    c.targets.no_blocklist = true;
    c.ports = {25, 587, 993};
    c.seed = 99;
    c.sources = SourceRange{*Ipv4Address::Parse("10.9.0.1"), 2};
    c.sender_threads = 2;
    c.probes = 2;
    auto p = ScanPlan::Create(c, kKey);
    if (!p.ok()) std::abort();
    return p->release();
  }();
  return *plan;
}

}  // namespace
}  // namespace tlsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  const ScanPlan& plan = Plan();
  auto checkpoint = ReadCheckpoint(testing::FuzzInputFile(data, size), plan);
  if (!checkpoint.ok()) return 0;
  const std::vector<SenderPosition>* positions = &checkpoint->positions;
  if (positions->size() != plan.config().sender_threads) std::abort();
  for (const ScanResult& r : checkpoint->pending) {
    if (!r.response.success || r.repeat) std::abort();
  }
  const SynProbe probe(plan.config().probe);
  std::vector<uint8_t> frame(probe.frame_len());
  probe.WriteTemplate(frame.data());
  uint8_t* frames[1] = {frame.data()};
  for (uint32_t t = 0; t < plan.config().sender_threads; ++t) {
    auto gen = ProbeGenerator::Create(plan, probe, t, (*positions)[t]);
    if (!gen.ok()) continue;
    for (int i = 0; i < 8 && gen->FillBurst(frames, 1) == 1; ++i) {
    }
    const double progress = gen->progress();
    if (!(progress >= 0.0 && progress <= 1.0)) std::abort();
  }
  return 0;
}
