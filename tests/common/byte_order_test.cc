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

}  // namespace
}  // namespace tlsweep
