// GrabScheduler's limits, and StackGrabber running real sessions over the
// userspace TCP stack against a scripted SMTP server on an in-memory link:
// a dialogue to its record, a refused and an unanswered connect, and the
// connection and the scheduler's slot freed each time.
#include "grab/stack_grabber.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "output/record_json.h"
#include "packet/headers.h"
#include "packet/parse.h"
#include "testing/frames.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

constexpr uint32_t kOurIp = 0x0a4d00fa;   // 10.77.0.250
constexpr uint32_t kServerIp = 0x0a4d000a;  // 10.77.0.10

GrabTarget Target(uint32_t ip, uint16_t port) { return {Ipv4Address(ip), port, ""}; }

class GrabSchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = TlsContext::Create(TlsProfile::kModern, "");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
  }
  std::unique_ptr<TlsContext> tls_;
  GrabOptions options_;
};

TEST_F(GrabSchedulerTest, PerHostLimitDefersAHostsPortsNotOthers) {
  options_.per_host = 2;
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  for (uint16_t port : {25, 587, 465}) s.Push({Target(kServerIp, port), std::nullopt});
  s.Push({Target(kServerIp + 1, 25), std::nullopt});
  std::vector<GrabTarget> started;
  while (auto g = s.Next(0)) started.push_back(g->grab.target);
  // 10.77.0.10's third port waits; 10.77.0.11 goes ahead of it.
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(started[2], Target(kServerIp + 1, 25));
  EXPECT_EQ(s.in_flight(), 3u);
  EXPECT_EQ(s.queued(), 1u);
  s.Finished(started[0], GrabStatus::kSuccess);
  auto next = s.Next(0);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->grab.target, Target(kServerIp, 465));
  EXPECT_EQ(s.stats().by_status[static_cast<size_t>(GrabStatus::kSuccess)], 1u);
}

TEST_F(GrabSchedulerTest, ConcurrencyRateAndPortsWithoutModule) {
  options_.concurrency = 2;
  options_.connect_rate = 20;  // one token per 50 ms, a bucket of one
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  s.Push({Target(kServerIp, 8080), std::nullopt});  // no module: dropped
  for (uint32_t i = 1; i <= 3; ++i) s.Push({Target(kServerIp + i, 25), std::nullopt});
  EXPECT_FALSE(s.Next(0).has_value());  // no token yet
  auto a = s.Next(50);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(s.stats().no_module, 1u);
  EXPECT_FALSE(s.Next(50).has_value());  // the rate
  ASSERT_TRUE(s.Next(100).has_value());
  EXPECT_FALSE(s.Next(1000).has_value());  // concurrency 2 reached
  s.Finished(a->grab.target, GrabStatus::kIoTimeout);
  EXPECT_TRUE(s.Next(1000).has_value());
  EXPECT_EQ(s.queued(), 0u);
  EXPECT_FALSE(s.Pop().has_value());
}

// A target's server name (SNI, name check, the record's "domain"): its input
// line's, else its address's in --names, else --server-name, else none.
TEST_F(GrabSchedulerTest, ServerNameFromInputThenNamesThenDefault) {
  options_.names = {{kServerIp, "mail.lab.test"}, {kServerIp + 1, "xmpp.lab.test"}};
  options_.server_name = "default.lab.test";
  GrabScheduler s(*tls_, options_);
  s.Start(0);
  s.Push({{Ipv4Address(kServerIp), 25, "mx.example"}, std::nullopt});
  s.Push({Target(kServerIp, 587), std::nullopt});
  s.Push({Target(kServerIp + 1, 5222), std::nullopt});
  s.Push({Target(kServerIp + 2, 25), std::nullopt});
  std::vector<std::string> domains;
  while (auto g = s.Next(0)) domains.push_back(GrabRecordJson(g->session->Result(), std::nullopt).value("domain", ""));
  EXPECT_EQ(domains, (std::vector<std::string>{"mx.example", "mail.lab.test", "xmpp.lab.test",
                                                "default.lab.test"}));
  options_.server_name.clear();
  GrabScheduler unnamed(*tls_, options_);
  unnamed.Start(0);
  unnamed.Push({Target(kServerIp + 2, 25), std::nullopt});
  auto g = unnamed.Next(0);
  ASSERT_TRUE(g.has_value());
  EXPECT_FALSE(GrabRecordJson(g->session->Result(), std::nullopt).contains("domain"));
}

// A scripted SMTP server without STARTTLS on the far end of the link: it
// answers the SYN, greets, answers EHLO and QUIT, and closes after QUIT.
class ScriptedSmtpServer {
 public:
  enum class Mode { kDialogue, kRefuse, kSilent };
  explicit ScriptedSmtpServer(Mode mode) : mode_(mode) {}

  // Our stack's frames in; the server's answers out.
  std::vector<std::vector<uint8_t>> Receive(const std::vector<uint8_t>& frame) {
    ParsedFrame p;
    EXPECT_EQ(ParseFrame(frame.data(), frame.size(), &p), ParseResult::kTcp);
    const ParsedTcp& t = p.tcp;
    std::vector<std::vector<uint8_t>> out;
    if ((t.flags & kTcpSyn) != 0) ++syns;
    if ((t.flags & kTcpRst) != 0) {
      ++resets;
      return out;
    }
    if (mode_ == Mode::kSilent) return out;
    client_port_ = t.sport;
    if ((t.flags & kTcpSyn) != 0) {
      if (mode_ == Mode::kRefuse) {
        out.push_back(Segment(0, t.seq + 1, kTcpRst | kTcpAck, ""));
        return out;
      }
      rcv_ = t.seq + 1;
      out.push_back(Segment(snd_++, rcv_, kTcpSyn | kTcpAck, ""));
      return out;
    }
    const std::string data(reinterpret_cast<const char*>(frame.data()) + t.payload_offset,
                           t.payload_len);
    if ((t.flags & kTcpAck) != 0 && !greeted_) {
      greeted_ = true;
      out.push_back(Send("220 lab.test ESMTP scripted\r\n"));
    }
    if (!data.empty()) {
      rcv_ += static_cast<uint32_t>(data.size());
      commands += data;
      if (data.rfind("EHLO", 0) == 0) out.push_back(Send("250-lab.test\r\n250 PIPELINING\r\n"));
      if (data.rfind("QUIT", 0) == 0) {
        out.push_back(Send("221 bye\r\n"));
        out.push_back(Segment(snd_++, rcv_, kTcpFin | kTcpAck, ""));
      }
    }
    if ((t.flags & kTcpFin) != 0) {
      ++rcv_;
      ++fins;
      out.push_back(Segment(snd_, rcv_, kTcpAck, ""));
    }
    return out;
  }

  std::string commands;
  int syns = 0;
  int fins = 0;
  int resets = 0;

 private:
  std::vector<uint8_t> Send(const std::string& text) {
    std::vector<uint8_t> f = Segment(snd_, rcv_, kTcpPsh | kTcpAck, text);
    snd_ += static_cast<uint32_t>(text.size());
    return f;
  }
  std::vector<uint8_t> Segment(uint32_t seq, uint32_t ack, uint8_t flags, const std::string& d) {
    testing::TcpSpec s;
    s.saddr = kServerIp;
    s.daddr = kOurIp;
    s.sport = 25;
    s.dport = client_port_;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload.assign(d.begin(), d.end());
    return testing::TcpFrame(s);
  }

  Mode mode_;
  uint16_t client_port_ = 0;
  uint32_t snd_ = 5000;
  uint32_t rcv_ = 0;
  bool greeted_ = false;
};

class LinkSink : public FrameSink {
 public:
  uint8_t* Reserve(uint16_t max_len) override {
    buf_.assign(max_len, 0);
    return buf_.data();
  }
  void Commit(uint16_t len) override {
    buf_.resize(len);
    frames.push_back(buf_);
  }
  std::vector<std::vector<uint8_t>> frames;

 private:
  std::vector<uint8_t> buf_;
};

class StackGrabberTest : public GrabSchedulerTest {
 protected:
  void Run(ScriptedSmtpServer& server, uint64_t until_ms) {
    TcpStackConfig config;
    config.local_ip = Ipv4Address(kOurIp);
    config.port_first = 50000;
    config.port_last = 50009;
    config.max_connections = 4;
    TcpStack stack(config, sink_);
    GrabScheduler scheduler(*tls_, options_);
    StackGrabber grabber(stack, scheduler,
                         [this](const GrabResult& grab, const std::optional<ScanResult>& scan) {
                           records_.push_back(nlohmann::json::parse(GrabRecordLine(grab, scan)));
                         });
    ScanResult scan;
    scan.response.target = Ipv4Address(kServerIp);
    scan.response.port = 25;
    scan.response.success = true;
    scheduler.Start(0);
    scheduler.Push({Target(kServerIp, 25), scan});
    for (uint64_t now = 0; now <= until_ms; ++now) {
      grabber.Poll(now);
      std::vector<std::vector<uint8_t>> out = std::move(sink_.frames);
      sink_.frames.clear();
      for (const auto& f : out) {
        for (const auto& answer : server.Receive(f)) {
          ParsedFrame p;
          ASSERT_EQ(ParseFrame(answer.data(), answer.size(), &p), ParseResult::kTcp);
          stack.OnSegment(p.tcp, answer.data() + p.tcp.payload_offset, now);
        }
      }
    }
    EXPECT_EQ(grabber.in_flight(), 0u);
    EXPECT_EQ(scheduler.in_flight(), 0u);
    EXPECT_EQ(stack.stats().connects,
              [&] {
                uint64_t closed = 0;
                for (uint64_t c : stack.stats().closed_by_reason) closed += c;
                return closed;
              }())
        << "every connection closed";
  }

  std::string Status() const { return records_.at(0)["data"]["smtp"]["status"]; }

  LinkSink sink_;
  std::vector<nlohmann::json> records_;
};

TEST_F(StackGrabberTest, DialogueToRecordThenPoliteClose) {
  ScriptedSmtpServer server(ScriptedSmtpServer::Mode::kDialogue);
  Run(server, 5000);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Status(), "no-starttls");
  const nlohmann::json& result = records_[0]["data"]["smtp"]["result"];
  EXPECT_EQ(result["banner"], "220 lab.test ESMTP scripted");
  EXPECT_EQ(records_[0]["scan"]["classification"], "synack") << records_[0].dump();
  EXPECT_NE(server.commands.find("EHLO"), std::string::npos);
  EXPECT_NE(server.commands.find("QUIT\r\n"), std::string::npos);
  EXPECT_EQ(server.fins, 1) << "our FIN after QUIT";
}

TEST_F(StackGrabberTest, RefusedConnectIsARecord) {
  ScriptedSmtpServer server(ScriptedSmtpServer::Mode::kRefuse);
  Run(server, 1000);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Status(), "connection-refused");
}

TEST_F(StackGrabberTest, UnansweredConnectTimesOutAndStopsRetransmitting) {
  options_.timeouts.connect_ms = 2500;
  ScriptedSmtpServer server(ScriptedSmtpServer::Mode::kSilent);
  Run(server, 4000);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Status(), "connection-timeout");
  // SYNs at 0 and 1 s; at 2.5 s the session gives up and the connection is
  // reset, so the third SYN (due at 3 s) never leaves.
  EXPECT_EQ(server.syns, 2);
  EXPECT_EQ(server.resets, 1);
}

}  // namespace
}  // namespace tlsweep
