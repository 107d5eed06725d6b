// libFuzzer target: the handshake codec's server-flight parser on arbitrary
// server bytes, as a raw probe or a captured handshake delivers them.
//
// Input layout (FuzzedDataProvider), as tls_client_fuzz's so that the two
// share seeds: the last byte chooses whether the peer closes at the end
// (0x80); the rest is the server's byte stream, cut into fragments where a
// backslash precedes another character (two backslashes are one literal).
//
// Checked: fragmentation never changes the outcome (the same bytes fed in
// one piece give the same verdict and messages); a final verdict ignores
// further bytes; the parser consumes no more than it was fed; certificate
// views are not empty; Finish() leaves no flight incomplete; the raw probe's
// summary of the flight (raw_flight.h: registry lookups, the DH prime's
// hash, every certificate through OpenSSL) accounts for every certificate
// and names the version of every ServerHello.
// bytes_consumed() is not compared: a verdict reached inside a record counts
// the record's bytes fed so far, so it depends on the fragmentation
// (corpus/server_flight/consumed_depends_on_fragments).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "tls/raw_flight.h"
#include "tls/server_flight.h"

namespace tlsweep {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void CheckFlight(const ServerFlightParser& p) {
  const ServerFlight& f = p.flight();
  if (f.certificate_count > kMaxFlightCertificates) std::abort();
  for (std::span<const uint8_t> cert : f.certificates()) {
    if (cert.empty() || cert.size() > FlightLimits().max_flight_bytes) std::abort();
  }
  if (FlightVerdictName(p.verdict()).empty()) std::abort();
}

}  // namespace
}  // namespace tlsweep

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  // Made once, as a grabber makes one per connection slot; Reset per input.
  static ServerFlightParser* const fragmented = new ServerFlightParser();
  static ServerFlightParser* const whole = new ServerFlightParser();
  fragmented->Reset();
  whole->Reset();
  FuzzedDataProvider in(data, size);
  const bool peer_closes = (in.ConsumeIntegral<uint8_t>() & 0x80) != 0;

  std::string stream;
  while (in.remaining_bytes() > 0) {
    const std::string fragment = in.ConsumeRandomLengthString();
    const FlightVerdict before = fragmented->verdict();
    const FlightVerdict v = fragmented->Feed(Bytes(fragment));
    if (before != FlightVerdict::kIncomplete && v != before) std::abort();
    stream += fragment;
    if (fragmented->bytes_consumed() > stream.size()) std::abort();
  }
  whole->Feed(Bytes(stream));
  if (peer_closes) {
    fragmented->Finish();
    whole->Finish();
    if (fragmented->verdict() == FlightVerdict::kIncomplete) std::abort();
  }
  const ServerFlight& a = whole->flight();
  const ServerFlight& b = fragmented->flight();
  if (whole->verdict() != fragmented->verdict() ||
      a.has_server_hello != b.has_server_hello ||
      a.certificate_count != b.certificate_count ||
      a.server_key_exchange.kind != b.server_key_exchange.kind ||
      a.server_hello_done != b.server_hello_done || a.has_alert != b.has_alert) {
    std::abort();
  }
  CheckFlight(*fragmented);
  CheckFlight(*whole);
  const RawFlightSummary summary = SummarizeServerFlight(a);
  if (summary.chain.size() + summary.undecodable_certificates != a.certificate_count) std::abort();
  if (a.has_server_hello && (!summary.negotiated || summary.negotiated->version_name.empty())) {
    std::abort();
  }
  return 0;
}
