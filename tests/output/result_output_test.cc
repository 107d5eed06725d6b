#include "output/result_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "scan/response_handler.h"
#include "testing/scan_result.h"
#include "validate/validator.h"

namespace tlsweep {
namespace {

ScanResult Result(const char* target, uint16_t port, Classification c,
                  bool repeat = false) {
  return testing::SampleScanResult(target, port, c, repeat);
}

ScanResult FullOptions(ScanResult r) {
  TcpOptionsSeen& o = r.response.options;
  o.has_mss = true;
  o.mss = 1460;
  o.sack_permitted = true;
  o.has_timestamps = true;
  o.ts_val = 123456;
  o.ts_ecr = 0;
  o.has_wscale = true;
  o.wscale = 7;
  return r;
}

// A mix of answers: two new open ports, a repeat, a closed port and a
// filtered one.
std::vector<ScanResult> Mix() {
  return {
      Result("10.77.0.3", 443, Classification::kSynAck),
      Result("10.77.0.4", 443, Classification::kRst),
      Result("10.77.0.3", 443, Classification::kSynAck, /*repeat=*/true),
      Result("10.77.0.5", 8443, Classification::kSynAck),
      Result("10.77.0.6", 443, Classification::kIcmpUnreachable),
  };
}

std::string TempPath() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "result_output_test_" + info->name() + ".out";
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Writes `results` with `options` to a fresh file and returns its lines.
std::vector<std::string> WriteAll(const OutputOptions& options,
                                  const std::vector<ScanResult>& results,
                                  uint64_t* written = nullptr) {
  const std::string path = TempPath();
  auto writer = ResultWriter::Open(path, options);
  EXPECT_TRUE(writer.ok()) << writer.status();
  if (!writer.ok()) return {};
  for (const ScanResult& r : results) writer->Write(r);
  if (written != nullptr) *written = writer->written();
  EXPECT_TRUE(writer->Close().ok());
  return ReadLines(path);
}

TEST(ResultOutputTest, DefaultWritesOnlyNewOpenPorts) {
  uint64_t written = 0;
  EXPECT_EQ(WriteAll(OutputOptions{}, Mix(), &written),
            (std::vector<std::string>{"10.77.0.3", "10.77.0.5"}));
  EXPECT_EQ(written, 2u);
}

TEST(ResultOutputTest, DefaultMultiPortWritesIpCommaPort) {
  OutputOptions o;
  o.multi_port = true;
  EXPECT_EQ(WriteAll(o, Mix()),
            (std::vector<std::string>{"10.77.0.3,443", "10.77.0.5,8443"}));
}

TEST(ResultOutputTest, AllWritesEveryAnswer) {
  OutputOptions o;
  o.all = true;
  o.multi_port = true;
  uint64_t written = 0;
  EXPECT_EQ(WriteAll(o, Mix(), &written),
            (std::vector<std::string>{"10.77.0.3,443", "10.77.0.4,443",
                                      "10.77.0.3,443", "10.77.0.5,8443",
                                      "10.77.0.6,443"}));
  EXPECT_EQ(written, 5u);
}

TEST(ResultOutputTest, CsvDefaultFields) {
  OutputOptions o;
  o.format = OutputFormat::kCsv;
  o.all = true;
  const std::vector<std::string> lines =
      WriteAll(o, {Result("10.77.0.3", 443, Classification::kSynAck),
                   Result("10.77.0.4", 25, Classification::kRst, true)});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "saddr,sport,classification,success,repeat,ttl,window,timestamp_str");
  EXPECT_EQ(lines[1],
            "10.77.0.3,443,synack,1,0,57,64240,2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(lines[2],
            "10.77.0.4,25,rst,0,1,57,64240,2023-11-14T22:13:20.123456Z");
}

TEST(ResultOutputTest, CsvHeaderIsWrittenEvenWithoutResults) {
  OutputOptions o;
  o.format = OutputFormat::kCsv;
  EXPECT_EQ(WriteAll(o, {Result("10.77.0.4", 25, Classification::kRst)}),
            (std::vector<std::string>{
                "saddr,sport,classification,success,repeat,ttl,window,timestamp_str"}));
}

// A run resumed from a checkpoint appends to the output it cut back: no
// second header. Sync() returns the length on disk, header included.
TEST(ResultOutputTest, SyncGivesTheLengthAndAppendWritesNoSecondHeader) {
  OutputOptions o;
  o.format = OutputFormat::kCsv;
  o.fields = {OutputField::kSaddr, OutputField::kSport};
  const std::string path = TempPath();
  {
    auto writer = ResultWriter::Open(path, o);
    ASSERT_TRUE(writer.ok()) << writer.status();
    EXPECT_TRUE(writer->syncable());
    writer->Write(Result("10.77.0.3", 25, Classification::kSynAck));
    const absl::StatusOr<uint64_t> bytes = writer->Sync();
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(*bytes, std::string("saddr,sport\n10.77.0.3,25\n").size());
    ASSERT_TRUE(writer->Close().ok());
  }
  {
    auto writer = ResultWriter::Open(path, o, /*append=*/true);
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer->Write(Result("10.77.0.5", 587, Classification::kSynAck));
    ASSERT_TRUE(writer->Close().ok());
  }
  EXPECT_EQ(ReadLines(path),
            (std::vector<std::string>{"saddr,sport", "10.77.0.3,25", "10.77.0.5,587"}));
  // Appending to an empty file (cut back to nothing) writes the header.
  std::ofstream(path, std::ios::trunc).close();
  {
    auto writer = ResultWriter::Open(path, o, /*append=*/true);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE(writer->Close().ok());
  }
  EXPECT_EQ(ReadLines(path), (std::vector<std::string>{"saddr,sport"}));
}

// Stdout redirected to a regular file is still not syncable: a checkpoint
// names its output by path (scan_lab once aborted in std::filesystem::absolute("")).
TEST(ResultOutputTest, StdoutIsNotSyncableEvenWhenARegularFile) {
  const std::string path = TempPath();
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_GE(dup2(fd, STDOUT_FILENO), 0);
  close(fd);
  for (const std::string name : {"", "-"}) {
    auto writer = ResultWriter::Open(name, OutputOptions{});
    ASSERT_TRUE(writer.ok()) << writer.status();
    EXPECT_FALSE(writer->syncable()) << "'" << name << "'";
    ASSERT_TRUE(writer->Close().ok());
  }
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
}

TEST(ResultOutputTest, CsvCustomFields) {
  auto fields = ParseOutputFields(
      "daddr,dport,saddr,sport,mss,wscale,sack_permitted,tsval,tcp_options,"
      "timestamp_us,icmp_responder,icmp_code");
  ASSERT_TRUE(fields.ok()) << fields.status();
  OutputOptions o;
  o.format = OutputFormat::kCsv;
  o.fields = *fields;
  o.all = true;
  const std::vector<std::string> lines = WriteAll(
      o, {FullOptions(Result("10.77.0.3", 443, Classification::kSynAck)),
          Result("10.77.0.4", 25, Classification::kRst),
          Result("10.77.0.6", 143, Classification::kIcmpUnreachable)});
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "daddr,dport,saddr,sport,mss,wscale,sack_permitted,tsval,tcp_options,"
            "timestamp_us,icmp_responder,icmp_code");
  EXPECT_EQ(lines[1],
            "10.9.0.1,40123,10.77.0.3,443,1460,7,1,123456,mss=1460;sack;ts;ws=7,"
            "1700000000123456,,");
  // No options: empty cells, "0" for the flag.
  EXPECT_EQ(lines[2], "10.9.0.1,40123,10.77.0.4,25,,,0,,,1700000000123456,,");
  EXPECT_EQ(lines[3],
            "10.9.0.1,40123,10.77.0.6,143,,,0,,,1700000000123456,10.77.0.254,13");
}

TEST(ResultOutputTest, TcpOptionsCellListsOnlyPresentOptions) {
  auto fields = ParseOutputFields("tcp_options");
  ASSERT_TRUE(fields.ok());
  OutputOptions o;
  o.format = OutputFormat::kCsv;
  o.fields = *fields;
  ScanResult mss_ws = Result("10.77.0.3", 443, Classification::kSynAck);
  mss_ws.response.options.has_mss = true;
  mss_ws.response.options.mss = 536;
  mss_ws.response.options.has_wscale = true;
  mss_ws.response.options.wscale = 14;
  ScanResult sack_only = Result("10.77.0.4", 443, Classification::kSynAck);
  sack_only.response.options.sack_permitted = true;
  EXPECT_EQ(WriteAll(o, {FullOptions(Result("10.77.0.2", 443, Classification::kSynAck)),
                         mss_ws, sack_only}),
            (std::vector<std::string>{"tcp_options", "mss=1460;sack;ts;ws=7",
                                      "mss=536;ws=14", "sack"}));
}

TEST(ResultOutputTest, JsonLines) {
  OutputOptions o;
  o.format = OutputFormat::kJson;
  o.all = true;
  const std::vector<std::string> lines = WriteAll(
      o, {FullOptions(Result("10.77.0.3", 443, Classification::kSynAck)),
          Result("10.77.0.6", 143, Classification::kIcmpUnreachable, true)});
  ASSERT_EQ(lines.size(), 2u);

  const nlohmann::json syn = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(syn.at("saddr"), "10.77.0.3");
  EXPECT_EQ(syn.at("sport"), 443);
  EXPECT_EQ(syn.at("daddr"), "10.9.0.1");
  EXPECT_EQ(syn.at("dport"), 40123);
  EXPECT_EQ(syn.at("classification"), "synack");
  EXPECT_EQ(syn.at("success"), true);
  EXPECT_EQ(syn.at("repeat"), false);
  EXPECT_EQ(syn.at("ttl"), 57);
  EXPECT_EQ(syn.at("timestamp_str"), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(syn.at("window"), 64240);
  const nlohmann::json& opts = syn.at("tcp_options");
  EXPECT_EQ(opts.at("mss"), 1460);
  EXPECT_EQ(opts.at("wscale"), 7);
  EXPECT_EQ(opts.at("sack_permitted"), true);
  EXPECT_EQ(opts.at("tsval"), 123456);
  EXPECT_EQ(opts.at("tsecr"), 0);
  EXPECT_FALSE(syn.contains("icmp_responder"));
  EXPECT_FALSE(syn.contains("icmp_code"));

  const nlohmann::json icmp = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(icmp.at("saddr"), "10.77.0.6");
  EXPECT_EQ(icmp.at("sport"), 143);
  EXPECT_EQ(icmp.at("classification"), "icmp-unreach");
  EXPECT_EQ(icmp.at("success"), false);
  EXPECT_EQ(icmp.at("repeat"), true);
  EXPECT_EQ(icmp.at("ttl"), 57);
  EXPECT_EQ(icmp.at("icmp_responder"), "10.77.0.254");
  EXPECT_EQ(icmp.at("icmp_code"), 13);
  EXPECT_FALSE(icmp.contains("tcp_options"));
  EXPECT_FALSE(icmp.contains("window"));
}

TEST(ResultOutputTest, JsonSynAckWithoutOptionsHasEmptyObject) {
  OutputOptions o;
  o.format = OutputFormat::kJson;
  const std::vector<std::string> lines =
      WriteAll(o, {Result("10.77.0.3", 443, Classification::kSynAck)});
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json j = nlohmann::json::parse(lines[0]);
  ASSERT_TRUE(j.at("tcp_options").is_object());
  EXPECT_TRUE(j.at("tcp_options").empty());
}

TEST(ResultOutputTest, Zgrab2Lines) {
  OutputOptions o;
  o.format = OutputFormat::kZgrab2;
  EXPECT_EQ(WriteAll(o, Mix()),
            (std::vector<std::string>{"10.77.0.3,,,443", "10.77.0.5,,,8443"}));
  o.all = true;
  const std::vector<std::string> all = WriteAll(o, Mix());
  ASSERT_EQ(all.size(), 5u);
  for (const std::string& line : all) {
    const std::vector<std::string> cells = absl::StrSplit(line, ',');
    ASSERT_EQ(cells.size(), 4u) << line;
    EXPECT_TRUE(cells[1].empty());
    EXPECT_TRUE(cells[2].empty());
  }
  EXPECT_EQ(all[4], "10.77.0.6,,,443");
}

TEST(ResultOutputTest, ParseOutputFormat) {
  EXPECT_EQ(*ParseOutputFormat("default"), OutputFormat::kDefault);
  EXPECT_EQ(*ParseOutputFormat("text"), OutputFormat::kDefault);
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("zgrab2"), OutputFormat::kZgrab2);
  for (const char* bad : {"xml", "CSV", ""}) {
    const auto f = ParseOutputFormat(bad);
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(f.status().message()).find(std::string("'") + bad + "'"),
              std::string::npos)
        << f.status();
  }
}

TEST(ResultOutputTest, ParseOutputFields) {
  const auto ok = ParseOutputFields("saddr,sport,classification,timestamp_us");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, (std::vector<OutputField>{OutputField::kSaddr, OutputField::kSport,
                                           OutputField::kClassification,
                                           OutputField::kTimestampUs}));
  const auto one = ParseOutputFields("icmp_code");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, std::vector<OutputField>{OutputField::kIcmpCode});

  const auto bad = ParseOutputFields("saddr,bogus,ttl");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(bad.status().message());
  EXPECT_NE(message.find("'bogus'"), std::string::npos) << message;
  // The message lists the known names.
  EXPECT_NE(message.find("tcp_options"), std::string::npos) << message;

  const auto spaced = ParseOutputFields("saddr, sport");
  ASSERT_FALSE(spaced.ok());
  EXPECT_NE(std::string(spaced.status().message()).find("' sport'"),
            std::string::npos)
      << spaced.status();
}

TEST(ResultOutputTest, OpenUnwritablePathFailsNamingIt) {
  const std::string path = ::testing::TempDir() + "no-such-dir-scantests/out.csv";
  const auto writer = ResultWriter::Open(path, OutputOptions{});
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(std::string(writer.status().message()).find(path), std::string::npos)
      << writer.status();
}

TEST(ResultOutputTest, CloseReportsAWriteErrorNamingTheFile) {
  std::ifstream probe("/dev/full");
  if (!probe.good()) GTEST_SKIP() << "no /dev/full";
  auto writer = ResultWriter::Open("/dev/full", OutputOptions{});
  ASSERT_TRUE(writer.ok()) << writer.status();
  writer->Write(Result("10.77.0.3", 443, Classification::kSynAck));
  const absl::Status s = writer->Close();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("/dev/full"), std::string::npos) << s;
}

}  // namespace
}  // namespace tlsweep
