#include "targets/target_space.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/reference_space.h"
#include "targets/target_parse.h"

namespace tlsweep {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kMax = 0xffffffff;
constexpr uint64_t k2To48 = uint64_t{1} << 48;

uint32_t Ip(const char* text) { return Ipv4Address::Parse(text)->value(); }

std::vector<uint16_t> FirstPorts(int n) {
  // Not sorted, to check that port order is the given order.
  std::vector<uint16_t> ports;
  for (int i = 0; i < n; ++i)
    ports.push_back(static_cast<uint16_t>(1000 - 7 * i));
  return ports;
}

using ::tlsweep::testing::ReferenceSpace;

std::string Describe(const Target& t) {
  return t.address.ToString() + ":" + std::to_string(t.port);
}

// ----------------------------------------------------------- the divider

// Exhaustive over divisors, with the numerators where a reciprocal is most
// likely to be off by one: multiples of d and their neighbours, near 0 and
// near the 2^48 limit.
TEST(ReciprocalDividerTest, ExactForEveryDivisorAtTheEdges) {
  for (uint32_t d = 1; d <= 65535; ++d) {
    const ReciprocalDivider div(d);
    const uint64_t top = (k2To48 - 1) / d * d;  // largest multiple below 2^48
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{d} - 1, uint64_t{d},
                       uint64_t{d} + 1, 2 * uint64_t{d} - 1, top - 1, top,
                       k2To48 - 1, k2To48 - 1 - d}) {
      ASSERT_EQ(div.Divide(n), n / d) << n << " / " << d;
    }
  }
}

TEST(ReciprocalDividerTest, ExactForRandomNumerators) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2'000'000; ++i) {
    const uint32_t d = static_cast<uint32_t>(rng() % 65535) + 1;
    const uint64_t n = rng() & (k2To48 - 1);
    ASSERT_EQ(ReciprocalDivider(d).Divide(n), n / d) << n << " / " << d;
  }
}

// ----------------------------------------------------------- Create

TEST(TargetSpaceTest, CreateRejectsEmptyInputsAndBadPorts) {
  AddressSet one;
  one.Add({1, 1});
  EXPECT_FALSE(TargetSpace::Create(AddressSet(), {80}).ok());
  EXPECT_FALSE(TargetSpace::Create(one, {}).ok());
  EXPECT_FALSE(TargetSpace::Create(one, {0}).ok());
  auto dup = TargetSpace::Create(one, {80, 443, 80});
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(dup.status().message(), HasSubstr("80"));
}

TEST(TargetSpaceTest, Sizes) {
  AddressSet set;
  set.Add({0, kMax});
  auto ports = ParsePortList("1-65535");
  ASSERT_TRUE(ports.ok());
  auto space = TargetSpace::Create(set, *ports);
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->num_addresses(), uint64_t{1} << 32);
  EXPECT_EQ(space->size(), (uint64_t{1} << 32) * 65535);
  // The largest possible space: last index, and the last port of the first
  // address.
  EXPECT_EQ(space->At(space->size() - 1), (Target{Ipv4Address(kMax), 65535}));
  EXPECT_EQ(space->At(65534), (Target{Ipv4Address(0), 65535}));
  EXPECT_EQ(space->At(65535), (Target{Ipv4Address(1), 1}));
  EXPECT_EQ(space->IndexOf(Ipv4Address(kMax), 65535), space->size() - 1);
}

// ----------------------------------------------------------- round trips

struct Layout {
  const char* name;
  std::vector<AddressInterval> intervals;
};

std::vector<Layout> SmallLayouts() {
  std::vector<Layout> layouts = {
      {"one address", {{Ip("1.2.3.4"), Ip("1.2.3.4")}}},
      {"zero", {{0, 0}}},
      {"top", {{kMax, kMax}}},
      {"one /24", {{Ip("192.0.2.0"), Ip("192.0.2.255")}}},
      {"both ends", {{0, 3}, {kMax - 4, kMax}}},
      {"singletons", {{10, 10}, {12, 12}, {14, 14}, {100, 100}, {1000, 1000}}},
      {"mixed sizes",
       {{Ip("1.0.0.0"), Ip("1.0.0.0")},
        {Ip("2.0.0.0"), Ip("2.0.0.63")},
        {Ip("3.0.0.7"), Ip("3.0.0.9")},
        {Ip("4.0.0.0"), Ip("4.0.1.255")},
        {Ip("200.0.0.1"), Ip("200.0.0.1")}}},
  };
  // Many one-address intervals: a bucket table of many entries.
  Layout every_third{"every third of 3000", {}};
  for (uint32_t a = 5000; a < 8000; a += 3)
    every_third.intervals.push_back({a, a});
  layouts.push_back(every_third);
  // Crowd: one big interval followed by many tiny ones squeezed into a small
  // part of the index space, so some buckets hold far more than
  // kMaxLinearScan candidates and the binary-search path runs.
  Layout crowd{"crowd", {{0, 1'000'000}}};
  for (uint32_t a = 2'000'000; a < 2'000'000 + 2 * 700; a += 2) {
    crowd.intervals.push_back({a, a});
  }
  crowd.intervals.push_back({3'000'000, 3'000'000 + 5000});
  layouts.push_back(crowd);
  return layouts;
}

TEST(TargetSpaceTest, EveryIndexRoundTripsOnSmallSpaces) {
  for (const Layout& layout : SmallLayouts()) {
    const AddressSet set = AddressSet::FromIntervals(layout.intervals);
    for (int num_ports = 1; num_ports <= 13; ++num_ports) {
      // The crowd layout has a million addresses: its full sweep runs for a
      // few port counts only.
      if (set.Count() > 100'000 && num_ports > 3 && num_ports != 13) continue;
      SCOPED_TRACE(std::string(layout.name) + ", ports " +
                   std::to_string(num_ports));
      const std::vector<uint16_t> ports = FirstPorts(num_ports);
      auto space = TargetSpace::Create(set, ports);
      ASSERT_TRUE(space.ok()) << space.status();
      ASSERT_EQ(space->size(), set.Count() * num_ports);
      if (std::string(layout.name) == "crowd") {
        EXPECT_GT(space->num_crowded_buckets(), 0u) << "slow path untested";
      }
      const ReferenceSpace reference(set, ports);
      // Walks the space in order and checks At against the expected target,
      // derived independently by iterating the intervals.
      uint64_t index = 0;
      for (const AddressInterval& i : set.intervals()) {
        for (uint64_t a = i.first; a <= i.last; ++a) {
          for (uint16_t port : ports) {
            const Target expected{Ipv4Address(static_cast<uint32_t>(a)), port};
            const Target got = space->At(index);
            ASSERT_EQ(got, expected)
                << "index " << index << ": " << Describe(got) << " vs "
                << Describe(expected);
            ASSERT_EQ(space->IndexOf(got.address, got.port), index);
            ++index;
          }
        }
      }
      ASSERT_EQ(index, space->size());
    }
  }
}

TEST(TargetSpaceTest, IndexOfRejectsWhatIsNotInTheSpace) {
  const AddressSet set =
      AddressSet::FromIntervals({{10, 20}, {30, 30}, {kMax - 1, kMax - 1}});
  auto space = TargetSpace::Create(set, {25, 587});
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->IndexOf(Ipv4Address(10), 25), 0u);
  EXPECT_EQ(space->IndexOf(Ipv4Address(10), 587), 1u);
  EXPECT_EQ(space->IndexOf(Ipv4Address(30), 587), 23u);
  for (uint32_t a : {0u, 9u, 21u, 29u, 31u, kMax - 2, kMax}) {
    EXPECT_EQ(space->IndexOf(Ipv4Address(a), 25), std::nullopt) << a;
  }
  EXPECT_EQ(space->IndexOf(Ipv4Address(15), 26), std::nullopt);
  EXPECT_EQ(space->IndexOf(Ipv4Address(15), 0), std::nullopt);
  EXPECT_EQ(space->IndexOf(Ipv4Address(15), 65535), std::nullopt);
}

// ------------------------------------ the real thing: 0/0 minus the blocklist

class FullSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TargetOptions options;
    options.target_args = {"0.0.0.0/0"};
    auto allowed = BuildAllowedAddresses(options);
    ASSERT_TRUE(allowed.ok()) << allowed.status();
    allowed_ = allowed->allowed;
    ports_ =
        *ParsePortList("25,587,465,143,993,110,995,5222,5269,5223,6667,6697");
    ASSERT_EQ(ports_.size(), 12u);
    auto space = TargetSpace::Create(allowed_, ports_);
    ASSERT_TRUE(space.ok()) << space.status();
    space_ = std::make_unique<TargetSpace>(*std::move(space));
  }

  AddressSet allowed_;
  std::vector<uint16_t> ports_;
  std::unique_ptr<TargetSpace> space_;
};

TEST_F(FullSpaceTest, FirstLastAndBoundaryIndices) {
  const TargetSpace& s = *space_;
  // The default blocklist needs no binary search anywhere.
  EXPECT_EQ(s.num_crowded_buckets(), 0u) << s.num_buckets() << " buckets";
  EXPECT_LE(s.num_split_buckets(), 13u);
  ASSERT_EQ(s.num_addresses(), allowed_.Count());
  ASSERT_EQ(s.size(), allowed_.Count() * 12);
  EXPECT_EQ(s.At(0), (Target{Ipv4Address(Ip("1.0.0.0")), 25}));
  EXPECT_EQ(s.At(11), (Target{Ipv4Address(Ip("1.0.0.0")), 6697}));
  EXPECT_EQ(s.At(12), (Target{Ipv4Address(Ip("1.0.0.1")), 25}));
  EXPECT_EQ(s.At(s.size() - 1),
            (Target{Ipv4Address(Ip("223.255.255.255")), 6697}));

  // Around every interval boundary: the last index of each interval and the
  // first of the next.
  uint64_t start = 0;
  for (const AddressInterval& i : allowed_.intervals()) {
    for (size_t p = 0; p < ports_.size(); ++p) {
      const uint64_t first_index = start * 12 + p;
      const uint64_t last_index = (start + i.size() - 1) * 12 + p;
      EXPECT_EQ(s.At(first_index), (Target{Ipv4Address(i.first), ports_[p]}));
      EXPECT_EQ(s.At(last_index), (Target{Ipv4Address(i.last), ports_[p]}));
      EXPECT_EQ(s.IndexOf(Ipv4Address(i.first), ports_[p]), first_index);
      EXPECT_EQ(s.IndexOf(Ipv4Address(i.last), ports_[p]), last_index);
      if (i.first > 0) {
        EXPECT_EQ(s.IndexOf(Ipv4Address(i.first - 1), ports_[p]), std::nullopt);
      }
      if (i.last < kMax) {
        EXPECT_EQ(s.IndexOf(Ipv4Address(i.last + 1), ports_[p]), std::nullopt);
      }
    }
    start += i.size();
  }
  // Blocklisted addresses are not in the space.
  for (const char* blocked :
       {"10.1.2.3", "127.0.0.1", "192.168.0.1", "224.0.0.1", "255.255.255.255",
        "0.0.0.0", "100.64.0.0"}) {
    EXPECT_EQ(s.IndexOf(Ipv4Address(Ip(blocked)), 25), std::nullopt) << blocked;
  }
}

TEST_F(FullSpaceTest, AtMatchesReferenceOnRandomIndices) {
  const ReferenceSpace reference(allowed_, ports_);
  std::mt19937_64 rng(2016);
  for (int i = 0; i < 300'000; ++i) {
    const uint64_t index = rng() % space_->size();
    const Target got = space_->At(index);
    const Target expected = reference.At(index);
    ASSERT_EQ(got, expected) << "index " << index << ": " << Describe(got)
                             << " vs " << Describe(expected);
    ASSERT_EQ(space_->IndexOf(got.address, got.port), index);
  }
}

// A blocklist of thousands of holes crowded into a few /8s: buckets with many
// candidates (the binary-search path) on a space too big to enumerate.
TEST(TargetSpaceTest, ManyHolesMatchReference) {
  AddressSet allowed;
  allowed.Add({0, kMax});
  std::mt19937 rng(99);
  std::vector<AddressInterval> holes;
  for (int i = 0; i < 20'000; ++i) {
    const uint32_t base = (static_cast<uint32_t>(rng() % 3) + 50) << 24;
    const uint32_t first = base + (rng() & 0xffffff);
    holes.push_back({first, first + static_cast<uint32_t>(rng() % 300)});
  }
  allowed.Subtract(AddressSet::FromIntervals(holes));
  ASSERT_GT(allowed.intervals().size(), 10'000u);
  for (int num_ports : {1, 7}) {
    const std::vector<uint16_t> ports = FirstPorts(num_ports);
    auto space = TargetSpace::Create(allowed, ports);
    ASSERT_TRUE(space.ok());
    EXPECT_GT(space->num_crowded_buckets(), 0u) << "the slow path is untested";
    const ReferenceSpace reference(allowed, ports);
    uint64_t start = 0;
    for (const AddressInterval& i : allowed.intervals()) {
      for (uint64_t a : {start, start + i.size() - 1}) {
        const uint64_t index = a * num_ports + (num_ports - 1);
        ASSERT_EQ(space->At(index), reference.At(index)) << index;
      }
      start += i.size();
    }
    for (int k = 0; k < 200'000; ++k) {
      // Half of the draws land in the crowded /8s.
      const uint64_t index =
          (k % 2 == 0) ? rng() % space->size()
                       : (uint64_t{Ip("49.0.0.0")} * num_ports +
                          (uint64_t{rng()} % (uint64_t{3} << 24)) * num_ports) %
                             space->size();
      ASSERT_EQ(space->At(index), reference.At(index)) << index;
    }
  }
}

}  // namespace
}  // namespace tlsweep
