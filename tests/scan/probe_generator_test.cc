#include "scan/probe_generator.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "packet/parse.h"
#include "scan/resume.h"
#include "scan/scan_config.h"
#include "validate/validator.h"

namespace tlsweep {
namespace {

using TargetKey = std::pair<uint32_t, uint16_t>;

constexpr SipKey kKey = {0x0123456789abcdefull, 0xfedcba9876543210ull};

ScanConfig SmallScan() {
  ScanConfig c;
  c.targets.target_args = {"10.1.0.0/27", "10.2.0.5-10.2.0.9"};
  c.targets.no_blocklist = true;
  c.ports = {25, 587, 993};
  c.seed = 99;
  c.sources = SourceRange{*Ipv4Address::Parse("10.9.0.1"), 2};
  return c;
}

// Runs every sender of `plan` from `from` (or the start) to the end and
// returns the probes' (target, port) in order, checking each frame.
std::vector<TargetKey> RunAll(const ScanPlan& plan,
                              std::vector<SenderPosition> from = {},
                              std::vector<SenderPosition>* end = nullptr) {
  std::vector<TargetKey> seen;
  if (end) end->clear();
  const SynProbe probe(plan.config().probe);
  for (uint32_t t = 0; t < plan.config().sender_threads; ++t) {
    auto gen = ProbeGenerator::Create(plan, probe, t, from.empty() ? SenderPosition{} : from[t]);
    EXPECT_TRUE(gen.ok()) << gen.status();
    std::vector<std::vector<uint8_t>> buffers(7, std::vector<uint8_t>(probe.frame_len()));
    std::vector<uint8_t*> frames;
    for (auto& b : buffers) {
      probe.WriteTemplate(b.data());
      frames.push_back(b.data());
    }
    ProbeFields fields[7];
    while (size_t n = gen->FillBurst(frames.data(), frames.size(), fields)) {
      for (size_t i = 0; i < n; ++i) {
        ParsedFrame parsed;
        EXPECT_EQ(ParseFrame(frames[i], probe.frame_len(), &parsed),
                  ParseResult::kTcp);
        EXPECT_EQ(parsed.tcp.daddr, fields[i].daddr);
        EXPECT_EQ(parsed.tcp.dport, fields[i].dport);
        EXPECT_TRUE(plan.config().sources.Contains(parsed.tcp.saddr));
        const Cookies::Value c = plan.cookies().Make(parsed.tcp.saddr, parsed.tcp.daddr, parsed.tcp.dport);
        EXPECT_EQ(parsed.tcp.seq, c.seq);
        EXPECT_EQ(parsed.tcp.sport, c.sport);
        seen.emplace_back(fields[i].daddr.value(), fields[i].dport);
      }
    }
    EXPECT_TRUE(gen->done());
    if (plan.config().max_targets == 0) {
      EXPECT_DOUBLE_EQ(gen->progress(), 1.0);
    }
    if (end) end->push_back(gen->position());
  }
  return seen;
}

std::multiset<TargetKey> Expected(const ScanPlan& plan, int copies) {
  std::multiset<TargetKey> all;
  for (uint64_t i = 0; i < plan.space().size(); ++i) {
    const Target t = plan.space().At(i);
    for (int c = 0; c < copies; ++c) all.emplace(t.address.value(), t.port);
  }
  return all;
}

TEST(ProbeGeneratorTest, EveryTargetOnceWithValidProbes) {
  auto plan = ScanPlan::Create(SmallScan(), kKey);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ((*plan)->space().size(), (32u + 5u) * 3u);
  const auto seen = RunAll(**plan);
  EXPECT_EQ(std::multiset<TargetKey>(seen.begin(), seen.end()), Expected(**plan, 1));
}

TEST(ProbeGeneratorTest, ProbesPerTargetArePassesApart) {
  ScanConfig c = SmallScan();
  c.probes = 3;
  auto plan = ScanPlan::Create(c, kKey);
  ASSERT_TRUE(plan.ok());
  const auto seen = RunAll(**plan);
  EXPECT_EQ(std::multiset<TargetKey>(seen.begin(), seen.end()), Expected(**plan, 3));
  // Each pass is the same permutation: copies are one whole pass apart.
  const size_t pass = (*plan)->space().size();
  for (size_t i = 0; i < pass; ++i) {
    EXPECT_EQ(seen[i], seen[i + pass]);
    EXPECT_EQ(seen[i], seen[i + 2 * pass]);
  }
}

TEST(ProbeGeneratorTest, ThreadsAndShardsPartitionTheScan) {
  std::multiset<TargetKey> union_of_shards;
  for (uint32_t shard = 0; shard < 3; ++shard) {
    ScanConfig c = SmallScan();
    c.num_shards = 3;
    c.shard = shard;
    c.sender_threads = shard + 1;  // machines need not agree on threads
    auto plan = ScanPlan::Create(c, kKey);
    ASSERT_TRUE(plan.ok());
    const auto seen = RunAll(**plan);
    union_of_shards.insert(seen.begin(), seen.end());
  }
  auto whole = ScanPlan::Create(SmallScan(), kKey);
  EXPECT_EQ(union_of_shards, Expected(**whole, 1));
}

TEST(ProbeGeneratorTest, CapAndResumeCoverTheRest) {
  ScanConfig c = SmallScan();
  c.sender_threads = 2;
  c.probes = 2;
  c.max_targets = 77;
  auto capped = ScanPlan::Create(c, kKey);
  ASSERT_TRUE(capped.ok());
  std::vector<SenderPosition> stopped;
  const auto first = RunAll(**capped, {}, &stopped);
  EXPECT_EQ(first.size(), 77u);

  const std::string path = ::testing::TempDir() + "/resume_test.json";
  ASSERT_TRUE(WriteCheckpoint(path, **capped, {.positions = stopped}).ok());
  c.max_targets = 0;
  auto rest_plan = ScanPlan::Create(c, kKey);
  auto resumed = ReadResumeFile(path, **rest_plan);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  for (size_t i = 0; i < stopped.size(); ++i) {
    EXPECT_EQ((*resumed)[i].pass, stopped[i].pass);
    EXPECT_EQ((*resumed)[i].steps_done, stopped[i].steps_done);
  }
  const auto second = RunAll(**rest_plan, *resumed);
  std::multiset<TargetKey> both(first.begin(), first.end());
  both.insert(second.begin(), second.end());
  EXPECT_EQ(both, Expected(**rest_plan, 2));
}

TEST(ProbeGeneratorTest, ResumeAgainstAnotherScanIsRefused) {
  auto plan = ScanPlan::Create(SmallScan(), kKey);
  const std::string path = ::testing::TempDir() + "/resume_mismatch.json";
  ASSERT_TRUE(WriteCheckpoint(path, **plan, {.positions = {SenderPosition{0, 5, 5}}}).ok());
  ScanConfig other = SmallScan();
  other.seed = 100;
  auto other_plan = ScanPlan::Create(other, kKey);
  const auto r = ReadResumeFile(path, **other_plan);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("seed"), std::string::npos) << r.status();
  EXPECT_FALSE(ReadResumeFile(path + ".missing", **plan).ok());
}

TEST(ProbeGeneratorTest, PlanErrorsNameTheProblem) {
  ScanConfig c = SmallScan();
  c.shard = 2;
  c.num_shards = 2;
  auto r = ScanPlan::Create(c, kKey);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--shard"), std::string::npos);
  c = SmallScan();
  c.sport_first = 65000;
  c.sport_count = 1000;
  r = ScanPlan::Create(c, kKey);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("source port"), std::string::npos);
  c = SmallScan();
  c.targets.target_args.clear();
  EXPECT_FALSE(ScanPlan::Create(c, kKey).ok());
}

}  // namespace
}  // namespace tlsweep
