// What one raw ClientHello probe costs the client, beside what one OpenSSL
// handshake costs it (issue 14: CPU and memory per probe).
//
// - BM_RawProbe: a whole probe as the grab driver runs it on an implicit-TLS
//   port (smtps: no dialogue before the ClientHello), without the network:
//   RawProbeSession builds the thunderbird31 ClientHello, reads a recorded
//   TLS 1.2 ECDHE-RSA flight (an in-process OpenSSL 3 server's answer to
//   that ClientHello: ServerHello, a two-certificate chain, ServerKeyExchange,
//   ServerHelloDone), and its result goes through the certificate extraction
//   and the chain's verification (against the system's root store, as a
//   grab without --ca-file) and into the record's JSON
//   (output/record_json.h RawProbeJson).
// - BM_RawProbeNoRecord: the same without Result() and the JSON: the codec
//   and the session alone.
// - BM_EnumerationProbe: one offer of --enumerate (grab/enumeration.h),
//   its probe and the enumerator's step, per enumeration probe.
// - BM_OpenSslHandshakeClient/1.2 and /1.3: a full handshake of the modern
//   profile's TlsClient against an in-process server over memory BIOs,
//   timing only the client's calls (manual time: the thread's CPU time in
//   them), then its Result() and JSON as the grab writes them: the OpenSSL
//   side of the comparison.
//
// CPU: the machine these run on is shared, so beside Google Benchmark's
// times each reports "instructions" per item (this thread's user-space
// instructions, perf_event_open; absent when perf events are not allowed),
// and the handshake's manual time is the client's thread CPU time.
//
// Memory: operator new and OpenSSL's allocator are counted (this program
// replaces both), and each benchmark reports the bytes allocated per item
// and the peak of live bytes during one item ("peak_bytes"), which is what
// a probe or a handshake holds at once.
#include <linux/perf_event.h>
#include <malloc.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "grab/enumeration.h"
#include "grab/raw_probe.h"
#include "output/record_json.h"
#include "output/tls_json.h"
#include "proto/registry.h"
#include "testing/tls_peer.h"
#include "tls/openssl_util.h"
#include "tls/tls_client.h"
#include "tls/tls_context.h"
#include "tls/tls_profiles.h"

namespace {

// Live and allocated bytes, by malloc_usable_size so frees need no header.
std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};
std::atomic<int64_t> g_allocated{0};

void Count(void* p) {
  if (p == nullptr) return;
  const auto n = static_cast<int64_t>(malloc_usable_size(p));
  g_allocated += n;
  const int64_t live = g_live += n;
  int64_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
}
void Uncount(void* p) {
  if (p != nullptr) g_live -= static_cast<int64_t>(malloc_usable_size(p));
}

void* CountedMalloc(size_t n, const char*, int) {
  void* p = std::malloc(n);
  Count(p);
  return p;
}
void* CountedRealloc(void* old, size_t n, const char*, int) {
  Uncount(old);
  void* p = std::realloc(old, n);
  Count(p);
  return p;
}
void CountedFree(void* p, const char*, int) {
  Uncount(p);
  std::free(p);
}

}  // namespace

// noinline, as tests/tcp/tcp_stack_test.cc's counters: inlined into its
// callers, GCC pairs the malloc inside with the free and warns.
[[gnu::noinline]] void* operator new(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  Count(p);
  return p;
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  Uncount(p);
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept {
  Uncount(p);
  std::free(p);
}
[[gnu::noinline]] void* operator new[](size_t n) { return operator new(n); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { operator delete(p); }
[[gnu::noinline]] void operator delete[](void* p, size_t) noexcept { operator delete(p); }

namespace tlsweep {
namespace {

// This thread's user-space instructions while enabled (Start/Stop).
class Instructions {
 public:
  Instructions() {
    perf_event_attr attr{};
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    fd_ = static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
  }
  ~Instructions() {
    if (fd_ >= 0) close(fd_);
  }
  void Start() {
    if (fd_ >= 0) ioctl(fd_, PERF_EVENT_IOC_ENABLE, 0);
  }
  void Stop() {
    if (fd_ >= 0) ioctl(fd_, PERF_EVENT_IOC_DISABLE, 0);
  }
  // Adds "instructions" per item to `state` (nothing when unavailable).
  void Report(benchmark::State& state) const {
    uint64_t count = 0;
    if (fd_ < 0 || read(fd_, &count, sizeof(count)) != sizeof(count)) return;
    state.counters["instructions"] =
        static_cast<double>(count) / static_cast<double>(state.iterations());
  }

 private:
  int fd_ = -1;
};

int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Resets the peak to what is live now and returns the baseline.
int64_t StartMeasure() {
  const int64_t live = g_live.load();
  g_peak = live;
  return live;
}

void ReportMemory(benchmark::State& state, int64_t allocated_before, int64_t peak_above) {
  const double items = static_cast<double>(state.iterations());
  state.counters["bytes_allocated"] =
      static_cast<double>(g_allocated.load() - allocated_before) / items;
  state.counters["peak_bytes"] = static_cast<double>(peak_above);
}

// Runs `body` once per iteration, counting its instructions and its peak
// live bytes, then reports items, instructions and memory.
template <typename Body>
void MeasureEach(benchmark::State& state, Body body) {
  const int64_t allocated = g_allocated.load();
  const int64_t base = StartMeasure();
  int64_t peak = 0;
  Instructions instructions;
  for (auto _ : state) {
    instructions.Start();
    body();
    instructions.Stop();
    peak = std::max(peak, g_peak.load() - base);
    g_peak = g_live.load();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  instructions.Report(state);
  ReportMemory(state, allocated, peak);
}

const ClientHelloProfile& Thunderbird31() {
  static const auto* profiles =
      new std::vector<ClientHelloProfile>(LoadTlsProfiles(DefaultTlsProfilesPath()).value());
  return *FindTlsProfile(*profiles, "thunderbird31");
}

// The server's answer to a thunderbird31 ClientHello (the random and share
// do not change what a server chooses).
const std::string& RecordedFlight() {
  static const auto* flight = [] {
    const std::vector<uint8_t> random(32, 1), share(32, 2);
    std::vector<uint8_t> hello(kMaxClientHelloRecord);
    hello.resize(BuildClientHello(Thunderbird31(), {"mail.example", random, {}, share}, hello)
                     .value_or(0));
    tls_peer::ServerOptions config;
    config.max_version = TLS1_2_VERSION;
    tls_peer::TestServer server(std::move(config));
    const std::vector<uint8_t> bytes = server.Respond(hello);
    return new std::string(bytes.begin(), bytes.end());
  }();
  return *flight;
}

// The grab's context: the modern profile and the system's root store.
const TlsContext& GrabContext() {
  static const TlsContext* context = TlsContext::Create(TlsProfile::kModern, "")->release();
  return *context;
}

// One probe; returns its record JSON's size (0 when `record` is false).
size_t OneProbe(bool record) {
  RawProbeSession probe(MakeModule("smtps", ModuleOptions()), Thunderbird31(), GrabContext(),
                        "mail.example", GrabTimeouts(), 0);
  probe.OnConnected(1);
  benchmark::DoNotOptimize(probe.outgoing().data());
  probe.OnBytes(RecordedFlight(), 2);
  if (!probe.done()) return 0;
  if (!record) return 1;
  return RawProbeJson(probe.Result()).dump().size();
}

void RunProbes(benchmark::State& state, bool record) {
  RecordedFlight();
  Thunderbird31();
  GrabContext();
  if (OneProbe(record) == 0) state.SkipWithError("the probe did not end on the flight");
  size_t bytes = 0;
  MeasureEach(state, [&] { bytes = OneProbe(record); });
  if (record) state.counters["record_bytes"] = static_cast<double>(bytes);
}

void BM_RawProbe(benchmark::State& state) { RunProbes(state, true); }
BENCHMARK(BM_RawProbe)->Unit(benchmark::kMicrosecond);

void BM_RawProbeNoRecord(benchmark::State& state) { RunProbes(state, false); }
BENCHMARK(BM_RawProbeNoRecord)->Unit(benchmark::kMicrosecond);

// The test identity's RSA-2048 leaf alone, as tls_benchmark's server sends.
SslCtxPtr ServerContext(int max_version) {
  const tls_peer::Identity& id = tls_peer::DefaultIdentity();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  SSL_CTX_use_certificate(ctx.get(), id.leaf.get());
  SSL_CTX_use_PrivateKey(ctx.get(), id.leaf_key.get());
  return ctx;
}

// One handshake; adds the client's own CPU time and instructions (its
// calls and its Result() and JSON) to `client_ns` and `instructions`, and
// its peak live bytes above `base` to `peak`.
bool OneHandshake(const TlsContext& client_ctx, SSL_CTX* server_ctx, int64_t* client_ns,
                  Instructions* instructions, int64_t base, int64_t* peak) {
  SslPtr server(SSL_new(server_ctx));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(server.get(), in, out);
  SSL_set_accept_state(server.get());
  // The client's bytes: counted from a baseline that includes the server.
  const int64_t server_base = g_live.load() - base;
  g_peak = g_live.load();
  instructions->Start();
  int64_t t0 = ThreadCpuNs();
  auto client = *TlsClient::Create(client_ctx, "mail.example");
  client->Advance();
  int64_t ns = ThreadCpuNs() - t0;
  instructions->Stop();
  for (int round = 0; round < 16 && client->state() == TlsClient::State::kHandshaking; ++round) {
    instructions->Start();
    t0 = ThreadCpuNs();
    std::string to_server;
    client->DrainNetwork(&to_server);
    ns += ThreadCpuNs() - t0;
    instructions->Stop();
    BIO_write(in, to_server.data(), static_cast<int>(to_server.size()));
    SSL_do_handshake(server.get());
    char buf[16384];
    std::string to_client;
    for (int n; (n = BIO_read(out, buf, sizeof(buf))) > 0;) to_client.append(buf, static_cast<size_t>(n));
    instructions->Start();
    t0 = ThreadCpuNs();
    client->FeedNetwork(to_client);
    client->Advance();
    ns += ThreadCpuNs() - t0;
    instructions->Stop();
  }
  instructions->Start();
  t0 = ThreadCpuNs();
  const std::string record = TlsJson(client->Result()).dump();
  ns += ThreadCpuNs() - t0;
  instructions->Stop();
  benchmark::DoNotOptimize(record.data());
  *client_ns += ns;
  // The server's session is live through the handshake too: its bytes are
  // part of the peak, so the peak is an upper bound on the client's.
  *peak = std::max(*peak, g_peak.load() - base - server_base);
  return client->state() == TlsClient::State::kEstablished;
}

void BM_OpenSslHandshakeClient(benchmark::State& state) {
  const int version = state.range(0) == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  const auto client_ctx = *TlsContext::Create(TlsProfile::kModern, "");
  const SslCtxPtr server_ctx = ServerContext(version);
  int64_t unused = 0, unused_peak = 0;
  Instructions warmup, instructions;
  if (!OneHandshake(*client_ctx, server_ctx.get(), &unused, &warmup, g_live.load(),
                    &unused_peak)) {
    state.SkipWithError("handshake failed");
  }
  const int64_t allocated = g_allocated.load();
  const int64_t base = g_live.load();
  int64_t peak = 0;
  for (auto _ : state) {
    int64_t ns = 0;
    OneHandshake(*client_ctx, server_ctx.get(), &ns, &instructions, base, &peak);
    state.SetIterationTime(static_cast<double>(ns) / 1e9);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  instructions.Report(state);
  // bytes_allocated includes the server's allocations (both sides share the
  // allocator); peak_bytes is the peak above the baseline during one
  // handshake, server session included.
  ReportMemory(state, allocated, peak);
}
BENCHMARK(BM_OpenSslHandshakeClient)->Arg(12)->Arg(13)->UseManualTime()->Unit(benchmark::kMicrosecond);

// One offer of a --enumerate run (grab/enumeration.h) as the driver makes
// it: a fresh Enumerator's first TLS 1.2 offer (a full batch of 128 suites
// and the enumeration's extensions), its probe answered with the recorded
// flight, the choice read (Choice(), no certificate parsing) and handed
// back. peak_bytes: what one enumeration holds while its probe is in
// flight (the Enumerator's state and offer, the session, the flight
// parser's buffer).
void BM_EnumerationProbe(benchmark::State& state) {
  RecordedFlight();
  const EnumerationOptions options{.enabled = true, .budget = 200, .interval_ms = 0,
                                   .tls13 = false};
  size_t suites = 0;
  MeasureEach(state, [&] {
    Enumerator enumerator(options);
    const ClientHelloProfile* offer = enumerator.Pending();
    suites = offer->cipher_suites.size();
    enumerator.Started(1);
    RawProbeSession probe(MakeModule("smtps", ModuleOptions()), *offer, GrabContext(),
                          "mail.example", GrabTimeouts(), 1);
    probe.OnConnected(1);
    benchmark::DoNotOptimize(probe.outgoing().data());
    probe.OnBytes(RecordedFlight(), 2);
    enumerator.OnChoice(probe.Choice(), 2);
    benchmark::DoNotOptimize(enumerator.Pending());
  });
  state.counters["suites_offered"] = static_cast<double>(suites);
}
BENCHMARK(BM_EnumerationProbe)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tlsweep

int main(int argc, char** argv) {
  // Before OpenSSL allocates anything: its allocations are counted too.
  CRYPTO_set_mem_functions(CountedMalloc, CountedRealloc, CountedFree);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
