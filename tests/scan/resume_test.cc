// The resume file and checkpoint format (scan/resume.h): what is written
// reads back the same, and a file that is cut short, corrupt, another
// scan's or malformed is refused with an error naming the file.
#include "scan/resume.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/scan_result.h"

namespace tlsweep {
namespace {

constexpr SipKey kKey = {0x0123456789abcdefull, 0xfedcba9876543210ull};

std::unique_ptr<ScanPlan> Plan(uint64_t seed = 99, uint32_t senders = 2) {
  ScanConfig c;
  c.targets.target_args = {"10.1.0.0/27"};
  c.targets.no_blocklist = true;
  c.ports = {25, 587};
  c.seed = seed;
  c.sources = SourceRange{*Ipv4Address::Parse("10.9.0.1"), 1};
  c.sender_threads = senders;
  auto p = ScanPlan::Create(c, kKey);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

ScanResult OpenPort(const char* ip, uint16_t port) {
  return testing::SampleOpenPort(*Ipv4Address::Parse(ip), port);
}

Checkpoint Full() {
  Checkpoint c;
  c.positions = {{0, 17, 0}, {0, 21, 0}};
  c.output = CheckpointOutput{"/data/run.json", 123456};
  c.recorded = {{*Ipv4Address::Parse("10.1.0.4"), 25}, {*Ipv4Address::Parse("10.1.0.9"), 587}};
  c.pending = {OpenPort("10.1.0.30", 25), OpenPort("10.1.0.2", 587)};
  c.pending[1].response.options = {};
  c.journal = CheckpointJournal{"/data/tlsweep.resume.json.journal", 4800};
  return c;
}

std::string Path(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Spit(const std::string& path, const std::string& text) { std::ofstream(path) << text; }


TEST(CheckpointTest, RoundTrip) {
  const auto plan = Plan();
  const std::string path = Path("checkpoint_round_trip.json");
  const Checkpoint written = Full();
  ASSERT_TRUE(WriteCheckpoint(path, *plan, written).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const absl::StatusOr<Checkpoint> read = ReadCheckpoint(path, *plan);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->positions, written.positions);
  EXPECT_EQ(read->output, written.output);
  EXPECT_EQ(read->recorded, written.recorded);
  ASSERT_EQ(read->pending.size(), 2u);
  for (size_t i = 0; i < 2; ++i) testing::ExpectSameScanResult(read->pending[i], written.pending[i]);
  EXPECT_EQ(read->journal, written.journal);
}

// A checkpoint of a run without a journal (or of an older tlsweep) reads
// back without one.
TEST(CheckpointTest, WithoutAJournal) {
  const auto plan = Plan();
  const std::string path = Path("checkpoint_no_journal.json");
  Checkpoint written = Full();
  written.journal.reset();
  ASSERT_TRUE(WriteCheckpoint(path, *plan, written).ok());
  EXPECT_EQ(nlohmann::json::parse(Slurp(path)).count("journal"), 0u);
  const absl::StatusOr<Checkpoint> read = ReadCheckpoint(path, *plan);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->journal.has_value());
  EXPECT_EQ(read->pending.size(), 2u);
}

// A resume file of a dry run (or of a scan to stdout) has positions only.
TEST(CheckpointTest, PositionsOnly) {
  const auto plan = Plan();
  const std::string path = Path("checkpoint_positions.json");
  Checkpoint written;
  written.positions = {{0, 3, 0}, {0, 4, 0}};
  ASSERT_TRUE(WriteCheckpoint(path, *plan, written).ok());
  const absl::StatusOr<Checkpoint> read = ReadCheckpoint(path, *plan);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->positions, written.positions);
  EXPECT_FALSE(read->output.has_value());
  EXPECT_TRUE(read->recorded.empty());
  EXPECT_TRUE(read->pending.empty());
  const absl::StatusOr<std::vector<SenderPosition>> positions = ReadResumeFile(path, *plan);
  ASSERT_TRUE(positions.ok());
  EXPECT_EQ(*positions, written.positions);
}

TEST(CheckpointTest, TruncatedFileIsRefusedNamingIt) {
  const auto plan = Plan();
  const std::string path = Path("checkpoint_truncated.json");
  ASSERT_TRUE(WriteCheckpoint(path, *plan, Full()).ok());
  const std::string whole = Slurp(path);
  // Cut anywhere: the JSON no longer parses.
  for (size_t cut : {size_t{0}, size_t{1}, whole.size() / 3, whole.size() / 2, whole.size() - 3}) {
    Spit(path, whole.substr(0, cut));
    const absl::StatusOr<Checkpoint> read = ReadCheckpoint(path, *plan);
    ASSERT_FALSE(read.ok()) << "cut at " << cut;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(read.status().message().find(path), std::string::npos) << read.status();
    EXPECT_NE(read.status().message().find("not a tlsweep resume file"), std::string::npos);
  }
}

TEST(CheckpointTest, CorruptFileIsRefusedNamingIt) {
  const auto plan = Plan();
  const std::string path = Path("checkpoint_corrupt.json");
  ASSERT_TRUE(WriteCheckpoint(path, *plan, Full()).ok());
  std::string text = Slurp(path);
  text[text.size() / 2] = '\x01';
  Spit(path, text);
  absl::StatusOr<Checkpoint> read = ReadCheckpoint(path, *plan);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(path), std::string::npos) << read.status();

  // Valid JSON, but an entry out of range: a pending TTL of 300.
  ASSERT_TRUE(WriteCheckpoint(Path("checkpoint_ok.json"), *plan, Full()).ok());
  nlohmann::json doc = nlohmann::json::parse(Slurp(Path("checkpoint_ok.json")));
  doc["pending"][0][4] = 300;
  Spit(path, doc.dump());
  read = ReadCheckpoint(path, *plan);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(path + ": malformed pending open port"),
            std::string::npos)
      << read.status();

  // A recorded list of odd length (an address without its port).
  doc = nlohmann::json::parse(Slurp(Path("checkpoint_ok.json")));
  doc["recorded"].push_back(1);
  Spit(path, doc.dump());
  read = ReadCheckpoint(path, *plan);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(path + ": malformed recorded list"), std::string::npos)
      << read.status();

  // A version of the wrong type (json::value() would throw on it).
  doc = nlohmann::json::parse(Slurp(Path("checkpoint_ok.json")));
  doc["tlsweep_resume"] = "1";
  Spit(path, doc.dump());
  read = ReadCheckpoint(path, *plan);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(path + ": not a tlsweep resume file"), std::string::npos)
      << read.status();

  // An output without its length.
  doc = nlohmann::json::parse(Slurp(Path("checkpoint_ok.json")));
  doc["output"].erase("bytes");
  Spit(path, doc.dump());
  read = ReadCheckpoint(path, *plan);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(path + ": malformed checkpoint output"),
            std::string::npos)
      << read.status();

  // A journal offset that is not an unsigned integer.
  doc = nlohmann::json::parse(Slurp(Path("checkpoint_ok.json")));
  doc["journal"]["bytes"] = -48;
  Spit(path, doc.dump());
  read = ReadCheckpoint(path, *plan);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(path + ": malformed journal"), std::string::npos)
      << read.status();
}

TEST(CheckpointTest, AnotherScansCheckpointIsRefusedNamingTheField) {
  const std::string path = Path("checkpoint_other_plan.json");
  ASSERT_TRUE(WriteCheckpoint(path, *Plan(99), Full()).ok());
  absl::StatusOr<Checkpoint> read = ReadCheckpoint(path, *Plan(100));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(read.status().message().find(path), std::string::npos) << read.status();
  // The first field that differs in key order: the seed picks the group's
  // generator.
  EXPECT_NE(read.status().message().find("differs from the one that was interrupted: generator"),
            std::string::npos)
      << read.status();
  read = ReadCheckpoint(path, *Plan(99, 3));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("sender_threads was 2, now 3"), std::string::npos)
      << read.status();
}

TEST(CheckpointTest, MissingFileIsNamed) {
  const std::string path = Path("no_such_checkpoint.json");
  const absl::StatusOr<Checkpoint> read = ReadCheckpoint(path, *Plan());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find(path), std::string::npos) << read.status();
}

TEST(CheckpointTest, SaveResumeIfIncompleteWritesOnlyWhenIncomplete) {
  const auto plan = Plan();
  const std::string path = Path("checkpoint_save.json");
  std::filesystem::remove(path);
  absl::StatusOr<std::string> written = SaveResumeIfIncomplete(path, *plan, Full(), true);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, "");
  EXPECT_FALSE(std::filesystem::exists(path));
  written = SaveResumeIfIncomplete(path, *plan, Full(), false);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, path);
  EXPECT_TRUE(ReadCheckpoint(path, *plan).ok());
}

}  // namespace
}  // namespace tlsweep
