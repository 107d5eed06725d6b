#include "common/net_types.h"

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

TEST(Ipv4AddressTest, ParsesAndFormats) {
  EXPECT_EQ(Ipv4Address::Parse("0.0.0.0")->value(), 0u);
  EXPECT_EQ(Ipv4Address::Parse("255.255.255.255")->value(), 0xffffffffu);
  EXPECT_EQ(Ipv4Address::Parse("10.77.0.3")->value(), 0x0a4d0003u);
  EXPECT_EQ(Ipv4Address(0xc0000201).ToString(), "192.0.2.1");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4",
                          "1..2.3", "1.2.3.4 ", " 1.2.3.4", "0001.2.3.4",
                          "a.b.c.d", "1.2.3.4/8", "+1.2.3.4"}) {
    EXPECT_FALSE(Ipv4Address::Parse(bad).has_value()) << bad;
  }
  EXPECT_LT(Ipv4Address(1), Ipv4Address(2));
}

TEST(MacAddressTest, ParsesAndFormats) {
  const auto mac = MacAddress::Parse("02:0a:FF:00:10:ab");
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(mac->ToString(), "02:0a:ff:00:10:ab");
  EXPECT_EQ(MacAddress::Parse("02-0a-ff-00-10-ab"), mac);
  for (const char* bad : {"", "02:0a:ff:00:10", "02:0a:ff:00:10:ab:cd",
                          "02:0a:ff:00:10:zz", "020aff0010ab00000"}) {
    EXPECT_FALSE(MacAddress::Parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tlsweep
