#include "targets/address_set.h"

#include <bitset>
#include <cstdint>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tlsweep {
namespace {

using ::testing::ElementsAre;

constexpr uint32_t kMax = 0xffffffff;

MATCHER_P2(Iv, first, last, "") {
  return arg.first == static_cast<uint32_t>(first) &&
         arg.last == static_cast<uint32_t>(last);
}

// The class invariant: sorted, each first <= last, and a gap of at least one
// address between neighbours (so no two intervals could be merged).
void ExpectCanonical(const AddressSet& set) {
  const auto& v = set.intervals();
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_LE(v[i].first, v[i].last) << "interval " << i;
    if (i > 0) {
      EXPECT_LT(uint64_t{v[i - 1].last} + 1, v[i].first) << "interval " << i;
    }
  }
}

AddressSet Of(std::vector<AddressInterval> intervals) {
  AddressSet set;
  for (const AddressInterval& i : intervals) set.Add(i);
  return set;
}

TEST(AddressSetTest, EmptySet) {
  AddressSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.Count(), 0u);
  EXPECT_FALSE(set.Contains(Ipv4Address(0)));
  EXPECT_FALSE(set.Contains(Ipv4Address(kMax)));
}

TEST(AddressSetTest, WholeSpaceCountsTwoToThe32) {
  AddressSet set = Of({{0, kMax}});
  EXPECT_EQ(set.Count(), uint64_t{1} << 32);
  EXPECT_TRUE(set.Contains(Ipv4Address(0)));
  EXPECT_TRUE(set.Contains(Ipv4Address(kMax)));
}

TEST(AddressSetTest, MergesOverlappingAndAdjacent) {
  AddressSet set = Of({{10, 20}, {30, 40}});
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(10, 20), Iv(30, 40)));
  set.Add({21, 21});  // touches the first interval
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(10, 21), Iv(30, 40)));
  set.Add({22, 29});  // bridges the gap exactly
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(10, 40)));
  set.Add({5, 9});  // touches from below
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(5, 40)));
  set.Add({15, 16});  // inside
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(5, 40)));
  set.Add({42, 50});  // a gap of one address (41) stays a gap
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(5, 40), Iv(42, 50)));
  EXPECT_EQ(set.Count(), 36u + 9u);
}

TEST(AddressSetTest, AddSwallowsManyIntervals) {
  AddressSet set = Of({{10, 11}, {20, 21}, {30, 31}, {40, 41}, {60, 61}});
  set.Add({15, 45});
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(10, 11), Iv(15, 45), Iv(60, 61)));
  set.Add({0, kMax});
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(0, kMax)));
}

TEST(AddressSetTest, EdgesOfTheSpaceDoNotWrap) {
  AddressSet set = Of({{kMax, kMax}, {0, 0}});
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(0, 0), Iv(kMax, kMax)));
  set.Add({kMax - 1, kMax - 1});
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(0, 0), Iv(kMax - 1, kMax)));
  EXPECT_EQ(set.Count(), 3u);
}

TEST(AddressSetTest, ReversedIntervalIsIgnored) {
  AddressSet set;
  set.Add({20, 10});
  EXPECT_TRUE(set.empty());
}

TEST(AddressSetTest, FromIntervalsSortsAndMerges) {
  AddressSet set = AddressSet::FromIntervals(
      {{50, 60}, {0, 9}, {10, 10}, {55, 70}, {100, 90}, {kMax, kMax}});
  EXPECT_THAT(set.intervals(),
              ElementsAre(Iv(0, 10), Iv(50, 70), Iv(kMax, kMax)));
}

TEST(AddressSetTest, AddSetIsUnion) {
  AddressSet a = Of({{0, 9}, {20, 29}, {100, 200}});
  AddressSet b = Of({{10, 15}, {25, 40}, {300, 300}});
  a.AddSet(b);
  EXPECT_THAT(a.intervals(),
              ElementsAre(Iv(0, 15), Iv(20, 40), Iv(100, 200), Iv(300, 300)));
}

TEST(AddressSetTest, SubtractSplitsIntervals) {
  AddressSet set = Of({{0, 100}});
  set.Subtract(Of({{10, 19}, {50, 50}, {90, 200}}));
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(0, 9), Iv(20, 49), Iv(51, 89)));
  EXPECT_EQ(set.Count(), 10u + 30u + 39u);
}

TEST(AddressSetTest, SubtractOneHoleAcrossSeveralIntervals) {
  AddressSet set = Of({{0, 10}, {20, 30}, {40, 50}});
  set.Subtract(Of({{5, 45}}));
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(0, 4), Iv(46, 50)));
}

TEST(AddressSetTest, SubtractAtTheEdgesOfTheSpace) {
  AddressSet set = Of({{0, kMax}});
  set.Subtract(Of({{0, 0}, {kMax, kMax}}));
  EXPECT_THAT(set.intervals(), ElementsAre(Iv(1, kMax - 1)));
  set.Subtract(Of({{0, kMax}}));
  EXPECT_TRUE(set.empty());
}

TEST(AddressSetTest, ContainsAtIntervalBoundaries) {
  AddressSet set = Of({{10, 20}, {30, 30}});
  for (uint32_t v : {10u, 15u, 20u, 30u}) {
    EXPECT_TRUE(set.Contains(Ipv4Address(v))) << v;
  }
  for (uint32_t v : {0u, 9u, 21u, 29u, 31u, kMax}) {
    EXPECT_FALSE(set.Contains(Ipv4Address(v))) << v;
  }
}

// Random Add / AddSet / Subtract against a bitmap of a small universe placed
// at both ends of the space (so 0 and 255.255.255.255 are exercised).
TEST(AddressSetTest, RandomOperationsMatchABitmap) {
  constexpr uint32_t kHalf = 64;
  auto to_address = [](uint32_t u) {
    return u < kHalf ? u : kMax - (2 * kHalf - 1 - u);
  };
  std::mt19937 rng(12345);
  auto random_interval = [&](std::bitset<2 * kHalf>* bits) {
    uint32_t a = rng() % (2 * kHalf);
    uint32_t b = rng() % (2 * kHalf);
    if (a > b) std::swap(a, b);
    // Keep both ends in the same half so the interval is contiguous.
    if (a < kHalf && b >= kHalf) b = kHalf - 1;
    for (uint32_t u = a; u <= b; ++u) bits->set(u);
    return AddressInterval{to_address(a), to_address(b)};
  };
  for (int round = 0; round < 500; ++round) {
    AddressSet set;
    std::bitset<2 * kHalf> expected;
    for (int op = 0; op < 12; ++op) {
      std::bitset<2 * kHalf> other_bits;
      AddressSet other;
      for (int k = rng() % 4; k >= 0; --k)
        other.Add(random_interval(&other_bits));
      switch (rng() % 3) {
        case 0: {
          std::bitset<2 * kHalf> one;
          set.Add(random_interval(&one));
          expected |= one;
          break;
        }
        case 1:
          set.AddSet(other);
          expected |= other_bits;
          break;
        default:
          set.Subtract(other);
          expected &= ~other_bits;
          break;
      }
      ExpectCanonical(set);
      ASSERT_EQ(set.Count(), expected.count()) << "round " << round;
      for (uint32_t u = 0; u < 2 * kHalf; ++u) {
        ASSERT_EQ(set.Contains(Ipv4Address(to_address(u))), expected[u])
            << "round " << round << " address " << to_address(u);
      }
    }
  }
}

}  // namespace
}  // namespace tlsweep
