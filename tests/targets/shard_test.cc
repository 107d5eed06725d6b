// Tests for sharding the cyclic walk (targets/shard.h): shards and sub-shards
// are disjoint and complete, a shard's targets do not depend on how many
// threads split it, the order follows the group walk, resumption continues
// exactly where a saved position left off, and NextBurst equals Next.
#include "targets/shard.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "targets/cyclic.h"

namespace tlsweep {
namespace {

CyclicGroup Group(uint64_t n, uint64_t seed) {
  auto group = MakeCyclicGroup(n, seed);
  EXPECT_TRUE(group.ok()) << group.status();
  return *group;
}

ShardIterator Iter(const CyclicGroup& group, uint64_t n, ShardSpec spec,
                   uint64_t steps_done = 0) {
  auto it = ShardIterator::Create(group, n, spec, steps_done);
  EXPECT_TRUE(it.ok()) << it.status();
  return *it;
}

std::vector<uint64_t> Drain(ShardIterator it) {
  std::vector<uint64_t> out;
  uint64_t index = 0;
  while (it.Next(&index)) out.push_back(index);
  EXPECT_EQ(it.steps_done(), it.total_steps());
  EXPECT_FALSE(it.Next(&index));  // stays exhausted
  return out;
}

// The reference: step j of the walk is start * g^j; keep those with
// j == residue (mod modulus) and element - 1 < n, in walk order.
std::vector<uint64_t> ReferenceIndices(const CyclicGroup& group, uint64_t n,
                                       uint64_t residue, uint64_t modulus) {
  std::vector<uint64_t> out;
  uint64_t x = group.start;
  for (uint64_t j = 0; j + 1 < group.prime; ++j) {
    if (j % modulus == residue && x - 1 < n) out.push_back(x - 1);
    x = static_cast<uint64_t>(static_cast<Uint128>(x) * group.generator %
                              group.prime);
  }
  return out;
}

std::vector<uint64_t> Sorted(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ShardTest, SingleShardFollowsTheWalk) {
  for (uint64_t n : {1, 2, 12, 90, 1000}) {
    const CyclicGroup group = Group(n, 17);
    EXPECT_EQ(Drain(Iter(group, n, ShardSpec{})),
              ReferenceIndices(group, n, 0, 1))
        << n;
    EXPECT_EQ(Iter(group, n, ShardSpec{}).total_steps(), group.prime - 1);
  }
}

TEST(ShardTest, ShardsAndSubshardsAreDisjointAndComplete) {
  for (uint64_t n : {1, 2, 3, 12, 97, 1000, 3000 * 12, 65537}) {
    const CyclicGroup group = Group(n, n + 3);
    for (uint32_t shards = 1; shards <= 8; ++shards) {
      for (uint32_t subshards = 1; subshards <= 4; ++subshards) {
        SCOPED_TRACE(testing::Message() << "n=" << n << " shards=" << shards
                                        << " subshards=" << subshards);
        std::vector<uint8_t> seen(n, 0);
        uint64_t steps = 0;
        for (uint32_t i = 0; i < shards; ++i) {
          for (uint32_t t = 0; t < subshards; ++t) {
            ShardIterator it = Iter(group, n, {i, shards, t, subshards});
            steps += it.total_steps();
            uint64_t index = 0;
            while (it.Next(&index)) {
              ASSERT_LT(index, n);
              ASSERT_EQ(seen[index], 0) << "index " << index << " twice";
              seen[index] = 1;
            }
          }
        }
        EXPECT_EQ(steps, group.prime - 1);
        EXPECT_EQ(std::count(seen.begin(), seen.end(), 1),
                  static_cast<std::ptrdiff_t>(n));
      }
    }
  }
}

TEST(ShardTest, ShardContentIndependentOfThreadCount) {
  for (uint64_t n : {12, 257, 3000 * 12}) {
    const CyclicGroup group = Group(n, 2024);
    for (uint32_t shards = 1; shards <= 8; ++shards) {
      for (uint32_t i = 0; i < shards; ++i) {
        const std::vector<uint64_t> expected =
            Sorted(ReferenceIndices(group, n, i, shards));
        for (uint32_t subshards = 1; subshards <= 4; ++subshards) {
          std::vector<uint64_t> got;
          for (uint32_t t = 0; t < subshards; ++t) {
            const std::vector<uint64_t> part =
                Drain(Iter(group, n, {i, shards, t, subshards}));
            // Each sub-shard is the walk restricted to its residue, in order.
            ASSERT_EQ(part, ReferenceIndices(group, n, i + uint64_t{shards} * t,
                                             uint64_t{shards} * subshards));
            got.insert(got.end(), part.begin(), part.end());
          }
          ASSERT_EQ(Sorted(got), expected) << "n=" << n << " shard " << i << "/"
                                           << shards << " T=" << subshards;
        }
      }
    }
  }
}

TEST(ShardTest, MoreSubshardsThanSteps) {
  // n = 1: p = 3, two steps in all; most of 8 x 4 sub-shards are empty.
  const CyclicGroup group = Group(1, 0);
  uint64_t found = 0;
  uint64_t steps = 0;
  for (uint32_t i = 0; i < 8; ++i) {
    for (uint32_t t = 0; t < 4; ++t) {
      ShardIterator it = Iter(group, 1, {i, 8, t, 4});
      steps += it.total_steps();
      uint64_t index = 99;
      while (it.Next(&index)) {
        EXPECT_EQ(index, 0u);
        ++found;
      }
      uint64_t burst[4];
      EXPECT_EQ(it.NextBurst(burst, 4), 0u);
    }
  }
  EXPECT_EQ(found, 1u);
  EXPECT_EQ(steps, 2u);
}

TEST(ShardTest, HugeShardCountsDoNotOverflow) {
  const CyclicGroup group = Group(uint64_t{1} << 32, 1);
  const uint32_t kMax = ~uint32_t{0};
  ShardIterator it =
      Iter(group, uint64_t{1} << 32, {kMax - 1, kMax, kMax - 1, kMax});
  // first step = (2^32-2) + (2^32-1)(2^32-2) > p - 1: nothing to do.
  EXPECT_EQ(it.total_steps(), 0u);
  ShardIterator one = Iter(group, uint64_t{1} << 32, {5, kMax, 0, 1});
  EXPECT_EQ(one.total_steps(), 2u);  // steps 5 and 5 + (2^32 - 1) < p - 1
  auto resumed =
      ShardIterator::Create(group, uint64_t{1} << 32, {5, kMax, 0, 1}, 2);
  ASSERT_TRUE(resumed.ok());
  uint64_t index = 0;
  EXPECT_FALSE(resumed->Next(&index));
}

TEST(ShardTest, RejectsBadSpecs) {
  const CyclicGroup group = Group(100, 1);
  auto code = [&](ShardSpec spec, uint64_t n = 100, uint64_t steps = 0) {
    return ShardIterator::Create(group, n, spec, steps).status().code();
  };
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code({0, 0, 0, 1}), kInvalid);
  EXPECT_EQ(code({2, 2, 0, 1}), kInvalid);
  EXPECT_EQ(code({0, 1, 0, 0}), kInvalid);
  EXPECT_EQ(code({0, 1, 3, 3}), kInvalid);
  EXPECT_EQ(code({0, 1, 0, 1}, 0), kInvalid);         // no targets
  EXPECT_EQ(code({0, 1, 0, 1}, 101), kInvalid);       // group too small
  EXPECT_EQ(code({0, 1, 0, 1}, 100, 101), kInvalid);  // past the end
  EXPECT_EQ(code({0, 1, 0, 1}, 100, 100), absl::StatusCode::kOk);  // at the end
  EXPECT_EQ(ShardIterator::Create(CyclicGroup{}, 100, {}).status().code(),
            kInvalid);
  CyclicGroup bad = group;
  bad.generator = 1;
  EXPECT_EQ(ShardIterator::Create(bad, 100, {}).status().code(), kInvalid);
}

// Records every index with the steps_done() value right after it.
std::vector<std::pair<uint64_t, uint64_t>> DrainWithSteps(ShardIterator it) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  uint64_t index = 0;
  while (it.Next(&index)) out.emplace_back(index, it.steps_done());
  return out;
}

TEST(ShardTest, ResumeYieldsExactlyTheRest) {
  // n = 90: p = 97, so 6 of every 96 steps are skipped and resume points
  // inside skipped runs are exercised too.
  for (uint64_t n : {90, 1000, 3000 * 12}) {
    const CyclicGroup group = Group(n, 31337);
    for (ShardSpec spec : {ShardSpec{0, 1, 0, 1}, ShardSpec{1, 3, 0, 2},
                           ShardSpec{2, 3, 1, 2}, ShardSpec{6, 7, 3, 4}}) {
      const ShardIterator fresh = Iter(group, n, spec);
      const auto full = DrainWithSteps(fresh);
      const uint64_t total = fresh.total_steps();
      for (uint64_t k = 0; k <= total; k += (total < 200 ? 1 : total / 97)) {
        // Indices whose step (steps_done after them, minus one) is >= k.
        std::vector<uint64_t> expected;
        for (const auto& [index, steps] : full) {
          if (steps > k) expected.push_back(index);
        }
        ShardIterator resumed = Iter(group, n, spec, k);
        EXPECT_EQ(resumed.steps_done(), k);
        EXPECT_EQ(resumed.total_steps(), total);
        ASSERT_EQ(Drain(resumed), expected) << "n=" << n << " k=" << k;
      }
    }
  }
}

TEST(ShardTest, StopAndResumeMatchesUninterrupted) {
  const uint64_t n = 3000 * 12;
  const CyclicGroup group = Group(n, 8);
  const ShardSpec spec{1, 2, 2, 3};
  const std::vector<uint64_t> all = Drain(Iter(group, n, spec));
  for (size_t stop : {size_t{0}, size_t{1}, size_t{17}, all.size() / 2,
                      all.size() - 1, all.size()}) {
    ShardIterator first = Iter(group, n, spec);
    std::vector<uint64_t> got;
    uint64_t index = 0;
    for (size_t i = 0; i < stop; ++i) {
      ASSERT_TRUE(first.Next(&index));
      got.push_back(index);
    }
    const std::vector<uint64_t> rest =
        Drain(Iter(group, n, spec, first.steps_done()));
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, all) << "stop=" << stop;
  }
}

TEST(ShardTest, NextBurstEqualsRepeatedNext) {
  for (uint64_t n : {1, 90, 1000, 65537}) {
    const CyclicGroup group = Group(n, 4);
    for (ShardSpec spec : {ShardSpec{}, ShardSpec{2, 5, 1, 3}}) {
      for (size_t burst : {1, 7, 32}) {
        ShardIterator by_next = Iter(group, n, spec);
        ShardIterator by_burst = Iter(group, n, spec);
        std::vector<uint64_t> buf(burst);
        for (;;) {
          const size_t got = by_burst.NextBurst(buf.data(), burst);
          ASSERT_LE(got, burst);
          for (size_t i = 0; i < got; ++i) {
            uint64_t index = 0;
            ASSERT_TRUE(by_next.Next(&index));
            ASSERT_EQ(buf[i], index);
          }
          if (got < burst) {
            // The remaining calls of the n: Next reports the end (consuming
            // any trailing skipped steps, as the burst did).
            uint64_t index = 0;
            ASSERT_FALSE(by_next.Next(&index));
          }
          ASSERT_EQ(by_burst.steps_done(), by_next.steps_done());
          if (got < burst) break;
        }
        EXPECT_EQ(by_burst.NextBurst(buf.data(), burst), 0u);
        EXPECT_EQ(by_burst.steps_done(), by_burst.total_steps());
      }
    }
  }
}

TEST(ShardTest, LargeSpaceStartsWhereTheGroupSays) {
  const uint64_t n = uint64_t{3700000000} * 12;
  const CyclicGroup group = Group(n, 77);
  const uint64_t p = group.prime;
  const ShardSpec spec{3, 7, 1, 2};
  const uint64_t k = 3 + 7 * 1;
  ShardIterator it = Iter(group, n, spec);
  EXPECT_EQ(it.total_steps(), (p - 2 - k) / 14 + 1);
  // Step m of this sub-shard is walk step k + 14 m.
  ShardIterator resumed = Iter(group, n, spec, 1000);
  uint64_t index = 0;
  ASSERT_TRUE(resumed.Next(&index));
  uint64_t x =
      static_cast<uint64_t>(static_cast<Uint128>(group.start) *
                            PowMod(group.generator, k + 14 * 1000, p) % p);
  while (x - 1 >= n) {  // skip as the iterator does
    x = static_cast<uint64_t>(static_cast<Uint128>(x) *
                              PowMod(group.generator, 14, p) % p);
  }
  EXPECT_EQ(index, x - 1);
  // Running 1000 steps from 0 arrives at the same place.
  uint64_t out[1];
  while (it.steps_done() < 1000) ASSERT_EQ(it.NextBurst(out, 1), 1u);
  ASSERT_TRUE(it.Next(&index));
  EXPECT_EQ(index, x - 1);
}

}  // namespace
}  // namespace tlsweep
