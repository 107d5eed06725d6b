// Protocol modules against scripted server transcripts.
//
// Each transcript is a list of events (server bytes, TLS up, TLS failed, peer
// closed, timeout) modelled on what real servers send (Postfix, Dovecot,
// Prosody, InspIRCd). The runner records what the module sends after each
// event, when it asks for TLS and when it finishes, so a test states the exact
// dialogue. The same transcripts are replayed one byte at a time (a dripping
// server) and with all pre-TLS server bytes in one read (pipelining) to show
// that fragmentation never changes the outcome. Everything any module sends in
// any test is collected and scanned at exit for credentials and commands a
// module must never send.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "output/record_json.h"
#include "proto/capabilities.h"
#include "proto/line_reader.h"
#include "proto/module.h"
#include "proto/registry.h"
#include "proto/text.h"

namespace tlsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Everything sent by any module in any test, for the forbidden-command scan.
std::vector<std::string>& AllSent() {
  static std::vector<std::string>* sent = new std::vector<std::string>();
  return *sent;
}

// True when a sent line is a command a module must never send.
bool IsForbidden(std::string_view line) {
  const std::vector<std::string_view> words = proto_text::SplitWords(line);
  for (size_t i = 0; i < words.size() && i < 2;
       ++i) {  // IMAP: word 1 after tag
    const std::string w = proto_text::AsciiUpper(words[i]);
    if (w == "AUTH" || w == "AUTHENTICATE" || w == "LOGIN" || w == "USER" ||
        w == "PASS" || w == "APOP" || w == "NICK") {
      return true;
    }
  }
  const std::string upper = proto_text::AsciiUpper(line);
  return upper.find("MAIL FROM") != std::string::npos ||
         upper.find("RCPT TO") != std::string::npos ||
         upper.find("<AUTH ") != std::string::npos ||
         upper.find("<AUTH>") != std::string::npos ||
         upper.find("<RESPONSE") != std::string::npos;
}

std::vector<std::string> ForbiddenIn(std::string_view sent) {
  std::vector<std::string> bad;
  size_t start = 0;
  while (start < sent.size()) {
    size_t end = sent.find('\n', start);
    if (end == std::string_view::npos) end = sent.size();
    const std::string_view line = sent.substr(start, end - start);
    if (IsForbidden(line)) bad.emplace_back(line);
    start = end + 1;
  }
  return bad;
}

class ForbiddenScan : public ::testing::Environment {
 public:
  void TearDown() override {
    EXPECT_GT(AllSent().size(), 50u) << "the scan saw too little traffic";
    for (const std::string& s : AllSent()) {
      EXPECT_THAT(ForbiddenIn(s), IsEmpty()) << "sent: " << s;
    }
  }
};
const auto* const kForbiddenScan =
    ::testing::AddGlobalTestEnvironment(new ForbiddenScan());

struct Event {
  enum Kind { kData, kTlsUp, kTlsFail, kClose, kTimeout };
  Kind kind;
  std::string data;
};

Event Data(std::string s) { return {Event::kData, std::move(s)}; }
Event TlsUp() { return {Event::kTlsUp, ""}; }
Event TlsFail() { return {Event::kTlsFail, ""}; }
Event Close() { return {Event::kClose, ""}; }
Event Timeout() { return {Event::kTimeout, ""}; }

// What the module did in reaction to one event (index 0: OnConnected).
struct Step {
  std::string send;
  bool start_tls = false;
  bool finished = false;
  bool operator==(const Step&) const = default;
};

Step S(std::string send, bool start_tls = false, bool finished = false) {
  return {std::move(send), start_tls, finished};
}
Step StartTls(std::string send = "") { return {std::move(send), true, false}; }
Step Fin(std::string send) { return {std::move(send), false, true}; }

void PrintTo(const Step& s, std::ostream* os) {
  *os << "{send=\"" << proto_text::JsonSafe(s.send) << "\""
      << (s.start_tls ? " start_tls" : "") << (s.finished ? " finished" : "")
      << "}";
}

struct Outcome {
  std::vector<Step> steps;
  GrabStatus status = GrabStatus::kUnknownError;
  nlohmann::json result;
};

ModuleOptions TestOptions() {
  ModuleOptions o;
  o.xmpp_domain = "example.org";
  o.target_address = "192.0.2.1";
  return o;
}

// Runs `events` against a new `module`. chunk == 0 delivers each data event
// in one OnData call; otherwise in pieces of `chunk` bytes.
Outcome RunScript(std::string_view module, const std::vector<Event>& events,
                  size_t chunk = 0,
                  const ModuleOptions& options = TestOptions()) {
  Outcome out;
  std::unique_ptr<ProtocolModule> m = MakeModule(module, options);
  EXPECT_NE(m, nullptr) << module;
  if (m == nullptr) return out;
  auto record = [&](const ModuleActions& a) {
    out.steps.push_back(S(a.send, a.start_tls, a.finished));
    AllSent().push_back(a.send);
  };
  ModuleActions connect;
  m->OnConnected(&connect);
  record(connect);
  for (const Event& e : events) {
    ModuleActions a;
    switch (e.kind) {
      case Event::kData:
        if (chunk == 0) {
          m->OnData(e.data, &a);
        } else {
          for (size_t i = 0; i < e.data.size(); i += chunk) {
            m->OnData(std::string_view(e.data).substr(i, chunk), &a);
          }
        }
        break;
      case Event::kTlsUp:
        m->OnTlsEstablished(&a);
        break;
      case Event::kTlsFail:
        m->OnTlsFailed();
        break;
      case Event::kClose:
        m->OnPeerClosed();
        break;
      case Event::kTimeout:
        m->OnTimeout();
        break;
    }
    record(a);
  }
  EXPECT_TRUE(m->done()) << module << " not done after the transcript";
  out.status = m->status();
  out.result = ModuleResultJson(m->Result());
  // Always serialisable: peer text is made valid UTF-8.
  EXPECT_FALSE(out.result.dump().empty());
  return out;
}

// Joins consecutive data events before the first non-data event into one
// (a server whose replies arrive in one read).
std::vector<Event> Pipelined(const std::vector<Event>& events) {
  std::vector<Event> out;
  for (const Event& e : events) {
    if (e.kind == Event::kData && !out.empty() &&
        out.back().kind == Event::kData) {
      out.back().data += e.data;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

// Replays byte by byte and checks the outcome equals the one-piece run.
void ExpectSameWhenDripped(std::string_view module,
                           const std::vector<Event>& events) {
  const Outcome whole = RunScript(module, events);
  const Outcome drip = RunScript(module, events, 1);
  EXPECT_EQ(drip.steps, whole.steps) << module;
  EXPECT_EQ(drip.status, whole.status) << module;
  EXPECT_EQ(drip.result, whole.result) << module;
}

// ---------------------------------------------------------------- helpers

TEST(GrabStatusTest, ZGrab2Names) {
  EXPECT_EQ(GrabStatusName(GrabStatus::kSuccess), "success");
  EXPECT_EQ(GrabStatusName(GrabStatus::kProtocolError), "protocol-error");
  EXPECT_EQ(GrabStatusName(GrabStatus::kIoTimeout), "io-timeout");
  EXPECT_EQ(GrabStatusName(GrabStatus::kConnectionClosed), "connection-closed");
  EXPECT_EQ(GrabStatusName(GrabStatus::kStartTlsRefused), "starttls-refused");
  EXPECT_EQ(GrabStatusName(GrabStatus::kNoStartTls), "no-starttls");
  EXPECT_EQ(GrabStatusName(GrabStatus::kTlsError), "tls-error");
  EXPECT_EQ(GrabStatusName(GrabStatus::kTooMuchData), "too-much-data");
  EXPECT_EQ(GrabStatusName(GrabStatus::kApplicationError), "application-error");
  EXPECT_EQ(GrabStatusName(GrabStatus::kServerBusy), "server-busy");
}

TEST(LineReaderTest, CrLfBareLfAndFragments) {
  LineReader r(16);
  std::string_view line;
  r.Feed("ab");
  EXPECT_EQ(r.Next(&line), LineReader::Result::kNeedMore);
  r.Feed("c\r");
  EXPECT_EQ(r.Next(&line), LineReader::Result::kNeedMore);
  r.Feed("\nxy\n\r\n");
  ASSERT_EQ(r.Next(&line), LineReader::Result::kLine);
  EXPECT_EQ(line, "abc");
  ASSERT_EQ(r.Next(&line), LineReader::Result::kLine);
  EXPECT_EQ(line, "xy");
  ASSERT_EQ(r.Next(&line), LineReader::Result::kLine);
  EXPECT_EQ(line, "");
  EXPECT_EQ(r.Next(&line), LineReader::Result::kNeedMore);
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(LineReaderTest, MaxLineLength) {
  LineReader ok(4);
  std::string_view line;
  ok.Feed("abcd\r\n");
  ASSERT_EQ(ok.Next(&line), LineReader::Result::kLine);
  EXPECT_EQ(line, "abcd");

  LineReader complete(4);
  complete.Feed("abcde\n");
  EXPECT_EQ(complete.Next(&line), LineReader::Result::kTooLong);

  LineReader partial(4);  // no terminator yet, already too long
  partial.Feed("abc");
  EXPECT_EQ(partial.Next(&line), LineReader::Result::kNeedMore);
  partial.Feed("de");
  EXPECT_EQ(partial.Next(&line), LineReader::Result::kTooLong);
}

TEST(TextTest, SaysServerBusy) {
  EXPECT_TRUE(proto_text::SaysServerBusy("-ERR [SYS/TEMP] Connection queue full"));
  EXPECT_TRUE(proto_text::SaysServerBusy("-ERR connection queue full"));
  EXPECT_TRUE(proto_text::SaysServerBusy(
      "421 4.7.0 mx.example Error: too many connections from 10.0.0.1"));
  EXPECT_FALSE(proto_text::SaysServerBusy(
      "454 4.7.0 TLS not available due to local problem"));
  EXPECT_FALSE(proto_text::SaysServerBusy(
      "b NO [UNAVAILABLE] TLS support isn't enabled."));
  EXPECT_FALSE(proto_text::SaysServerBusy("-ERR unknown command"));
}

TEST(TextTest, JsonSafeKeepsUtf8EscapesTheRest) {
  EXPECT_EQ(proto_text::JsonSafe("abc\tdef"), "abc\tdef");
  EXPECT_EQ(proto_text::JsonSafe("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(proto_text::JsonSafe("a\x01\xff\xc3"), "a\\x01\\xff\\xc3");
  EXPECT_EQ(proto_text::JsonSafe("\xed\xa0\x80"),
            "\\xed\\xa0\\x80");  // surrogate
  nlohmann::json j = proto_text::JsonSafe("\x80\x81 \r\n");
  EXPECT_EQ(j.dump(), "\"\\\\x80\\\\x81 \\\\x0d\\n\"");
}

TEST(RegistryTest, DefaultPortsFollowDesign) {
  const PortModuleMap m = PortModuleMap::Defaults();
  const std::pair<uint16_t, std::string_view> expected[] = {
      {25, "smtp"},    {587, "submission"}, {465, "smtps"},
      {143, "imap"},   {993, "imaps"},      {110, "pop3"},
      {995, "pop3s"},  {5222, "xmpp"},      {5269, "xmpp-server"},
      {5223, "xmpps"}, {6667, "irc"},       {6697, "ircs"}};
  for (const auto& [port, name] : expected) {
    ASSERT_TRUE(m.ModuleFor(port).has_value()) << port;
    EXPECT_EQ(*m.ModuleFor(port), name);
    std::unique_ptr<ProtocolModule> mod = MakeModule(name, ModuleOptions());
    ASSERT_NE(mod, nullptr) << name;
    EXPECT_EQ(mod->name(), name);
    const bool implicit = port == 465 || port == 993 || port == 995 ||
                          port == 5223 || port == 6697;
    EXPECT_EQ(mod->implicit_tls(), implicit) << name;
  }
  EXPECT_FALSE(m.ModuleFor(80).has_value());
  EXPECT_EQ(MakeModule("http", ModuleOptions()), nullptr);
}

TEST(RegistryTest, Overrides) {
  PortModuleMap m = PortModuleMap::Defaults();
  ASSERT_TRUE(m.ApplyOverride("2525=smtp").ok());
  ASSERT_TRUE(m.ApplyOverride("25=submission").ok());
  EXPECT_EQ(*m.ModuleFor(2525), "smtp");
  EXPECT_EQ(*m.ModuleFor(25), "submission");
  const auto parsed = ParseModuleOverride("6668=irc");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->first, 6668);
  EXPECT_EQ(parsed->second, "irc");
  for (std::string_view bad : {"2525", "=smtp", "0=smtp", "65536=smtp",
                               "25x=smtp", "25=gopher", "25=", "-1=smtp"}) {
    EXPECT_FALSE(ParseModuleOverride(bad).ok()) << bad;
  }
  EXPECT_THAT(std::string(ParseModuleOverride("25=gopher").status().message()),
              ::testing::HasSubstr("unknown module 'gopher'"));
}

// ---------------------------------------------------------------- SMTP

constexpr std::string_view kEhlo = "EHLO tlsweep.invalid\r\n";

const char kPostfixBanner[] =
    "220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n";
const char kPostfixEhlo[] =
    "250-mail.example.org\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-VRFY\r\n"
    "250-ETRN\r\n"
    "250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250-DSN\r\n"
    "250-SMTPUTF8\r\n"
    "250 CHUNKING\r\n";
const char kPostfixEhloTls[] =
    "250-mail.example.org\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-VRFY\r\n"
    "250-ETRN\r\n"
    "250-AUTH PLAIN LOGIN\r\n"
    "250-AUTH=PLAIN LOGIN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250-DSN\r\n"
    "250-SMTPUTF8\r\n"
    "250 CHUNKING\r\n";

std::vector<Event> PostfixHappy() {
  return {Data(kPostfixBanner), Data(kPostfixEhlo),
          Data("220 2.0.0 Ready to start TLS\r\n"), TlsUp(),
          Data(kPostfixEhloTls)};
}

TEST(SmtpTest, PostfixStartTlsHappyPath) {
  const Outcome o = RunScript("smtp", PostfixHappy());
  EXPECT_THAT(o.steps,
              ElementsAre(S(""), S(std::string(kEhlo)), S("STARTTLS\r\n"),
                          StartTls(), S(std::string(kEhlo)), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  const nlohmann::json& r = o.result;
  EXPECT_EQ(r["status"], "success");
  EXPECT_EQ(r["banner"], "220 mail.example.org ESMTP Postfix (Debian/GNU)");
  EXPECT_EQ(r["implicit_tls"], false);
  EXPECT_EQ(r["starttls"]["offered"], true);
  EXPECT_EQ(r["starttls"]["accepted"], true);
  EXPECT_EQ(r["starttls"]["reply"], "220 2.0.0 Ready to start TLS");
  EXPECT_EQ(r["before_tls"]["capabilities"].size(), 10u);
  EXPECT_EQ(r["before_tls"]["capabilities"][4], "STARTTLS");
  EXPECT_EQ(r["before_tls"]["auth_mechanisms"], nlohmann::json::array());
  EXPECT_EQ(r["plaintext_auth_before_tls"], false);
  EXPECT_EQ(r["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "LOGIN"}));
  EXPECT_FALSE(r.contains("error"));
}

TEST(SmtpTest, SubmissionMechanismsInOrderOffered) {
  const Outcome o = RunScript(
      "submission",
      {Data("220 smtp.example.net ESMTP\r\n"),
       Data("250-smtp.example.net\r\n250-STARTTLS\r\n250-AUTH=LOGIN\r\n250 "
            "8BITMIME\r\n"),
       Data("220 go ahead\r\n"), TlsUp(),
       Data("250-smtp.example.net\r\n250-AUTH LOGIN PLAIN XAOL-UAS-MB\r\n"
            "250-AUTH=LOGIN PLAIN\r\n250 HELP\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_EQ(o.result["before_tls"]["auth_mechanisms"],
            nlohmann::json({"LOGIN"}));
  EXPECT_EQ(o.result["plaintext_auth_before_tls"], true);
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"],
            nlohmann::json({"LOGIN", "PLAIN", "XAOL-UAS-MB"}));
}

TEST(SmtpTest, MultiLineBanner) {
  const Outcome o =
      RunScript("smtp", {Data("220-mx.example.com ESMTP\r\n220-No UCE\r\n"),
                         Data("220 ready\r\n"), Close()});
  EXPECT_THAT(o.steps, ElementsAre(S(""), S(""), S(std::string(kEhlo)), S("")));
  EXPECT_EQ(o.result["banner"],
            "220-mx.example.com ESMTP\n220-No UCE\n220 ready");
  EXPECT_EQ(o.status, GrabStatus::kConnectionClosed);
}

TEST(SmtpTest, NoStartTls) {
  const Outcome o =
      RunScript("smtp", {Data("220 old.example.com Sendmail\r\n"),
                         Data("250-old.example.com\r\n250-AUTH LOGIN PLAIN\r\n"
                              "250 SIZE\r\n")});
  EXPECT_THAT(o.steps,
              ElementsAre(S(""), S(std::string(kEhlo)), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kNoStartTls);
  EXPECT_EQ(o.result["starttls"]["offered"], false);
  EXPECT_EQ(o.result["starttls"]["attempted"], false);
  EXPECT_EQ(o.result["plaintext_auth_before_tls"], true);
  EXPECT_FALSE(o.result.contains("after_tls"));
}

TEST(SmtpTest, StartTlsRefused454) {
  const Outcome o = RunScript(
      "smtp", {Data(kPostfixBanner), Data(kPostfixEhlo),
               Data("454 4.7.0 TLS not available due to local problem\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), S(std::string(kEhlo)),
                                   S("STARTTLS\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kStartTlsRefused);
  EXPECT_EQ(o.result["starttls"]["offered"], true);
  EXPECT_EQ(o.result["starttls"]["accepted"], false);
  EXPECT_EQ(o.result["starttls"]["reply"],
            "454 4.7.0 TLS not available due to local problem");
}

// Error replies are recorded as such, never as no-starttls: Postfix's anvil
// limit (smtpd.c "421 4.7.0 %s Error: too many connections from %s"), a 421
// to EHLO, an access-denied 554 banner, and a 421 to STARTTLS (the server is
// closing, not refusing TLS); 454 stays a refusal of STARTTLS itself.
TEST(SmtpTest, BusyAndErrorReplies) {
  Outcome o = RunScript(
      "smtp", {Data("421 4.7.0 mx.example Error: too many connections from "
                    "10.0.0.1\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["banner"],
            "421 4.7.0 mx.example Error: too many connections from 10.0.0.1");
  EXPECT_FALSE(o.result.contains("starttls"));

  o = RunScript("smtp",
                {Data(kPostfixBanner),
                 Data("421 4.3.2 Service shutting down, closing channel\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["ehlo"],
            "421 4.3.2 Service shutting down, closing channel");

  o = RunScript("smtp", {Data("554 5.7.1 <unknown[192.0.2.9]>: Client host "
                              "rejected: Access denied\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);
  EXPECT_EQ(o.result["banner"],
            "554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: Access "
            "denied");

  o = RunScript("smtp", {Data(kPostfixBanner),
                         Data("550 5.7.1 Access denied\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);

  o = RunScript("smtp", {Data(kPostfixBanner), Data(kPostfixEhlo),
                         Data("421 4.7.0 mx.example Error: too many errors\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["starttls"]["reply"],
            "421 4.7.0 mx.example Error: too many errors");
}

TEST(SmtpTest, BannerRefusal554) {
  const Outcome o =
      RunScript("smtp", {Data("554 5.7.1 No SMTP service here\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);
  EXPECT_EQ(o.result["banner"], "554 5.7.1 No SMTP service here");
}

TEST(SmtpTest, GarbageGreeting) {
  const Outcome o =
      RunScript("smtp", {Data("HTTP/1.1 400 Bad Request\r\n\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), Fin("")));
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["banner"], "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(o.result["error"], "not an SMTP reply");
}

TEST(SmtpTest, LineLongerThanLimit) {
  const std::string huge =
      "220 " + std::string(kDefaultMaxLineLength + 10, 'x');
  // Without a terminator: detected before the line ends.
  Outcome o = RunScript("smtp", {Data(huge)});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["error"], "line too long");
  // With one, in drips.
  o = RunScript("smtp", {Data(huge + "\r\n")}, 1);
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["error"], "line too long");
  EXPECT_THAT(o.steps.back(), Fin(""));
}

TEST(SmtpTest, SessionByteLimit) {
  ModuleOptions small = TestOptions();
  small.max_session_bytes = 100;
  std::string many;
  for (int i = 0; i < 10; ++i) many += "220-still talking\r\n";
  const Outcome o = RunScript("smtp", {Data(many)}, 0, small);
  EXPECT_EQ(o.status, GrabStatus::kTooMuchData);
  EXPECT_EQ(o.result["error"], "session byte limit exceeded");
}

TEST(SmtpTest, PeerClosesMidReplyKeepsWhatWasLearned) {
  const Outcome o = RunScript(
      "smtp",
      {Data(kPostfixBanner),
       Data("250-mail.example.org\r\n250-PIPELINING\r\n250-STA"), Close()});
  EXPECT_EQ(o.status, GrabStatus::kConnectionClosed);
  EXPECT_EQ(o.result["status"], "connection-closed");
  EXPECT_EQ(o.result["phase"], "ehlo");
  EXPECT_EQ(o.result["banner"],
            "220 mail.example.org ESMTP Postfix (Debian/GNU)");
}

TEST(SmtpTest, TimeoutKeepsPartialResult) {
  const Outcome o =
      RunScript("smtp", {Data(kPostfixBanner), Data(kPostfixEhlo), Timeout()});
  EXPECT_EQ(o.status, GrabStatus::kIoTimeout);
  EXPECT_EQ(o.result["status"], "io-timeout");
  EXPECT_EQ(o.result["phase"], "starttls");
  EXPECT_EQ(o.result["starttls"]["offered"], true);
  EXPECT_EQ(o.result["before_tls"]["capabilities"].size(), 10u);
}

TEST(SmtpTest, ServerThatNeverAnswers) {
  const Outcome o = RunScript("smtp", {Timeout()});
  EXPECT_EQ(o.status, GrabStatus::kIoTimeout);
  EXPECT_EQ(o.result["phase"], "banner");
}

TEST(SmtpTest, TlsFailureKeepsPreTlsFindings) {
  const Outcome o =
      RunScript("smtp", {Data(kPostfixBanner), Data(kPostfixEhlo),
                         Data("220 2.0.0 Ready to start TLS\r\n"), TlsFail()});
  EXPECT_EQ(o.status, GrabStatus::kTlsError);
  EXPECT_EQ(o.result["starttls"]["accepted"], true);
  EXPECT_EQ(o.result["phase"], "tls-handshake");
}

TEST(SmtpTest, PlaintextAfterGoAheadIsDiscarded) {
  // A STARTTLS injection: a fake reply rides along with the go-ahead; it
  // must not be taken as the answer to the EHLO sent inside TLS.
  const Outcome o = RunScript("smtp", {Data(kPostfixBanner), Data(kPostfixEhlo),
                                       Data("220 Ready\r\n250 AUTH PLAIN\r\n"),
                                       TlsUp(), Data(kPostfixEhloTls)});
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_EQ(o.result["starttls"]["plaintext_bytes_after_go_ahead"], 16);
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "LOGIN"}));
}

TEST(SmtpTest, ImplicitTls465) {
  const Outcome o =
      RunScript("smtps", {Data("220 mail.example.org ESMTP\r\n"),
                          Data("250-mail.example.org\r\n250-AUTH PLAIN LOGIN "
                               "CRAM-MD5\r\n250 8BITMIME\r\n")});
  EXPECT_THAT(o.steps,
              ElementsAre(S(""), S(std::string(kEhlo)), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_EQ(o.result["implicit_tls"], true);
  EXPECT_FALSE(o.result.contains("starttls"));
  EXPECT_FALSE(o.result.contains("before_tls"));
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "LOGIN", "CRAM-MD5"}));
}

TEST(SmtpTest, EhloNameFromOptions) {
  ModuleOptions o = TestOptions();
  o.ehlo_name = "scanner.example.edu";
  const Outcome out =
      RunScript("smtp", {Data(kPostfixBanner), Timeout()}, 0, o);
  EXPECT_EQ(out.steps[1].send, "EHLO scanner.example.edu\r\n");
}

TEST(SmtpTest, DrippingAndPipelinedServerGiveTheSameResult) {
  ExpectSameWhenDripped("smtp", PostfixHappy());
  // Banner and EHLO reply in one read (an early talker): the module answers
  // both in the same step.
  const Outcome p = RunScript("smtp", Pipelined(PostfixHappy()));
  EXPECT_THAT(p.steps,
              ElementsAre(S(""), StartTls(std::string(kEhlo) + "STARTTLS\r\n"),
                          S(std::string(kEhlo)), Fin("QUIT\r\n")));
  EXPECT_EQ(p.result, RunScript("smtp", PostfixHappy()).result);
}

// ---------------------------------------------------------------- IMAP

const char kDovecotGreeting[] =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
    "LITERAL+ "
    "STARTTLS LOGINDISABLED] Dovecot (Debian) ready.\r\n";
const char kDovecotCapa[] =
    "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
    "STARTTLS "
    "LOGINDISABLED\r\n"
    "a OK Pre-login capabilities listed, post-login capabilities have "
    "more.\r\n";
const char kDovecotCapaTls[] =
    "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
    "AUTH=PLAIN "
    "AUTH=LOGIN\r\n"
    "c OK Pre-login capabilities listed, post-login capabilities have "
    "more.\r\n";

std::vector<Event> DovecotImapHappy() {
  return {Data(kDovecotGreeting), Data(kDovecotCapa),
          Data("b OK Begin TLS negotiation now.\r\n"), TlsUp(),
          Data(kDovecotCapaTls)};
}

TEST(ImapTest, DovecotHappyPath) {
  const Outcome o = RunScript("imap", DovecotImapHappy());
  EXPECT_THAT(o.steps, ElementsAre(S(""), S("a CAPABILITY\r\n"),
                                   S("b STARTTLS\r\n"), StartTls(),
                                   S("c CAPABILITY\r\n"), Fin("d LOGOUT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  const nlohmann::json& r = o.result;
  EXPECT_EQ(r["banner"],
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
            "LITERAL+ "
            "STARTTLS LOGINDISABLED] Dovecot (Debian) ready.");
  EXPECT_EQ(r["login_disabled"], true);
  EXPECT_EQ(r["before_tls"]["login_disabled"], true);
  EXPECT_EQ(r["plaintext_auth_before_tls"], false);
  EXPECT_EQ(r["starttls"]["offered"], true);
  EXPECT_EQ(r["starttls"]["accepted"], true);
  EXPECT_EQ(r["starttls"]["reply"], "b OK Begin TLS negotiation now.");
  EXPECT_EQ(r["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "LOGIN"}));
  EXPECT_EQ(r["after_tls"]["login_disabled"], false);
  EXPECT_EQ(r["after_tls"]["capabilities"].size(), 9u);
}

TEST(ImapTest, RefusedWithNoAndBad) {
  for (const char* reply : {"b NO [UNAVAILABLE] TLS support isn't enabled.",
                            "b BAD Unknown command."}) {
    const Outcome o =
        RunScript("imap", {Data(kDovecotGreeting), Data(kDovecotCapa),
                           Data(std::string(reply) + "\r\n")});
    EXPECT_THAT(o.steps, ElementsAre(S(""), S("a CAPABILITY\r\n"),
                                     S("b STARTTLS\r\n"), Fin("d LOGOUT\r\n")));
    EXPECT_EQ(o.status, GrabStatus::kStartTlsRefused);
    EXPECT_EQ(o.result["starttls"]["reply"], reply);
    EXPECT_EQ(o.result["starttls"]["accepted"], false);
  }
}

TEST(ImapTest, NoStartTlsPlaintextLogin) {
  const Outcome o =
      RunScript("imap", {Data("* OK IMAP4rev1 Service Ready\r\n"),
                         Data("* CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN\r\n"
                              "a OK CAPABILITY completed\r\n")});
  EXPECT_THAT(o.steps,
              ElementsAre(S(""), S("a CAPABILITY\r\n"), Fin("d LOGOUT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kNoStartTls);
  EXPECT_EQ(o.result["login_disabled"], false);
  EXPECT_EQ(o.result["plaintext_auth_before_tls"], true);
  EXPECT_EQ(o.result["before_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN"}));
}

TEST(ImapTest, CapabilitiesInTaggedOkResponseCode) {
  const Outcome o = RunScript(
      "imap",
      {Data("* OK ready\r\n"),
       Data("a OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] done\r\n"),
       Timeout()});
  EXPECT_EQ(o.steps[2].send, "b STARTTLS\r\n");
  EXPECT_EQ(o.result["login_disabled"], true);
  EXPECT_EQ(o.status, GrabStatus::kIoTimeout);
  EXPECT_EQ(o.result["phase"], "starttls");
}

TEST(ImapTest, ByeGreetingAndGarbage) {
  Outcome o =
      RunScript("imap", {Data("* BYE Too many connections from your IP\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), Fin("")));
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["bye"], "* BYE Too many connections from your IP");
  o = RunScript("imap", {Data("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), Fin("")));
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["banner"], "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
}

// Dovecot's imap-login at its limits and a server that refuses CAPABILITY:
// recorded as busy / error, with the reply, never as no-starttls.
TEST(ImapTest, BusyAndErrorReplies) {
  Outcome o = RunScript(
      "imap", {Data("* BYE [SYS/TEMP] Connection queue full\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["bye"], "* BYE [SYS/TEMP] Connection queue full");

  // An untagged BYE instead of the CAPABILITY answer.
  o = RunScript("imap", {Data("* OK ready\r\n"),
                         Data("* BYE Disconnected: Connection queue full\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), S("a CAPABILITY\r\n"), Fin("")));
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["bye"], "* BYE Disconnected: Connection queue full");
  EXPECT_FALSE(o.result.contains("starttls"));

  o = RunScript("imap", {Data("* OK ready\r\n"),
                         Data("* BYE Disconnected for inactivity.\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);

  // A tagged NO to CAPABILITY: no complete listing, so not no-starttls.
  o = RunScript("imap", {Data("* OK ready\r\n"),
                         Data("a NO [SYS/TEMP] Server busy\r\n")});
  EXPECT_THAT(o.steps,
              ElementsAre(S(""), S("a CAPABILITY\r\n"), Fin("d LOGOUT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["error"],
            "CAPABILITY refused: a NO [SYS/TEMP] Server busy");
  o = RunScript("imap",
                {Data("* OK ready\r\n"), Data("a BAD Unknown command\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);

  // Busy text in the answer to STARTTLS: not a refusal of TLS.
  o = RunScript("imap", {Data(kDovecotGreeting), Data(kDovecotCapa),
                         Data("b NO [SYS/TEMP] Connection queue full\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["starttls"]["reply"],
            "b NO [SYS/TEMP] Connection queue full");
}

TEST(ImapTest, LineTooLongAndPeerClose) {
  Outcome o = RunScript("imap", {Data("* OK " + std::string(20000, 'A'))});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["error"], "line too long");
  o = RunScript("imap", {Data(kDovecotGreeting),
                         Data("* CAPABILITY IMAP4rev1 STA"), Close()});
  EXPECT_EQ(o.status, GrabStatus::kConnectionClosed);
  EXPECT_EQ(o.result["before_tls"]["login_disabled"],
            true);  // from the greeting
}

TEST(ImapTest, ImplicitTls993) {
  const Outcome o = RunScript(
      "imaps", {Data("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"),
                Data("* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN\r\n"
                     "a OK done\r\n")});
  EXPECT_THAT(o.steps,
              ElementsAre(S(""), S("a CAPABILITY\r\n"), Fin("d LOGOUT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_FALSE(o.result.contains("starttls"));
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "LOGIN"}));
  EXPECT_EQ(o.result["login_disabled"], false);
}

TEST(ImapTest, DrippingAndPipelined) {
  ExpectSameWhenDripped("imap", DovecotImapHappy());
  const Outcome p = RunScript("imap", Pipelined(DovecotImapHappy()));
  EXPECT_THAT(p.steps,
              ElementsAre(S(""), StartTls("a CAPABILITY\r\nb STARTTLS\r\n"),
                          S("c CAPABILITY\r\n"), Fin("d LOGOUT\r\n")));
  EXPECT_EQ(p.result, RunScript("imap", DovecotImapHappy()).result);
}

// ---------------------------------------------------------------- POP3

std::vector<Event> DovecotPop3Happy() {
  return {Data("+OK Dovecot (Debian) ready.\r\n"),
          Data("+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-"
               "RESP-CODE\r\n"
               "STLS\r\nUSER\r\nSASL\r\n.\r\n"),
          Data("+OK Begin TLS negotiation now.\r\n"), TlsUp(),
          Data("+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-"
               "RESP-CODE\r\n"
               "USER\r\nSASL PLAIN LOGIN\r\n.\r\n")};
}

TEST(Pop3Test, DovecotHappyPath) {
  const Outcome o = RunScript("pop3", DovecotPop3Happy());
  EXPECT_THAT(o.steps, ElementsAre(S(""), S("CAPA\r\n"), S("STLS\r\n"),
                                   StartTls(), S("CAPA\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_EQ(o.result["banner"], "+OK Dovecot (Debian) ready.");
  EXPECT_EQ(o.result["starttls"]["offered"], true);
  EXPECT_EQ(o.result["starttls"]["reply"], "+OK Begin TLS negotiation now.");
  EXPECT_EQ(o.result["plaintext_auth_before_tls"], true);  // USER before TLS
  EXPECT_EQ(o.result["before_tls"]["capabilities"].size(), 9u);
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "LOGIN"}));
}

TEST(Pop3Test, RefusedNotOfferedNoCapa) {
  Outcome o =
      RunScript("pop3", {Data("+OK ready\r\n"), Data("+OK\r\nSTLS\r\n.\r\n"),
                         Data("-ERR TLS support isn't enabled.\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), S("CAPA\r\n"), S("STLS\r\n"),
                                   Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kStartTlsRefused);
  EXPECT_EQ(o.result["starttls"]["reply"], "-ERR TLS support isn't enabled.");

  o = RunScript("pop3", {Data("+OK ready\r\n"),
                         Data("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), S("CAPA\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kNoStartTls);
  EXPECT_EQ(o.result["before_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN"}));

  // No CAPA (pre-RFC 2449): no listing was read, so not no-starttls.
  o = RunScript("pop3",
                {Data("+OK ready\r\n"), Data("-ERR unknown command\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);
  EXPECT_EQ(o.result["capa_error"], "-ERR unknown command");
}

// Dovecot's pop3-login at its limits (the issue's lab run: "-ERR Connection
// queue full" to CAPA and to STLS), with and without RFC 3206's code.
TEST(Pop3Test, BusyAndErrorReplies) {
  Outcome o = RunScript("pop3", {Data("+OK Dovecot ready.\r\n"),
                                 Data("-ERR Connection queue full\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), S("CAPA\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["capa_error"], "-ERR Connection queue full");
  EXPECT_FALSE(o.result.contains("starttls"));

  o = RunScript("pop3",
                {Data("-ERR [SYS/TEMP] Connection queue full\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["banner"], "-ERR [SYS/TEMP] Connection queue full");

  o = RunScript("pop3", {Data("+OK Dovecot ready.\r\n"),
                         Data("+OK\r\nSTLS\r\nUSER\r\n.\r\n"),
                         Data("-ERR [SYS/TEMP] Connection queue full\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["starttls"]["reply"],
            "-ERR [SYS/TEMP] Connection queue full");

  o = RunScript("pop3", {Data("-ERR Access denied\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);
}

TEST(Pop3Test, GarbageErrTimeoutClose) {
  Outcome o = RunScript(
      "pop3", {Data(std::string("\x16\x03\x01\x00\x02\x02\x28\n", 8))});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["banner"], "\\x16\\x03\\x01\\x00\\x02\\x02(");
  o = RunScript("pop3", {Data("-ERR [SYS/TEMP] too busy\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  o = RunScript("pop3",
                {Data("+OK ready\r\n"), Data("+OK\r\nSTLS\r\nUS"), Timeout()});
  EXPECT_EQ(o.status, GrabStatus::kIoTimeout);
  EXPECT_EQ(o.result["phase"], "capa");
  o = RunScript("pop3",
                {Data("+OK ready\r\n"), Data("+OK\r\nSTLS\r\n"), Close()});
  EXPECT_EQ(o.status, GrabStatus::kConnectionClosed);
  EXPECT_EQ(o.result["banner"], "+OK ready");
}

TEST(Pop3Test, ImplicitTls995) {
  const Outcome o =
      RunScript("pop3s", {Data("+OK ready\r\n"),
                          Data("+OK\r\nUSER\r\nSASL PLAIN\r\n..odd\r\n.\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(""), S("CAPA\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_EQ(o.result["after_tls"]["capabilities"],
            nlohmann::json({"USER", "SASL PLAIN", ".odd"}));
}

TEST(Pop3Test, DrippingAndPipelined) {
  ExpectSameWhenDripped("pop3", DovecotPop3Happy());
  const Outcome p = RunScript("pop3", Pipelined(DovecotPop3Happy()));
  EXPECT_THAT(p.steps, ElementsAre(S(""), StartTls("CAPA\r\nSTLS\r\n"),
                                   S("CAPA\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(p.result, RunScript("pop3", DovecotPop3Happy()).result);
}

// ---------------------------------------------------------------- XMPP

constexpr std::string_view kC2sHeader =
    "<?xml version='1.0'?><stream:stream to='example.org' "
    "xmlns='jabber:client' "
    "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
constexpr std::string_view kStartTlsElement =
    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

const char kProsodyStream[] =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' "
    "xmlns:stream='http://etherx.jabber.org/streams' "
    "id='b7e3f2a1-58f0-4a4f-a6a5-f0c5e0c1d2e3' from='example.org' "
    "version='1.0'>";
const char kProsodyFeatures[] =
    "<stream:features><starttls "
    "xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
    "</starttls></stream:features>";
const char kProsodyFeaturesTls[] =
    "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
    "<mechanism>SCRAM-SHA-1-PLUS</mechanism><mechanism>SCRAM-SHA-1</mechanism>"
    "<mechanism>PLAIN</mechanism></mechanisms>"
    "<register "
    "xmlns='http://jabber.org/features/iq-register'/></stream:features>";

std::vector<Event> ProsodyHappy() {
  return {Data(kProsodyStream),
          Data(kProsodyFeatures),
          Data("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
          TlsUp(),
          Data(kProsodyStream),
          Data(kProsodyFeaturesTls)};
}

TEST(XmppTest, ProsodyHappyPath) {
  const Outcome o = RunScript("xmpp", ProsodyHappy());
  EXPECT_THAT(o.steps, ElementsAre(S(std::string(kC2sHeader)), S(""),
                                   S(std::string(kStartTlsElement)), StartTls(),
                                   S(std::string(kC2sHeader)), S(""),
                                   Fin("</stream:stream>")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  const nlohmann::json& r = o.result;
  EXPECT_EQ(r["stream"]["id"], "b7e3f2a1-58f0-4a4f-a6a5-f0c5e0c1d2e3");
  EXPECT_EQ(r["stream"]["from"], "example.org");
  EXPECT_EQ(r["stream"]["version"], "1.0");
  EXPECT_EQ(r["starttls_required"], true);
  EXPECT_EQ(r["starttls"]["offered"], true);
  EXPECT_EQ(r["starttls"]["accepted"], true);
  EXPECT_EQ(r["before_tls"]["capabilities"], nlohmann::json({"starttls"}));
  EXPECT_EQ(r["plaintext_auth_before_tls"], false);
  EXPECT_EQ(r["after_tls"]["auth_mechanisms"],
            nlohmann::json({"SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN"}));
  EXPECT_EQ(r["after_tls"]["capabilities"],
            nlohmann::json({"mechanisms", "register"}));
}

TEST(XmppTest, ToFallsBackToServerNameThenAddress) {
  ModuleOptions o;
  o.target_address = "192.0.2.7";
  Outcome out = RunScript("xmpp", {Timeout()}, 0, o);
  EXPECT_THAT(out.steps[0].send, ::testing::HasSubstr(" to='192.0.2.7' "));
  o.server_name = "chat.example.com";
  out = RunScript("xmpp", {Timeout()}, 0, o);
  EXPECT_THAT(out.steps[0].send,
              ::testing::HasSubstr(" to='chat.example.com' "));
}

TEST(XmppTest, FailureIsRefusal) {
  const Outcome o = RunScript(
      "xmpp", {Data(kProsodyStream), Data(kProsodyFeatures),
               Data("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                    "</stream:stream>")});
  EXPECT_THAT(o.steps, ElementsAre(S(std::string(kC2sHeader)), S(""),
                                   S(std::string(kStartTlsElement)),
                                   Fin("</stream:stream>")));
  EXPECT_EQ(o.status, GrabStatus::kStartTlsRefused);
  EXPECT_EQ(o.result["starttls"]["reply"], "<failure/>");
}

TEST(XmppTest, NoStartTlsPlainBeforeTls) {
  const Outcome o = RunScript(
      "xmpp",
      {Data(kProsodyStream),
       Data("<stream:features><mechanisms "
            "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            "<mechanism>PLAIN</mechanism><mechanism>DIGEST-MD5</mechanism>"
            "</mechanisms><auth xmlns='http://jabber.org/features/iq-auth'/>"
            "</stream:features>")});
  EXPECT_THAT(o.steps.back(), Fin("</stream:stream>"));
  EXPECT_EQ(o.status, GrabStatus::kNoStartTls);
  EXPECT_EQ(o.result["before_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "DIGEST-MD5"}));
  EXPECT_EQ(o.result["plaintext_auth_before_tls"], true);
}

TEST(XmppTest, PrefixesWhitespaceAttributesAndComments) {
  const Outcome o = RunScript(
      "xmpp",
      {Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- hello -->\n"
            "<s:stream xmlns:s=\"http://etherx.jabber.org/streams\"\n  "
            "id=\"a>b\" "
            "from='x.example'\n version=\"1.0\" xmlns=\"jabber:client\">\n"
            "  <s:features>\n    <tls:starttls "
            "xmlns:tls='urn:ietf:params:xml:ns:xmpp-tls'/>\n"
            "    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\n"
            "      <mechanism> EXTERNAL </mechanism>\n    </mechanisms>\n"
            "  </s:features >\n"),
       Data("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'></proceed>"),
       TlsFail()});
  EXPECT_EQ(o.steps[1].send, kStartTlsElement);
  EXPECT_TRUE(o.steps[2].start_tls);
  EXPECT_EQ(o.status, GrabStatus::kTlsError);
  EXPECT_EQ(o.result["stream"]["id"], "a>b");
  EXPECT_EQ(o.result["starttls_required"], false);
  EXPECT_EQ(o.result["before_tls"]["auth_mechanisms"],
            nlohmann::json({"EXTERNAL"}));
}

TEST(XmppTest, StreamError) {
  const Outcome o = RunScript(
      "xmpp", {Data(std::string(kProsodyStream) +
                    "<stream:error><host-unknown "
                    "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                    "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such "
                    "host</text>"
                    "</stream:error></stream:stream>")});
  EXPECT_THAT(o.steps,
              ElementsAre(S(std::string(kC2sHeader)), Fin("</stream:stream>")));
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);
  EXPECT_EQ(o.result["stream_error"], "host-unknown");
}

// Prosody at its limits: <resource-constraint/> (and <policy-violation/>
// from mod_limits) are server-busy, with the condition kept.
TEST(XmppTest, BusyStreamErrors) {
  for (const char* condition :
       {"resource-constraint", "policy-violation", "system-shutdown"}) {
    const Outcome o = RunScript(
        "xmpp", {Data(std::string(kProsodyStream) + "<stream:error><" +
                      condition +
                      " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                      "</stream:error></stream:stream>")});
    EXPECT_EQ(o.status, GrabStatus::kServerBusy) << condition;
    EXPECT_EQ(o.result["stream_error"], condition);
    EXPECT_FALSE(o.result.contains("starttls")) << condition;
  }
  // The stream error alone, the stream left open.
  const Outcome o = RunScript(
      "xmpp", {Data(std::string(kProsodyStream) +
                    "<stream:error><resource-constraint "
                    "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                    "</stream:error>")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
}

TEST(XmppTest, GarbageLongTokenDtd) {
  Outcome o = RunScript("xmpp", {Data("HTTP/1.0 400 Bad Request\r\n\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_THAT(o.steps.back(), Fin(""));
  o = RunScript("xmpp", {Data("<html><body>")});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["error"], "not an XMPP stream");
  o = RunScript("xmpp",
                {Data("<stream:stream id='" + std::string(10000, 'a'))});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["error"], "xml token too long");
  o = RunScript("xmpp", {Data("<!DOCTYPE x [<!ENTITY a 'aaaa'>]>")});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  std::string deep = kProsodyStream;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  o = RunScript("xmpp", {Data(deep)});
  EXPECT_EQ(o.result["error"], "xml nested too deeply");
}

TEST(XmppTest, CloseAndTimeoutMidFeatures) {
  Outcome o =
      RunScript("xmpp", {Data(kProsodyStream),
                         Data("<stream:features><starttls "
                              "xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"),
                         Close()});
  EXPECT_EQ(o.status, GrabStatus::kConnectionClosed);
  EXPECT_EQ(o.result["stream"]["id"], "b7e3f2a1-58f0-4a4f-a6a5-f0c5e0c1d2e3");
  EXPECT_EQ(o.result["phase"], "features");
  o = RunScript("xmpp", {Data(kProsodyStream), Timeout()});
  EXPECT_EQ(o.status, GrabStatus::kIoTimeout);
  EXPECT_EQ(o.result["stream"]["from"], "example.org");
}

TEST(XmppTest, ServerToServerDialback) {
  ModuleOptions opts = TestOptions();
  opts.xmpp_from = "scanner.example.edu";
  const Outcome o = RunScript(
      "xmpp-server",
      {Data("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
            "xmlns:db='jabber:server:dialback' "
            "xmlns:stream='http://etherx.jabber.org/streams' "
            "id='s2s1' from='example.org' version='1.0'>"),
       Data("<stream:features><dialback xmlns='urn:xmpp:features:dialback'/>"
            "<starttls "
            "xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"),
       Data("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), TlsUp(),
       Data(
           "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
           "xmlns:stream='http://etherx.jabber.org/streams' id='s2s2' "
           "version='1.0'>"
           "<stream:features><mechanisms "
           "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
           "<mechanism>EXTERNAL</mechanism></mechanisms>"
           "<dialback xmlns='urn:xmpp:features:dialback'/></stream:features>")},
      0, opts);
  EXPECT_EQ(o.steps[0].send,
            "<?xml version='1.0'?><stream:stream to='example.org' "
            "from='scanner.example.edu' "
            "xmlns='jabber:server' xmlns:db='jabber:server:dialback' "
            "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_EQ(o.result["server_to_server"], true);
  EXPECT_EQ(o.result["starttls_required"], false);
  EXPECT_EQ(o.result["before_tls"]["capabilities"],
            nlohmann::json({"dialback", "starttls"}));
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"],
            nlohmann::json({"EXTERNAL"}));
}

TEST(XmppTest, ImplicitTls5223) {
  const Outcome o =
      RunScript("xmpps", {Data(kProsodyStream), Data(kProsodyFeaturesTls)});
  EXPECT_THAT(o.steps, ElementsAre(S(std::string(kC2sHeader)), S(""),
                                   Fin("</stream:stream>")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_FALSE(o.result.contains("starttls"));
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"].size(), 3u);
}

TEST(XmppTest, DrippingAndPipelined) {
  ExpectSameWhenDripped("xmpp", ProsodyHappy());
  ExpectSameWhenDripped("xmpp-server", {Data("<stream:stream xmlns:stream='x'>"
                                             "<stream:features/>")});
  const Outcome p = RunScript("xmpp", Pipelined(ProsodyHappy()));
  EXPECT_THAT(p.steps,
              ElementsAre(S(std::string(kC2sHeader)),
                          StartTls(std::string(kStartTlsElement)),
                          S(std::string(kC2sHeader)), Fin("</stream:stream>")));
  EXPECT_EQ(p.result, RunScript("xmpp", ProsodyHappy()).result);
}

// ---------------------------------------------------------------- IRC

constexpr std::string_view kIrcHello = "CAP LS 302\r\nSTARTTLS\r\n";

std::vector<Event> InspIrcdHappy() {
  return {
      Data(":irc.example.net NOTICE * :*** Looking up your hostname...\r\n"),
      Data(":irc.example.net CAP * LS :cap-notify multi-prefix "
           "sasl=PLAIN,EXTERNAL tls\r\n"),
      Data(":irc.example.net 670 * :STARTTLS successful, go ahead with TLS "
           "handshake\r\n"),
      TlsUp(),
      Data(":irc.example.net CAP * LS * :cap-notify multi-prefix\r\n"),
      Data(":irc.example.net CAP * LS :sasl=PLAIN,EXTERNAL,SCRAM-SHA-256\r\n")};
}

TEST(IrcTest, InspIrcdHappyPath) {
  const Outcome o = RunScript("irc", InspIrcdHappy());
  EXPECT_THAT(o.steps,
              ElementsAre(S(std::string(kIrcHello)), S(""), S(""), StartTls(),
                          S("CAP LS 302\r\n"), S(""), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  const nlohmann::json& r = o.result;
  EXPECT_EQ(r["banner"],
            ":irc.example.net NOTICE * :*** Looking up your hostname...");
  EXPECT_EQ(r["tls_cap"], true);
  EXPECT_EQ(r["starttls"]["accepted"], true);
  EXPECT_EQ(r["starttls"]["reply"],
            ":irc.example.net 670 * :STARTTLS successful, go ahead with TLS "
            "handshake");
  EXPECT_EQ(r["before_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "EXTERNAL"}));
  EXPECT_EQ(r["plaintext_auth_before_tls"], true);
  EXPECT_EQ(r["after_tls"]["capabilities"],
            nlohmann::json({"cap-notify", "multi-prefix",
                            "sasl=PLAIN,EXTERNAL,SCRAM-SHA-256"}));
  EXPECT_EQ(r["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN", "EXTERNAL", "SCRAM-SHA-256"}));
}

TEST(IrcTest, Refused691) {
  const Outcome o =
      RunScript("irc", {Data(":irc.example.net CAP * LS :multi-prefix tls\r\n"
                             ":irc.example.net 691 * :STARTTLS failure\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(std::string(kIrcHello)), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kStartTlsRefused);
  EXPECT_EQ(o.result["starttls"]["reply"],
            ":irc.example.net 691 * :STARTTLS failure");
}

TEST(IrcTest, OldServerWithoutCapOrStartTls) {
  const Outcome o = RunScript(
      "irc", {Data("PING :12345678\r\n"),
              Data(":old.example.net 421 * CAP :Unknown command\r\n"
                   ":old.example.net 421 * STARTTLS :Unknown command\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S(std::string(kIrcHello)),
                                   S("PONG :12345678\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kNoStartTls);
  EXPECT_EQ(o.result["cap_supported"], false);
}

TEST(IrcTest, ErrorGarbageTimeoutClose) {
  Outcome o = RunScript(
      "irc",
      {Data("ERROR :Closing Link: 192.0.2.1 (Too many connections)\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_THAT(o.steps.back(), Fin(""));
  o = RunScript("irc", {Data("SSH-2.0-OpenSSH_9.2\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  o = RunScript("irc",
                {Data(":irc.example.net NOTICE * :*** hi\r\n"), Timeout()});
  EXPECT_EQ(o.status, GrabStatus::kIoTimeout);
  EXPECT_EQ(o.result["banner"], ":irc.example.net NOTICE * :*** hi");
  o = RunScript(
      "irc", {Data(":irc.example.net CAP * LS * :a b\r\n:irc.exa"), Close()});
  EXPECT_EQ(o.status, GrabStatus::kConnectionClosed);
  EXPECT_EQ(o.result["before_tls"]["capabilities"], nlohmann::json({"a", "b"}));
  o = RunScript("irc",
                {Data(":x NOTICE * :" + std::string(9000, 'z') + "\r\n")});
  EXPECT_EQ(o.result["error"], "line too long");
}

// Found by irc_fuzz: a PONG for every PING let a server make us send as much
// as it sent. Four PINGs are answered; the fifth ends the grab, and so does a
// token longer than an IRC message.
TEST(IrcTest, PingFloodAndLongTokenEndTheGrab) {
  std::string pings;
  for (int i = 0; i < 100; ++i) pings += "PING :" + std::to_string(i) + "\r\n";
  Outcome o = RunScript("irc", {Data(pings)});
  EXPECT_THAT(o.steps,
              ElementsAre(S(std::string(kIrcHello)),
                          Fin("PONG :0\r\nPONG :1\r\nPONG :2\r\nPONG :3\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["error"], "too many PINGs");
  o = RunScript("irc", {Data("PING :" + std::string(505, 't') + "\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kProtocolError);
  EXPECT_EQ(o.result["error"], "PING token too long");
  o = RunScript("irc",
                {Data("PING :" + std::string(504, 't') + "\r\n"), Timeout()});
  EXPECT_EQ(o.steps[1], S("PONG :" + std::string(504, 't') + "\r\n"));
  EXPECT_EQ(o.status, GrabStatus::kIoTimeout);
}

// InspIRCd's connect-class limit and the refusal numerics: recorded with the
// line in `error`.
TEST(IrcTest, BusyAndErrorReplies) {
  const std::string insp =
      "ERROR :Closing link: (user@192.0.2.1) [No more connections allowed "
      "from your host via this connect class (local)]";
  Outcome o = RunScript(
      "irc", {Data(":irc.example.net NOTICE * :*** Looking up your "
                   "hostname...\r\n" + insp + "\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_EQ(o.result["error"], insp);

  o = RunScript("irc", {Data(":irc.example.net 263 * :Please wait a while "
                             "and try again.\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kServerBusy);
  EXPECT_THAT(o.steps.back(), Fin("QUIT\r\n"));

  o = RunScript("irc", {Data(":irc.example.net 465 * :You are banned from "
                             "this server\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);
  EXPECT_EQ(o.result["error"],
            ":irc.example.net 465 * :You are banned from this server");

  o = RunScript("irc", {Data("ERROR :Closing link: (user@192.0.2.1) [K-Lined]"
                             "\r\n")});
  EXPECT_EQ(o.status, GrabStatus::kApplicationError);
}

TEST(IrcTest, ImplicitTls6697) {
  const Outcome o = RunScript(
      "ircs",
      {Data(":irc.example.net NOTICE * :*** Looking up your hostname...\r\n"
            "@time=2024-01-01T00:00:00Z :irc.example.net CAP * LS "
            ":sasl=PLAIN\r\n")});
  EXPECT_THAT(o.steps, ElementsAre(S("CAP LS 302\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(o.status, GrabStatus::kSuccess);
  EXPECT_EQ(o.result["after_tls"]["auth_mechanisms"],
            nlohmann::json({"PLAIN"}));
}

TEST(IrcTest, DrippingAndPipelined) {
  ExpectSameWhenDripped("irc", InspIrcdHappy());
  const Outcome p = RunScript("irc", Pipelined(InspIrcdHappy()));
  EXPECT_THAT(p.steps, ElementsAre(S(std::string(kIrcHello)), StartTls(),
                                   S("CAP LS 302\r\n"), Fin("QUIT\r\n")));
  EXPECT_EQ(p.result, RunScript("irc", InspIrcdHappy()).result);
}

// ---------------------------------------------------------------- all modules

// Hostile input never crashes a module and always ends with a status: random
// bytes, in random fragments, to every module.
TEST(AllModulesTest, RandomInputEndsCleanly) {
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const char* kAlphabet[] = {"220",  "-",    " ",        "\r\n",    "\n",
                             "<",    ">",    "/",        "stream:", "features",
                             "*",    "OK",   "+OK",      ".",       ":",
                             "CAP",  "LS",   "670",      "'",       "\"",
                             "\xff", "\x00", "STARTTLS", "a",       "b"};
  for (std::string_view name : ModuleNames()) {
    for (int round = 0; round < 50; ++round) {
      std::unique_ptr<ProtocolModule> m = MakeModule(name, TestOptions());
      ModuleActions a;
      m->OnConnected(&a);
      for (int i = 0; i < 200 && !m->done(); ++i) {
        std::string chunk;
        const int pieces = static_cast<int>(next() % 8);
        for (int p = 0; p < pieces; ++p) {
          chunk +=
              kAlphabet[next() % (sizeof(kAlphabet) / sizeof(kAlphabet[0]))];
        }
        ModuleActions step;
        if (next() % 50 == 0 && a.start_tls) {
          m->OnTlsEstablished(&step);
        } else {
          m->OnData(chunk, &step);
        }
        a.send += step.send;
        a.start_tls = a.start_tls || step.start_tls;
      }
      if (!m->done()) m->OnTimeout();
      AllSent().push_back(a.send);
      EXPECT_TRUE(m->done());
      EXPECT_NE(m->status(), GrabStatus::kUnknownError) << name;
      EXPECT_FALSE(ModuleResultJson(m->Result()).dump().empty());
    }
  }
}

TEST(AllModulesTest, ForbiddenScannerWorks) {
  EXPECT_THAT(ForbiddenIn("EHLO x\r\nAUTH PLAIN AGFhAGE=\r\n"),
              ::testing::SizeIs(1));
  EXPECT_THAT(ForbiddenIn("a1 LOGIN user pass\r\n"), ::testing::SizeIs(1));
  EXPECT_THAT(ForbiddenIn("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
              ::testing::SizeIs(2));
  EXPECT_THAT(
      ForbiddenIn(
          "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'/>"),
      ::testing::SizeIs(1));
  EXPECT_THAT(ForbiddenIn("EHLO x\r\nSTARTTLS\r\nQUIT\r\nd LOGOUT\r\n"),
              IsEmpty());
}

// ---------------------------------------------------------------- capability listings

TEST(CapabilitiesTest, OneItemAtATimeAsModulesAndObserversReadThem) {
  CapabilitySet smtp;
  EXPECT_EQ(AddSmtpExtension("PIPELINING", &smtp), ListedItem::kOther);
  EXPECT_EQ(AddSmtpExtension("starttls", &smtp), ListedItem::kStartTls);
  EXPECT_EQ(AddSmtpExtension("AUTH=LOGIN PLAIN", &smtp), ListedItem::kOther);
  EXPECT_EQ(AddSmtpExtension("AUTH PLAIN CRAM-MD5", &smtp), ListedItem::kOther);
  EXPECT_EQ(AddSmtpExtension("", &smtp), ListedItem::kOther);
  EXPECT_THAT(smtp.capabilities,
              ElementsAre("PIPELINING", "starttls", "AUTH=LOGIN PLAIN", "AUTH PLAIN CRAM-MD5", ""));
  EXPECT_THAT(smtp.mechanisms, ElementsAre("LOGIN", "PLAIN", "CRAM-MD5"));

  CapabilitySet imap;
  EXPECT_EQ(AddImapCapability("IMAP4rev1", &imap), ListedItem::kOther);
  EXPECT_EQ(AddImapCapability("StartTLS", &imap), ListedItem::kStartTls);
  EXPECT_EQ(AddImapCapability("auth=plain", &imap), ListedItem::kOther);
  EXPECT_FALSE(imap.login_disabled.has_value());
  EXPECT_EQ(AddImapCapability("LOGINDISABLED", &imap), ListedItem::kOther);
  EXPECT_EQ(imap.login_disabled, true);
  EXPECT_THAT(imap.mechanisms, ElementsAre("PLAIN"));

  CapabilitySet pop3;
  EXPECT_EQ(AddPop3Capability("USER", &pop3), ListedItem::kUser);
  EXPECT_EQ(AddPop3Capability("STLS", &pop3), ListedItem::kStartTls);
  EXPECT_EQ(AddPop3Capability("SASL PLAIN LOGIN", &pop3), ListedItem::kOther);
  EXPECT_EQ(AddPop3Capability("TOP", &pop3), ListedItem::kOther);
  EXPECT_THAT(pop3.capabilities, ElementsAre("USER", "STLS", "SASL PLAIN LOGIN", "TOP"));
  EXPECT_THAT(pop3.mechanisms, ElementsAre("PLAIN", "LOGIN"));
}

}  // namespace
}  // namespace tlsweep
