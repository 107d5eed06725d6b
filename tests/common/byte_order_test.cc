#include "common/byte_order.h"

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(ByteOrderTest, LoadsAndStoresBigEndian) {
  uint8_t b[4] = {};
  StoreBe32(b, 0x0a4d0003);
  EXPECT_EQ(b[0], 0x0a);
  EXPECT_EQ(b[3], 0x03);
  EXPECT_EQ(LoadBe32(b), 0x0a4d0003u);
  StoreBe16(b, 0xbeef);
  EXPECT_EQ(b[0], 0xbe);
  EXPECT_EQ(b[1], 0xef);
  EXPECT_EQ(LoadBe16(b), 0xbeef);
}

TEST(ByteOrderTest, NetworkOrderTypesStoreWithoutSwap) {
  uint8_t b[4] = {};
  Be32::FromHost(0x01020304).Store(b);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[3], 4);
  EXPECT_EQ(Be32::FromHost(0x01020304).ToHost(), 0x01020304u);
  Be16::FromHost(0x0800).Store(b);
  EXPECT_EQ(b[0], 0x08);
  EXPECT_EQ(b[1], 0x00);
  EXPECT_EQ(Be16::FromHost(443), Be16::FromHost(443));
}

}  // namespace
}  // namespace tlsweep
