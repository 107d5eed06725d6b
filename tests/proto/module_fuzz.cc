// libFuzzer target: a protocol module fed arbitrary server bytes through its
// sans-I/O interface, as a session would drive it.
//
// One source, one program per protocol family (tests/proto/meson.build
// defines TLSWEEP_FUZZ_MODULES, e.g. "smtp,submission,smtps"), so that each
// family has its own corpus and dictionary. Input layout (FuzzedDataProvider):
// the last byte picks the module (STARTTLS or implicit variant), the one
// before it how the session ends (peer close, timeout, TLS failure when TLS
// is asked for, or nothing); the rest are the server's bytes, cut into
// fragments where a backslash precedes another character (a single literal
// backslash is written as two), so seeds read like transcripts. Whenever the
// module asks for TLS the handshake "succeeds" and OnTlsEstablished follows,
// so the after-TLS dialogue is fuzzed too.
//
// Checked: the module never throws (its record is valid UTF-8 for dump()),
// stops reading once past max_session_bytes, and is done after a terminal
// event.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "output/record_json.h"
#include "proto/module.h"
#include "proto/registry.h"

namespace tlsweep {
namespace {

// Small bounds, so that the fuzzer's inputs (4 KiB by default) run into them.
ModuleOptions FuzzOptions() {
  ModuleOptions o;
  o.target_address = "192.0.2.1";
  o.max_line_length = 512;
  o.max_session_bytes = 2048;
  return o;
}

enum class Ending : uint8_t { kPeerClosed, kTimeout, kTlsFailed, kNone, kCount };

}  // namespace
}  // namespace tlsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  static const std::vector<std::string> names =
      absl::StrSplit(TLSWEEP_FUZZ_MODULES, ',');
  static const ModuleOptions options = FuzzOptions();
  FuzzedDataProvider in(data, size);
  const std::string& name =
      names[in.ConsumeIntegralInRange<size_t>(0, names.size() - 1)];
  const auto ending = static_cast<Ending>(in.ConsumeIntegralInRange<uint8_t>(
      0, static_cast<uint8_t>(Ending::kCount) - 1));
  std::unique_ptr<ProtocolModule> module = MakeModule(name, options);
  if (!module) std::abort();

  size_t fed = 0;
  size_t sent = 0;
  ModuleActions a;
  module->OnConnected(&a);
  while (!module->done()) {
    sent += a.send.size();
    if (a.start_tls) {
      if (ending == Ending::kTlsFailed) {
        module->OnTlsFailed();
        break;
      }
      a = ModuleActions();
      module->OnTlsEstablished(&a);
      continue;
    }
    if (a.finished || in.remaining_bytes() == 0) break;
    const std::string fragment = in.ConsumeRandomLengthString();
    fed += fragment.size();
    a = ModuleActions();
    module->OnData(fragment, &a);
    // The session byte bound holds whatever the fragmentation.
    if (fed > options.max_session_bytes && !module->done()) std::abort();
  }
  sent += a.send.size();
  if (!module->done()) {
    if (ending == Ending::kPeerClosed) module->OnPeerClosed();
    if (ending == Ending::kTimeout) module->OnTimeout();
    if ((ending == Ending::kPeerClosed || ending == Ending::kTimeout) &&
        !module->done()) {
      std::abort();
    }
  }
  // A module sends a few fixed commands per phase, never an echo of input.
  if (sent > 4096) std::abort();
  (void)GrabStatusName(module->status());
  (void)module->phase();
  // dump() throws (and the fuzzer reports a crash) on invalid UTF-8.
  (void)ModuleResultJson(module->Result()).dump();
  return 0;
}
