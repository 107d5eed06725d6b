// The client-side cost of TLS in a grab, without network or servers to wait
// for: a full handshake against an in-process OpenSSL server over memory
// BIOs (both sides' CPU; the server's share is reported separately), and
// the extraction alone: TlsClient::Result() and its JSON (output/tls_json.h) on a finished session (chain
// parsing, fingerprints, verification fields, JSON).
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "testing/tls_peer.h"
#include "output/tls_json.h"
#include "tls/openssl_util.h"
#include "tls/tls_client.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

// The server sends the test identity's RSA-2048 leaf alone, like a mail
// server without its intermediate.
SslCtxPtr ServerContext() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_use_certificate(ctx.get(), tls_peer::DefaultIdentity().leaf.get());
  SSL_CTX_use_PrivateKey(ctx.get(), tls_peer::DefaultIdentity().leaf_key.get());
  return ctx;
}

// One client handshake against a fresh server session; returns the client.
std::unique_ptr<TlsClient> Handshake(const TlsContext& client_ctx, SSL_CTX* server_ctx) {
  auto client = *TlsClient::Create(client_ctx, "bench.example");
  SslPtr server(SSL_new(server_ctx));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(server.get(), in, out);
  SSL_set_accept_state(server.get());
  client->Advance();
  for (int round = 0; round < 16 && client->state() == TlsClient::State::kHandshaking; ++round) {
    std::string to_server;
    client->DrainNetwork(&to_server);
    BIO_write(in, to_server.data(), static_cast<int>(to_server.size()));
    SSL_do_handshake(server.get());
    char buf[16384];
    std::string to_client;
    for (int n; (n = BIO_read(out, buf, sizeof(buf))) > 0;) to_client.append(buf, static_cast<size_t>(n));
    client->FeedNetwork(to_client);
    client->Advance();
  }
  return client;
}

void BM_Tls13Handshake(benchmark::State& state) {
  const auto client_ctx = *TlsContext::Create(TlsProfile::kModern, "");
  const SslCtxPtr server_ctx = ServerContext();
  for (auto _ : state) {
    auto client = Handshake(*client_ctx, server_ctx.get());
    if (client->state() != TlsClient::State::kEstablished) state.SkipWithError("handshake failed");
    benchmark::DoNotOptimize(client);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Tls13Handshake)->Unit(benchmark::kMicrosecond);

void BM_ExtractRecord(benchmark::State& state) {
  const auto client_ctx = *TlsContext::Create(TlsProfile::kModern, "");
  const SslCtxPtr server_ctx = ServerContext();
  const auto client = Handshake(*client_ctx, server_ctx.get());
  if (client->state() != TlsClient::State::kEstablished) state.SkipWithError("handshake failed");
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string record = TlsJson(client->Result()).dump();
    bytes = record.size();
    benchmark::DoNotOptimize(record.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["record_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ExtractRecord)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
