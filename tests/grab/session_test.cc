// GrabSession with the real SMTP module and TLS engine, driven by hand with
// an injected clock: deadlines, connect failures, a non-TLS answer to a
// ClientHello, and the record's shape.
#include "grab/session.h"

#include <memory>

#include "gtest/gtest.h"
#include "output/record_json.h"
#include "proto/registry.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

class GrabSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = TlsContext::Create(TlsProfile::kModern, "");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
  }

  std::unique_ptr<GrabSession> Make(std::string_view module, uint64_t now = 0) {
    ModuleOptions options;
    options.target_address = "192.0.2.25";
    return std::make_unique<GrabSession>(MakeModule(module, options), *tls_, "",
                                         *Ipv4Address::Parse("192.0.2.25"), 25,
                                         timeouts_, now);
  }

  std::string Status(const GrabSession& s, std::string_view module) {
    return GrabRecordJson(s.Result(), std::nullopt)["data"][std::string(module)]["status"].get<std::string>();
  }

  std::unique_ptr<TlsContext> tls_;
  GrabTimeouts timeouts_{.connect_ms = 1000, .phase_ms = 2000, .session_ms = 5000};
};

TEST_F(GrabSessionTest, ConnectTimeout) {
  auto s = Make("smtp", 100);
  s->Tick(1099);
  EXPECT_FALSE(s->done());
  s->Tick(1100);
  ASSERT_TRUE(s->done());
  EXPECT_EQ(Status(*s, "smtp"), "connection-timeout");
  const auto r = GrabRecordJson(s->Result(), std::nullopt);
  EXPECT_EQ(r["ip"], "192.0.2.25");
  EXPECT_EQ(r["port"], 25);
  EXPECT_EQ(r["data"]["smtp"]["protocol"], "smtp");
  EXPECT_TRUE(r["data"]["smtp"].contains("timestamp"));
}

TEST_F(GrabSessionTest, ConnectRefusedKeepsTheReason) {
  auto s = Make("smtp");
  s->OnConnectFailed(GrabStatus::kConnectionRefused, "connect: Connection refused");
  ASSERT_TRUE(s->done());
  EXPECT_EQ(Status(*s, "smtp"), "connection-refused");
  EXPECT_EQ(GrabRecordJson(s->Result(), std::nullopt)["data"]["smtp"]["error"], "connect: Connection refused");
}

TEST_F(GrabSessionTest, SilentServerIsAnIoTimeout) {
  auto s = Make("smtp");
  s->OnConnected(0);
  s->Tick(1999);
  EXPECT_FALSE(s->done());
  s->Tick(2000);
  ASSERT_TRUE(s->done());
  EXPECT_EQ(Status(*s, "smtp"), "io-timeout");
}

// One byte a second: bytes arriving do not extend the phase, so a dripping
// banner ends at the phase deadline with what arrived so far.
TEST_F(GrabSessionTest, DrippingServerEndsAtThePhaseDeadline) {
  auto s = Make("smtp");
  s->OnConnected(0);
  const std::string banner = "220 slow.example ESMTP\r\n";
  uint64_t t = 0;
  for (char c : banner.substr(0, 10)) {
    t += 500;
    s->OnBytes(std::string_view(&c, 1), t);
    s->Tick(t);
    if (s->done()) break;
  }
  s->Tick(2000);
  ASSERT_TRUE(s->done());
  EXPECT_EQ(Status(*s, "smtp"), "io-timeout");
}

// A server that answers just before each phase deadline still ends at the
// session deadline.
TEST_F(GrabSessionTest, SessionDeadlineBoundsASlowDialogue) {
  auto s = Make("smtp");
  s->OnConnected(0);
  s->OnBytes("220 slow.example ESMTP\r\n", 1900);  // the module sends EHLO
  ASSERT_FALSE(s->done());
  EXPECT_NE(s->outgoing().find("EHLO"), std::string::npos);
  s->outgoing().clear();
  s->OnBytes("250-slow.example\r\n", 3800);  // half a reply: no new command
  s->Tick(3899);
  EXPECT_FALSE(s->done());
  s->Tick(3900);  // 1900 + 2000: the EHLO phase expired
  ASSERT_TRUE(s->done());
  EXPECT_LE(s->next_deadline_ms(), 5000u);
  EXPECT_EQ(Status(*s, "smtp"), "io-timeout");
}

TEST_F(GrabSessionTest, PlaintextAnswerToClientHelloIsATlsError) {
  auto s = Make("smtps");
  s->OnConnected(0);
  // The ClientHello is queued for the transport.
  ASSERT_FALSE(s->outgoing().empty());
  EXPECT_EQ(static_cast<uint8_t>(s->outgoing()[0]), 0x16);  // TLS handshake record
  s->outgoing().clear();
  s->OnBytes("220 plain.example ESMTP\r\n", 10);
  ASSERT_TRUE(s->done());
  EXPECT_EQ(Status(*s, "smtps"), "tls-error");
  const auto r = GrabRecordJson(s->Result(), std::nullopt)["data"]["smtps"];
  EXPECT_FALSE(r["error"].get<std::string>().empty());
  EXPECT_TRUE(r["result"].contains("tls"));
}

TEST_F(GrabSessionTest, PeerClosingMidReplyKeepsWhatWasLearned) {
  auto s = Make("smtp");
  s->OnConnected(0);
  s->OnBytes("220 mail.example ESMTP\r\n", 10);
  s->OnBytes("250-mail.example\r\n250-STARTTLS\r\n", 20);
  s->OnPeerClosed();
  ASSERT_TRUE(s->done());
  EXPECT_EQ(Status(*s, "smtp"), "connection-closed");
  EXPECT_EQ(GrabRecordJson(s->Result(), std::nullopt)["data"]["smtp"]["result"]["banner"], "220 mail.example ESMTP");
}

}  // namespace
}  // namespace tlsweep
