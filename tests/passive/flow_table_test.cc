// The flow table: one key for both directions, least-recently-seen order,
// a hard bound, slots reused after removal.
#include "passive/flow_table.h"

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(FlowKeyTest, BothDirectionsShareOneKey) {
  bool ab1 = false, ab2 = true;
  const FlowKey k1 = FlowKey::Of(0x0a000002, 40000, 0x0a000001, 25, &ab1);
  const FlowKey k2 = FlowKey::Of(0x0a000001, 25, 0x0a000002, 40000, &ab2);
  EXPECT_EQ(k1, k2);
  EXPECT_NE(ab1, ab2);
  EXPECT_EQ(k1.addr_a, 0x0a000001u);
  EXPECT_EQ(k1.port_a, 25);
  // Same address on both ends (loopback): ordered by port.
  bool ab3 = false;
  const FlowKey k3 = FlowKey::Of(0x7f000001, 587, 0x7f000001, 5000, &ab3);
  EXPECT_TRUE(ab3);
  EXPECT_EQ(k3.port_a, 587);
}

TEST(FlowTableTest, BoundedAndOldestFirst) {
  FlowTable t(3);
  bool ab;
  const FlowKey a = FlowKey::Of(1, 1, 2, 25, &ab);
  const FlowKey b = FlowKey::Of(1, 2, 2, 25, &ab);
  const FlowKey c = FlowKey::Of(1, 3, 2, 25, &ab);
  const FlowKey d = FlowKey::Of(1, 4, 2, 25, &ab);
  const uint32_t ia = t.Insert(a, 10);
  const uint32_t ib = t.Insert(b, 20);
  const uint32_t ic = t.Insert(c, 30);
  EXPECT_EQ(t.Insert(d, 40), FlowTable::kNone);  // full
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.Find(b), ib);
  EXPECT_EQ(t.Find(d), FlowTable::kNone);
  EXPECT_EQ(t.Oldest(), ia);
  t.Touch(ia, 50);  // a is now the newest
  EXPECT_EQ(t.Oldest(), ib);
  EXPECT_EQ(t.last_seen(ia), 50u);
  t.Remove(ib);
  EXPECT_EQ(t.Oldest(), ic);
  const uint32_t id = t.Insert(d, 60);
  EXPECT_EQ(id, ib);  // the freed slot
  EXPECT_EQ(t.key(id), d);
  t.Remove(ic);
  t.Remove(ia);
  t.Remove(id);
  EXPECT_EQ(t.Oldest(), FlowTable::kNone);
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace tlsweep
