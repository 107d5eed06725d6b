// StackGrabber running real sessions over the userspace TCP stack against a
// scripted SMTP server on an in-memory link: a dialogue to its record, a
// refused and an unanswered connect, and the connection and the scheduler's
// slot freed each time.
#include "grab/stack_grabber.h"

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

class StackGrabberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = TlsContext::Create(TlsProfile::kModern, "");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
  }

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

  std::unique_ptr<TlsContext> tls_;
  GrabOptions options_;
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
