#include "output/metadata.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

std::unique_ptr<ScanPlan> Plan() {
  ScanConfig c;
  c.targets.target_args = {"198.51.100.0/26"};
  c.targets.no_blocklist = true;
  c.ports = {25, 993};
  c.seed = 3;
  c.rate = RateSpec::Packets(5000);
  c.sources = SourceRange{*Ipv4Address::Parse("192.0.2.1"), 4};
  c.sport_first = 40000;
  c.sport_count = 100;
  auto plan = ScanPlan::Create(c, SipKey{5, 6});
  EXPECT_TRUE(plan.ok()) << plan.status();
  return *std::move(plan);
}

std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

const RunSummary kRun = {"2026-12-06T01:00:00.000000Z", 12.5, true};
const ScanProgress kProgress = {false, "in.resume.json", "out.resume.json"};

// The keys every scan mode has at the top: the plan's, the run's and the
// progress'.
const std::set<std::string> kScanKeys = {
    "seed", "prime", "generator", "start", "shard", "shards", "sender_threads",
    "target_ports", "targets", "addresses_allowed", "addresses_requested",
    "addresses_blocked", "blocklist", "probes_per_target", "max_targets", "rate",
    "source_ip_first", "source_ip_last", "source_port_first", "source_port_last",
    "source_mac", "gateway_mac", "probe_ttl", "tcp_options", "tlsweep_version", "mode",
    "start_time", "end_time", "duration_seconds", "interrupted", "complete", "resumed_from",
    "resume_file"};

std::set<std::string> With(std::set<std::string> keys, std::initializer_list<std::string> more) {
  keys.insert(more.begin(), more.end());
  return keys;
}

void ExpectRunFields(const nlohmann::json& meta, const std::string& mode) {
  EXPECT_EQ(meta["tlsweep_version"], TLSWEEP_VERSION);
  EXPECT_EQ(meta["mode"], mode);
  EXPECT_EQ(meta["start_time"], kRun.start_time);
  EXPECT_TRUE(meta["end_time"].is_string());
  EXPECT_EQ(meta["end_time"].get<std::string>().size(), kRun.start_time.size());
  EXPECT_EQ(meta["duration_seconds"], 12.5);
  EXPECT_EQ(meta["interrupted"], true);
}

TEST(MetadataTest, PlanDescribesTheScan) {
  const auto plan = Plan();
  const nlohmann::json meta = PlanMetadata(*plan);
  EXPECT_EQ(meta["seed"], 3u);
  EXPECT_EQ(meta["prime"], plan->group().prime);
  EXPECT_EQ(meta["target_ports"], nlohmann::json::array({25, 993}));
  EXPECT_EQ(meta["targets"], 128u);  // 64 addresses x 2 ports
  EXPECT_EQ(meta["addresses_allowed"], 64u);
  EXPECT_EQ(meta["rate"], RateSpec::Packets(5000).ToString());
  EXPECT_EQ(meta["source_ip_first"], "192.0.2.1");
  EXPECT_EQ(meta["source_ip_last"], "192.0.2.4");
  EXPECT_EQ(meta["source_port_first"], 40000u);
  EXPECT_EQ(meta["source_port_last"], 40099u);
}

TEST(MetadataTest, DryrunHasEveryKey) {
  const auto plan = Plan();
  const nlohmann::json meta = DryrunMetadata(*plan, kRun, kProgress, 4242);
  EXPECT_EQ(Keys(meta), With(kScanKeys, {"packets_built"}));
  ExpectRunFields(meta, "dryrun");
  EXPECT_EQ(meta["complete"], false);
  EXPECT_EQ(meta["resumed_from"], "in.resume.json");
  EXPECT_EQ(meta["resume_file"], "out.resume.json");
  EXPECT_EQ(meta["packets_built"], 4242u);
}

DpdkScanSummary DpdkSummary() {
  DpdkScanSummary s;
  s.run = kRun;
  s.progress = {true, "", ""};
  s.cooldown_seconds = 8;
  s.checkpoint = {1000, "/data/tlsweep.resume.json", 1.0, 42, 1};
  s.checkpoint.journal = {"/data/tlsweep.resume.json.journal", 900, 300, 43200, "", 12, 11, 20};
  s.port = {1, "net_ring", *MacAddress::Parse("02:00:00:00:00:aa"), 3, "--no-huge -l 0-2"};
  s.source_mac = *MacAddress::Parse("02:00:00:00:00:01");
  s.gateway_mac = *MacAddress::Parse("02:00:00:00:00:02");
  s.frame_bytes = 54;
  ScanCounters& c = s.counters;
  c.sent = 1000;
  c.tx_failed = 2;
  c.mbuf_alloc_failed = 3;
  c.rx.frames = 120;
  c.rx.synack = 10;
  c.rx.rst = 80;
  c.rx.icmp_unreach = 5;
  c.rx.repeats = 4;
  c.rx.arp_replies_sent = 6;
  c.rx.arp_ignored = 7;
  c.rx.parse.Count(ParseResult::kTruncated);
  c.rx.validate.Count(ValidateResult::kNotAProbeAnswer);
  c.rx.validate.Count(ValidateResult::kNotAProbeAnswer);
  c.results_written = 10;
  c.rst_sent = 9;
  c.control_tx_failed = 1;
  c.dedup_bytes = 4096;
  c.nic = {100, 200, 11, 12, 13, 14, 15, "packet_statistics"};
  return s;
}

const std::set<std::string> kDpdkKeys =
    With(kScanKeys, {"cooldown_seconds", "checkpoint", "dpdk", "frame_bytes", "counters"});

TEST(MetadataTest, DpdkScanHasEveryKey) {
  const auto plan = Plan();
  const nlohmann::json meta = DpdkScanMetadata(*plan, DpdkSummary());
  EXPECT_EQ(Keys(meta), kDpdkKeys);
  ExpectRunFields(meta, "dpdk");
  EXPECT_EQ(meta["complete"], true);
  EXPECT_EQ(meta["cooldown_seconds"], 8.0);
  EXPECT_EQ(meta["checkpoint"], (nlohmann::json{{"interval_ms", 1000},
                                                {"enabled", true},
                                                {"off_reason", ""},
                                                {"file", "/data/tlsweep.resume.json"},
                                                {"answer_window_seconds", 1.0},
                                                {"written", 42},
                                                {"failed", 1},
                                                {"journal",
                                                 {{"file", "/data/tlsweep.resume.json.journal"},
                                                  {"entries", 900},
                                                  {"writes", 300},
                                                  {"bytes", 43200},
                                                  {"error", ""},
                                                  {"resume_read", 12},
                                                  {"resume_taken", 11},
                                                  {"resume_damaged_bytes", 20}}}}));
  EXPECT_EQ(meta["dpdk"], (nlohmann::json{{"port", 1},
                                          {"driver", "net_ring"},
                                          {"mac", "02:00:00:00:00:aa"},
                                          {"queues", 3},
                                          {"eal_args", "--no-huge -l 0-2"}}));
  // The MACs the probes carried replace the plan's.
  EXPECT_EQ(meta["source_mac"], "02:00:00:00:00:01");
  EXPECT_EQ(meta["gateway_mac"], "02:00:00:00:00:02");
  EXPECT_EQ(meta["frame_bytes"], 54u);

  const nlohmann::json& c = meta["counters"];
  EXPECT_EQ(Keys(c), (std::set<std::string>{
                         "sent", "tx_failed", "mbuf_alloc_failed", "frames_received", "synack",
                         "rst", "icmp_unreach", "repeats", "results_written", "arp_replies_sent",
                         "rst_sent", "control_tx_failed", "arp_ignored", "parse_drops",
                         "validate_drops", "dedup_bytes", "nic"}));
  EXPECT_EQ(c["sent"], 1000u);
  EXPECT_EQ(c["tx_failed"], 2u);
  EXPECT_EQ(c["mbuf_alloc_failed"], 3u);
  EXPECT_EQ(c["frames_received"], 120u);
  EXPECT_EQ(c["synack"], 10u);
  EXPECT_EQ(c["rst"], 80u);
  EXPECT_EQ(c["icmp_unreach"], 5u);
  EXPECT_EQ(c["repeats"], 4u);
  EXPECT_EQ(c["results_written"], 10u);
  EXPECT_EQ(c["arp_replies_sent"], 6u);
  EXPECT_EQ(c["rst_sent"], 9u);
  EXPECT_EQ(c["control_tx_failed"], 1u);
  EXPECT_EQ(c["arp_ignored"], 7u);
  EXPECT_EQ(c["dedup_bytes"], 4096u);
  EXPECT_EQ(c["nic"], (nlohmann::json{{"ipackets", 100}, {"opackets", 200}, {"imissed", 11},
                                      {"ierrors", 12}, {"oerrors", 13}, {"rx_nombuf", 14},
                                      {"ring_drops", 15},
                                      {"rx_drops_counted", "packet_statistics"}}));
  // Every kind of drop is listed, the zero ones too, so a reader sees 0
  // rather than a missing key.
  EXPECT_EQ(c["parse_drops"].size(),
            static_cast<size_t>(ParseResult::kCount) -
                static_cast<size_t>(ParseResult::kTruncated));
  EXPECT_EQ(c["parse_drops"][std::string(ParseResultName(ParseResult::kTruncated))], 1u);
  EXPECT_EQ(c["validate_drops"].size(), static_cast<size_t>(ValidateResult::kCount) - 1);
  EXPECT_EQ(c["validate_drops"][std::string(ValidateResultName(ValidateResult::kNotAProbeAnswer))],
            2u);
  EXPECT_FALSE(
      c["validate_drops"].contains(std::string(ValidateResultName(ValidateResult::kValid))));
}

TEST(MetadataTest, RunAddsTheGrabPool) {
  const auto plan = Plan();
  DpdkScanSummary s = DpdkSummary();
  GrabPoolSummary& g = s.grab.emplace();
  g.offered = 10;
  g.not_grabbed = 1;
  g.queue_full = 1;
  g.finished = 9;
  g.by_status[static_cast<size_t>(GrabStatus::kSuccess)] = 8;
  g.by_status[static_cast<size_t>(GrabStatus::kTlsError)] = 1;
  g.segments_dropped = 2;
  g.grab_lcores = 1;
  g.overflow = "pause";
  g.scan_pauses = 3;
  g.scan_paused_seconds = 1.5;
  g.peak_waiting = 40000;
  g.port_first = 62000;
  g.port_last = 65535;
  g.tcp_bytes_per_connection = 24788;
  g.settings = {{"concurrency", 1000}};
  GrabWorkerCounters& w = g.workers.emplace_back();
  w.tcp.connects = 9;
  w.tcp.established = 8;
  w.tcp.closed_by_reason[static_cast<size_t>(TcpCloseReason::kReset)] = 1;
  w.tcp.segments_in = 100;
  w.tcp.retransmits = 3;
  w.tx_failed = 4;
  w.connect_errors = 5;
  w.no_module = 6;
  w.parse.Count(ParseResult::kTruncated);
  g.workers.emplace_back();

  const nlohmann::json meta = DpdkScanMetadata(*plan, s);
  EXPECT_EQ(Keys(meta), With(kDpdkKeys, {"grab"}));
  ExpectRunFields(meta, "run");
  const nlohmann::json& grab = meta["grab"];
  EXPECT_EQ(Keys(grab), (std::set<std::string>{"offered", "not_grabbed", "queue_full", "finished",
                                               "by_status", "segments_dropped", "grab_lcores",
                                               "overflow", "scan_pauses", "scan_paused_seconds",
                                               "peak_waiting", "source_ports", "tcp_bytes_per_connection",
                                               "workers", "settings"}));
  EXPECT_EQ(grab["offered"], 10u);
  EXPECT_EQ(grab["not_grabbed"], 1u);
  EXPECT_EQ(grab["queue_full"], 1u);
  EXPECT_EQ(grab["finished"], 9u);
  // Only the statuses that occurred.
  EXPECT_EQ(grab["by_status"], (nlohmann::json{{"success", 8}, {"tls-error", 1}}));
  EXPECT_EQ(grab["segments_dropped"], 2u);
  EXPECT_EQ(grab["grab_lcores"], 1u);
  EXPECT_EQ(grab["overflow"], "pause");
  EXPECT_EQ(grab["scan_pauses"], 3u);
  EXPECT_EQ(grab["scan_paused_seconds"], 1.5);
  EXPECT_EQ(grab["peak_waiting"], 40000u);
  EXPECT_EQ(grab["source_ports"], "62000-65535");
  EXPECT_EQ(grab["tcp_bytes_per_connection"], 24788u);
  EXPECT_EQ(grab["settings"], (nlohmann::json{{"concurrency", 1000}}));
  ASSERT_EQ(grab["workers"].size(), 2u);
  const nlohmann::json& worker = grab["workers"][0];
  EXPECT_EQ(Keys(worker), (std::set<std::string>{"tcp", "tx_failed", "connect_errors",
                                                 "no_module", "parse_drops", "raw_probes_recorded",
                                                 "raw_probes_by_status", "enumerations"}));
  EXPECT_EQ(Keys(worker["tcp"]),
            (std::set<std::string>{"connects", "established", "closed", "segments_in",
                                   "segments_out", "retransmits", "fast_retransmits",
                                   "out_of_order", "out_of_window", "duplicates",
                                   "unknown_connection", "rst_sent", "sink_full",
                                   "bad_segments"}));
  EXPECT_EQ(worker["tcp"]["connects"], 9u);
  EXPECT_EQ(worker["tcp"]["established"], 8u);
  EXPECT_EQ(worker["tcp"]["segments_in"], 100u);
  EXPECT_EQ(worker["tcp"]["retransmits"], 3u);
  EXPECT_EQ(worker["tcp"]["closed"].size(), std::size(w.tcp.closed_by_reason));
  EXPECT_EQ(worker["tcp"]["closed"][std::string(TcpCloseReasonName(TcpCloseReason::kReset))], 1u);
  EXPECT_EQ(worker["tx_failed"], 4u);
  EXPECT_EQ(worker["connect_errors"], 5u);
  EXPECT_EQ(worker["no_module"], 6u);
  // A worker's parse drops list only those that occurred.
  EXPECT_EQ(worker["parse_drops"],
            (nlohmann::json{{std::string(ParseResultName(ParseResult::kTruncated)), 1}}));
  EXPECT_EQ(grab["workers"][1]["parse_drops"], nlohmann::json::object());
  EXPECT_EQ(worker["enumerations"],
            (nlohmann::json{{"recorded", 0}, {"connections", 0}, {"connections_per_server", 0.0},
                            {"truncated", 0}}));
}

TEST(MetadataTest, GrabSettings) {
  GrabOptions o;
  o.server_name = "mail.example";
  o.names[1] = "a.example";
  o.concurrency = 50;
  o.connect_rate = 20;
  o.per_host = 2;
  o.timeouts.connect_ms = 1000;
  o.timeouts.phase_ms = 2000;
  o.timeouts.session_ms = 3000;
  EXPECT_EQ(GrabSettingsMetadata(o, TlsProfile::kModern, "", "names.csv"),
            (nlohmann::json{{"tls_profile", std::string(TlsProfileName(TlsProfile::kModern))},
                            {"ca_file", "system"},
                            {"server_name", "mail.example"},
                            {"names", {{"file", "names.csv"}, {"addresses", 1}}},
                            {"concurrency", 50},
                            {"connect_rate", 20},
                            {"per_host", 2},
                            {"raw_probes",
                             {{"profiles", nlohmann::json::array()},
                              {"connections_per_tls_server", 0}}},
                            {"enumeration",
                             {{"enabled", false},
                              {"budget_per_server", 200},
                              {"interval_ms_per_address", 250},
                              {"batch", 128},
                              {"tls13", true}}},
                            {"timeouts_ms",
                             {{"connect", 1000}, {"phase", 2000}, {"session", 3000}}}}));
  EXPECT_EQ(GrabSettingsMetadata(o, TlsProfile::kModern, "ca.pem", "")["ca_file"], "ca.pem");
  // Each raw probe profile by name and source, and the connections it costs.
  o.raw_probes.resize(2);
  o.raw_probes[0].name = "thunderbird31";
  o.raw_probes[0].source = "testssl.sh";
  o.raw_probes[1].name = "java7";
  o.raw_probes[1].source = "JDK 7";
  EXPECT_EQ(GrabSettingsMetadata(o, TlsProfile::kModern, "", "")["raw_probes"],
            (nlohmann::json{{"profiles",
                             {{{"name", "thunderbird31"}, {"source", "testssl.sh"}},
                              {{"name", "java7"}, {"source", "JDK 7"}}}},
                            {"connections_per_tls_server", 2}}));
}

TEST(MetadataTest, GrabHasEveryKey) {
  GrabRunSummary s;
  s.run = kRun;
  s.inputs = {"a.csv", "-"};
  s.input_lines_skipped = 2;
  s.targets = 7;
  s.stats.started = 6;
  s.stats.finished = 5;
  s.stats.no_module = 1;
  s.stats.by_status[static_cast<size_t>(GrabStatus::kSuccess)] = 5;
  s.stats.raw_probes = 4;
  s.stats.raw_probe_status[static_cast<size_t>(GrabStatus::kTlsError)] = 4;
  s.stats.enumerations = 3;
  s.stats.enumeration_connections = 42;
  s.stats.enumerations_truncated = 1;
  s.settings = GrabSettingsMetadata(GrabOptions(), TlsProfile::kModern, "", "");
  const nlohmann::json meta = GrabMetadata(s);
  EXPECT_EQ(Keys(meta),
            (std::set<std::string>{"tlsweep_version", "mode", "start_time", "end_time",
                                   "duration_seconds", "interrupted", "inputs",
                                   "input_lines_skipped", "targets", "grabs_started",
                                   "grabs_finished", "targets_without_module", "by_status",
                                   "tls_profile", "ca_file", "server_name", "names",
                                   "concurrency", "connect_rate", "per_host", "timeouts_ms",
                                   "raw_probes", "raw_probes_recorded", "raw_probes_by_status",
                                   "enumeration", "enumerations"}));
  EXPECT_EQ(meta["raw_probes_recorded"], 4u);
  // --enumerate's cost: per enumerated server too.
  EXPECT_EQ(meta["enumerations"],
            (nlohmann::json{{"recorded", 3}, {"connections", 42}, {"connections_per_server", 14.0},
                            {"truncated", 1}}));
  EXPECT_EQ(meta["raw_probes_by_status"], (nlohmann::json{{"tls-error", 4}}));
  ExpectRunFields(meta, "grab");
  EXPECT_EQ(meta["inputs"], nlohmann::json::array({"a.csv", "-"}));
  EXPECT_EQ(meta["input_lines_skipped"], 2u);
  EXPECT_EQ(meta["targets"], 7u);
  EXPECT_EQ(meta["grabs_started"], 6u);
  EXPECT_EQ(meta["grabs_finished"], 5u);
  EXPECT_EQ(meta["targets_without_module"], 1u);
  EXPECT_EQ(meta["by_status"], (nlohmann::json{{"success", 5}}));
}

TEST(MetadataTest, WriteJsonFileWritesPrettyJson) {
  const std::string path = ::testing::TempDir() + "/metadata_test.json";
  ASSERT_TRUE(WriteJsonFile(path, {{"a", 1}}).ok());
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{\n  \"a\": 1\n}\n");
}

}  // namespace
}  // namespace tlsweep
