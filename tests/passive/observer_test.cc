// The observers fed each direction's bytes as a capture delivers them:
// greetings, capabilities, STARTTLS, the AUTH mechanism and the plaintext
// flag, the TLS handshake on both sides, gaps, and that no client secret
// ever reaches the observation.
#include "passive/observer.h"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "passive/observers.h"
#include "proto/registry.h"
#include "tls/client_hello.h"

namespace tlsweep {
namespace {

using ::testing::ElementsAre;

std::string ClientHelloBytes(std::string_view sni) {
  ClientHelloProfile p;
  p.cipher_suites = {0xC02F, 0x0005};
  p.groups = {kGroupX25519};
  p.point_formats = {0};
  std::vector<uint8_t> random(32, 7), x25519(32, 9);
  std::vector<uint8_t> out(kMaxClientHelloRecord);
  const ClientHelloInputs in{sni, random, {}, x25519};
  out.resize(BuildClientHello(p, in, out).value());
  return std::string(out.begin(), out.end());
}

// ServerHello (TLS 1.2, TLS_RSA_WITH_RC4_128_SHA) and ServerHelloDone in
// one record, assembled from RFC 5246 7.4.1.3 and 7.4.5.
std::string ServerFlightBytes() {
  std::string hs = {0x02, 0x00, 0x00, 0x26, 0x03, 0x03};
  hs += std::string(32, '\x11');
  hs += {0x00, 0x00, 0x05, 0x00};
  hs += {0x0e, 0x00, 0x00, 0x00};
  std::string rec = {0x16, 0x03, 0x03, 0x00, static_cast<char>(hs.size())};
  return rec + hs;
}

void ExpectNoSecret(const Observation& o, const std::vector<std::string>& secrets) {
  std::string all = o.banner + o.error;
  for (const auto& c : o.before_tls.capabilities) all += c;
  if (o.starttls) all += o.starttls->reply;
  if (o.auth) all += o.auth->method + o.auth->mechanism;
  all += o.tls.client_hello.server_name;
  for (const std::string& s : secrets) EXPECT_EQ(all.find(s), std::string::npos) << s;
}

TEST(SmtpObserverTest, StartTlsThenHandshake) {
  std::unique_ptr<Observer> o = MakeObserver("submission");
  ASSERT_NE(o, nullptr);
  o->ServerData("220 mail.example ESMTP\r\n");
  o->ClientData("EHLO client.example\r\n");
  o->ServerData("250-mail.example\r\n250-PIPELINING\r\n250-STAR");  // split mid-line
  o->ServerData("TTLS\r\n250 AUTH PLAIN LOGIN\r\n");
  o->ClientData("STARTTLS\r\n");
  // The go-ahead and the first TLS bytes in one segment never happen
  // (the server waits for the ClientHello), but a split must not matter.
  o->ServerData("220 2.0.0 Ready to start TLS\r\n");
  const std::string hello = ClientHelloBytes("mail.example");
  o->ClientData(hello.substr(0, 10));
  o->ClientData(hello.substr(10));
  o->ServerData(ServerFlightBytes());
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_EQ(r.banner, "220 mail.example ESMTP");
  EXPECT_TRUE(r.before_tls.seen);
  EXPECT_THAT(r.before_tls.capabilities, ElementsAre("PIPELINING", "STARTTLS", "AUTH PLAIN LOGIN"));
  EXPECT_THAT(r.before_tls.mechanisms, ElementsAre("PLAIN", "LOGIN"));
  ASSERT_TRUE(r.starttls.has_value());
  EXPECT_TRUE(r.starttls->offered);
  EXPECT_TRUE(r.starttls->attempted);
  EXPECT_TRUE(r.starttls->accepted);
  EXPECT_EQ(r.starttls->reply, "220 2.0.0 Ready to start TLS");
  EXPECT_FALSE(r.auth.has_value());
  EXPECT_TRUE(r.tls_started);
  EXPECT_EQ(r.tls.client_hello_result, ClientHelloParse::kOk);
  EXPECT_EQ(r.tls.client_hello.server_name, "mail.example");
  EXPECT_THAT(r.tls.client_hello.cipher_suites, ElementsAre(0xC02F, 0x0005));
  ASSERT_TRUE(r.tls.server_verdict.has_value());
  EXPECT_EQ(*r.tls.server_verdict, FlightVerdict::kServerHelloDone);
  ASSERT_TRUE(r.tls.server.negotiated.has_value());
  EXPECT_EQ(r.tls.server.negotiated->version_value, kTls12Version);
  EXPECT_EQ(r.tls.server.negotiated->cipher_value, 0x0005);
  EXPECT_EQ(r.tls.server.negotiated->cipher_class, "RC4");
  EXPECT_FALSE(r.tls.session_id_echoed);
  EXPECT_FALSE(r.tls.abbreviated_handshake);
}

TEST(SmtpObserverTest, PlaintextAuthLoginIsFlaggedAndNothingOfItKept) {
  std::unique_ptr<Observer> o = MakeObserver("smtp");
  o->ServerData("220 mx ESMTP\r\n");
  o->ClientData("EHLO me\r\n");
  o->ServerData("250-mx\r\n250 AUTH LOGIN\r\n");
  o->ClientData("AUTH LOGIN\r\n");
  o->ServerData("334 VXNlcm5hbWU6\r\n");
  o->ClientData("YWxpY2U=\r\n");  // "alice"
  o->ServerData("334 UGFzc3dvcmQ6\r\n");
  o->ClientData("czNjcjN0\r\n");  // "s3cr3t"
  o->ServerData("235 2.7.0 Authentication successful\r\n");
  o->ClientData("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n");
  o->ServerData("250 ok\r\n250 ok\r\n354 go\r\n");
  o->ClientData("Subject: secret plans\r\n\r\nbody\r\n.\r\n");
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->method, "sasl");
  EXPECT_EQ(r.auth->mechanism, "LOGIN");
  EXPECT_TRUE(r.auth->before_tls);
  EXPECT_TRUE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, true);
  ASSERT_TRUE(r.starttls.has_value());
  EXPECT_FALSE(r.starttls->offered);
  EXPECT_FALSE(r.starttls->attempted);
  EXPECT_FALSE(r.tls_started);
  ExpectNoSecret(r, {"YWxpY2U", "czNjcjN0", "alice", "bob@", "secret plans", "body", "me"});
}

TEST(SmtpObserverTest, PipelinedCommandsMatchTheirReplies) {
  std::unique_ptr<Observer> o = MakeObserver("smtp");
  o->ServerData("220 mx\r\n");
  o->ClientData("EHLO a\r\nNOOP\r\nAUTH PLAIN AGFsaWNlAHMzY3IzdA==\r\n");
  o->ServerData("250-mx\r\n250 AUTH PLAIN\r\n250 ok\r\n535 5.7.8 no\r\n");
  const Observation& r = o->observation();
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->mechanism, "PLAIN");
  EXPECT_TRUE(r.auth->plaintext_credentials);  // the initial response
  EXPECT_EQ(r.auth->succeeded, false);
  EXPECT_THAT(r.before_tls.mechanisms, ElementsAre("PLAIN"));
  ExpectNoSecret(r, {"AGFsaWNl"});
}

TEST(SmtpObserverTest, CredentialsThatCrossedStayCountedOnARetry) {
  std::unique_ptr<Observer> o = MakeObserver("smtp");
  o->ServerData("220 mx\r\n");
  o->ClientData("AUTH PLAIN AGFsaWNlAHMzY3IzdA==\r\n");
  o->ServerData("535 no\r\n");
  o->ClientData("AUTH CRAM-MD5\r\n");
  o->ServerData("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n");
  o->ClientData("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
  o->ServerData("235 ok\r\n");
  const Observation& r = o->observation();
  EXPECT_EQ(r.auth->mechanism, "CRAM-MD5");
  EXPECT_TRUE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, true);
}

TEST(SmtpObserverTest, ImplicitTlsReadsOnlyTheHandshake) {
  std::unique_ptr<Observer> o = MakeObserver("smtps");
  const std::string hello = ClientHelloBytes("smtp.example");
  o->ClientData(hello);
  o->ServerData(std::string("\x15\x03\x03\x00\x02\x02\x28", 7));  // fatal handshake_failure
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_TRUE(r.implicit_tls);
  EXPECT_FALSE(r.starttls.has_value());
  EXPECT_EQ(*r.tls.server_verdict, FlightVerdict::kAlert);
  ASSERT_TRUE(r.tls.server.alert.has_value());
  EXPECT_EQ(r.tls.server.alert->value, 40);
}

TEST(SmtpObserverTest, AGapResynchronisesOnTheNextLine) {
  std::unique_ptr<Observer> o = MakeObserver("smtp");
  o->ServerData("220 mx\r\n");
  o->ClientData("EHLO a\r\n");
  o->ServerData("250-mx\r\n250-SIZE 10");
  o->ServerGap(30);  // the rest of that line and more were lost
  o->ServerData("00\r\n250 STARTTLS\r\n");
  const Observation& r = o->observation();
  EXPECT_TRUE(r.gap_in_dialogue);
  // The line after the gap was dropped as a tail; the reply completed.
  EXPECT_THAT(r.before_tls.capabilities, ElementsAre("STARTTLS"));
}

TEST(SmtpObserverTest, AnOverlongLineStopsTheObserver) {
  std::unique_ptr<Observer> o = MakeObserver("smtp");
  o->ServerData(std::string(9000, 'x'));
  EXPECT_TRUE(o->done());
  EXPECT_EQ(o->observation().error, "line-too-long");
}

TEST(ImapObserverTest, LoginWithLiteralsBeforeTls) {
  std::unique_ptr<Observer> o = MakeObserver("imap");
  o->ServerData("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n");
  o->ClientData("a1 LOGIN {5}\r\n");
  o->ServerData("+ OK\r\n");
  o->ClientData("alice {6}\r\n");
  o->ServerData("+ OK\r\n");
  o->ClientData("s3cr3t\r\n");
  o->ServerData("a1 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
  o->ClientData("a2 SELECT INBOX\r\n");
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_EQ(r.banner, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready");
  EXPECT_THAT(r.before_tls.mechanisms, ElementsAre("PLAIN"));
  EXPECT_EQ(r.before_tls.login_disabled, false);
  EXPECT_TRUE(r.starttls->offered);
  EXPECT_FALSE(r.starttls->attempted);
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->method, "imap-login");
  EXPECT_TRUE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, true);
  ExpectNoSecret(r, {"alice", "s3cr3t", "INBOX"});
}

TEST(ImapObserverTest, StartTlsAcceptedByTag) {
  std::unique_ptr<Observer> o = MakeObserver("imap");
  o->ServerData("* OK ready\r\n");
  o->ClientData("x CAPABILITY\r\n");
  o->ServerData("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nx OK done\r\n");
  o->ClientData("y STARTTLS\r\n");
  o->ServerData("y OK Begin TLS negotiation now\r\n");
  o->ClientData(ClientHelloBytes(""));
  const Observation& r = o->observation();
  EXPECT_EQ(r.before_tls.login_disabled, true);
  EXPECT_TRUE(r.starttls->accepted);
  EXPECT_EQ(r.starttls->reply, "OK Begin TLS negotiation now");
  EXPECT_TRUE(r.tls_started);
  EXPECT_EQ(r.tls.client_hello_result, ClientHelloParse::kOk);
  EXPECT_EQ(r.tls.client_hello.server_name, "");
}

TEST(Pop3ObserverTest, UserPassInTheClearAndCapa) {
  std::unique_ptr<Observer> o = MakeObserver("pop3");
  o->ServerData("+OK Dovecot ready.\r\n");
  o->ClientData("CAPA\r\n");
  o->ServerData("+OK\r\nCAPA\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n");
  o->ClientData("USER alice\r\n");
  o->ServerData("+OK\r\n");
  o->ClientData("PASS s3cr3t\r\n");
  o->ServerData("+OK Logged in.\r\n");
  o->ClientData("RETR 1\r\n");
  o->ServerData("+OK 5 octets\r\nhello\r\n.\r\n");
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_EQ(r.banner, "+OK Dovecot ready.");
  EXPECT_THAT(r.before_tls.capabilities, ElementsAre("CAPA", "TOP", "USER", "SASL PLAIN LOGIN"));
  EXPECT_THAT(r.before_tls.mechanisms, ElementsAre("PLAIN", "LOGIN"));
  EXPECT_FALSE(r.starttls->offered);
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->method, "pop3-user");
  EXPECT_TRUE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, true);
  ExpectNoSecret(r, {"alice", "s3cr3t", "hello"});
}

TEST(Pop3ObserverTest, StlsAccepted) {
  std::unique_ptr<Observer> o = MakeObserver("pop3");
  o->ServerData("+OK ready\r\n");
  o->ClientData("CAPA\r\nSTLS\r\n");  // pipelined
  o->ServerData("+OK\r\nSTLS\r\n.\r\n+OK Begin TLS\r\n");
  const Observation& r = o->observation();
  EXPECT_TRUE(r.starttls->offered);
  EXPECT_TRUE(r.starttls->attempted);
  EXPECT_TRUE(r.starttls->accepted);
  EXPECT_TRUE(r.tls_started);
}

TEST(IrcObserverTest, CapListingStartTlsAccepted) {
  std::unique_ptr<Observer> o = MakeObserver("irc");
  ASSERT_NE(o, nullptr);
  o->ClientData("CAP LS 302\r\n");
  o->ServerData(":irc.lab NOTICE * :*** Looking up your hostname...\r\n");
  o->ServerData(":irc.lab CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL\r\n");
  o->ServerData(":irc.lab CAP * LS :tls userhost-in-names\r\n");
  o->ClientData("STARTTLS\r\n");
  o->ServerData(":irc.lab 670 * :STARTTLS successful, go ahead with TLS handshake\r\n");
  o->ClientData(ClientHelloBytes("irc.lab"));
  const Observation& r = o->observation();
  EXPECT_EQ(r.banner, ":irc.lab NOTICE * :*** Looking up your hostname...");
  EXPECT_THAT(r.before_tls.capabilities,
              ElementsAre("multi-prefix", "sasl=PLAIN,EXTERNAL", "tls", "userhost-in-names"));
  EXPECT_THAT(r.before_tls.mechanisms, ElementsAre("PLAIN", "EXTERNAL"));
  EXPECT_TRUE(r.starttls->offered);
  EXPECT_TRUE(r.starttls->attempted);
  EXPECT_TRUE(r.starttls->accepted);
  EXPECT_EQ(r.tls.client_hello.server_name, "irc.lab");
}

TEST(IrcObserverTest, SaslPlainInTheClearAndStopAtWelcome) {
  std::unique_ptr<Observer> o = MakeObserver("irc");
  o->ServerData(":irc.lab NOTICE * :hi\r\n");
  o->ClientData("PASS serverpw\r\nCAP REQ :sasl\r\nAUTHENTICATE PLAIN\r\n");
  o->ServerData("AUTHENTICATE +\r\n");
  o->ClientData("AUTHENTICATE AGFsaWNlAHMzY3IzdA==\r\n");
  o->ServerData(":irc.lab 903 alice :SASL authentication successful\r\n");
  o->ServerData(":irc.lab 001 alice :Welcome\r\n");
  o->ClientData("PRIVMSG #secret :meet at noon\r\n");
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->method, "sasl");
  EXPECT_EQ(r.auth->mechanism, "PLAIN");
  EXPECT_TRUE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, true);
  ExpectNoSecret(r, {"serverpw", "AGFsaWNl", "noon", "#secret"});
}

TEST(ObserverHelpersTest, MechanismNamesAndLiterals) {
  EXPECT_EQ(SaslMechanismName("scram-sha-256"), "SCRAM-SHA-256");
  EXPECT_EQ(SaslMechanismName("alice@example"), "");
  EXPECT_EQ(SaslMechanismName(std::string(21, 'A')), "");
  EXPECT_EQ(TrailingLiteral("a LOGIN {5}"), 5u);
  EXPECT_EQ(TrailingLiteral("a APPEND x {1024+}"), 1024u);
  EXPECT_EQ(TrailingLiteral("a {x}"), std::nullopt);
  EXPECT_EQ(TrailingLiteral("{99999999999}"), std::nullopt);
}

TEST(ObserverHelpersTest, EveryModuleOfThePortTableHasAnObserver) {
  for (std::string_view name : ModuleNames()) EXPECT_NE(MakeObserver(name), nullptr) << name;
  EXPECT_EQ(MakeObserver("http"), nullptr);
}

// ---------------------------------------------------------------- XMPP
// Stanzas as Prosody 0.12 (the lab's, scripts/lab/servers.sh) and
// ejabberd 23 send them; the clients' as slixmpp and Gajim do.

constexpr std::string_view kClientStream =
    "<?xml version='1.0'?><stream:stream to='example.org' xmlns='jabber:client' "
    "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
constexpr std::string_view kProsodyStream =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' "
    "xmlns:stream='http://etherx.jabber.org/streams' "
    "id='b7e3f2a1-58f0-4a4f-a6a5-f0c5e0c1d2e3' from='example.org' version='1.0'>";
constexpr std::string_view kProsodyFeaturesRequired =
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
    "</starttls></stream:features>";
// c2s_require_encryption = false with allow_unencrypted_plain_auth = true.
constexpr std::string_view kProsodyFeaturesOptional =
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
    "<mechanism>PLAIN</mechanism></mechanisms></stream:features>";
constexpr std::string_view kEjabberdStream =
    "<?xml version='1.0'?><stream:stream id='3204848541545451437' version='1.0' "
    "xml:lang='en' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' "
    "xmlns='jabber:client'>";
constexpr std::string_view kEjabberdFeatures =
    "<stream:features><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
    "node='http://www.process-one.net/en/ejabberd/' ver='K8MMkqkJjGWDkFsfS3Nd8MDbFnQ='/>"
    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
    "<mechanism>SCRAM-SHA-1</mechanism><mechanism>X-OAUTH2</mechanism></mechanisms>"
    "<register xmlns='http://jabber.org/features/iq-register'/></stream:features>";

TEST(XmppObserverTest, ProsodyStartTlsRequiredThenHandshake) {
  std::unique_ptr<Observer> o = MakeObserver("xmpp");
  ASSERT_NE(o, nullptr);
  o->ClientData(kClientStream);
  o->ServerData(std::string(kProsodyStream).substr(0, 40));  // split inside the header
  o->ServerData(std::string(kProsodyStream).substr(40));
  o->ServerData(kProsodyFeaturesRequired);
  o->ClientData("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  o->ServerData("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  const std::string hello = ClientHelloBytes("example.org");
  o->ClientData(hello);
  o->ServerData(ServerFlightBytes());
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_EQ(r.banner, std::string(kProsodyStream).substr(std::string_view("<?xml version='1.0'?>").size()));
  EXPECT_THAT(r.before_tls.capabilities, ElementsAre("starttls"));
  EXPECT_TRUE(r.before_tls.mechanisms.empty());
  ASSERT_TRUE(r.starttls.has_value());
  EXPECT_TRUE(r.starttls->offered);
  EXPECT_TRUE(r.starttls->attempted);
  EXPECT_TRUE(r.starttls->accepted);
  EXPECT_EQ(r.starttls->reply, "<proceed/>");
  const XmppExtras& x = std::get<XmppExtras>(r.extras);
  EXPECT_FALSE(x.server_to_server);
  EXPECT_EQ(x.starttls_required, true);
  ASSERT_TRUE(x.stream.has_value());
  EXPECT_EQ(x.stream->id, "b7e3f2a1-58f0-4a4f-a6a5-f0c5e0c1d2e3");
  EXPECT_EQ(x.stream->from, "example.org");
  EXPECT_EQ(x.stream->version, "1.0");
  EXPECT_FALSE(r.auth.has_value());
  EXPECT_TRUE(r.tls_started);
  EXPECT_EQ(r.tls.client_hello_result, ClientHelloParse::kOk);
  EXPECT_EQ(r.tls.client_hello.server_name, "example.org");
  EXPECT_TRUE(r.tls.server.negotiated.has_value());
}

TEST(XmppObserverTest, PlainBeforeTlsIsPlaintextCredentials) {
  std::unique_ptr<Observer> o = MakeObserver("xmpp");
  o->ClientData(kClientStream);
  o->ServerData(kEjabberdStream);
  o->ServerData(kEjabberdFeatures);
  // base64("\0alice\0s3cret-pw"), the initial response of RFC 4616.
  o->ClientData("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNl"
                "AHMzY3JldC1wdw==</auth>");
  o->ServerData("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  EXPECT_TRUE(o->done());  // the stream restarts, stanzas follow
  o->ClientData(kClientStream);
  o->ClientData("<message to='bob@example.org'><body>meet at noon</body></message>");
  const Observation& r = o->observation();
  EXPECT_EQ(r.banner, std::string(kEjabberdStream).substr(std::string_view("<?xml version='1.0'?>").size()));
  EXPECT_THAT(r.before_tls.capabilities, ElementsAre("c", "starttls", "mechanisms", "register"));
  EXPECT_THAT(r.before_tls.mechanisms, ElementsAre("PLAIN", "SCRAM-SHA-1", "X-OAUTH2"));
  ASSERT_TRUE(r.starttls.has_value());
  EXPECT_TRUE(r.starttls->offered);
  EXPECT_FALSE(r.starttls->attempted);
  EXPECT_EQ(std::get<XmppExtras>(r.extras).starttls_required, false);
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->method, "sasl");
  EXPECT_EQ(r.auth->mechanism, "PLAIN");
  EXPECT_TRUE(r.auth->before_tls);
  EXPECT_TRUE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, true);
  EXPECT_FALSE(r.tls_started);
  ExpectNoSecret(r, {"AGFsaWNl", "alice", "s3cret", "noon", "bob@"});
}

TEST(XmppObserverTest, ScramIsNotPlaintextAndEmptyResponseIsNot) {
  std::unique_ptr<Observer> o = MakeObserver("xmpp");
  o->ClientData(kClientStream);
  o->ServerData(kProsodyStream);
  o->ServerData(kProsodyFeaturesOptional);
  o->ClientData("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
                "biwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TDNyZmNOSFlKWTFaVnZXVnM3ag=="
                "</auth>");
  o->ServerData("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj1meWtv</challenge>");
  o->ClientData("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>Yz1iaXdz</response>");
  o->ServerData("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
  const Observation& r = o->observation();
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->mechanism, "SCRAM-SHA-1");
  EXPECT_FALSE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, false);
  // The SASL failure is not a STARTTLS answer.
  EXPECT_FALSE(r.starttls->accepted);
  EXPECT_EQ(r.starttls->reply, "");
  EXPECT_FALSE(o->done());
  // A new attempt with PLAIN and no initial response ("=" is empty, RFC
  // 6120 6.4.2): the credentials come in the <response/>.
  o->ClientData("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>=</auth>");
  EXPECT_FALSE(o->observation().auth->plaintext_credentials);
  o->ServerData("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  o->ClientData("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>AGFsaWNlAHB3</response>");
  EXPECT_TRUE(o->observation().auth->plaintext_credentials);
}

TEST(XmppObserverTest, StartTlsFailureAndStreamError) {
  std::unique_ptr<Observer> o = MakeObserver("xmpp");
  o->ClientData(kClientStream);
  o->ServerData(kProsodyStream);
  o->ServerData(kProsodyFeaturesRequired);
  o->ClientData("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  o->ServerData("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  o->ServerData("<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>bye</text></stream:error>"
                "</stream:stream>");
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_TRUE(r.starttls->attempted);
  EXPECT_FALSE(r.starttls->accepted);
  EXPECT_EQ(r.starttls->reply, "<failure/>");
  EXPECT_EQ(std::get<XmppExtras>(r.extras).stream_error, "policy-violation");
  EXPECT_FALSE(r.tls_started);
  EXPECT_EQ(r.error, "");
}

TEST(XmppObserverTest, ServerToServerDialbackStopsAtStanzas) {
  std::unique_ptr<Observer> o = MakeObserver("xmpp-server");
  o->ClientData("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                "xmlns:db='jabber:server:dialback' "
                "xmlns:stream='http://etherx.jabber.org/streams' from='a.example' "
                "to='b.example' version='1.0'>");
  o->ServerData("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                "xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' "
                "id='s2s-1' from='b.example' to='a.example' version='1.0'>"
                "<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/>"
                "</dialback></stream:features>");
  o->ClientData("<db:result from='a.example' to='b.example'>37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe"
                "</db:result>");
  o->ServerData("<db:result from='b.example' to='a.example' type='valid'/>");
  EXPECT_FALSE(o->done());
  o->ClientData("<message from='alice@a.example' to='bob@b.example'><body>hi</body></message>");
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_TRUE(std::get<XmppExtras>(r.extras).server_to_server);
  EXPECT_THAT(r.before_tls.capabilities, ElementsAre("dialback"));
  EXPECT_FALSE(r.starttls->offered);
  EXPECT_FALSE(r.auth.has_value());
  ExpectNoSecret(r, {"37c69b1c", "alice@"});
}

TEST(XmppObserverTest, LegacyIqAuthPasswordIsPlaintext) {
  std::unique_ptr<Observer> o = MakeObserver("xmpp");
  o->ClientData(kClientStream);
  o->ServerData(kEjabberdStream);
  o->ClientData("<iq type='set' id='auth2'><query xmlns='jabber:iq:auth'><username>alice"
                "</username><password>s3cret-pw</password><resource>x</resource></query></iq>");
  o->ServerData("<iq type='result' id='auth2'/>");
  const Observation& r = o->observation();
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->method, "xmpp-iq-auth");
  EXPECT_TRUE(r.auth->plaintext_credentials);
  EXPECT_EQ(r.auth->succeeded, true);
  ExpectNoSecret(r, {"alice", "s3cret"});
}

TEST(XmppObserverTest, HostileXmlIsBounded) {
  // A DTD (the door to entity expansion) is refused.
  std::unique_ptr<Observer> o = MakeObserver("xmpp");
  o->ServerData("<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY lol 'lol'>]><stream:stream>");
  EXPECT_TRUE(o->done());
  EXPECT_EQ(o->observation().error, "xml-refused");
  // Nesting deeper than the bound.
  o = MakeObserver("xmpp");
  o->ServerData(kProsodyStream);
  for (int i = 0; i < 20; ++i) o->ServerData("<a>");
  EXPECT_EQ(o->observation().error, "xml-too-deep");
  // An unfinished tag longer than the bound, dripped.
  o = MakeObserver("xmpp");
  o->ServerData("<stream:stream id='");
  for (int i = 0; i < 9; ++i) o->ServerData(std::string(1024, 'x'));
  EXPECT_EQ(o->observation().error, "xml-token-too-long");
  // Not XMPP at all, and a gap.
  o = MakeObserver("xmpp");
  o->ServerData("220 smtp.example ESMTP\r\n");
  EXPECT_EQ(o->observation().error, "not-xmpp");
  o = MakeObserver("xmpp");
  o->ServerData(kProsodyStream);
  o->ServerGap(100);
  EXPECT_TRUE(o->observation().gap_in_dialogue);
  EXPECT_EQ(o->observation().error, "gap-in-xml");
}

TEST(XmppObserverTest, ImplicitTlsReadsTheHandshakeOnly) {
  std::unique_ptr<Observer> o = MakeObserver("xmpps");
  o->ClientData(ClientHelloBytes("example.org"));
  o->ServerData(ServerFlightBytes());
  EXPECT_TRUE(o->done());
  const Observation& r = o->observation();
  EXPECT_TRUE(r.implicit_tls);
  EXPECT_FALSE(r.starttls.has_value());
  EXPECT_EQ(r.tls.client_hello.server_name, "example.org");
}

}  // namespace
}  // namespace tlsweep
