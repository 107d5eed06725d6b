// The raw probe's CPU on the client side: building a ClientHello from a
// profile, and parsing a server's first flight (a TLS 1.2 ECDHE-RSA flight
// with a two-certificate chain from an in-process OpenSSL 3 server), whole,
// a byte per read, and as a TLS 1.3 ServerHello. Compare with
// tls_benchmark's full OpenSSL handshake for the cost of a raw probe
// against an OpenSSL one.
#include <cstdint>
#include <optional>
#include <vector>

#include "benchmark/benchmark.h"
#include "tls/client_hello.h"
#include "tls/server_flight.h"
#include "testing/tls_peer.h"
#include "tls/tls_profiles.h"

namespace tlsweep {
namespace {

const ClientHelloProfile& Profile(const char* name) {
  static const auto* profiles = new std::vector<ClientHelloProfile>(
      LoadTlsProfiles(DefaultTlsProfilesPath()).value());
  return *FindTlsProfile(*profiles, name);
}

std::vector<uint8_t> Hello(const ClientHelloProfile& profile) {
  const std::vector<uint8_t> random(32, 1);
  const std::vector<uint8_t> share(32, 2);
  std::vector<uint8_t> out(kMaxClientHelloRecord);
  out.resize(BuildClientHello(profile, {"mail.example", random, {}, share}, out)
                 .value_or(0));
  return out;
}

void BM_BuildClientHello(benchmark::State& state, const char* name) {
  const ClientHelloProfile& profile = Profile(name);
  const std::vector<uint8_t> random(32, 1);
  const std::vector<uint8_t> share(32, 2);
  std::vector<uint8_t> out(kMaxClientHelloRecord);
  for (auto _ : state) {
    std::optional<size_t> n =
        BuildClientHello(profile, {"mail.example", random, {}, share}, out);
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_BuildClientHello, thunderbird31, "thunderbird31");
BENCHMARK_CAPTURE(BM_BuildClientHello, tls1_3, "tls1.3");

const std::vector<uint8_t>& Tls12Flight() {
  static const auto* flight = [] {
    tls_peer::ServerOptions config;
    config.max_version = TLS1_2_VERSION;
    tls_peer::TestServer server(std::move(config));
    return new std::vector<uint8_t>(
        server.Respond(Hello(Profile("thunderbird31"))));
  }();
  return *flight;
}

void BM_ParseTls12Flight(benchmark::State& state) {
  const std::vector<uint8_t>& flight = Tls12Flight();
  ServerFlightParser parser;
  for (auto _ : state) {
    parser.Reset();
    benchmark::DoNotOptimize(parser.Feed(flight));
  }
  if (parser.verdict() != FlightVerdict::kServerHelloDone) {
    state.SkipWithError("the flight did not parse");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(flight.size()));
}
BENCHMARK(BM_ParseTls12Flight);

void BM_ParseTls12FlightByteByByte(benchmark::State& state) {
  const std::vector<uint8_t>& flight = Tls12Flight();
  ServerFlightParser parser;
  for (auto _ : state) {
    parser.Reset();
    for (const uint8_t& b : flight) {
      parser.Feed(std::span<const uint8_t>(&b, 1));
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseTls12FlightByteByByte);

void BM_ParseTls13ServerHello(benchmark::State& state) {
  tls_peer::TestServer server({});
  const std::vector<uint8_t> flight = server.Respond(Hello(Profile("tls1.3")));
  ServerFlightParser parser;
  for (auto _ : state) {
    parser.Reset();
    benchmark::DoNotOptimize(parser.Feed(flight));
  }
  if (parser.verdict() != FlightVerdict::kTls13ServerHello) {
    state.SkipWithError("no TLS 1.3 ServerHello");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseTls13ServerHello);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
