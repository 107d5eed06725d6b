// Tests for the stateless probe cookies: the fields are the documented bits of
// SipHash24Tuple, deterministic per key, key-dependent, sensitive to every
// input, and the source port stays in its range with a near-uniform spread.
// Keys and inputs are fixed, so the statistical checks cannot flake.
#include "validate/cookie.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

constexpr SipKey kKeyA{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
constexpr SipKey kKeyB{0x0706050403020100ULL, 0x0f0e0d0c0b0a0909ULL};

const Ipv4Address kSource(0xc0000201);  // 192.0.2.1
const Ipv4Address kTarget(0xc6336407);  // 198.51.100.7

TEST(CookiesTest, FieldsAreTheDocumentedBitsOfTheHash) {
  const Cookies cookies(kKeyA, 32768, 28232);
  const uint64_t h =
      SipHash24Tuple(kKeyA, kSource.value(), kTarget.value(), 25);
  const Cookies::Value v = cookies.Make(kSource, kTarget, 25);
  EXPECT_EQ(v.seq, static_cast<uint32_t>(h));
  EXPECT_EQ(v.ip_id, static_cast<uint16_t>(h >> 32));
  EXPECT_EQ(v.sport, 32768 + (((h >> 32) * 28232) >> 32));
}

TEST(CookiesTest, DeterministicPerKey) {
  const Cookies first(kKeyA, 40000, 1000);
  const Cookies second(kKeyA, 40000, 1000);
  std::mt19937 rng(1);
  for (int i = 0; i < 1000; ++i) {
    const Ipv4Address daddr(static_cast<uint32_t>(rng()));
    const uint16_t dport = static_cast<uint16_t>(rng());
    EXPECT_EQ(first.Make(kSource, daddr, dport),
              second.Make(kSource, daddr, dport));
    EXPECT_EQ(first.Make(kSource, daddr, dport),
              first.Make(kSource, daddr, dport));
  }
}

TEST(CookiesTest, DifferentKeysGiveDifferentCookies) {
  // Keys differing in one bit: a PRF makes the sequence numbers agree with
  // probability 2^-32 per input, so at most a handful out of 1000 could.
  const Cookies a(kKeyA, 40000, 1000);
  const Cookies b(kKeyB, 40000, 1000);
  int same_seq = 0;
  for (uint32_t i = 0; i < 1000; ++i) {
    const Ipv4Address daddr(0x0a000000 + i);
    if (a.Make(kSource, daddr, 443).seq == b.Make(kSource, daddr, 443).seq) {
      ++same_seq;
    }
  }
  EXPECT_EQ(same_seq, 0);
}

TEST(CookiesTest, SportAlwaysInRange) {
  struct Range {
    uint16_t first;
    uint16_t count;
  };
  for (const Range range : {Range{40000, 1}, Range{40000, 2},
                            Range{32768, 1000}, Range{1, 65535},
                            Range{0, 65535}, Range{65535, 1},
                            Range{65534, 2}}) {
    const Cookies cookies(kKeyA, range.first, range.count);
    const uint32_t last = uint32_t{range.first} + range.count - 1;
    std::mt19937 rng(range.count);
    for (int i = 0; i < 20000; ++i) {
      const Ipv4Address daddr(static_cast<uint32_t>(rng()));
      const uint16_t dport = static_cast<uint16_t>(rng());
      const uint16_t sport = cookies.Make(kSource, daddr, dport).sport;
      ASSERT_GE(sport, range.first) << "count " << range.count;
      ASSERT_LE(sport, last) << "count " << range.count;
      ASSERT_TRUE(cookies.SportInRange(sport));
    }
    if (range.count == 1) {
      EXPECT_EQ(cookies.Make(kSource, kTarget, 25).sport, range.first);
    }
  }
}

TEST(CookiesTest, SportInRangeRejectsOutside) {
  const Cookies cookies(kKeyA, 40000, 1000);
  EXPECT_FALSE(cookies.SportInRange(39999));
  EXPECT_TRUE(cookies.SportInRange(40000));
  EXPECT_TRUE(cookies.SportInRange(40999));
  EXPECT_FALSE(cookies.SportInRange(41000));
  EXPECT_FALSE(cookies.SportInRange(0));
  EXPECT_FALSE(cookies.SportInRange(65535));
}

TEST(CookiesTest, SportRoughlyUniformOverSmallRange) {
  // 16 ports, 160000 consecutive targets under a fixed key: 10000 expected
  // per port. The chi-square statistic has 15 degrees of freedom (mean 15,
  // sd 5.5); 60 is p < 1e-6 for a uniform source and, being computed from
  // fixed inputs, gives the same value on every run.
  constexpr int kPorts = 16;
  constexpr int kSamples = 160000;
  const Cookies cookies(kKeyA, 50000, kPorts);
  std::vector<int> counts(kPorts, 0);
  for (uint32_t i = 0; i < kSamples; ++i) {
    ++counts[cookies.Make(kSource, Ipv4Address(0x0a000000 + i), 25).sport -
             50000];
  }
  const double expected = static_cast<double>(kSamples) / kPorts;
  double chi_square = 0;
  for (const int c : counts) {
    chi_square += (c - expected) * (c - expected) / expected;
  }
  EXPECT_LT(chi_square, 60.0);
  // And no port is starved or doubled.
  for (const int c : counts) {
    EXPECT_GT(c, expected * 0.9);
    EXPECT_LT(c, expected * 1.1);
  }
}

TEST(CookiesTest, ChangingAnyTupleFieldChangesSeq) {
  const Cookies cookies(kKeyA, 40000, 1000);
  std::mt19937 rng(3);
  for (int i = 0; i < 1000; ++i) {
    const Ipv4Address saddr(static_cast<uint32_t>(rng()));
    const Ipv4Address daddr(static_cast<uint32_t>(rng()));
    const uint16_t dport = static_cast<uint16_t>(rng());
    const uint32_t bit = 1U << (i % 32);
    const uint32_t seq = cookies.Make(saddr, daddr, dport).seq;
    EXPECT_NE(seq, cookies.Make(Ipv4Address(saddr.value() ^ bit), daddr, dport)
                       .seq);
    EXPECT_NE(seq, cookies.Make(saddr, Ipv4Address(daddr.value() ^ bit), dport)
                       .seq);
    EXPECT_NE(seq, cookies
                       .Make(saddr, daddr,
                             static_cast<uint16_t>(dport ^ (1U << (i % 16))))
                       .seq);
  }
}

TEST(CookiesTest, SwappedAddressesDiffer) {
  // The tuple is ordered: a probe A->B and a probe B->A get unrelated cookies.
  const Cookies cookies(kKeyA, 40000, 1000);
  EXPECT_NE(cookies.Make(kSource, kTarget, 25).seq,
            cookies.Make(kTarget, kSource, 25).seq);
}

TEST(CookiesTest, RandomKeysAreFreshAndNonZero) {
  const absl::StatusOr<SipKey> ka = Cookies::RandomKey();
  const absl::StatusOr<SipKey> kb = Cookies::RandomKey();
  ASSERT_TRUE(ka.ok()) << ka.status();
  ASSERT_TRUE(kb.ok()) << kb.status();
  const SipKey a = *ka;
  const SipKey b = *kb;
  // Equal or all-zero 128-bit random keys have probability 2^-128.
  EXPECT_FALSE(a == b);
  EXPECT_FALSE(a.k0 == 0 && a.k1 == 0);
}

}  // namespace
}  // namespace tlsweep
