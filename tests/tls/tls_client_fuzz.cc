// libFuzzer target: TlsClient over its memory BIOs, fed arbitrary server
// records after its ClientHello.
//
// Input layout (FuzzedDataProvider): the last byte picks the profile and the
// server name (a DNS name, an IP literal, none) and whether the peer closes
// at the end; the rest is the server's byte stream, cut into fragments where
// a backslash precedes another character (two backslashes are one literal),
// each fed and followed by Advance() as the session does. The client's
// random differs per run, so a handshake cannot complete; what is fuzzed is
// OpenSSL's record and message parsing as tlsweep drives it, and the record
// tlsweep builds from whatever was received (chain, alerts, errors), which
// must serialize.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "output/tls_json.h"
#include "tls/openssl_util.h"
#include "tls/tls_client.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

const TlsContext& Context(TlsProfile profile) {
  static const TlsContext* const contexts[2] = {
      TlsContext::Create(TlsProfile::kModern, "")->release(),
      TlsContext::Create(TlsProfile::kLegacy, "")->release()};
  return *contexts[profile == TlsProfile::kModern ? 0 : 1];
}

}  // namespace
}  // namespace tlsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  static constexpr std::string_view kNames[] = {"mail.example.com", "192.0.2.1", ""};
  FuzzedDataProvider in(data, size);
  const uint8_t choice = in.ConsumeIntegral<uint8_t>();
  const TlsProfile profile = (choice & 1) ? TlsProfile::kLegacy : TlsProfile::kModern;
  const std::string_view name = kNames[(choice >> 1) % 3];
  const bool peer_closes = (choice & 0x80) != 0;

  auto created = TlsClient::Create(Context(profile), name);
  if (!created.ok()) std::abort();
  TlsClient& client = **created;
  std::string out;
  client.Advance();
  client.DrainNetwork(&out);
  while (in.remaining_bytes() > 0 && client.state() == TlsClient::State::kHandshaking) {
    client.FeedNetwork(in.ConsumeRandomLengthString());
    client.Advance();
    out.clear();
    client.DrainNetwork(&out);
  }
  if (peer_closes) {
    client.FeedEof();
    client.Advance();
  }
  std::string plaintext;
  client.ReadPlaintext(&plaintext);
  client.Shutdown();
  out.clear();
  client.DrainNetwork(&out);
  if (client.state() == TlsClient::State::kFailed && client.error().empty()) std::abort();
  (void)TlsJson(client.Result()).dump();
  DrainOpenSslErrors();
  return 0;
}
