// The open-port journal's cost on the receive thread (scan/journal.h): one
// JournalWriter::Append (encode + one write(2) to a file in the page cache)
// per RX burst that holds new open ports. Items are open ports.
//   BM_JournalAppend/1   one open port per burst (sparse answers: the
//                        common case of a sweep, one write per port)
//   BM_JournalAppend/32  a full burst of open ports in one write
// The file is in $TMPDIR (default /tmp); it grows by 48 bytes per item and
// is truncated every 64 MiB so that the benchmark measures
// appends, not a growing file system footprint.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "scan/journal.h"

namespace tlsweep {
namespace {

void BM_JournalAppend(benchmark::State& state) {
  const auto per_burst = static_cast<size_t>(state.range(0));
  const char* tmp = std::getenv("TMPDIR");
  const std::string path = std::string(tmp != nullptr ? tmp : "/tmp") + "/journal_benchmark." +
                           std::to_string(getpid());
  absl::StatusOr<JournalWriter> journal = JournalWriter::Open(path, false);
  if (!journal.ok()) {
    state.SkipWithError(std::string(journal.status().message()).c_str());
    return;
  }
  ScanResult r;
  r.response.saddr = Ipv4Address(0x0a090001);
  r.response.sport = 40001;
  r.response.port = 25;
  r.response.success = true;
  r.response.ttl = 61;
  r.response.window = 64240;
  std::vector<uint8_t> burst(per_burst * kJournalEntryBytes);
  uint32_t target = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < per_burst; ++i) {
      r.response.target = Ipv4Address(++target);
      EncodeJournalEntry(r, burst.data() + i * kJournalEntryBytes);
    }
    if (!journal->Append(burst.data(), per_burst)) {
      state.SkipWithError(journal->error().c_str());
      break;
    }
    if (journal->bytes() >= (uint64_t{64} << 20)) {
      state.PauseTiming();
      journal.emplace(*JournalWriter::Open(path, false));
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * per_burst));
  ::unlink(path.c_str());
}
BENCHMARK(BM_JournalAppend)->Arg(1)->Arg(32);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
