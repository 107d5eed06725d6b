// How fast `tlsweep report` reads result files: Aggregator::AddStream over
// an in-memory JSON Lines document of records shaped like the lab's (a
// STARTTLS grab with one 2048-bit RSA leaf, its base64 DER and parsed
// fields, capabilities before and after TLS), with varied addresses, ports,
// keys, versions and mechanisms so the label maps and the reuse maps do
// real work. Reports records and bytes per second.
#include <cstdio>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "nlohmann/json.hpp"
#include "report/aggregate.h"

namespace tlsweep::report {
namespace {

// One record as `tlsweep grab` writes it (field names from
// output/record_json.cc and output/tls_json.cc).
std::string RecordLine(uint64_t i) {
  static constexpr uint16_t kPorts[] = {25, 587, 143, 110, 5222, 6667};
  static constexpr const char* kModules[] = {"smtp", "submission", "imap", "pop3", "xmpp", "irc"};
  const size_t p = i % 6;
  char ip[32];
  std::snprintf(ip, sizeof(ip), "10.%u.%u.%u", static_cast<unsigned>(i >> 16 & 255),
                static_cast<unsigned>(i >> 8 & 255), static_cast<unsigned>(i & 255));
  char spki[65];
  std::snprintf(spki, sizeof(spki), "%064llx", static_cast<unsigned long long>(i % 5000));
  char cert[65];
  std::snprintf(cert, sizeof(cert), "%064llx", static_cast<unsigned long long>(i));
  const nlohmann::json mechs = i % 3 == 0 ? nlohmann::json{"PLAIN", "LOGIN"}
                                          : nlohmann::json{"LOGIN", "PLAIN", "CRAM-MD5"};
  const nlohmann::json leaf = {
      {"raw", std::string(1640, 'M')},  // base64 of a ~1.2 KB DER certificate
      {"parsed",
       {{"fingerprint_sha256", cert},
        {"is_ca", false},
        {"issuer", {{"common_name", {"bench CA"}}}},
        {"issuer_dn", "CN=bench CA"},
        {"serial_number", std::to_string(i)},
        {"signature_algorithm", {{"name", "sha256WithRSAEncryption"}, {"oid", "1.2.840.113549.1.1.11"}}},
        {"subject", {{"common_name", {"mail.bench.example"}}}},
        {"subject_alt_name", {{"dns_names", {"mail.bench.example"}}}},
        {"subject_dn", "CN=mail.bench.example"},
        {"subject_key_info",
         {{"fingerprint_sha256", spki}, {"key_algorithm", {{"name", "RSA"}}}, {"key_bits", 2048}}},
        {"validity", {{"end", "2027-11-29T06:05:03Z"}, {"length", 31622400}, {"start", "2026-11-28T06:05:03Z"}}},
        {"version", 3}}}};
  const nlohmann::json tls = {
      {"handshake_complete", true},
      {"profile", "modern"},
      {"handshake_log",
       {{"cipher_class", i % 7 == 0 ? "CBC" : "AEAD"},
        {"forward_secrecy", i % 7 != 0},
        {"key_exchange", i % 7 == 0 ? nlohmann::json{{"kind", "DHE"}, {"dh_prime_bits", 1024}}
                                    : nlohmann::json{{"kind", "TLS1.3"}, {"group", "X25519"}}},
        {"ocsp_stapled", false},
        {"server_certificates",
         {{"chain", {leaf}},
          {"validation",
           {{"browser_trusted", i % 4 != 0}, {"expired", false}, {"name_matches", nullptr},
            {"not_yet_valid", false}, {"self_signed", i % 4 == 0},
            {"verify_error", i % 4 == 0 ? "self-signed certificate" : "ok"},
            {"verify_result", i % 4 == 0 ? 18 : 0}}}}},
        {"server_hello",
         {{"cipher_suite", {{"hex", "0x1302"}, {"name", "TLS_AES_256_GCM_SHA384"}, {"value", 4866}}},
          {"version", {{"name", i % 7 == 0 ? "TLSv1.2" : "TLSv1.3"}, {"value", 772}}}}},
        {"server_signature_algorithm", {{"hash", "SHA256"}, {"name", "rsa_pss_rsae_sha256"}}},
        {"session_ticket", true}}}};
  const nlohmann::json result = {
      {"after_tls", {{"auth_mechanisms", mechs}, {"capabilities", {"PIPELINING", "SIZE 10240000", "AUTH"}}}},
      {"banner", "220 mail.bench.example ESMTP"},
      {"before_tls", {{"auth_mechanisms", nlohmann::json::array()}, {"capabilities", {"PIPELINING", "STARTTLS"}}}},
      {"implicit_tls", false},
      {"phase", "done"},
      {"plaintext_auth_before_tls", false},
      {"starttls", {{"accepted", true}, {"attempted", true}, {"offered", true}}},
      {"status", "success"},
      {"tls", tls}};
  const nlohmann::json record = {
      {"data",
       {{kModules[p],
         {{"phase", "done"}, {"protocol", kModules[p]}, {"result", result}, {"status", "success"},
          {"timestamp", "2026-11-29T06:05:11.723447Z"}}}}},
      {"ip", ip},
      {"port", kPorts[p]},
      {"scan", {{"classification", "synack"}, {"success", true}, {"ttl", 64}, {"window", 64240}}}};
  return record.dump() + "\n";
}

void BM_ReadRecords(benchmark::State& state) {
  const uint64_t records = static_cast<uint64_t>(state.range(0));
  std::string text;
  for (uint64_t i = 0; i < records; ++i) text += RecordLine(i);
  for (auto _ : state) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(fmemopen(text.data(), text.size(), "r"),
                                                       &std::fclose);
    Aggregator aggregator(nullptr);
    const absl::Status s = aggregator.AddStream(in.get(), "bench");
    if (!s.ok() || aggregator.files()[0].records != records) state.SkipWithError("records lost");
    benchmark::DoNotOptimize(aggregator.Groups());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * records));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["bytes_per_record"] = static_cast<double>(text.size()) / static_cast<double>(records);
}
BENCHMARK(BM_ReadRecords)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tlsweep::report

BENCHMARK_MAIN();
