// GrabDriver's lifecycle against a scripted transport, with real SMTP
// sessions and an injected clock: the record is written once, as soon as
// the session is done and before the close; a peer that stops reading gets
// the linger and no more; the slot is freed only when the transport lets
// go; AbortAll() keeps the records of sessions already done. Raw probes run
// one after another in their grab's slot, each a connection of its own,
// and the record waits for the last.
#include "grab/grab_driver.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "output/record_json.h"
#include "tls/tls_context.h"
#include "tls/tls_profiles.h"

namespace tlsweep {
namespace {

constexpr uint32_t kServerIp = 0x0a4d000a;  // 10.77.0.10

// Connections whose room, failure and close the test sets, and that log
// what the driver did to them. The logs outlive the connections, which the
// driver destroys when it retires their grabs.
class ScriptedTransport : public GrabTransport {
 public:
  struct Script {
    GrabEvents* events = nullptr;  // valid until the grab is retired
    size_t room = std::numeric_limits<size_t>::max();
    bool broken = false;
    bool close_at_once = true;  // as the kernel's close(); not as TCP's FIN
    std::string sent;
    int closes = 0;
    int aborts = 0;
  };

  absl::StatusOr<std::unique_ptr<GrabConnection>> Connect(const GrabTarget&, GrabEvents& events,
                                                          uint64_t) override {
    if (refuse_to_start) return absl::ResourceExhaustedError("no free slot");
    scripts.push_back(std::make_unique<Script>());
    scripts.back()->events = &events;
    return std::make_unique<Connection>(*scripts.back());
  }

  bool refuse_to_start = false;
  std::vector<std::unique_ptr<Script>> scripts;

 private:
  class Connection : public GrabConnection {
   public:
    explicit Connection(Script& s) : s_(s) {}
    std::optional<size_t> Send(std::string_view bytes) override {
      if (s_.broken) return std::nullopt;
      const size_t n = std::min(s_.room, bytes.size());
      s_.sent.append(bytes.substr(0, n));
      s_.room -= n;
      return n;
    }
    void Close() override {
      ++s_.closes;
      if (s_.close_at_once) s_.events->OnClosed();
    }
    void Abort() override {
      ++s_.aborts;
      s_.events->OnClosed();
    }

   private:
    Script& s_;
  };
};

class GrabDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = TlsContext::Create(TlsProfile::kModern, "");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
    scheduler_ = std::make_unique<GrabScheduler>(*tls_, options_);
    driver_ = std::make_unique<GrabDriver>(transport_, *scheduler_, [this](const GrabResult& grab, const std::optional<ScanResult>& scan) {
      records_.push_back(GrabRecordJson(grab, scan));
    });
    scheduler_->Start(0);
  }

  // Starts a grab of 10.77.0.(10 + host):25 and returns its connection's
  // script.
  ScriptedTransport::Script& Start(uint32_t host, uint64_t now) {
    scheduler_->Push({{Ipv4Address(kServerIp + host), 25, ""}, std::nullopt});
    driver_->Poll(now, true);
    EXPECT_FALSE(transport_.scripts.empty());
    return *transport_.scripts.back();
  }

  // Connects and plays an SMTP server without STARTTLS up to the EHLO
  // reply: the session is then done (no-starttls) with QUIT to send.
  static void NoStartTlsDialogue(ScriptedTransport::Script& c, uint64_t now) {
    c.events->OnConnected(now);
    c.events->OnData("220 mx.lab.test ESMTP\r\n", now);
    c.events->OnData("250-mx.lab.test\r\n250 PIPELINING\r\n", now);
  }

  // Polls every millisecond from the last poll up to `until`, as a grab
  // lcore does.
  void PollUntil(uint64_t until) {
    for (; now_ <= until; ++now_) driver_->Poll(now_, true);
  }

  std::string Status(size_t i) const { return records_.at(i)["data"]["smtp"]["status"]; }

  std::unique_ptr<TlsContext> tls_;
  GrabOptions options_;
  ScriptedTransport transport_;
  std::unique_ptr<GrabScheduler> scheduler_;
  std::unique_ptr<GrabDriver> driver_;
  std::vector<nlohmann::json> records_;
  uint64_t now_ = 0;
};

TEST_F(GrabDriverTest, RecordOnceWhenDoneThenLastBytesThenClose) {
  ScriptedTransport::Script& c = Start(0, 0);
  NoStartTlsDialogue(c, 5);
  driver_->Poll(5, true);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Status(0), "no-starttls");
  EXPECT_NE(c.sent.find("QUIT\r\n"), std::string::npos);
  EXPECT_EQ(c.closes, 1);
  EXPECT_EQ(driver_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->stats().finished, 1u);
  EXPECT_EQ(scheduler_->stats().by_status[static_cast<size_t>(GrabStatus::kNoStartTls)], 1u);
  driver_->Poll(20, true);
  EXPECT_EQ(records_.size(), 1u);
}

// A peer that stops reading: the record is written at once, the QUIT that
// cannot leave gets kLingerMs (1 s), then the connection is aborted.
TEST_F(GrabDriverTest, PeerThatStopsReadingGetsTheLingerThenAnAbort) {
  ScriptedTransport::Script& c = Start(0, 0);
  c.events->OnConnected(0);
  c.events->OnData("220 mx.lab.test ESMTP\r\n", 0);
  driver_->Poll(0, true);  // EHLO leaves; then no more room
  c.room = 0;
  c.events->OnData("250-mx.lab.test\r\n250 PIPELINING\r\n", 100);
  now_ = 100;
  PollUntil(100);
  ASSERT_EQ(records_.size(), 1u) << "recorded before its last bytes leave";
  EXPECT_EQ(c.closes, 0);
  PollUntil(1099);
  EXPECT_EQ(c.aborts, 0);
  EXPECT_EQ(driver_->in_flight(), 1u);
  EXPECT_EQ(scheduler_->in_flight(), 1u) << "the slot is held while the connection lingers";
  PollUntil(1100);
  EXPECT_EQ(c.aborts, 1);
  EXPECT_EQ(driver_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->in_flight(), 0u);
  EXPECT_EQ(records_.size(), 1u);
}

// A close that takes the transport a while (TCP's FIN exchange): the grab
// is retired when the transport says the connection is gone.
TEST_F(GrabDriverTest, RetiredWhenTheTransportLetsGo) {
  ScriptedTransport::Script& c = Start(0, 0);
  c.close_at_once = false;
  NoStartTlsDialogue(c, 0);
  driver_->Poll(0, true);
  EXPECT_EQ(c.closes, 1);
  EXPECT_EQ(driver_->in_flight(), 1u);
  c.events->OnClosed();
  driver_->Poll(30, true);
  EXPECT_EQ(driver_->in_flight(), 0u);
  EXPECT_EQ(c.aborts, 0);
  EXPECT_EQ(records_.size(), 1u);
}

TEST_F(GrabDriverTest, ConnectDeadlineAbortsTheConnect) {
  options_.timeouts.connect_ms = 200;
  ScriptedTransport::Script& c = Start(0, 0);
  PollUntil(199);
  EXPECT_TRUE(records_.empty());
  EXPECT_EQ(c.aborts, 0);
  PollUntil(200);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Status(0), "connection-timeout");
  EXPECT_EQ(c.aborts, 1) << "no more SYNs";
  EXPECT_EQ(driver_->in_flight(), 0u);
}

TEST_F(GrabDriverTest, TransportThatCannotStartIsARecord) {
  transport_.refuse_to_start = true;
  scheduler_->Push({{Ipv4Address(kServerIp), 25, ""}, std::nullopt});
  driver_->Poll(0, true);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Status(0), "unknown-error");
  EXPECT_EQ(records_[0]["data"]["smtp"]["error"], "no free slot");
  EXPECT_EQ(driver_->connect_errors(), 1u);
  EXPECT_EQ(driver_->in_flight(), 0u);
}

TEST_F(GrabDriverTest, FailedSendIsThePeerClosing) {
  ScriptedTransport::Script& c = Start(0, 0);
  c.broken = true;
  c.events->OnConnected(0);
  c.events->OnData("220 mx.lab.test ESMTP\r\n", 0);  // EHLO to send
  driver_->Poll(0, true);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Status(0), "connection-closed");
  EXPECT_EQ(records_[0]["data"]["smtp"]["result"]["banner"], "220 mx.lab.test ESMTP");
  EXPECT_EQ(driver_->in_flight(), 0u);
}

// A second Ctrl-C: a session that ended since the last poll keeps its
// record; one still talking is abandoned without one; both connections end.
TEST_F(GrabDriverTest, AbortAllKeepsTheRecordsOfDoneSessions) {
  ScriptedTransport::Script& done = Start(0, 0);
  ScriptedTransport::Script& talking = Start(1, 0);
  NoStartTlsDialogue(done, 10);
  talking.events->OnConnected(10);
  driver_->AbortAll();
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(records_[0]["ip"], "10.77.0.10");
  EXPECT_EQ(done.aborts + talking.aborts, 2);
  EXPECT_EQ(driver_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->hosts_in_flight(), 0u);
  EXPECT_EQ(scheduler_->stats().finished, 1u);
}

// Raw probes: the profiles named, from the tree's profile file.
class RawProbeDriverTest : public GrabDriverTest {
 protected:
  void UseProbes(std::initializer_list<const char*> names) {
    auto profiles = LoadTlsProfiles(DefaultTlsProfilesPath());
    ASSERT_TRUE(profiles.ok()) << profiles.status();
    for (const char* name : names) options_.raw_probes.push_back(*FindTlsProfile(*profiles, name));
  }

  // An SMTP server up to its STARTTLS go-ahead.
  static void UpToGoAhead(ScriptedTransport::Script& c, uint64_t now) {
    c.events->OnConnected(now);
    c.events->OnData("220 mx.lab.test ESMTP\r\n", now);
    c.events->OnData("250-mx.lab.test\r\n250 STARTTLS\r\n", now);
    c.events->OnData("220 2.0.0 Ready\r\n", now);
  }
};

TEST_F(RawProbeDriverTest, ProbesFollowOneAfterAnotherThenOneRecord) {
  UseProbes({"thunderbird31", "rc4"});
  ScriptedTransport::Script& grab = Start(0, 0);
  UpToGoAhead(grab, 1);
  // The server drops the OpenSSL handshake: the grab is done (tls-error)
  // but not recorded; its connection closes and the first probe starts.
  grab.events->OnPeerClosed();
  PollUntil(2);
  EXPECT_TRUE(records_.empty());
  EXPECT_EQ(grab.closes, 1);
  ASSERT_EQ(transport_.scripts.size(), 2u);
  EXPECT_EQ(driver_->in_flight(), 1u);
  EXPECT_EQ(scheduler_->in_flight(), 1u);  // the grab's one slot

  ScriptedTransport::Script& first = *transport_.scripts[1];
  UpToGoAhead(first, 3);
  PollUntil(4);
  // EHLO, STARTTLS, then a handshake record (0x16) of the ClientHello.
  const size_t hello = first.sent.find("STARTTLS\r\n") + 10;
  ASSERT_LT(hello, first.sent.size());
  EXPECT_EQ(first.sent[hello], '\x16');
  EXPECT_EQ(transport_.scripts.size(), 2u);  // one at a time
  first.events->OnData(std::string("\x15\x03\x01\x00\x02\x02\x28", 7), 5);
  PollUntil(6);
  EXPECT_EQ(first.closes, 1);
  ASSERT_EQ(transport_.scripts.size(), 3u);

  // The second probe's server closes at once.
  ScriptedTransport::Script& second = *transport_.scripts[2];
  second.events->OnConnected(7);
  second.events->OnPeerClosed();
  PollUntil(8);
  ASSERT_EQ(records_.size(), 1u);
  const nlohmann::json& d = records_[0]["data"]["smtp"];
  EXPECT_EQ(d["status"], "tls-error");
  const nlohmann::json& probes = d["result"]["raw_probes"];
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0]["profile"], "thunderbird31");
  EXPECT_EQ(probes[0]["status"], "tls-error");
  EXPECT_EQ(probes[0]["alert"]["value"], 40);
  EXPECT_EQ(probes[1]["profile"], "rc4");
  EXPECT_EQ(probes[1]["status"], "connection-closed");
  EXPECT_FALSE(probes[1].contains("flight"));  // no ClientHello was sent
  EXPECT_EQ(driver_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->stats().finished, 1u);
  EXPECT_EQ(scheduler_->stats().raw_probes, 2u);
}

TEST_F(RawProbeDriverTest, ASilentServerMeetsTheProbesDeadline) {
  UseProbes({"thunderbird31"});
  ScriptedTransport::Script& grab = Start(0, 0);
  UpToGoAhead(grab, 1);
  grab.events->OnPeerClosed();
  PollUntil(2);
  ASSERT_EQ(transport_.scripts.size(), 2u);
  ScriptedTransport::Script& probe = *transport_.scripts[1];
  UpToGoAhead(probe, 3);  // the ClientHello goes out; nothing comes back
  const uint64_t phase = options_.timeouts.phase_ms;
  PollUntil(3 + phase - 20);
  EXPECT_TRUE(records_.empty());
  PollUntil(3 + phase + 20);
  ASSERT_EQ(records_.size(), 1u);
  const nlohmann::json& p = records_[0]["data"]["smtp"]["result"]["raw_probes"][0];
  EXPECT_EQ(p["status"], "io-timeout");
  EXPECT_EQ(p["phase"], "server-flight");
  EXPECT_EQ(p["error"], "server flight: timed out");
  EXPECT_EQ(driver_->in_flight(), 0u);
}

TEST_F(RawProbeDriverTest, NoProbesWithoutTlsAndAbortAllKeepsTheEndedProbes) {
  UseProbes({"thunderbird31", "rc4"});
  // No STARTTLS: recorded at once, no probe connection.
  ScriptedTransport::Script& plain = Start(0, 0);
  NoStartTlsDialogue(plain, 1);
  PollUntil(2);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_FALSE(records_[0]["data"]["smtp"]["result"].contains("raw_probes"));
  EXPECT_EQ(transport_.scripts.size(), 1u);

  // A second Ctrl-C during the second probe: the first probe's result is
  // in the record, the interrupted one is not.
  ScriptedTransport::Script& grab = Start(1, 3);
  UpToGoAhead(grab, 4);
  grab.events->OnPeerClosed();
  PollUntil(5);
  ScriptedTransport::Script& first = *transport_.scripts.back();
  first.events->OnConnected(6);
  first.events->OnPeerClosed();
  PollUntil(7);
  transport_.scripts.back()->events->OnConnected(8);
  driver_->AbortAll();
  ASSERT_EQ(records_.size(), 2u);
  const nlohmann::json& probes = records_[1]["data"]["smtp"]["result"]["raw_probes"];
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0]["profile"], "thunderbird31");
  EXPECT_EQ(driver_->in_flight(), 0u);
  EXPECT_EQ(scheduler_->in_flight(), 0u);
}

}  // namespace
}  // namespace tlsweep
