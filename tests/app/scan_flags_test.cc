#include "app/scan_flags.h"

#include <string>
#include <vector>

#include "app/grab_flags.h"
#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(ScanFlagsTest, ZmapStyleFlags) {
  auto cmd = ParseScanFlags({"-p", "25,587", "-r", "5000", "-b", "bl.conf",
                             "-w", "al.conf", "-I", "ips.txt", "-P", "3",
                             "-n", "1000", "--seed", "42", "--shards", "4",
                             "--shard", "3", "-T", "2", "-S",
                             "10.0.0.1-10.0.0.4", "-s", "40000-40999", "-G",
                             "02:00:00:00:00:09", "--source-mac",
                             "02:00:00:00:00:01", "--probe-ttl", "64",
                             "--tcp-options", "linux", "-o", "out.csv", "-m",
                             "meta.json", "--dryrun", "--pcap", "x.pcap",
                             "198.51.100.0/24", "203.0.113.5"});
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  const ScanConfig& c = cmd->config;
  EXPECT_EQ(c.ports, (std::vector<uint16_t>{25, 587}));
  EXPECT_EQ(c.rate.unit, RateSpec::Unit::kPacketsPerSecond);
  EXPECT_EQ(c.rate.per_second, 5000u);
  EXPECT_EQ(c.targets.blocklist_file, "bl.conf");
  EXPECT_EQ(c.targets.allowlist_file, "al.conf");
  EXPECT_EQ(c.targets.list_file, "ips.txt");
  EXPECT_EQ(c.probes, 3u);
  EXPECT_EQ(c.max_targets, 1000u);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_TRUE(cmd->seed_given);
  EXPECT_EQ(c.num_shards, 4u);
  EXPECT_EQ(c.shard, 3u);
  EXPECT_EQ(c.sender_threads, 2u);
  EXPECT_EQ(c.sources.first.ToString(), "10.0.0.1");
  EXPECT_EQ(c.sources.count, 4u);
  EXPECT_EQ(c.sport_first, 40000);
  EXPECT_EQ(c.sport_count, 1000);
  EXPECT_EQ(c.probe.dst_mac.ToString(), "02:00:00:00:00:09");
  EXPECT_EQ(c.probe.src_mac.ToString(), "02:00:00:00:00:01");
  EXPECT_EQ(c.probe.ttl, 64);
  EXPECT_EQ(c.probe.options, TcpOptionProfile::kLinux);
  EXPECT_EQ(c.probe.window, 64240);
  EXPECT_EQ(cmd->run.output_file, "out.csv");
  EXPECT_EQ(cmd->run.metadata_file, "meta.json");
  EXPECT_TRUE(cmd->dryrun);
  EXPECT_EQ(cmd->pcap_file, "x.pcap");
  EXPECT_EQ(c.targets.target_args,
            (std::vector<std::string>{"198.51.100.0/24", "203.0.113.5"}));
}

TEST(ScanFlagsTest, DefaultsFollowZmap) {
  auto cmd = ParseScanFlags({"--dryrun", "-p", "25", "198.51.100.1"});
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->config.rate.per_second, 10000u);
  EXPECT_EQ(cmd->config.probes, 1u);
  EXPECT_EQ(cmd->config.sport_first, 32768);
  EXPECT_EQ(cmd->config.sport_count, 61000 - 32768 + 1);
  EXPECT_EQ(cmd->config.probe.options, TcpOptionProfile::kMinimal);
  EXPECT_FALSE(cmd->seed_given);
  EXPECT_FALSE(cmd->config.targets.no_blocklist);
  EXPECT_TRUE(cmd->config.targets.blocklist_file.empty());
}

TEST(ScanFlagsTest, BandwidthAndUnlimited) {
  auto cmd = ParseScanFlags({"--dryrun", "-p", "25", "-B", "10G", "198.51.100.1"});
  ASSERT_TRUE(cmd.ok());
  EXPECT_EQ(cmd->config.rate.unit, RateSpec::Unit::kBitsPerSecond);
  EXPECT_EQ(cmd->config.rate.per_second, 10'000'000'000u);
  cmd = ParseScanFlags({"--dryrun", "-p", "25", "-r", "0", "198.51.100.1"});
  ASSERT_TRUE(cmd.ok());
  EXPECT_EQ(cmd->config.rate.unit, RateSpec::Unit::kUnlimited);
}

// Each bad value is refused with a message that names the flag and value.
TEST(ScanFlagsTest, ErrorsNameFlagAndValue) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-p", "25", "-r", "fast"}, "-r: invalid value 'fast'"},
      {{"-p", "25", "-P", "0"}, "-P: invalid value '0'"},
      {{"-p", "25", "--seed", "-1"}, "--seed: invalid value '-1'"},
      {{"-p", "25", "-S", "10.0.0.5-10.0.0.1"}, "-S: invalid source address"},
      {{"-p", "25", "-S", "10.0.0.300"}, "'10.0.0.300'"},
      {{"-p", "25", "-s", "5000-4000"}, "-s: reversed"},
      {{"-p", "25", "-s", "0"}, "-s: invalid value '0'"},
      {{"-p", "25", "-G", "02:00:00"}, "-G: invalid MAC"},
      {{"-p", "25", "--tcp-options", "bsd"}, "--tcp-options: unknown TCP option profile 'bsd'"},
      {{"-p", "25", "-B", "10X"}, "-B: invalid bandwidth '10X'"},
      {{"-p", "25", "--shards", "2", "--shard", "2"}, "--shard 2"},
      {{"-p", "25", "--pcap", "x.pcap"}, "--dryrun"},
      {{"-p", "70000"}, "-p: "},
      {{"--frobnicate"}, "'--frobnicate'"},
      {{"-p"}, "-p needs a value"},
      {{"198.51.100.1"}, "no target ports"},
      {{"-p", "25", "198.51.100.1"}, "no NIC: give -i"},
      {{"-p", "25", "-i", "s0", "-c", "x"}, "-c: invalid value 'x'"},
      {{"-p", "25", "-i", "s0", "-O", "xml"}, "-O: unknown output format 'xml'"},
      {{"-p", "25", "-i", "s0", "-f", "saddr,nope"}, "-f: unknown output field 'nope'"},
      {{"-p", "25", "-i", "s0", "--gateway-ip", "10.0.0"}, "--gateway-ip: invalid address"},
  };
  for (const auto& [args, expected] : cases) {
    const auto r = ParseScanFlags(args);
    ASSERT_FALSE(r.ok()) << args[0] << " ... accepted";
    EXPECT_NE(r.status().message().find(expected), std::string::npos)
        << "message '" << r.status().message() << "' lacks '" << expected << "'";
  }
}

TEST(ScanFlagsTest, DpdkFlags) {
  auto cmd = ParseScanFlags({"-p", "25", "-i", "s0", "--gateway-ip", "10.77.0.2",
                             "-c", "3", "-O", "csv", "-f", "saddr,sport",
                             "--output-all", "-u", "status.csv", "--eal",
                             "--no-huge  -m 256", "--dpdk-port", "1",
                             "10.77.0.10"});
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->interface, "s0");
  EXPECT_EQ(cmd->run.gateway_ip->ToString(), "10.77.0.2");
  EXPECT_EQ(cmd->run.cooldown_s, 3);
  EXPECT_EQ(cmd->run.output.format, OutputFormat::kCsv);
  EXPECT_EQ(cmd->run.output.fields.size(), 2u);
  EXPECT_TRUE(cmd->run.output.all);
  EXPECT_EQ(cmd->run.status_file, "status.csv");
  EXPECT_EQ(cmd->eal_args, (std::vector<std::string>{"--no-huge", "-m", "256"}));
  EXPECT_EQ(cmd->port_id, 1);
}

TEST(ScanFlagsTest, RandomSeedWhenAbsent) {
  auto a = ParseScanFlags({"--dryrun", "-p", "25", "198.51.100.1"});
  auto b = ParseScanFlags({"--dryrun", "-p", "25", "198.51.100.1"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->config.seed, b->config.seed);
}

TEST(ScanFlagsTest, HelpNeedsNothingElse) {
  auto cmd = ParseScanFlags({"--help"});
  ASSERT_TRUE(cmd.ok());
  EXPECT_TRUE(cmd->help);
  EXPECT_NE(ScanUsage().find("--shard"), std::string::npos);
}

// `tlsweep run`'s table: the grab group before the scan's, one parse.
TEST(ScanFlagsTest, ExtraGroupsComposeWithTheScans) {
  GrabFlags grab;
  ExtraFlags extra{"run", {GrabFlagGroup(&grab)}};
  auto cmd = ParseScanFlags({"-p", "25", "-i", "s0", "--connect-timeout", "3", "--tls-profile",
                             "legacy", "--ehlo-name", "scan.example", "-r", "7", "10.77.0.10"},
                            &extra);
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->config.rate.per_second, 7u);
  EXPECT_EQ(grab.options.timeouts.connect_ms, 3000u);
  EXPECT_EQ(grab.profile, TlsProfile::kLegacy);
  EXPECT_EQ(grab.options.module_options.ehlo_name, "scan.example");
  const auto bad = ParseScanFlags({"-p", "25", "--timeout", "0"}, &extra);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--timeout: invalid value '0' (a whole number from 1 to 3600)");
  const auto unknown = ParseScanFlags({"--bogus"}, &extra);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("see tlsweep run --help"), std::string::npos);
}

}  // namespace
}  // namespace tlsweep
