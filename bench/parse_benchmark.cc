// The receive path without a NIC: parse + validate (+ dedup) of SYN-ACK
// frames as the receive lcore runs it. The goal is 14.88 Mpps (67 ns per
// frame) on one core, the 10GbE line rate of minimum-size frames.
#include <vector>

#include "benchmark/benchmark.h"
#include "common/byte_order.h"
#include "packet/checksum.h"
#include "packet/parse.h"
#include "testing/synack.h"
#include "validate/cookie.h"
#include "validate/dedup.h"
#include "validate/validator.h"

namespace tlsweep {
namespace {

constexpr uint32_t kUs = 0xc0000201;  // 192.0.2.1
constexpr size_t kFrames = 4096;

// SYN-ACKs from distinct targets to valid probes, with MSS, SACK, TS, WS
// options as Linux sends them (74 bytes).
std::vector<std::vector<uint8_t>> MakeSynAcks(const Cookies& cookies) {
  std::vector<std::vector<uint8_t>> frames;
  for (uint32_t i = 0; i < kFrames; ++i) {
    const Ipv4Address target(0x08000000u + i * 7919u);
    const Cookies::Value c = cookies.Make(Ipv4Address(kUs), target, 443);
    std::vector<uint8_t> f(testing::kSynAckLen);
    testing::WriteSynAck(ProbeFields{Ipv4Address(kUs), target, c.sport, 443, c.seq, 0},
                         MacAddress(), i, f.data());
    frames.push_back(std::move(f));
  }
  return frames;
}

void BM_ParseValidate(benchmark::State& state) {
  const Cookies cookies(SipKey{3, 4}, 32768, 28233);
  const Validator validator(cookies, SourceRange{Ipv4Address(kUs), 1});
  const auto frames = MakeSynAcks(cookies);
  const bool verify = state.range(0) != 0;
  size_t i = 0;
  int64_t valid = 0;
  for (auto _ : state) {
    const auto& f = frames[i++ % kFrames];
    ParsedFrame parsed;
    ScanResponse response;
    const ParseResult r = ParseFrame(f.data(), f.size(), &parsed, verify);
    valid += validator.Validate(r, parsed, &response) == ValidateResult::kValid;
    benchmark::DoNotOptimize(response);
  }
  if (valid != static_cast<int64_t>(state.iterations())) state.SkipWithError("invalid frames");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseValidate)->Arg(1)->Arg(0)->ArgName("verify_checksums");

void BM_ParseValidateDedup(benchmark::State& state) {
  const Cookies cookies(SipKey{3, 4}, 32768, 28233);
  const Validator validator(cookies, SourceRange{Ipv4Address(kUs), 1});
  const auto frames = MakeSynAcks(cookies);
  const uint16_t ports[] = {443};
  Dedup dedup(ports, 3'700'000'000ull);  // a full sweep: bitmap mode
  size_t i = 0;
  for (auto _ : state) {
    const auto& f = frames[i++ % kFrames];
    ParsedFrame parsed;
    ScanResponse response;
    const ParseResult r = ParseFrame(f.data(), f.size(), &parsed);
    if (validator.Validate(r, parsed, &response) == ValidateResult::kValid) {
      benchmark::DoNotOptimize(dedup.Insert(response.target, response.port));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseValidateDedup);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
