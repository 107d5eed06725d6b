// Cost of the per-probe cookie: SipHash24Tuple (the fixed 10-byte path), the
// generic SipHash24 over the same 10 bytes, Cookies::Make (hash + field
// split), and, for the claim in siphash.h, OpenSSL's EVP_MAC "SIPHASH" on the
// same message.
//
// Two EVP variants: the cheapest steady-state use (one context, re-keyed per
// message, as EVP requires after final) and the naive one (a context per
// message). Neither is what we would ship; they bound what EVP could cost.
//
// Inputs vary per iteration (a counter as daddr) so nothing is constant
// folded, and each result goes through DoNotOptimize.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>

#include "common/byte_order.h"
#include "common/net_types.h"
#include "validate/cookie.h"
#include "validate/siphash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace tlsweep {
namespace {

// An arbitrary fixed key (the reference vectors' 00 01 .. 0f).
constexpr SipKey kKey{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
constexpr uint32_t kSource = 0xc0000201;  // 192.0.2.1

void BM_SipHash24Tuple(benchmark::State& state) {
  uint32_t daddr = 0x0a000000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(SipHash24Tuple(kKey, kSource, daddr++, 443));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SipHash24Tuple);

void BM_SipHash24Generic10Bytes(benchmark::State& state) {
  uint8_t message[10];
  StoreBe32(message, kSource);
  StoreBe16(message + 8, 443);
  uint32_t daddr = 0x0a000000;
  for (auto _ : state) {
    StoreBe32(message + 4, daddr++);
    benchmark::DoNotOptimize(SipHash24(kKey, message, sizeof(message)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SipHash24Generic10Bytes);

void BM_CookiesMake(benchmark::State& state) {
  const Cookies cookies(kKey, 32768, 28232);
  const Ipv4Address saddr(kSource);
  uint32_t daddr = 0x0a000000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cookies.Make(saddr, Ipv4Address(daddr++), 443));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CookiesMake);

constexpr uint8_t kKeyBytes[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

struct MacFree {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// SipHash through EVP_MAC, the way a caller of OpenSSL's generic MAC API
// would: with `reuse_context`, the cheapest steady-state use (one context for
// the whole run, EVP_MAC_init with the key each time, since a context cannot
// be reused after final without it; no allocation per call); without it, the
// naive use (a fresh context per message, which allocates).
void EvpMacSipHash(benchmark::State& state, bool reuse_context) {
  const std::unique_ptr<EVP_MAC, MacFree> mac(
      EVP_MAC_fetch(nullptr, "SIPHASH", nullptr));
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> kept(
      mac && reuse_context ? EVP_MAC_CTX_new(mac.get()) : nullptr);
  if (mac == nullptr || (reuse_context && kept == nullptr)) {
    state.SkipWithError("EVP_MAC SIPHASH unavailable");
    return;
  }
  size_t size = 8;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
      OSSL_PARAM_construct_end(),
  };
  uint8_t message[10];
  StoreBe32(message, kSource);
  StoreBe16(message + 8, 443);
  uint32_t daddr = 0x0a000000;
  for (auto _ : state) {
    StoreBe32(message + 4, daddr++);
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> fresh(
        reuse_context ? nullptr : EVP_MAC_CTX_new(mac.get()));
    EVP_MAC_CTX* ctx = reuse_context ? kept.get() : fresh.get();
    uint8_t tag[8];
    size_t tag_len = 0;
    if (ctx == nullptr ||
        EVP_MAC_init(ctx, kKeyBytes, sizeof(kKeyBytes), params) != 1 ||
        EVP_MAC_update(ctx, message, sizeof(message)) != 1 ||
        EVP_MAC_final(ctx, tag, &tag_len, sizeof(tag)) != 1) {
      state.SkipWithError("EVP_MAC failed");
      break;
    }
    benchmark::DoNotOptimize(tag);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_EvpMacSipHashReusedContext(benchmark::State& state) {
  EvpMacSipHash(state, /*reuse_context=*/true);
}
BENCHMARK(BM_EvpMacSipHashReusedContext);
void BM_EvpMacSipHashFreshContext(benchmark::State& state) {
  EvpMacSipHash(state, /*reuse_context=*/false);
}
BENCHMARK(BM_EvpMacSipHashFreshContext);

}  // namespace
}  // namespace tlsweep

BENCHMARK_MAIN();
