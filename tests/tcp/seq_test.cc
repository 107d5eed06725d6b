#include "tcp/seq.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(SeqNumTest, OrdersAcrossTheWrap) {
  const SeqNum before(0xfffffff0u);
  const SeqNum after = before + 0x20;
  EXPECT_EQ(after.value(), 0x10u);
  EXPECT_LT(before, after);
  EXPECT_LE(before, after);
  EXPECT_GT(after, before);
  EXPECT_GE(after, before);
  EXPECT_FALSE(after < before);
  EXPECT_EQ(after - before, 0x20);
  EXPECT_EQ(before - after, -0x20);
  EXPECT_EQ(SeqSpan(before, after), 0x20u);
  EXPECT_EQ(SeqMax(before, after), after);
  EXPECT_EQ(SeqMax(after, before), after);
  EXPECT_EQ(after - 0x20, before);
}

// The property that makes windows work: for any base, every number up to
// 2^31 - 1 ahead compares greater, and the order is antisymmetric.
TEST(SeqNumTest, HalfSpaceProperty) {
  for (uint32_t base : {0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xdeadbeefu}) {
    const SeqNum a(base);
    for (uint32_t d : {1u, 2u, 65535u, 1u << 30, 0x7fffffffu}) {
      const SeqNum b = a + d;
      EXPECT_LT(a, b) << base << " + " << d;
      EXPECT_GT(b, a) << base << " + " << d;
      EXPECT_NE(a, b);
    }
    EXPECT_EQ(a + 0, a);
    EXPECT_LE(a, a);
    EXPECT_FALSE(a < a);
  }
}

TEST(SeqNumTest, PlusEqualsWraps) {
  SeqNum s(0xffffffffu);
  s += 2;
  EXPECT_EQ(s.value(), 1u);
}

}  // namespace
}  // namespace tlsweep
