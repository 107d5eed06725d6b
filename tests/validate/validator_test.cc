#include "validate/validator.h"

#include <vector>

#include "gtest/gtest.h"
#include "packet/parse.h"
#include "testing/frames.h"
#include "validate/cookie.h"

namespace tlsweep {
namespace {

using ::tlsweep::testing::IcmpUnreachableFrame;
using ::tlsweep::testing::TcpFrame;
using ::tlsweep::testing::TcpSpec;

constexpr uint32_t kUs = 0x0a4d0064;      // 10.77.0.100
constexpr uint32_t kTarget = 0x0a4d0003;  // 10.77.0.3

class ValidatorTest : public ::testing::Test {
 protected:
  ValidatorTest()
      : cookies_(SipKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull}, 40000,
                 1000),
        validator_(cookies_, SourceRange{Ipv4Address(kUs), 4}) {}

  // The answer a correct stack gives to our probe to (kTarget, port).
  TcpSpec Answer(uint16_t port, uint8_t flags, uint32_t ack_delta = 1) {
    const Cookies::Value c =
        cookies_.Make(Ipv4Address(kUs), Ipv4Address(kTarget), port);
    TcpSpec s;
    s.saddr = kTarget;
    s.daddr = kUs;
    s.sport = port;
    s.dport = c.sport;
    s.seq = 777;
    s.ack = c.seq + ack_delta;
    s.flags = flags;
    return s;
  }

  ValidateResult Run(const std::vector<uint8_t>& frame, ScanResponse* out) {
    ParsedFrame parsed;
    const ParseResult kind = ParseFrame(frame.data(), frame.size(), &parsed);
    return validator_.Validate(kind, parsed, out);
  }

  Cookies cookies_;
  Validator validator_;
};

TEST_F(ValidatorTest, SynAckIsOpen) {
  TcpSpec s = Answer(25, 0x12);
  s.options = {2, 4, 0x05, 0xb4};
  ScanResponse r;
  ASSERT_EQ(Run(TcpFrame(s), &r), ValidateResult::kValid);
  EXPECT_EQ(r.classification, Classification::kSynAck);
  EXPECT_TRUE(r.success);
  EXPECT_EQ(r.target.value(), kTarget);
  EXPECT_EQ(r.port, 25);
  EXPECT_EQ(r.saddr.value(), kUs);
  EXPECT_EQ(r.sport, s.dport);
  EXPECT_EQ(r.ttl, 64);
  EXPECT_EQ(r.window, 64240);
  EXPECT_EQ(r.options.mss, 1460);
  EXPECT_EQ(ClassificationName(r.classification), "synack");
}

TEST_F(ValidatorTest, RstWithSeqPlusOneOrSeqIsClosed) {
  for (uint32_t delta : {0u, 1u}) {
    ScanResponse r;
    ASSERT_EQ(Run(TcpFrame(Answer(110, 0x14, delta)), &r), ValidateResult::kValid);
    EXPECT_EQ(r.classification, Classification::kRst);
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.port, 110);
  }
  ScanResponse r;
  EXPECT_EQ(Run(TcpFrame(Answer(110, 0x04, 1)), &r), ValidateResult::kValid);
}

TEST_F(ValidatorTest, ForgedAnswersAreRejected) {
  ScanResponse r;
  // Wrong acknowledgement numbers.
  EXPECT_EQ(Run(TcpFrame(Answer(25, 0x12, 0)), &r), ValidateResult::kBadAck);
  EXPECT_EQ(Run(TcpFrame(Answer(25, 0x12, 2)), &r), ValidateResult::kBadAck);
  EXPECT_EQ(Run(TcpFrame(Answer(25, 0x14, 2)), &r), ValidateResult::kBadAck);
  // The right ack to a different target port: the cookie differs.
  {
    TcpSpec s = Answer(25, 0x12);
    s.sport = 26;
    const auto res = Run(TcpFrame(s), &r);
    EXPECT_TRUE(res == ValidateResult::kWrongPort || res == ValidateResult::kBadAck);
  }
  // Wrong destination port.
  {
    TcpSpec s = Answer(25, 0x12);
    s.dport = static_cast<uint16_t>(s.dport + 1);
    EXPECT_EQ(Run(TcpFrame(s), &r), ValidateResult::kWrongPort);
  }
  // Same answer from another source address.
  {
    TcpSpec s = Answer(25, 0x12);
    s.saddr = kTarget + 1;
    const auto res = Run(TcpFrame(s), &r);
    EXPECT_TRUE(res == ValidateResult::kWrongPort || res == ValidateResult::kBadAck);
  }
  // Addressed to someone else.
  {
    TcpSpec s = Answer(25, 0x12);
    s.daddr = kUs + 4;
    EXPECT_EQ(Run(TcpFrame(s), &r), ValidateResult::kNotForUs);
    s.daddr = kUs - 1;
    EXPECT_EQ(Run(TcpFrame(s), &r), ValidateResult::kNotForUs);
  }
  // A bare ACK and a SYN with the right numbers.
  EXPECT_EQ(Run(TcpFrame(Answer(25, 0x10)), &r), ValidateResult::kUnexpectedFlags);
  EXPECT_EQ(Run(TcpFrame(Answer(25, 0x02)), &r), ValidateResult::kUnexpectedFlags);
}

TEST_F(ValidatorTest, IcmpUnreachableIsFiltered) {
  const Cookies::Value c =
      cookies_.Make(Ipv4Address(kUs), Ipv4Address(kTarget), 143);
  TcpSpec probe;
  probe.saddr = kUs;
  probe.daddr = kTarget;
  probe.sport = c.sport;
  probe.dport = 143;
  probe.seq = c.seq;
  probe.flags = 0x02;
  ScanResponse r;
  ASSERT_EQ(Run(IcmpUnreachableFrame(0x0a4d0001, probe, 13), &r),
            ValidateResult::kValid);
  EXPECT_EQ(r.classification, Classification::kIcmpUnreachable);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.target.value(), kTarget);
  EXPECT_EQ(r.port, 143);
  EXPECT_EQ(r.icmp_responder.value(), 0x0a4d0001u);
  EXPECT_EQ(r.icmp_code, 13);

  TcpSpec forged = probe;
  forged.seq = c.seq + 1;
  EXPECT_EQ(Run(IcmpUnreachableFrame(0x0a4d0001, forged), &r), ValidateResult::kBadAck);
  forged = probe;
  forged.sport = static_cast<uint16_t>(c.sport + 1);
  EXPECT_EQ(Run(IcmpUnreachableFrame(0x0a4d0001, forged), &r), ValidateResult::kWrongPort);
  forged = probe;
  forged.saddr = kUs + 1;  // another of our addresses: a different cookie
  const auto res = Run(IcmpUnreachableFrame(0x0a4d0001, forged), &r);
  EXPECT_TRUE(res == ValidateResult::kWrongPort || res == ValidateResult::kBadAck);
  forged.saddr = kUs + 10;  // not one of our addresses
  EXPECT_EQ(Run(IcmpUnreachableFrame(0x0a4d0001, forged), &r), ValidateResult::kNotForUs);
}

TEST_F(ValidatorTest, DropsAreNotProbeAnswers) {
  ScanResponse r;
  ParsedFrame parsed;
  EXPECT_EQ(validator_.Validate(ParseResult::kArp, parsed, &r),
            ValidateResult::kNotAProbeAnswer);
  EXPECT_EQ(validator_.Validate(ParseResult::kBadTcpChecksum, parsed, &r),
            ValidateResult::kNotAProbeAnswer);
  ValidateCounters counters;
  counters.Count(ValidateResult::kValid);
  counters.Count(ValidateResult::kBadAck);
  counters.Count(ValidateResult::kWrongPort);
  EXPECT_EQ(counters.invalid(), 2u);
}

TEST(SourceRangeTest, ChoosesWithinRangeAndContains) {
  const SourceRange range{Ipv4Address(0x0a000001), 4};
  uint32_t seen[4] = {};
  for (uint32_t d = 0; d < 4000; ++d) {
    const Ipv4Address s = range.For(Ipv4Address(0x08000000 + d));
    ASSERT_TRUE(range.Contains(s));
    ++seen[s.value() - 0x0a000001];
    EXPECT_EQ(s, range.For(Ipv4Address(0x08000000 + d)));  // stable
  }
  for (uint32_t n : seen) EXPECT_GT(n, 800u);  // spread, 1000 expected each
  EXPECT_FALSE(range.Contains(Ipv4Address(0x0a000000)));
  EXPECT_FALSE(range.Contains(Ipv4Address(0x0a000005)));
  const SourceRange one{Ipv4Address(0x0a000001), 1};
  EXPECT_EQ(one.For(Ipv4Address(12345)).value(), 0x0a000001u);
}

}  // namespace
}  // namespace tlsweep
