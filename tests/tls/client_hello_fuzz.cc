// libFuzzer target: the ClientHello parser (ParseClientHello) on arbitrary
// client bytes, as a capture delivers the start of a client's TLS stream.
//
// Checked: a verdict other than kIncomplete does not change when more bytes
// follow (the parser reads only the first message); kOk yields lists no
// longer than the message allows and a JA3 string and MD5 of the right
// shape; nothing reads past the input (ASan).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "tls/client_hello.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  ParsedClientHello hello;
  const ClientHelloParse r = ParseClientHello(std::span<const uint8_t>(data, size), &hello);
  if (ClientHelloParseName(r).empty()) std::abort();
  if (r != ClientHelloParse::kIncomplete) {
    std::vector<uint8_t> longer(data, data + size);
    longer.insert(longer.end(), {0x16, 0x03, 0x01, 0x00, 0x01, 0x01});
    ParsedClientHello again;
    if (ParseClientHello(longer, &again) != r) std::abort();
    if (r == ClientHelloParse::kOk && again.cipher_suites != hello.cipher_suites) std::abort();
  }
  if (r == ClientHelloParse::kOk) {
    if (hello.cipher_suites.size() > kMaxClientHelloRecord / 2 ||
        hello.extensions.size() > kMaxClientHelloRecord / 4 || hello.server_name.size() > 65535) {
      std::abort();
    }
    if (Ja3String(hello).empty() || Ja3Md5(Ja3String(hello)).size() != 32) std::abort();
  }
  return 0;
}
