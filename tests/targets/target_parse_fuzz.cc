// libFuzzer target: the target-list parsers (ZMap's formats), on arbitrary
// text: a target file (-I, -w and -b share ReadAddressFile), each of its
// lines as a positional token (ParseAddressToken) and as a port list
// (ParsePortList), and BuildAllowedAddresses with the input as allowlist and
// as blocklist of a fixed target. Checked: what parses is consistent (a
// token's interval is ordered, a port list has no port 0 and no duplicates,
// the allowed set is inside what was requested).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "targets/address_set.h"
#include "targets/target_parse.h"
#include "testing/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  const std::string path = testing::FuzzInputFile(data, size);
  AddressSet set;
  (void)ReadAddressFile(path, &set);

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (auto interval = ParseAddressToken(line); interval.ok()) {
      if (interval->first > interval->last) std::abort();
    }
    if (auto ports = ParsePortList(line); ports.ok()) {
      absl::flat_hash_set<uint16_t> seen;
      for (uint16_t p : *ports) {
        if (p == 0 || !seen.insert(p).second) std::abort();
      }
    }
  }

  TargetOptions allow;
  allow.allowlist_file = path;
  allow.no_blocklist = true;
  if (auto r = BuildAllowedAddresses(allow); r.ok()) {
    if (r->allowed.Count() > r->requested) std::abort();
  }
  TargetOptions block;
  block.target_args = {"10.0.0.0/8"};
  block.blocklist_file = path;
  if (auto r = BuildAllowedAddresses(block); r.ok()) {
    if (r->allowed.Count() + r->blocked != r->requested) std::abort();
  }
  return 0;
}
