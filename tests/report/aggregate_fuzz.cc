// libFuzzer target: `tlsweep report` on an arbitrary result file: the JSON
// Lines reader (simdjson On-Demand) folds it into per-port counters, the
// tables and charts are built and rendered as Markdown and HTML; the same
// bytes are also read as a run's metadata file (ReadTargetCounts). Bad
// lines must be counted, never fatal: every non-empty line ends up as a
// record, a duplicate, a connection (a passive record) or a skip.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "report/aggregate.h"
#include "report/metadata.h"
#include "report/render.h"
#include "report/tables.h"
#include "testing/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep::report;
  const std::string path = tlsweep::testing::FuzzInputFile(data, size);
  Aggregator aggregator(nullptr);
  if (!aggregator.AddFile(path).ok()) std::abort();
  const FileStats& file = aggregator.files().at(0);
  if (file.records + file.duplicates + file.connections + file.skipped_total() != file.lines) {
    std::abort();
  }
  auto targets = ReadTargetCounts({path});
  const Report report =
      BuildReport(aggregator, targets.ok() ? *targets : TargetCounts(), ReportOptions());
  (void)RenderMarkdown(report);
  (void)RenderHtml(report);
  return 0;
}
