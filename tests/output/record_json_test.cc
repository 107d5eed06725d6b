// The records as the real builders make them: GrabSession with the real
// protocol modules and TLS client against scripted servers (TLS from an
// in-process OpenSSL server with a CA-signed chain), every grab status,
// not_grabbed records and each scan classification. Each test checks its
// record's presence rules; with TLSWEEP_RECORDS_DIR set, every record is
// also appended to grab_records.jsonl / scan_results.jsonl there, which
// schema_test.sh validates against docs/schema/.
#include "output/record_json.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grab/grab_driver.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "output/passive_json.h"
#include "output/record_fields.h"
#include "passive/observer.h"
#include "proto/registry.h"
#include "testing/scan_result.h"
#include "testing/tls_peer.h"
#include "tls/tls_context.h"
#include "tls/tls_profiles.h"

namespace tlsweep {
namespace {

using nlohmann::json;
using tls_peer::CertSpec;
using tls_peer::MakeCert;
using tls_peer::RsaKey;
using tls_peer::ServerOptions;
using tls_peer::TestServer;

// Appends `record` to `file` in TLSWEEP_RECORDS_DIR, when it is set.
void Keep(const std::string& file, const json& record) {
  const char* dir = std::getenv("TLSWEEP_RECORDS_DIR");
  if (dir == nullptr) return;
  std::ofstream out(std::string(dir) + "/" + file, std::ios::app);
  out << record.dump() << "\n";
}

using testing::kScanTimestampNs;

ScanResult Answer(Classification c, bool repeat = false) {
  return testing::SampleScanResult("192.0.2.25", 25, c, repeat);
}

// One thing the scripted server does.
struct Event {
  enum Kind { kData, kTlsUp, kClose, kTimeout } kind;
  std::string text;
};
Event Data(std::string text) { return {Event::kData, std::move(text)}; }
Event TlsUp() { return {Event::kTlsUp, ""}; }
Event Close() { return {Event::kClose, ""}; }
Event Timeout() { return {Event::kTimeout, ""}; }

class RecordJsonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_key_ = RsaKey(2048).release();
    leaf_key_ = RsaKey(2048).release();
    root_ = MakeCert(CertSpec().set_common_name("tlsweep Test Root").set_ca(true).set_serial(1),
                     root_key_, nullptr, nullptr)
                .release();
    leaf_ = MakeCert(CertSpec()
                         .set_common_name("mail.example.com")
                         .set_san("DNS:mail.example.com,IP:192.0.2.25,email:postmaster@example.com")
                         .set_serial(4242),
                     leaf_key_, root_, root_key_)
                .release();
    ca_file_ = new std::string(tls_peer::WriteCaFile(root_, "record_json"));
  }
  static void TearDownTestSuite() {
    std::remove(ca_file_->c_str());
    delete ca_file_;
    X509_free(root_);
    X509_free(leaf_);
    EVP_PKEY_free(root_key_);
    EVP_PKEY_free(leaf_key_);
  }

  void SetUp() override {
    auto tls = TlsContext::Create(TlsProfile::kModern, *ca_file_);
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
  }

  // Runs `module` on `port` against `events` (TLS from the first byte when
  // `implicit`) and returns the record, also kept for the schema test.
  json Grab(std::string_view module, uint16_t port, bool implicit, const std::vector<Event>& events,
            ServerOptions server_options = ServerOptions(),
            const std::optional<ScanResult>& scan = std::nullopt) {
    ModuleOptions options;
    options.target_address = "192.0.2.25";
    options.server_name = "mail.example.com";
    options.xmpp_domain = "example.com";
    GrabSession session(MakeModule(module, options), *tls_, "mail.example.com",
                        *Ipv4Address::Parse("192.0.2.25"), port, GrabTimeouts(), 0);
    TestServer server(leaf_, leaf_key_, {root_}, std::move(server_options));
    uint64_t now = 1;
    bool tls = implicit;
    // Moves bytes between the session and the TLS server until both are quiet.
    const auto pump = [&] {
      for (int round = 0; round < 64 && !session.done(); ++round) {
        const std::string out = std::move(session.outgoing());
        session.outgoing().clear();
        server.Feed(out);
        server.Step();
        const std::string in = server.Drain();
        if (!in.empty()) session.OnBytes(in, now);
        if (out.empty() && in.empty()) break;
      }
    };
    session.OnConnected(now);
    if (tls) pump();
    for (const Event& e : events) {
      if (session.done()) break;
      ++now;
      switch (e.kind) {
        case Event::kData:
          if (tls) {
            server.Write(e.text);
            pump();
          } else {
            session.outgoing().clear();  // what the client said is not checked here
            session.OnBytes(e.text, now);
          }
          break;
        case Event::kTlsUp:
          tls = true;
          pump();
          break;
        case Event::kClose:
          session.OnPeerClosed();
          break;
        case Event::kTimeout:
          session.Tick(now + GrabTimeouts().session_ms);
          break;
      }
    }
    if (tls) pump();  // QUIT and close_notify
    EXPECT_TRUE(session.done()) << module;
    const json record = GrabRecordJson(session.Result(), scan);
    Keep("grab_records.jsonl", record);
    return record;
  }

  static json& Of(json& record, std::string_view module) { return record["data"][std::string(module)]; }

  std::unique_ptr<TlsContext> tls_;
  static inline EVP_PKEY* root_key_ = nullptr;
  static inline EVP_PKEY* leaf_key_ = nullptr;
  static inline X509* root_ = nullptr;
  static inline X509* leaf_ = nullptr;
  static inline std::string* ca_file_ = nullptr;
};

const std::string kEhlo = "250-mail.example.com\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n";
const std::string kEhloTls = "250-mail.example.com\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n";

TEST_F(RecordJsonTest, SmtpStartTlsWithChainAndScan) {
  json r = Grab("smtp", 25, false,
                {Data("220 mail.example.com ESMTP\r\n"), Data(kEhlo), Data("220 2.0.0 Ready\r\n"),
                 TlsUp(), Data(kEhloTls)},
                ServerOptions(), Answer(Classification::kSynAck));
  json& g = Of(r, "smtp");
  EXPECT_EQ(g["status"], "success");
  EXPECT_EQ(r["domain"], "mail.example.com");
  EXPECT_EQ(r["scan"]["classification"], "synack");
  json& result = g["result"];
  EXPECT_EQ(result["starttls"]["accepted"], true);
  EXPECT_EQ(result["plaintext_auth_before_tls"], true);
  EXPECT_EQ(result["after_tls"]["auth_mechanisms"], json({"PLAIN", "LOGIN", "CRAM-MD5"}));
  EXPECT_TRUE(result.contains("ehlo_after_tls"));
  json& tls = result["tls"];
  EXPECT_EQ(tls["handshake_complete"], true);
  EXPECT_FALSE(tls.contains("error"));
  json& certs = tls["handshake_log"]["server_certificates"];
  ASSERT_EQ(certs["chain"].size(), 2u);
  EXPECT_EQ(certs["validation"]["browser_trusted"], true);
  EXPECT_EQ(certs["validation"]["name_matches"], true);
  json& leaf = certs["chain"][0]["parsed"];
  EXPECT_EQ(leaf["subject"]["common_name"], json({"mail.example.com"}));
  EXPECT_EQ(leaf["subject_alt_name"]["ip_addresses"], json({"192.0.2.25"}));
  EXPECT_EQ(leaf["serial_number"], "4242");
  EXPECT_EQ(certs["chain"][1]["parsed"]["is_ca"], true);
}

TEST_F(RecordJsonTest, SmtpsImplicitTls) {
  json r = Grab("smtps", 465, true, {Data("220 mail.example.com ESMTP\r\n"), Data(kEhloTls)});
  json& result = Of(r, "smtps")["result"];
  EXPECT_EQ(Of(r, "smtps")["status"], "success");
  EXPECT_EQ(result["implicit_tls"], true);
  EXPECT_FALSE(result.contains("starttls"));
  EXPECT_FALSE(result.contains("before_tls"));
  EXPECT_TRUE(result["tls"]["handshake_log"].contains("server_hello"));
}

TEST_F(RecordJsonTest, ImapStartTlsAndImaps) {
  json r = Grab("imap", 143, false,
                {Data("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
                 Data("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na OK done\r\n"),
                 Data("b OK Begin TLS\r\n"), TlsUp(),
                 Data("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nc OK done\r\n"), Data("* BYE\r\nd OK\r\n")});
  json& result = Of(r, "imap")["result"];
  EXPECT_EQ(Of(r, "imap")["status"], "success");
  EXPECT_EQ(result["login_disabled"], true);
  EXPECT_EQ(result["before_tls"]["login_disabled"], true);
  EXPECT_EQ(result["after_tls"]["auth_mechanisms"], json({"PLAIN"}));

  json s = Grab("imaps", 993, true,
                {Data("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"),
                 Data("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na OK done\r\n")});
  EXPECT_EQ(Of(s, "imaps")["result"]["login_disabled"], false);
}

TEST_F(RecordJsonTest, ImapByeIsAnApplicationError) {
  json r = Grab("imap", 143, false, {Data("* BYE too busy\r\n")});
  EXPECT_EQ(Of(r, "imap")["status"], "application-error");
  EXPECT_EQ(Of(r, "imap")["result"]["bye"], "* BYE too busy");
}

TEST_F(RecordJsonTest, Pop3StartTlsAndCapaError) {
  json r = Grab("pop3", 110, false,
                {Data("+OK ready\r\n"), Data("+OK\r\nSTLS\r\nUSER\r\nSASL PLAIN\r\n.\r\n"),
                 Data("+OK Begin TLS\r\n"), TlsUp(), Data("+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n")});
  EXPECT_EQ(Of(r, "pop3")["status"], "success");
  EXPECT_EQ(Of(r, "pop3")["result"]["starttls"]["reply"], "+OK Begin TLS");

  json e = Grab("pop3", 110, false, {Data("+OK ready\r\n"), Data("-ERR unknown command\r\n")});
  EXPECT_EQ(Of(e, "pop3")["result"]["capa_error"], "-ERR unknown command");
}

const std::string kStream =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
    "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.com' version='1.0'>";

TEST_F(RecordJsonTest, XmppStartTlsAndStreamError) {
  json r = Grab("xmpp", 5222, false,
                {Data(kStream + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                                "<required/></starttls></stream:features>"),
                 Data("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), TlsUp(),
                 Data(kStream + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                                "<mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism>"
                                "</mechanisms></stream:features>")});
  json& result = Of(r, "xmpp")["result"];
  EXPECT_EQ(Of(r, "xmpp")["status"], "success");
  EXPECT_EQ(result["starttls_required"], true);
  EXPECT_EQ(result["server_to_server"], false);
  EXPECT_EQ(result["stream"]["id"], "s1");

  json e = Grab("xmpp", 5222, false,
                {Data(kStream + "<stream:error><host-unknown "
                                "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")});
  EXPECT_EQ(Of(e, "xmpp")["result"]["stream_error"], "host-unknown");
}

TEST_F(RecordJsonTest, XmppServerWithoutStartTls) {
  json r = Grab("xmpp-server", 5269, false,
                {Data("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                      "xmlns:stream='http://etherx.jabber.org/streams' id='s2' version='1.0'>"
                      "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/>"
                      "</stream:features>")});
  EXPECT_EQ(Of(r, "xmpp-server")["status"], "no-starttls");
  EXPECT_EQ(Of(r, "xmpp-server")["result"]["server_to_server"], true);
  EXPECT_EQ(Of(r, "xmpp-server")["result"]["starttls_required"], false);
}

TEST_F(RecordJsonTest, IrcStartTlsAndRefusal) {
  json r = Grab("irc", 6667, false,
                {Data(":irc.example.net NOTICE * :*** Looking up your hostname...\r\n"),
                 Data(":irc.example.net CAP * LS :multi-prefix tls sasl=PLAIN\r\n"),
                 Data(":irc.example.net 670 * :STARTTLS successful\r\n"), TlsUp(),
                 Data(":irc.example.net CAP * LS :multi-prefix sasl=PLAIN,EXTERNAL\r\n")});
  json& result = Of(r, "irc")["result"];
  EXPECT_EQ(Of(r, "irc")["status"], "success");
  EXPECT_EQ(result["tls_cap"], true);
  EXPECT_EQ(result["cap_supported"], true);

  json e = Grab("irc", 6667, false,
                {Data(":irc.example.net CAP * LS :multi-prefix tls\r\n"
                      ":irc.example.net 691 * :STARTTLS failure\r\n")});
  EXPECT_EQ(Of(e, "irc")["status"], "starttls-refused");
  EXPECT_EQ(Of(e, "irc")["result"]["starttls"]["reply"], ":irc.example.net 691 * :STARTTLS failure");
}

TEST_F(RecordJsonTest, DialogueFailures) {
  json banner = Grab("smtp", 25, false, {Data("554 go away\r\n")});
  EXPECT_EQ(Of(banner, "smtp")["status"], "application-error");
  json refused = Grab("smtp", 25, false,
                      {Data("220 mail.example.com ESMTP\r\n"), Data(kEhlo), Data("454 TLS not available\r\n")});
  EXPECT_EQ(Of(refused, "smtp")["status"], "starttls-refused");
  // A busy server (Postfix's anvil limit) is a record of its own, with the
  // reply as the banner.
  json busy = Grab("smtp", 25, false,
                   {Data("421 4.7.0 mx.example Error: too many connections from 10.0.0.1\r\n")});
  EXPECT_EQ(Of(busy, "smtp")["status"], "server-busy");
  EXPECT_EQ(Of(busy, "smtp")["result"]["banner"],
            "421 4.7.0 mx.example Error: too many connections from 10.0.0.1");
  json none = Grab("submission", 587, false,
                   {Data("220 mail.example.com ESMTP\r\n"), Data("250 mail.example.com\r\n")});
  EXPECT_EQ(Of(none, "submission")["status"], "no-starttls");
  EXPECT_EQ(Of(none, "submission")["result"]["before_tls"]["auth_mechanisms"], json::array());
  json garbage = Grab("imap", 143, false, {Data("HTTP/1.1 400 Bad Request\r\n")});
  EXPECT_EQ(Of(garbage, "imap")["status"], "protocol-error");
  EXPECT_EQ(Of(garbage, "imap")["result"]["error"], "not an IMAP greeting");
  json closed = Grab("smtp", 25, false, {Data("220 mail.example.com ESMTP\r\n"), Close()});
  EXPECT_EQ(Of(closed, "smtp")["status"], "connection-closed");
  json slow = Grab("pop3", 110, false, {Data("+OK ready\r\n"), Timeout()});
  EXPECT_EQ(Of(slow, "pop3")["status"], "io-timeout");
  json flood = Grab("smtp", 25, false, {Data(std::string(70 * 1024, 'x'))});
  EXPECT_EQ(Of(flood, "smtp")["status"], "too-much-data");
}

TEST_F(RecordJsonTest, TlsFailures) {
  // A server that only speaks TLS 1.0 against the modern profile: an alert
  // and the error, no ServerHello.
  json old = Grab("smtps", 465, true, {},
                  ServerOptions().set_min_version(TLS1_VERSION).set_max_version(TLS1_VERSION));
  json& g = Of(old, "smtps");
  EXPECT_EQ(g["status"], "tls-error");
  EXPECT_TRUE(g["result"]["tls"].contains("error"));
  EXPECT_TRUE(g["result"]["tls"].contains("alert"));
  EXPECT_FALSE(g["result"]["tls"]["handshake_log"].contains("server_hello"));
}

// ---- Raw probes, through the real driver --------------------------------

// A scripted SMTP server per connection (STARTTLS on 25, implicit TLS on
// 465) in front of an in-process OpenSSL server, or, when `canned` is set,
// one that answers the ClientHello with those bytes: a flight OpenSSL 3
// cannot make (RC4). Bytes move only in Deliver(), between the driver's
// polls, as a transport's event loop would move them.
class ScriptedMailPeer {
 public:
  ScriptedMailPeer(bool implicit, std::unique_ptr<TestServer> tls, std::string canned)
      : implicit_(implicit), tls_(std::move(tls)), canned_(std::move(canned)) {
    if (!implicit_) to_client_ = "220 mail.example.com ESMTP\r\n";
    tls_mode_ = implicit_;
  }

  void RefuseStartTls() { refuse_starttls_ = true; }

  void FromClient(std::string_view bytes) {
    if (tls_mode_) {
      tls_in_.append(bytes);
      return;
    }
    plain_in_.append(bytes);
    for (size_t eol; (eol = plain_in_.find("\r\n")) != std::string::npos;) {
      const std::string line = plain_in_.substr(0, eol);
      plain_in_.erase(0, eol + 2);
      if (line.rfind("EHLO", 0) == 0) {
        to_client_ += "250-mail.example.com\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n";
      } else if (line == "STARTTLS" && refuse_starttls_) {
        to_client_ += "454 4.7.0 TLS not available\r\n";
      } else if (line == "STARTTLS") {
        to_client_ += "220 2.0.0 Ready to start TLS\r\n";
        tls_mode_ = true;
        tls_in_.append(plain_in_);
        plain_in_.clear();
        return;
      } else if (line == "QUIT") {
        to_client_ += "221 2.0.0 Bye\r\n";
      }
    }
  }

  // What the server sends now.
  std::string ToClient() {
    std::string out = std::move(to_client_);
    to_client_.clear();
    if (!tls_mode_) return out;
    if (!canned_.empty()) {
      if (!tls_in_.empty() && !canned_sent_) {
        canned_sent_ = true;
        out += canned_;
      }
      return out;
    }
    tls_->Feed(tls_in_);
    tls_in_.clear();
    tls_->Step();
    if (SSL_is_init_finished(tls_->ssl()) == 1) {
      if (implicit_ && !banner_sent_) {
        banner_sent_ = true;
        tls_->Write("220 mail.example.com ESMTP\r\n");
      }
      while (true) {
        const size_t eol = tls_->received().find("\r\n", answered_);
        if (eol == std::string::npos) break;
        const std::string line = tls_->received().substr(answered_, eol - answered_);
        answered_ = eol + 2;
        if (line.rfind("EHLO", 0) == 0) tls_->Write("250-mail.example.com\r\n250 AUTH PLAIN\r\n");
        if (line == "QUIT") tls_->Write("221 2.0.0 Bye\r\n");
      }
    }
    return out + tls_->Drain();
  }

 private:
  bool implicit_;
  std::unique_ptr<TestServer> tls_;
  std::string canned_;
  bool tls_mode_ = false;
  bool refuse_starttls_ = false;
  bool canned_sent_ = false;
  bool banner_sent_ = false;
  size_t answered_ = 0;
  std::string plain_in_, tls_in_, to_client_;
};

class ScriptedMailTransport : public GrabTransport {
 public:
  // Makes the peer of the n-th connection (0: the grab's own).
  using PeerFactory = std::function<std::unique_ptr<ScriptedMailPeer>(size_t n)>;
  explicit ScriptedMailTransport(PeerFactory factory) : factory_(std::move(factory)) {}

  absl::StatusOr<std::unique_ptr<GrabConnection>> Connect(const GrabTarget&, GrabEvents& events,
                                                          uint64_t) override {
    links_.push_back(std::make_unique<Link>(Link{&events, factory_(links_.size())}));
    return std::make_unique<Connection>(*links_.back());
  }

  // Connects what is new and moves the bytes each peer has for the client.
  void Deliver(uint64_t now) {
    for (auto& link : links_) {
      if (link->closed) continue;
      if (!link->connected) {
        link->connected = true;
        link->events->OnConnected(now);
        continue;
      }
      const std::string out = link->peer->ToClient();
      if (!out.empty() && !link->closed) link->events->OnData(out, now);
    }
  }

  size_t connections() const { return links_.size(); }

 private:
  struct Link {
    GrabEvents* events;
    std::unique_ptr<ScriptedMailPeer> peer;
    bool connected = false;
    bool closed = false;
  };
  class Connection : public GrabConnection {
   public:
    explicit Connection(Link& link) : link_(link) {}
    std::optional<size_t> Send(std::string_view bytes) override {
      link_.peer->FromClient(bytes);
      return bytes.size();
    }
    void Close() override { Abort(); }
    void Abort() override {
      if (link_.closed) return;
      link_.closed = true;
      link_.events->OnClosed();
    }

   private:
    Link& link_;
  };

  PeerFactory factory_;
  std::vector<std::unique_ptr<Link>> links_;
};

// A TLS 1.0 flight choosing TLS_RSA_WITH_RC4_128_SHA (0x0005) with `leaf`:
// ServerHello, Certificate, ServerHelloDone in one record, as GnuTLS sends it.
std::string Rc4Flight(X509* leaf) {
  const std::string der = tls_peer::Der(leaf);
  const auto u24 = [](size_t n) {
    return std::string{static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
  };
  std::string hello = {0x03, 0x01};  // TLS 1.0
  hello += std::string(32, '\x5a');   // random
  hello += '\0';                      // no session id
  hello += std::string{0x00, 0x05};   // TLS_RSA_WITH_RC4_128_SHA
  hello += '\0';                      // no compression
  std::string certificate = u24(der.size() + 3) + u24(der.size()) + der;
  std::string handshake = std::string{0x02} + u24(hello.size()) + hello;
  handshake += std::string{0x0b} + u24(certificate.size()) + certificate;
  handshake += std::string{0x0e, 0x00, 0x00, 0x00};
  return std::string{0x16, 0x03, 0x01, static_cast<char>(handshake.size() >> 8),
                     static_cast<char>(handshake.size())} +
         handshake;
}

// The grab of one target with `probes`, through GrabScheduler and GrabDriver
// over the scripted transport; returns the record, kept for the schema test.
json DriveGrab(const TlsContext& tls, uint16_t port, const std::vector<std::string>& probes,
               ScriptedMailTransport::PeerFactory factory, size_t* connections,
               const EnumerationOptions& enumeration = {}) {
  GrabOptions options;
  options.enumeration = enumeration;
  options.server_name = "mail.example.com";
  auto profiles = LoadTlsProfiles(DefaultTlsProfilesPath());
  EXPECT_TRUE(profiles.ok()) << profiles.status();
  for (const std::string& name : probes) {
    const ClientHelloProfile* p = FindTlsProfile(*profiles, name);
    EXPECT_NE(p, nullptr) << name;
    options.raw_probes.push_back(*p);
  }
  GrabScheduler scheduler(tls, options);
  ScriptedMailTransport transport(std::move(factory));
  std::vector<json> records;
  GrabDriver driver(transport, scheduler,
                    [&records](const GrabResult& g, const std::optional<ScanResult>& scan) {
                      records.push_back(GrabRecordJson(g, scan));
                    });
  scheduler.Start(0);
  scheduler.Push({{*Ipv4Address::Parse("192.0.2.25"), port, ""}, std::nullopt});
  for (uint64_t now = 1; now < 2000 && (now < 3 || driver.in_flight() > 0); ++now) {
    driver.Poll(now, true);
    transport.Deliver(now);
  }
  EXPECT_EQ(driver.in_flight(), 0u);
  EXPECT_EQ(records.size(), 1u);
  if (records.empty()) return json::object();
  Keep("grab_records.jsonl", records[0]);
  *connections = transport.connections();
  return records[0];
}

TEST_F(RecordJsonTest, RawProbesShowWhatOpenSslCannotOffer) {
  // The grab's own connection meets a modern server; the probes meet one
  // that offers only DHE with the 1024-bit RFC 2409 prime (a Postfix of the
  // smtpd_tls_dh1024_param_file era), so thunderbird31 and java7 get
  // DHE-1024 and the rc4 profile (RC4 only) a handshake_failure alert.
  size_t connections = 0;
  json r = DriveGrab(
      *tls_, 25, {"thunderbird31", "java7", "rc4"},
      [](size_t n) {
        ServerOptions options;
        if (n > 0) {
          options = ServerOptions()
                        .set_ciphers("DHE-RSA-AES128-SHA")
                        .set_max_version(TLS1_2_VERSION)
                        .set_dh(tls_peer::DhParams(BN_get_rfc2409_prime_1024));
        }
        return std::make_unique<ScriptedMailPeer>(
            false, std::make_unique<TestServer>(leaf_, leaf_key_, std::vector<X509*>{root_}, std::move(options)),
            "");
      },
      &connections);
  EXPECT_EQ(connections, 4u);  // the grab and one per profile
  json& g = Of(r, "smtp");
  EXPECT_EQ(g["status"], "success");
  json& probes = g["result"]["raw_probes"];
  ASSERT_EQ(probes.size(), 3u);
  for (int i : {0, 1}) {
    json& p = probes[i];
    EXPECT_EQ(p["status"], "success") << p.dump();
    EXPECT_EQ(p["flight"], "server-hello-done");
    json& log = p["handshake_log"];
    EXPECT_EQ(log["server_hello"]["cipher_suite"]["hex"], "0x0033");
    EXPECT_EQ(log["server_hello"]["cipher_suite"]["name"], "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
    EXPECT_EQ(log["key_exchange"]["kind"], "DHE");
    EXPECT_EQ(log["key_exchange"]["dh_prime_bits"], 1024);
    EXPECT_EQ(log["key_exchange"]["dh_prime_name"], "RFC 2409 group 2 (1024-bit MODP)");
    EXPECT_EQ(log["key_exchange"]["dh_prime_sha256"],
              "3f35a3f5f6c4376a744acad409bb22f8d897f949d2311d885adaa890981b67a0");
    EXPECT_EQ(log["forward_secrecy"], true);
    EXPECT_EQ(log["cipher_class"], "CBC");
    ASSERT_EQ(log["server_certificates"]["chain"].size(), 2u);
    EXPECT_EQ(log["server_certificates"]["chain"][0]["parsed"]["subject"]["common_name"],
              json({"mail.example.com"}));
    // Verified as the grab's own handshake verified the same chain (same
    // context, same name): the same validation, field for field.
    EXPECT_EQ(log["server_certificates"]["validation"],
              g["result"]["tls"]["handshake_log"]["server_certificates"]["validation"]);
    EXPECT_EQ(log["server_certificates"]["validation"]["browser_trusted"], true);
    EXPECT_EQ(log["server_certificates"]["validation"]["name_matches"], true);
  }
  EXPECT_EQ(probes[0]["profile"], "thunderbird31");
  EXPECT_EQ(probes[0]["handshake_log"]["server_hello"]["version"]["name"], "TLSv1.2");
  EXPECT_EQ(probes[1]["profile"], "java7");
  EXPECT_EQ(probes[1]["handshake_log"]["server_hello"]["version"]["name"], "TLSv1");
  json& rc4 = probes[2];
  EXPECT_EQ(rc4["profile"], "rc4");
  EXPECT_EQ(rc4["status"], "tls-error");
  EXPECT_EQ(rc4["flight"], "alert");
  EXPECT_EQ(rc4["alert"]["description"], "handshake failure");
  EXPECT_EQ(rc4["handshake_log"], json::object());
}

TEST_F(RecordJsonTest, RawProbeOfAnRc4OnlyServerOnAnImplicitTlsPort) {
  // 465: no dialogue before the ClientHello. The grab's OpenSSL handshake
  // fails (the server offers RC4 only); the probe records the RC4 suite.
  size_t connections = 0;
  json r = DriveGrab(
      *tls_, 465, {"thunderbird31"},
      [](size_t n) {
        if (n == 0) {
          // A fatal handshake_failure alert, as GnuTLS answers OpenSSL 3.
          return std::make_unique<ScriptedMailPeer>(
              true, nullptr, std::string("\x15\x03\x01\x00\x02\x02\x28", 7));
        }
        return std::make_unique<ScriptedMailPeer>(true, nullptr, Rc4Flight(leaf_));
      },
      &connections);
  EXPECT_EQ(connections, 2u);
  json& g = Of(r, "smtps");
  EXPECT_EQ(g["status"], "tls-error");
  json& p = g["result"]["raw_probes"][0];
  EXPECT_EQ(p["status"], "success");
  json& log = p["handshake_log"];
  EXPECT_EQ(log["server_hello"]["version"]["name"], "TLSv1");
  EXPECT_EQ(log["server_hello"]["cipher_suite"]["name"], "TLS_RSA_WITH_RC4_128_SHA");
  EXPECT_EQ(log["server_hello"]["cipher_suite"]["openssl_name"], "");
  EXPECT_EQ(log["cipher_class"], "RC4");
  EXPECT_EQ(log["forward_secrecy"], false);
  EXPECT_EQ(log["key_exchange"]["kind"], "RSA");
  EXPECT_EQ(log["server_certificates"]["chain"].size(), 1u);
  // No full handshake to compare with: the chain is still verified.
  ASSERT_TRUE(log["server_certificates"].contains("validation"));
  EXPECT_EQ(log["server_certificates"]["validation"]["name_matches"], true);
}

TEST_F(RecordJsonTest, NoRawProbesForServersThatNeverReachedTls) {
  // STARTTLS refused: a probe would meet the same refusal, so none is made.
  size_t connections = 0;
  json r = DriveGrab(
      *tls_, 25, {"thunderbird31"},
      [](size_t) {
        auto peer = std::make_unique<ScriptedMailPeer>(false, nullptr, "");
        peer->RefuseStartTls();
        return peer;
      },
      &connections);
  EXPECT_EQ(connections, 1u);
  EXPECT_EQ(Of(r, "smtp")["status"], "starttls-refused");
  EXPECT_FALSE(Of(r, "smtp")["result"].contains("raw_probes"));

  // Garbage instead of a flight on 465: the probe says what it got.
  json g = DriveGrab(
      *tls_, 465, {"thunderbird31"},
      [](size_t) { return std::make_unique<ScriptedMailPeer>(true, nullptr, "HTTP/1.0 400\r\n"); },
      &connections);
  EXPECT_EQ(connections, 2u);
  json& p = Of(g, "smtps")["result"]["raw_probes"][0];
  EXPECT_EQ(p["status"], "tls-error");
  EXPECT_EQ(p["error"], "server flight: not-tls");
}

TEST_F(RecordJsonTest, EnumerationOfAnRc4OnlyTls10Server) {
  // The issue's server on 465, through GrabDriver: each offer is its own
  // connection, answered as GnuTLS with NONE:+VERS-TLS1.0:+ARCFOUR-128:...
  // answers the enumeration's offers in their order (grab/enumeration.h):
  // TLS 1.3 protocol_version; TLS 1.2 and 1.1 a TLS 1.0 ServerHello (so
  // neither is accepted); TLS 1.0 RC4, then the batch without it and the two
  // other batches handshake_failure; SSLv3 protocol_version.
  const std::string handshake_failure("\x15\x03\x01\x00\x02\x02\x28", 7);
  const std::string protocol_version("\x15\x03\x01\x00\x02\x02\x46", 7);
  size_t connections = 0;
  json r = DriveGrab(
      *tls_, 465, {},
      [&](size_t n) {
        std::string answer = handshake_failure;  // n = 0: the grab's own, OpenSSL's offer
        if (n == 1 || n == 8) answer = protocol_version;
        if (n >= 2 && n <= 4) answer = Rc4Flight(leaf_);
        return std::make_unique<ScriptedMailPeer>(true, nullptr, answer);
      },
      &connections, EnumerationOptions{.enabled = true, .budget = 200, .interval_ms = 0, .tls13 = true});
  EXPECT_EQ(connections, 9u);
  json& e = Of(r, "smtps")["result"]["enumeration"];
  EXPECT_EQ(e["connections"], 8);
  EXPECT_EQ(e["truncated"], false);
  EXPECT_FALSE(e.contains("stopped"));
  ASSERT_EQ(e["versions"].size(), 5u);
  const char* names[] = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"};
  for (size_t i = 0; i < 5; ++i) {
    json& v = e["versions"][i];
    EXPECT_EQ(v["version"], names[i]);
    EXPECT_EQ(v["accepted"], i == 3) << v.dump();
    EXPECT_EQ(v["complete"], true);
    EXPECT_EQ(v["server_order"], nullptr);
  }
  EXPECT_EQ(e["versions"][3]["suites"],
            json::parse(R"([{"hex": "0x0005", "name": "TLS_RSA_WITH_RC4_128_SHA",
                             "cipher_class": "RC4"}])"));
}

TEST_F(RecordJsonTest, EnumerationBudgetAndProbeError) {
  // Every offer answered with RC4 at TLS 1.0: TLS 1.3, 1.2 and 1.1 get a
  // lower version (not accepted, one connection each), and the budget of 3
  // stops the enumeration at TLS 1.0, recorded as not complete.
  size_t connections = 0;
  json r = DriveGrab(
      *tls_, 465, {},
      [&](size_t) { return std::make_unique<ScriptedMailPeer>(true, nullptr, Rc4Flight(leaf_)); },
      &connections, EnumerationOptions{.enabled = true, .budget = 3, .interval_ms = 0, .tls13 = true});
  json& e = Of(r, "smtps")["result"]["enumeration"];
  EXPECT_EQ(connections, 4u);
  EXPECT_EQ(e["connections"], 3);
  EXPECT_EQ(e["truncated"], true);
  EXPECT_EQ(e["stopped"], "budget");
  ASSERT_EQ(e["versions"].size(), 4u);
  EXPECT_EQ(e["versions"][2]["complete"], true);
  EXPECT_EQ(e["versions"][3]["version"], "TLSv1");
  EXPECT_EQ(e["versions"][3]["complete"], false);
  // STARTTLS refused to the first offer after the grab's own connection got
  // to TLS: no TLS answer, so the enumeration stops rather than ask again.
  json g = DriveGrab(
      *tls_, 25, {},
      [](size_t n) {
        auto peer = std::make_unique<ScriptedMailPeer>(
            false, nullptr, std::string("\x15\x03\x01\x00\x02\x02\x28", 7));
        if (n > 0) peer->RefuseStartTls();
        return peer;
      },
      &connections, EnumerationOptions{.enabled = true, .budget = 200, .interval_ms = 0, .tls13 = true});
  EXPECT_EQ(connections, 2u);
  json& f = Of(g, "smtp")["result"]["enumeration"];
  EXPECT_EQ(f["connections"], 1);
  EXPECT_EQ(f["truncated"], true);
  EXPECT_EQ(f["stopped"], "probe-error");
  EXPECT_EQ(f["error"], "starttls-refused") << f.dump();
}

// Transport failures: the session never connected, so result is {}.
TEST_F(RecordJsonTest, TransportFailures) {
  const struct {
    GrabStatus status;
    const char* error;
  } cases[] = {
      {GrabStatus::kConnectionRefused, "connect: Connection refused"},
      {GrabStatus::kConnectionTimeout, "connect: timed out"},
      {GrabStatus::kUnknownError, "connect: No route to host"},
  };
  for (const auto& c : cases) {
    GrabSession session(MakeModule("pop3s", ModuleOptions()), *tls_, "", *Ipv4Address::Parse("192.0.2.25"),
                        995, GrabTimeouts(), 0);
    session.OnConnectFailed(c.status, c.error);
    const json r = GrabRecordJson(session.Result(), std::nullopt);
    Keep("grab_records.jsonl", r);
    EXPECT_EQ(r["data"]["pop3s"]["status"], GrabStatusName(c.status));
    EXPECT_EQ(r["data"]["pop3s"]["result"], json::object());
    EXPECT_FALSE(r.contains("domain"));
  }
}

TEST_F(RecordJsonTest, NotGrabbed) {
  for (std::string_view reason : {field::kNotGrabbedQueueFull, field::kNotGrabbedInterrupted}) {
    const json r = json::parse(NotGrabbedRecordLine(Answer(Classification::kSynAck), reason));
    Keep("grab_records.jsonl", r);
    EXPECT_EQ(r["not_grabbed"], reason);
    EXPECT_FALSE(r.contains("data"));
    EXPECT_EQ(r["scan"]["saddr"], "192.0.2.25");
  }
}

TEST(ScanResultJsonTest, EachClassification) {
  ScanResult open = Answer(Classification::kSynAck);
  TcpOptionsSeen& o = open.response.options;
  o.has_mss = o.has_wscale = o.sack_permitted = o.has_timestamps = true;
  o.mss = 1460;
  o.wscale = 7;
  o.ts_val = 123456;
  const ScanResult answers[] = {open, Answer(Classification::kSynAck, /*repeat=*/true),
                                Answer(Classification::kRst),
                                Answer(Classification::kIcmpUnreachable)};
  for (const ScanResult& a : answers) {
    const json j = ScanResultJson(a);
    Keep("scan_results.jsonl", j);
    const bool icmp = a.response.classification == Classification::kIcmpUnreachable;
    EXPECT_EQ(j.contains("icmp_code"), icmp);
    EXPECT_EQ(j.contains("tcp_options"), !icmp);
    EXPECT_EQ(j["timestamp_str"], "2023-11-14T22:13:20.123456Z");
  }
  EXPECT_EQ(ScanResultJson(open)["tcp_options"],
            json({{"mss", 1460}, {"wscale", 7}, {"sack_permitted", true}, {"tsval", 123456}, {"tsecr", 0}}));
  EXPECT_EQ(ScanResultJson(Answer(Classification::kRst))["tcp_options"], json::object());
}

// ---- The passive record's TLS side (output/passive_json.cc) -----------------

namespace passive_tls {

std::string U24(size_t n) {
  return std::string{static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
}

std::string HandshakeRecord(const std::string& messages) {
  return std::string{0x16, 0x03, 0x03, static_cast<char>(messages.size() >> 8),
                     static_cast<char>(messages.size())} +
         messages;
}

// A TLS 1.2 ServerHello choosing `suite` with `session_id`.
std::string ServerHello(uint16_t suite, const std::string& session_id) {
  std::string hello = {0x03, 0x03};
  hello += std::string(32, '\x5a');
  hello += static_cast<char>(session_id.size());
  hello += session_id;
  hello += {static_cast<char>(suite >> 8), static_cast<char>(suite), 0x00};
  return std::string{0x02} + U24(hello.size()) + hello;
}

// The ClientHello of a TLS 1.2 client offering DHE and RC4 suites, ALPN
// and a session id to resume.
std::string ClientHello(const std::vector<uint8_t>& session_id) {
  ClientHelloProfile p;
  p.cipher_suites = {0x0033, 0x0005};
  p.point_formats = {0};
  p.session_ticket = true;
  std::vector<uint8_t> random(32, 7), x25519(32, 9), out(kMaxClientHelloRecord);
  out.resize(BuildClientHello(p, {"mail.example.com", random, session_id, x25519}, out).value());
  return std::string(out.begin(), out.end());
}

json Record(const std::string& client, const std::string& server) {
  std::unique_ptr<Observer> o = MakeObserver("imaps");
  o->ClientData(client);
  o->ServerData(server);
  o->End();
  ConnectionRecord rec;
  rec.client = *Ipv4Address::Parse("10.77.0.100");
  rec.server = *Ipv4Address::Parse("10.77.0.3");
  rec.client_port = 40000;
  rec.server_port = 993;
  rec.first_ns = rec.last_ns = kScanTimestampNs;
  rec.observation = o->observation();
  json j = PassiveRecordJson(rec, nullptr);
  Keep("passive_records.jsonl", j);
  return j;
}

}  // namespace passive_tls

TEST_F(RecordJsonTest, PassiveRecordHasTheServersSideAsARawProbe) {
  using namespace passive_tls;
  // TLS_DHE_RSA_WITH_AES_128_CBC_SHA with the RFC 2409 1024-bit prime, the
  // chain, ServerHelloDone (RFC 5246 7.4.3: the signature is not checked).
  BIGNUM* p = BN_get_rfc2409_prime_1024(nullptr);
  std::string prime(static_cast<size_t>(BN_num_bytes(p)), '\0');
  BN_bn2bin(p, reinterpret_cast<unsigned char*>(prime.data()));
  BN_free(p);
  std::string ske = {static_cast<char>(prime.size() >> 8), static_cast<char>(prime.size())};
  ske += prime + std::string{0x00, 0x01, 0x02, 0x00, 0x02, 0x12, 0x34, 0x04, 0x01, 0x00, 0x01,
                             0x00};
  const std::string leaf = tls_peer::Der(leaf_), root = tls_peer::Der(root_);
  const std::string chain = U24(leaf.size()) + leaf + U24(root.size()) + root;
  const std::string flight = HandshakeRecord(
      ServerHello(0x0033, std::string(16, '\x77')) + std::string{0x0b} + U24(chain.size() + 3) +
      U24(chain.size()) + chain + std::string{0x0c} + U24(ske.size()) + ske +
      std::string{0x0e, 0x00, 0x00, 0x00});
  const json full = Record(ClientHello({}), flight)["result"]["tls"];
  EXPECT_EQ(full["server_flight"], "server-hello-done");
  const json& log = full["handshake_log"];
  EXPECT_EQ(log["server_hello"]["version"]["name"], "TLSv1.2");
  EXPECT_EQ(log["server_hello"]["cipher_suite"]["name"], "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
  EXPECT_EQ(log["cipher_class"], "CBC");
  EXPECT_EQ(log["forward_secrecy"], true);
  EXPECT_EQ(log["key_exchange"]["kind"], "DHE");
  EXPECT_EQ(log["key_exchange"]["dh_prime_bits"], 1024);
  EXPECT_EQ(log["key_exchange"]["dh_prime_name"], "RFC 2409 group 2 (1024-bit MODP)");
  EXPECT_EQ(log["key_exchange"]["dh_prime_sha256"].get<std::string>().size(), 64u);
  ASSERT_EQ(log["server_certificates"]["chain"].size(), 2u);
  EXPECT_EQ(log["server_certificates"]["chain"][0]["parsed"]["subject_dn"], "O=tlsweep test, CN=mail.example.com");
  EXPECT_EQ(full["certificate_count"], 2);
  EXPECT_EQ(full["resumption"]["resumed"], false);
  EXPECT_EQ(full["resumption"]["session_id_offered"], false);

  // The same client resuming: its session id echoed, ChangeCipherSpec at
  // once (RFC 5246 7.3 figure 2).
  const std::vector<uint8_t> id(16, 0x77);
  const json resumed = Record(ClientHello(id), HandshakeRecord(ServerHello(0x0033, std::string(16, '\x77'))) +
                                                   std::string{0x14, 0x03, 0x03, 0x00, 0x01, 0x01})["result"]["tls"];
  EXPECT_EQ(resumed["server_flight"], "abbreviated-handshake");
  EXPECT_EQ(resumed["handshake_log"]["server_hello"]["cipher_suite"]["value"], 0x0033);
  EXPECT_EQ(resumed["resumption"],
            json({{"session_id_offered", true}, {"ticket_offered", false}, {"psk_offered", false},
                  {"session_id_echoed", true}, {"abbreviated_handshake", true},
                  {"psk_selected", false}, {"resumed", true}}));
  EXPECT_EQ(resumed["certificate_count"], 0);

  // A fatal alert instead of a flight.
  const json alert = Record(ClientHello({}), std::string("\x15\x03\x03\x00\x02\x02\x28", 7))["result"]["tls"];
  EXPECT_EQ(alert["alert"], json({{"direction", "server"}, {"level", "fatal"},
                                  {"description", "handshake failure"}, {"value", 40}}));
  EXPECT_FALSE(alert.contains("resumption"));
}

// Connections first seen mid-stream: joined at a command line of the
// plaintext dialogue (a POP3 USER/PASS) or at the ClientHello.
TEST_F(RecordJsonTest, PassiveRecordSaysWhereAMidstreamPickupStarted) {
  using namespace passive_tls;
  std::unique_ptr<Observer> pop = MakeObserver("pop3");
  pop->PickUpInPlaintext();
  pop->ClientData("USER alice\r\n");
  pop->ServerData("+OK\r\n");
  pop->ClientData("PASS s3cr3t\r\n");
  pop->ServerData("+OK logged in\r\n");
  ConnectionRecord rec;
  rec.client = *Ipv4Address::Parse("10.77.0.100");
  rec.server = *Ipv4Address::Parse("10.77.0.3");
  rec.client_port = 40001;
  rec.server_port = 110;
  rec.first_ns = rec.last_ns = kScanTimestampNs;
  rec.observation = pop->observation();
  const json plain = PassiveRecordJson(rec, nullptr);
  Keep("passive_records.jsonl", plain);
  const json& r = plain["result"];
  EXPECT_EQ(r["picked_up_midstream"], true);
  EXPECT_EQ(r["midstream_pickup"], "plaintext-dialogue");
  EXPECT_EQ(r["auth"], json({{"method", "pop3-user"}, {"before_tls", true},
                             {"plaintext_credentials", true}, {"succeeded", true}}));
  EXPECT_FALSE(r.contains("banner"));
  EXPECT_EQ(plain.dump().find("alice"), std::string::npos);
  EXPECT_EQ(plain.dump().find("s3cr3t"), std::string::npos);

  std::unique_ptr<Observer> tls = MakeObserver("submission");
  tls->PickUpInTls();
  tls->ClientData(ClientHello({}));
  rec.server_port = 587;
  rec.observation = tls->observation();
  const json hello = PassiveRecordJson(rec, nullptr);
  Keep("passive_records.jsonl", hello);
  EXPECT_EQ(hello["result"]["midstream_pickup"], "client-hello");
  EXPECT_EQ(hello["result"]["tls"]["client_hello"]["server_name"], "mail.example.com");

  // A connection seen from its SYN has neither field.
  EXPECT_FALSE(Record(ClientHello({}), "")["result"].contains("midstream_pickup"));
}

}  // namespace
}  // namespace tlsweep
