#include "packet/arp.h"

#include <vector>

#include "gtest/gtest.h"
#include "packet/parse.h"

namespace tlsweep {
namespace {

const MacAddress kOurMac({0x02, 0, 0, 0, 0, 0x01});

// A request as Linux sends it: who-has 10.77.0.250 tell 10.77.0.2.
std::vector<uint8_t> LinuxRequest() {
  return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x06,
          0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
          0x02, 0, 0, 0, 0, 0x02, 10, 77, 0, 2,
          0, 0, 0, 0, 0, 0, 10, 77, 0, 250};
}

TEST(ArpTest, ParsesRequest) {
  const auto req = LinuxRequest();
  const auto m = ParseArp(req.data(), req.size());
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, kArpOpRequest);
  EXPECT_EQ(m->sender_ip.ToString(), "10.77.0.2");
  EXPECT_EQ(m->sender_mac.ToString(), "02:00:00:00:00:02");
  EXPECT_EQ(m->target_ip.ToString(), "10.77.0.250");
}

TEST(ArpTest, ReplyAnswersTheRequester) {
  const auto req = LinuxRequest();
  const auto m = ParseArp(req.data(), req.size());
  uint8_t out[kArpFrameLen];
  ASSERT_EQ(BuildArpReply(*m, kOurMac, m->target_ip, out), kArpFrameLen);
  const auto reply = ParseArp(out, sizeof(out));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->op, kArpOpReply);
  EXPECT_EQ(reply->sender_mac, kOurMac);
  EXPECT_EQ(reply->sender_ip.ToString(), "10.77.0.250");
  EXPECT_EQ(reply->target_mac.ToString(), "02:00:00:00:00:02");
  EXPECT_EQ(reply->target_ip.ToString(), "10.77.0.2");
  EXPECT_EQ(MacAddress({out[0], out[1], out[2], out[3], out[4], out[5]}).ToString(),
            "02:00:00:00:00:02");
  ParsedFrame parsed;
  EXPECT_EQ(ParseFrame(out, sizeof(out), &parsed), ParseResult::kArp);
}

TEST(ArpTest, RequestIsBroadcast) {
  uint8_t out[kArpFrameLen];
  BuildArpRequest(kOurMac, *Ipv4Address::Parse("10.77.0.250"),
                  *Ipv4Address::Parse("10.77.0.2"), out);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[i], 0xff);
  const auto m = ParseArp(out, sizeof(out));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, kArpOpRequest);
  EXPECT_EQ(m->target_ip.ToString(), "10.77.0.2");
}

TEST(ArpTest, RejectsMalformed) {
  auto f = LinuxRequest();
  EXPECT_FALSE(ParseArp(f.data(), f.size() - 1).has_value());
  f[15] = 6;  // hardware type 6 (IEEE 802)
  EXPECT_FALSE(ParseArp(f.data(), f.size()).has_value());
  f = LinuxRequest();
  f[21] = 3;  // RARP request
  EXPECT_FALSE(ParseArp(f.data(), f.size()).has_value());
  f = LinuxRequest();
  f[19] = 16;  // protocol length of IPv6
  EXPECT_FALSE(ParseArp(f.data(), f.size()).has_value());
  f = LinuxRequest();
  f[13] = 0x00;  // IPv4 ethertype
  EXPECT_FALSE(ParseArp(f.data(), f.size()).has_value());
}

}  // namespace
}  // namespace tlsweep
