// libFuzzer target: the handshake codec's server-flight parser on arbitrary
// server bytes, as a raw probe or a captured handshake delivers them.
//
// Input layout (FuzzedDataProvider), as tls_client_fuzz's so that the two
// share seeds: the last byte chooses whether the peer closes at the end
// (0x80); the rest is the server's byte stream, cut into fragments where a
// backslash precedes another character (two backslashes are one literal).
//
// Checked: fragmentation never changes the outcome (the same bytes fed in
// one piece and a byte at a time give the same verdict, messages and
// bytes_consumed(); corpus/server_flight/consumed_depends_on_fragments once
// showed a verdict inside a record counting that record's bytes fed so
// far); a final verdict ignores further bytes and stops bytes_consumed();
// the parser consumes no more than it was fed, and all of it while
// incomplete; certificate views are not empty; Finish() leaves no flight
// incomplete; the raw probe's summary of the flight (raw_flight.h: registry
// lookups, the DH prime's hash, every certificate through OpenSSL) accounts
// for every certificate and names the version of every ServerHello.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/ssl.h>

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
  static ServerFlightParser* const bytewise = new ServerFlightParser();
  fragmented->Reset();
  whole->Reset();
  bytewise->Reset();
  FuzzedDataProvider in(data, size);
  const bool peer_closes = (in.ConsumeIntegral<uint8_t>() & 0x80) != 0;

  std::string stream;
  while (in.remaining_bytes() > 0) {
    const std::string fragment = in.ConsumeRandomLengthString();
    const FlightVerdict before = fragmented->verdict();
    const size_t consumed_before = fragmented->bytes_consumed();
    const FlightVerdict v = fragmented->Feed(Bytes(fragment));
    if (before != FlightVerdict::kIncomplete &&
        (v != before || fragmented->bytes_consumed() != consumed_before)) {
      std::abort();
    }
    stream += fragment;
    if (fragmented->bytes_consumed() > stream.size()) std::abort();
    if (v == FlightVerdict::kIncomplete && fragmented->bytes_consumed() != stream.size()) {
      std::abort();
    }
  }
  whole->Feed(Bytes(stream));
  for (char c : stream) {
    const uint8_t b = static_cast<uint8_t>(c);
    bytewise->Feed(std::span<const uint8_t>(&b, 1));
  }
  if (peer_closes) {
    fragmented->Finish();
    whole->Finish();
    bytewise->Finish();
    if (fragmented->verdict() == FlightVerdict::kIncomplete) std::abort();
  }
  for (const ServerFlightParser* other : {fragmented, bytewise}) {
    const ServerFlight& a = whole->flight();
    const ServerFlight& b = other->flight();
    if (whole->verdict() != other->verdict() ||
        whole->bytes_consumed() != other->bytes_consumed() ||
        a.has_server_hello != b.has_server_hello ||
        a.certificate_count != b.certificate_count ||
        a.server_key_exchange.kind != b.server_key_exchange.kind ||
        a.server_hello_done != b.server_hello_done || a.has_alert != b.has_alert) {
      std::abort();
    }
  }
  CheckFlight(*fragmented);
  CheckFlight(*whole);
  CheckFlight(*bytewise);
  const ServerFlight& flight = whole->flight();
  // A context with an empty root store: the peer's chain goes through the
  // verification a raw probe's does (cert_info.h ValidateChain).
  static SSL_CTX* const trust = SSL_CTX_new(TLS_client_method());
  const RawFlightSummary summary = SummarizeServerFlight(flight, trust, "mail.example.com");
  if (summary.chain.size() + summary.undecodable_certificates != flight.certificate_count) {
    std::abort();
  }
  // Verified only with a decoded leaf, and never trusted: there are no roots.
  if (summary.validation && (summary.chain.empty() || summary.validation->browser_trusted)) {
    std::abort();
  }
  if (flight.has_server_hello && (!summary.negotiated || summary.negotiated->version_name.empty())) {
    std::abort();
  }
  return 0;
}
