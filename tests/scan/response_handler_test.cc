#include "scan/response_handler.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "packet/arp.h"
#include "packet/parse.h"
#include "scan/scan_config.h"
#include "testing/frames.h"
#include "validate/cookie.h"
#include "validate/dedup.h"
#include "validate/validator.h"

namespace tlsweep {
namespace {

using ::tlsweep::testing::IcmpUnreachableFrame;
using ::tlsweep::testing::Put16;
using ::tlsweep::testing::Put32;
using ::tlsweep::testing::TcpFrame;
using ::tlsweep::testing::TcpSpec;
using Action = ResponseHandler::Action;
using Mac = std::array<uint8_t, 6>;

constexpr SipKey kKey = {0x0123456789abcdefull, 0xfedcba9876543210ull};
constexpr uint64_t kNow = 1700000000123456789ull;
constexpr Mac kOurMacBytes = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
constexpr Mac kPeerMacBytes = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr uint32_t kSource0 = 0x0a090001;  // 10.9.0.1, first of two sources
constexpr uint32_t kSource1 = 0x0a090002;  // 10.9.0.2
constexpr uint32_t kTarget = 0x0a4d0003;   // 10.77.0.3, in 10.77.0.0/28
constexpr uint32_t kOutside = 0x0a4e0003;  // 10.78.0.3, not a target
constexpr uint32_t kRouter = 0x0a4d00fe;   // 10.77.0.254
constexpr uint32_t kGateway = 0x0a0900fe;  // 10.9.0.254
constexpr uint32_t kPeer = 0x0a090063;     // 10.9.0.99

ScanConfig Config() {
  ScanConfig c;
  c.targets.target_args = {"10.77.0.0/28"};
  c.targets.no_blocklist = true;
  c.ports = {25, 110, 143};
  c.seed = 7;
  c.sources = SourceRange{Ipv4Address(kSource0), 2};
  return c;
}

// An Ethernet + ARP frame (IPv4 over Ethernet), built byte by byte.
std::vector<uint8_t> ArpFrame(uint16_t op, const Mac& sha, uint32_t spa,
                              const Mac& tha, uint32_t tpa) {
  std::vector<uint8_t> f(60, 0);
  for (size_t i = 0; i < 6; ++i) {
    f[i] = op == kArpOpRequest ? 0xff : kOurMacBytes[i];
    f[6 + i] = sha[i];
  }
  Put16(f, 12, 0x0806);
  Put16(f, 14, 1);       // htype Ethernet
  Put16(f, 16, 0x0800);  // ptype IPv4
  f[18] = 6;
  f[19] = 4;
  Put16(f, 20, op);
  for (size_t i = 0; i < 6; ++i) f[22 + i] = sha[i];
  Put32(f, 28, spa);
  for (size_t i = 0; i < 6; ++i) f[32 + i] = tha[i];
  Put32(f, 38, tpa);
  return f;
}

class ResponseHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plan = ScanPlan::Create(Config(), kKey);
    ASSERT_TRUE(plan.ok()) << plan.status();
    plan_ = *std::move(plan);
    dedup_ = std::make_unique<Dedup>(plan_->config().ports, 16);
    handler_ = std::make_unique<ResponseHandler>(*plan_, MacAddress(kOurMacBytes),
                                                 *dedup_);
  }

  // What a correct stack at `target` sends in answer to our probe to
  // (`target`, `port`), with ack = cookie + `ack_delta`.
  TcpSpec Answer(uint32_t target, uint16_t port, uint8_t flags,
                 uint32_t ack_delta = 1) const {
    const Ipv4Address saddr = plan_->config().sources.For(Ipv4Address(target));
    const Cookies::Value c = plan_->cookies().Make(saddr, Ipv4Address(target), port);
    TcpSpec s;
    s.saddr = target;
    s.daddr = saddr.value();
    s.sport = port;
    s.dport = c.sport;
    s.seq = 4242;
    s.ack = c.seq + ack_delta;
    s.flags = flags;
    s.ttl = 57;
    return s;
  }

  // Our probe to (`target`, `port`), as an ICMP error would quote it.
  TcpSpec Probe(uint32_t target, uint16_t port) const {
    const Ipv4Address saddr = plan_->config().sources.For(Ipv4Address(target));
    const Cookies::Value c = plan_->cookies().Make(saddr, Ipv4Address(target), port);
    TcpSpec s;
    s.saddr = saddr.value();
    s.daddr = target;
    s.sport = c.sport;
    s.dport = port;
    s.seq = c.seq;
    s.flags = 0x02;
    return s;
  }

  Action Handle(const std::vector<uint8_t>& frame) {
    result_ = ScanResult{};
    reply_.fill(0);
    return handler_->Handle(frame.data(), frame.size(), kNow, &result_,
                            reply_.data());
  }

  const ReceiveCounters& counters() const { return handler_->counters(); }

  std::unique_ptr<ScanPlan> plan_;
  std::unique_ptr<Dedup> dedup_;
  std::unique_ptr<ResponseHandler> handler_;
  ScanResult result_;
  std::array<uint8_t, kArpFrameLen> reply_{};
};

TEST_F(ResponseHandlerTest, SynAckIsAnOpenPortAndItsRepeatIsFlagged) {
  TcpSpec s = Answer(kTarget, 25, 0x12);
  s.options = {2, 4, 0x05, 0xb4, 1, 3, 3, 7};  // MSS 1460, NOP, WS 7
  const std::vector<uint8_t> frame = TcpFrame(s);

  ASSERT_EQ(Handle(frame), Action::kResult);
  EXPECT_EQ(result_.response.classification, Classification::kSynAck);
  EXPECT_EQ(ClassificationName(result_.response.classification), "synack");
  EXPECT_TRUE(result_.response.success);
  EXPECT_FALSE(result_.repeat);
  EXPECT_EQ(result_.timestamp_ns, kNow);
  EXPECT_EQ(result_.response.target.value(), kTarget);
  EXPECT_EQ(result_.response.port, 25);
  EXPECT_EQ(result_.response.saddr.value(), s.daddr);
  EXPECT_EQ(result_.response.sport, s.dport);
  EXPECT_EQ(result_.response.ttl, 57);
  EXPECT_EQ(result_.response.window, 64240);
  EXPECT_TRUE(result_.response.options.has_mss);
  EXPECT_EQ(result_.response.options.mss, 1460);
  EXPECT_TRUE(result_.response.options.has_wscale);
  EXPECT_EQ(result_.response.options.wscale, 7);
  EXPECT_EQ(counters().frames, 1u);
  EXPECT_EQ(counters().synack, 1u);
  EXPECT_EQ(counters().repeats, 0u);
  EXPECT_EQ(counters().parse[ParseResult::kTcp], 1u);
  EXPECT_EQ(counters().validate[ValidateResult::kValid], 1u);
  EXPECT_EQ(counters().invalid(), 0u);

  // The host retransmits its SYN-ACK: still a result, but a repeat.
  ASSERT_EQ(Handle(frame), Action::kResult);
  EXPECT_TRUE(result_.repeat);
  EXPECT_EQ(result_.response.classification, Classification::kSynAck);
  EXPECT_EQ(counters().frames, 2u);
  EXPECT_EQ(counters().synack, 1u);
  EXPECT_EQ(counters().repeats, 1u);
  EXPECT_EQ(counters().invalid(), 0u);
}

TEST_F(ResponseHandlerTest, RstAfterSynAckForTheSameTargetIsARepeat) {
  ASSERT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x12))), Action::kResult);
  ASSERT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x14))), Action::kResult);
  EXPECT_TRUE(result_.repeat);
  EXPECT_EQ(result_.response.classification, Classification::kRst);
  EXPECT_EQ(counters().synack, 1u);
  EXPECT_EQ(counters().rst, 0u);
  EXPECT_EQ(counters().repeats, 1u);
}

TEST_F(ResponseHandlerTest, RstIsAClosedPort) {
  ASSERT_EQ(Handle(TcpFrame(Answer(kTarget, 110, 0x14))), Action::kResult);
  EXPECT_EQ(result_.response.classification, Classification::kRst);
  EXPECT_EQ(ClassificationName(result_.response.classification), "rst");
  EXPECT_FALSE(result_.response.success);
  EXPECT_FALSE(result_.repeat);
  EXPECT_EQ(result_.response.port, 110);
  EXPECT_EQ(counters().rst, 1u);
  EXPECT_EQ(counters().synack, 0u);
  EXPECT_EQ(counters().repeats, 0u);

  // A bare RST carrying the cookie itself (ack = seq) is the same port: a
  // repeat now.
  ASSERT_EQ(Handle(TcpFrame(Answer(kTarget, 110, 0x04, 0))), Action::kResult);
  EXPECT_TRUE(result_.repeat);
  EXPECT_EQ(counters().rst, 1u);
  EXPECT_EQ(counters().repeats, 1u);
}

TEST_F(ResponseHandlerTest, IcmpUnreachableIsFiltered) {
  ASSERT_EQ(Handle(IcmpUnreachableFrame(kRouter, Probe(kTarget, 143), 13)),
            Action::kResult);
  EXPECT_EQ(result_.response.classification, Classification::kIcmpUnreachable);
  EXPECT_EQ(ClassificationName(result_.response.classification), "icmp-unreach");
  EXPECT_FALSE(result_.response.success);
  EXPECT_FALSE(result_.repeat);
  EXPECT_EQ(result_.response.target.value(), kTarget);
  EXPECT_EQ(result_.response.port, 143);
  EXPECT_EQ(result_.response.icmp_responder.value(), kRouter);
  EXPECT_EQ(result_.response.icmp_code, 13);
  EXPECT_EQ(counters().icmp_unreach, 1u);
  EXPECT_EQ(counters().parse[ParseResult::kIcmpUnreachable], 1u);
  EXPECT_EQ(counters().invalid(), 0u);
}

TEST_F(ResponseHandlerTest, ForgedAcknowledgementIsDropped) {
  EXPECT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x12, 2))), Action::kNone);
  EXPECT_EQ(counters().validate[ValidateResult::kBadAck], 1u);
  EXPECT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x12, 0))), Action::kNone);
  EXPECT_EQ(counters().validate[ValidateResult::kBadAck], 2u);
  EXPECT_EQ(counters().synack, 0u);
  EXPECT_EQ(counters().repeats, 0u);
  EXPECT_EQ(counters().invalid(), 2u);

  // Rejections leave no trace in the dedup set: the real answer is new.
  ASSERT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x12))), Action::kResult);
  EXPECT_FALSE(result_.repeat);
  EXPECT_EQ(counters().synack, 1u);
}

TEST_F(ResponseHandlerTest, WrongPortAndForeignDestinationAreDropped) {
  TcpSpec s = Answer(kTarget, 25, 0x12);
  s.dport = static_cast<uint16_t>(s.dport + 1);
  EXPECT_EQ(Handle(TcpFrame(s)), Action::kNone);
  EXPECT_EQ(counters().validate[ValidateResult::kWrongPort], 1u);

  s = Answer(kTarget, 25, 0x12);
  s.daddr = kSource0 + 2;  // just past our two source addresses
  EXPECT_EQ(Handle(TcpFrame(s)), Action::kNone);
  EXPECT_EQ(counters().validate[ValidateResult::kNotForUs], 1u);

  // A bare ACK with the right numbers.
  EXPECT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x10))), Action::kNone);
  EXPECT_EQ(counters().validate[ValidateResult::kUnexpectedFlags], 1u);
  EXPECT_EQ(counters().invalid(), 3u);
  EXPECT_EQ(counters().synack + counters().rst + counters().icmp_unreach, 0u);
}

TEST_F(ResponseHandlerTest, GarbageIsAParseDrop) {
  const std::vector<uint8_t> runt(10, 0xab);
  EXPECT_EQ(Handle(runt), Action::kNone);
  EXPECT_EQ(counters().parse[ParseResult::kTruncated], 1u);

  std::vector<uint8_t> corrupt = TcpFrame(Answer(kTarget, 25, 0x12));
  corrupt[14 + 20 + 4] ^= 0x01;  // flip a bit of the TCP sequence number
  EXPECT_EQ(Handle(corrupt), Action::kNone);
  EXPECT_EQ(counters().parse[ParseResult::kBadTcpChecksum], 1u);

  std::vector<uint8_t> ipv6(60, 0);
  ipv6[12] = 0x86;
  ipv6[13] = 0xdd;
  EXPECT_EQ(Handle(ipv6), Action::kNone);
  EXPECT_EQ(counters().parse[ParseResult::kOtherEtherType], 1u);

  EXPECT_EQ(counters().frames, 3u);
  EXPECT_EQ(counters().parse.dropped(), 3u);
  // Drops never reach the validator.
  EXPECT_EQ(counters().validate.invalid(), 0u);
  EXPECT_EQ(counters().validate[ValidateResult::kValid], 0u);
  EXPECT_EQ(counters().invalid(), 3u);
}

TEST_F(ResponseHandlerTest, InvalidSumsParseDropsAndValidationFailures) {
  EXPECT_EQ(Handle(std::vector<uint8_t>(5, 0)), Action::kNone);          // parse
  EXPECT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x12, 7))), Action::kNone);  // bad ack
  TcpSpec wrong_port = Answer(kTarget, 110, 0x14);
  wrong_port.dport = static_cast<uint16_t>(wrong_port.dport ^ 1);
  EXPECT_EQ(Handle(TcpFrame(wrong_port)), Action::kNone);                // wrong port
  // Valid answers and ARP are not invalid.
  EXPECT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x12))), Action::kResult);
  EXPECT_EQ(Handle(TcpFrame(Answer(kTarget, 25, 0x12))), Action::kResult);
  EXPECT_EQ(Handle(ArpFrame(kArpOpRequest, kPeerMacBytes, kPeer, Mac{}, kPeer + 1)),
            Action::kNone);
  EXPECT_EQ(counters().frames, 6u);
  EXPECT_EQ(counters().parse.dropped(), 1u);
  EXPECT_EQ(counters().validate.invalid(), 2u);
  EXPECT_EQ(counters().invalid(), 3u);
  EXPECT_EQ(counters().arp_ignored, 1u);
}

TEST_F(ResponseHandlerTest, CorrectCookieFromOutsideTheScanIsRejected) {
  // Only someone holding the key can build this, but the address is not a
  // target of this scan, so it must not become a result.
  ASSERT_FALSE(plan_->allowed().allowed.Contains(Ipv4Address(kOutside)));
  const TcpSpec s = Answer(kOutside, 25, 0x12);
  EXPECT_EQ(s.ack, plan_->cookies()
                           .Make(Ipv4Address(s.daddr), Ipv4Address(kOutside), 25)
                           .seq +
                       1);
  EXPECT_EQ(Handle(TcpFrame(s)), Action::kNone);
  EXPECT_EQ(Handle(IcmpUnreachableFrame(kRouter, Probe(kOutside, 143))),
            Action::kNone);
  EXPECT_EQ(counters().validate[ValidateResult::kNotForUs], 2u);
  EXPECT_EQ(counters().synack + counters().icmp_unreach + counters().repeats, 0u);
  EXPECT_EQ(counters().invalid(), 2u);

  // Nothing was recorded for it either.
  EXPECT_TRUE(dedup_->Insert(Ipv4Address(kOutside), 25));
}

TEST_F(ResponseHandlerTest, RejectedOutsideAnswerIsNotAlsoCountedValid) {
  EXPECT_EQ(Handle(TcpFrame(Answer(kOutside, 25, 0x12))), Action::kNone);
  EXPECT_EQ(counters().validate[ValidateResult::kValid], 0u);
  uint64_t total = 0;
  for (uint64_t n : counters().validate.by_result) total += n;
  EXPECT_EQ(total, 1u);
}

TEST_F(ResponseHandlerTest, AnswersArpForEachSourceAddress) {
  for (uint32_t ours : {kSource0, kSource1}) {
    const std::vector<uint8_t> request =
        ArpFrame(kArpOpRequest, kPeerMacBytes, kPeer, Mac{}, ours);
    ASSERT_EQ(Handle(request), Action::kArpReply);
    const std::optional<ArpMessage> reply = ParseArp(reply_.data(), reply_.size());
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->op, kArpOpReply);
    EXPECT_EQ(reply->sender_mac, MacAddress(kOurMacBytes));
    EXPECT_EQ(reply->sender_ip.value(), ours);
    EXPECT_EQ(reply->target_mac, MacAddress(kPeerMacBytes));
    EXPECT_EQ(reply->target_ip.value(), kPeer);
    // Ethernet: unicast back to the asker, from our port.
    for (size_t i = 0; i < 6; ++i) {
      EXPECT_EQ(reply_[i], kPeerMacBytes[i]) << i;
      EXPECT_EQ(reply_[6 + i], kOurMacBytes[i]) << i;
    }
    EXPECT_EQ(reply_[12], 0x08);
    EXPECT_EQ(reply_[13], 0x06);
  }
  EXPECT_EQ(counters().arp_replies_sent, 2u);
  EXPECT_EQ(counters().arp_ignored, 0u);
  EXPECT_EQ(counters().parse[ParseResult::kArp], 2u);
  EXPECT_EQ(counters().invalid(), 0u);
}

TEST_F(ResponseHandlerTest, IgnoresArpForOtherAddressesAndMalformedArp) {
  for (uint32_t other : {kSource0 - 1, kSource1 + 1, kPeer}) {
    EXPECT_EQ(Handle(ArpFrame(kArpOpRequest, kPeerMacBytes, kPeer, Mac{}, other)),
              Action::kNone);
  }
  EXPECT_EQ(counters().arp_ignored, 3u);
  // A reply that nobody asked for, even one naming our address.
  EXPECT_EQ(Handle(ArpFrame(kArpOpReply, kPeerMacBytes, kPeer, kOurMacBytes, kSource0)),
            Action::kNone);
  EXPECT_EQ(counters().arp_ignored, 4u);
  // Hardware address length 5: malformed.
  std::vector<uint8_t> bad = ArpFrame(kArpOpRequest, kPeerMacBytes, kPeer, Mac{}, kSource0);
  bad[18] = 5;
  EXPECT_EQ(Handle(bad), Action::kNone);
  EXPECT_EQ(counters().arp_ignored, 5u);
  EXPECT_EQ(counters().arp_replies_sent, 0u);
  EXPECT_FALSE(handler_->gateway_mac().has_value());
}

TEST_F(ResponseHandlerTest, LearnsTheGatewayMacFromItsArpReply) {
  const Mac other_mac = {0x02, 0x99, 0x99, 0x99, 0x99, 0x99};
  const Mac gw_mac = {0x02, 0x47, 0x57, 0x00, 0x00, 0x01};
  // Before ExpectGateway, even the gateway's reply is ignored.
  EXPECT_EQ(Handle(ArpFrame(kArpOpReply, gw_mac, kGateway, kOurMacBytes, kSource0)),
            Action::kNone);
  EXPECT_FALSE(handler_->gateway_mac().has_value());

  handler_->ExpectGateway(Ipv4Address(kGateway));
  // A reply from another address does not set it.
  EXPECT_EQ(Handle(ArpFrame(kArpOpReply, other_mac, kGateway + 1, kOurMacBytes, kSource0)),
            Action::kNone);
  EXPECT_FALSE(handler_->gateway_mac().has_value());
  const uint64_t ignored = counters().arp_ignored;

  EXPECT_EQ(Handle(ArpFrame(kArpOpReply, gw_mac, kGateway, kOurMacBytes, kSource0)),
            Action::kNone);
  ASSERT_TRUE(handler_->gateway_mac().has_value());
  EXPECT_EQ(*handler_->gateway_mac(), MacAddress(gw_mac));
  EXPECT_EQ(counters().arp_ignored, ignored);

  // Later replies from other hosts leave it alone.
  EXPECT_EQ(Handle(ArpFrame(kArpOpReply, other_mac, kPeer, kOurMacBytes, kSource0)),
            Action::kNone);
  EXPECT_EQ(*handler_->gateway_mac(), MacAddress(gw_mac));
}

}  // namespace
}  // namespace tlsweep
