// The whole passive pipeline over hand-built captures written with the
// project's pcap writer and read back through libpcap: a clean SMTP
// STARTTLS session, the same session duplicated, reordered and overlapped,
// flows seen mid-stream, a full table, idle expiry, RST, frames that are
// not mail, a truncated snaplen, and a file that is not a capture.
#include "passive/analyzer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "packet/pcap_writer.h"
#include "passive/pcap_source.h"
#include "testing/tcp_conversation.h"
#include "tls/client_hello.h"

namespace tlsweep {
namespace {

using testing::TcpConversation;
using testing::TimedFrame;

constexpr uint32_t kClient = 0x0a4d0064;  // 10.77.0.100
constexpr uint32_t kServer = 0x0a4d0003;  // 10.77.0.3

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/tlsweep_passive_" +
         std::to_string(::getpid()) + "_" + name;
}

// Writes `frames` to a pcap file, reads it back through PcapSource into an
// analyzer, and returns the records.
std::vector<ConnectionRecord> RunCapture(const std::vector<TimedFrame>& frames,
                                  PassiveOptions options = {},
                                  PassiveCounters* counters = nullptr,
                                  uint32_t snaplen = 65535) {
  const std::string path = TempPath("run.pcap");
  {
    absl::StatusOr<PcapWriter> w = PcapWriter::Open(path);
    EXPECT_TRUE(w.ok());
    for (const TimedFrame& f : frames) {
      // A short snaplen cuts the frame and keeps its wire length, as
      // tcpdump -s does.
      const auto wire = static_cast<uint32_t>(f.bytes.size());
      EXPECT_TRUE(w->Write(f.bytes.data(), std::min(snaplen, wire), wire, f.timestamp_ns).ok());
    }
    EXPECT_TRUE(w->Close().ok());
  }
  std::vector<ConnectionRecord> records;
  PassiveAnalyzer analyzer(std::move(options),
                           [&](const ConnectionRecord& r) { records.push_back(r); });
  absl::StatusOr<PcapSource> source = PcapSource::Open(path);
  EXPECT_TRUE(source.ok()) << source.status();
  CapturedFrame frame;
  while (source->Next(&frame)) analyzer.Frame(frame);
  EXPECT_FALSE(source->truncated());
  analyzer.Finish();
  if (counters != nullptr) *counters = analyzer.counters();
  std::remove(path.c_str());
  return records;
}

// A SUBMISSION session up to STARTTLS, the go-ahead, then plaintext that a
// broken client would send (no TLS bytes: the observer must not care), and
// a clean close.
TcpConversation Submission(uint16_t client_port = 40000) {
  TcpConversation c(kClient, client_port, kServer, 587);
  c.Handshake();
  c.Server("220 mail.example ESMTP\r\n");
  c.Client("EHLO laptop\r\n");
  c.Server("250-mail.example\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n");
  c.Client("AUTH PLAIN AGFsaWNlAHMzY3IzdA==\r\n");
  c.Server("235 ok\r\n");
  c.Client("QUIT\r\n");
  c.Server("221 bye\r\n");
  c.Close();
  return c;
}

TEST(PassiveAnalyzerTest, CleanSessionBecomesOneRecord) {
  PassiveCounters counters;
  TcpConversation c = Submission();
  const std::vector<ConnectionRecord> records = RunCapture(c.frames(), {}, &counters);
  ASSERT_EQ(records.size(), 1u);
  const ConnectionRecord& r = records[0];
  EXPECT_EQ(r.client, Ipv4Address(kClient));
  EXPECT_EQ(r.server, Ipv4Address(kServer));
  EXPECT_EQ(r.server_port, 587);
  EXPECT_EQ(r.client_port, 40000);
  EXPECT_TRUE(r.syn_seen);
  EXPECT_EQ(r.end, FlowEnd::kFin);
  EXPECT_EQ(r.observation.module, "submission");
  EXPECT_EQ(r.observation.banner, "220 mail.example ESMTP");
  EXPECT_TRUE(r.observation.starttls->offered);
  EXPECT_FALSE(r.observation.starttls->attempted);
  EXPECT_EQ(r.observation.auth->mechanism, "PLAIN");
  EXPECT_TRUE(r.observation.auth->plaintext_credentials);
  EXPECT_EQ(r.client_stream.gaps + r.server_stream.gaps, 0u);
  EXPECT_EQ(counters.packets, c.frames().size());
  EXPECT_EQ(counters.flows, 1u);
  EXPECT_EQ(counters.records, 1u);
  EXPECT_EQ(counters.flow_ends[static_cast<size_t>(FlowEnd::kFin)], 1u);
}

TEST(PassiveAnalyzerTest, DuplicatedReorderedAndOverlappingSegments) {
  TcpConversation c(kClient, 40001, kServer, 25);
  c.Handshake();
  c.Server("220 mx ESMTP\r\n");
  // The client's EHLO arrives as: its second half, a copy of it, an
  // overlapping segment whose shared bytes differ, then the first half.
  c.ClientAt(5, "mx\r\n");
  c.ClientAt(5, "mx\r\n");
  c.ClientAt(3, "O my\r\n");  // "O " is new, "my" differs from the held "mx"
  c.ClientAt(0, "EHL");
  c.SkipClient(9);
  c.Server("250-mx\r\n250 STARTTLS\r\n");
  c.Client("STARTTLS\r\n");
  c.Server("220 go ahead\r\n");
  c.Close();
  PassiveCounters counters;
  const std::vector<ConnectionRecord> records = RunCapture(c.frames(), {}, &counters);
  ASSERT_EQ(records.size(), 1u);
  const ConnectionRecord& r = records[0];
  EXPECT_TRUE(r.observation.starttls->offered);
  EXPECT_TRUE(r.observation.starttls->accepted);
  EXPECT_TRUE(r.observation.tls_started);
  EXPECT_EQ(r.client_stream.retransmitted, 1u);
  EXPECT_EQ(r.client_stream.overlaps_differing, 1u);
  EXPECT_EQ(r.client_stream.gaps, 0u);
  EXPECT_EQ(counters.overlaps_differing, 1u);
  EXPECT_EQ(counters.retransmitted_segments, 1u);
}

TEST(PassiveAnalyzerTest, LostSegmentIsAGapFoundByThePeersAck) {
  TcpConversation c(kClient, 40002, kServer, 143);
  c.Handshake();
  c.Server("* OK ready\r\n");
  c.SkipClient(14);                  // "a CAPABILITY\r\n" never captured
  c.Client("b STARTTLS\r\n");        // held behind the hole
  c.ServerAck();                     // acknowledges past it
  c.Server("* CAPABILITY IMAP4rev1 STARTTLS\r\na OK\r\nb OK go\r\n");
  c.Close();
  PassiveCounters counters;
  const std::vector<ConnectionRecord> records = RunCapture(c.frames(), {}, &counters);
  ASSERT_EQ(records.size(), 1u);
  const ConnectionRecord& r = records[0];
  EXPECT_EQ(r.client_stream.gaps, 1u);
  EXPECT_EQ(r.client_stream.gap_bytes, 14u);
  EXPECT_EQ(counters.gaps_by_reason[static_cast<size_t>(GapReason::kAckedByPeer)], 1u);
  EXPECT_TRUE(r.observation.gap_in_dialogue);
  // The line after the gap was taken for a tail and dropped, so STARTTLS
  // was not seen as requested: said, not guessed.
  EXPECT_TRUE(r.observation.starttls->offered);
  EXPECT_FALSE(r.observation.starttls->attempted);
}

// A capture that begins mid-stream: a SUBMISSION session after its EHLO
// is picked up at the client's ClientHello (after STARTTLS); a plaintext
// SMTP session and an IMAPS session past its handshake are only counted,
// each by what it showed.
TEST(PassiveAnalyzerTest, MidstreamFlowsArePickedUpAtAClientHelloElseCounted) {
  TcpConversation smtp(kClient, 40003, kServer, 25);
  smtp.Handshake();
  smtp.Server("220 mx\r\n");
  TcpConversation sub(kClient, 40004, kServer, 587);
  sub.Handshake();
  sub.Server("250-mx\r\n250 STARTTLS\r\n");
  sub.Client("STARTTLS\r\n");
  sub.Server("220 2.0.0 Ready to start TLS\r\n");
  ClientHelloProfile p;
  p.cipher_suites = {0xC02F, 0x0005};
  std::vector<uint8_t> random(32, 7), x25519(32, 9), hello(kMaxClientHelloRecord);
  hello.resize(BuildClientHello(p, {"mx.example", random, {}, x25519}, hello).value());
  sub.Client(std::string(hello.begin(), hello.end()));
  // ServerHello (TLS 1.2, TLS_RSA_WITH_RC4_128_SHA) and ServerHelloDone.
  std::string hs = {0x02, 0x00, 0x00, 0x26, 0x03, 0x03};
  hs += std::string(32, '\x11');
  hs += {0x00, 0x00, 0x05, 0x00, 0x0e, 0x00, 0x00, 0x00};
  sub.Server(std::string({0x16, 0x03, 0x03, 0x00, static_cast<char>(hs.size())}) + hs);
  TcpConversation imaps(kClient, 40005, kServer, 993);
  imaps.Handshake();
  imaps.Client(std::string("\x17\x03\x03\x00\x05" "abcde", 10));
  std::vector<TimedFrame> frames;
  for (TcpConversation* c : {&smtp, &imaps}) {
    frames.insert(frames.end(), c->frames().begin() + 3, c->frames().end());  // no handshake
  }
  // SUBMISSION from its ClientHello on (a pickup at its STARTTLS command is
  // MidDialogueCommandLinesArePickedUp's).
  frames.insert(frames.end(), sub.frames().begin() + 6, sub.frames().end());
  PassiveCounters counters;
  const std::vector<ConnectionRecord> records = RunCapture(frames, {}, &counters);
  ASSERT_EQ(records.size(), 1u);
  const Observation& o = records[0].observation;
  EXPECT_EQ(records[0].server_port, 587);
  EXPECT_FALSE(records[0].syn_seen);
  EXPECT_EQ(o.midstream_pickup, MidstreamPickup::kClientHello);
  EXPECT_TRUE(o.tls_started);
  EXPECT_FALSE(o.starttls.has_value());
  EXPECT_EQ(o.banner, "");
  EXPECT_EQ(o.tls.client_hello_result, ClientHelloParse::kOk);
  EXPECT_EQ(o.tls.client_hello.server_name, "mx.example");
  ASSERT_TRUE(o.tls.server.negotiated.has_value());
  EXPECT_EQ(o.tls.server.negotiated->cipher_value, 0x0005);
  EXPECT_EQ(counters.flows_midstream, 3u);
  // smtp's 220 (a server line starts nothing), imaps' record.
  EXPECT_EQ(counters.midstream_segments, 2u);
  using enum MidstreamOutcome;
  EXPECT_EQ(counters.midstream_outcomes[static_cast<size_t>(kPickedUpTls)], 1u);
  EXPECT_EQ(counters.midstream_outcomes[static_cast<size_t>(kSkippedTls)], 1u);
  EXPECT_EQ(counters.midstream_outcomes[static_cast<size_t>(kSkippedPlaintext)], 1u);
  PassiveCounters sum;  // as the DPDK path sums its analyzers
  sum += counters;
  sum += counters;
  EXPECT_EQ(sum.midstream_outcomes[static_cast<size_t>(kPickedUpTls)], 2u);
}

// Captures that begin inside the plaintext dialogue of a line protocol:
// each is joined at the client's next command line, and credentials sent
// in the clear after that are flagged (and not kept). A server line alone,
// text after TLS records, and XMPP start nothing.
TEST(PassiveAnalyzerTest, MidDialogueCommandLinesArePickedUp) {
  std::vector<TimedFrame> frames;
  auto tail = [&frames](TcpConversation& c, size_t from) {
    frames.insert(frames.end(), c.frames().begin() + static_cast<ptrdiff_t>(from), c.frames().end());
  };
  TcpConversation smtp(kClient, 40020, kServer, 25);
  smtp.Handshake();
  smtp.Server("220 mx ESMTP\r\n");
  smtp.Client("EHLO laptop\r\n");
  smtp.Server("250-mx\r\n250 AUTH PLAIN LOGIN\r\n");  // the capture starts here
  smtp.Client("AUTH LOGIN\r\n");
  smtp.Server("334 VXNlcm5hbWU6\r\n");
  smtp.Client("YWxpY2U=\r\n");
  smtp.Server("334 UGFzc3dvcmQ6\r\n");
  smtp.Client("czNjcjN0\r\n");
  smtp.Server("235 ok\r\n");
  smtp.Client("MAIL FROM:<alice@example.org>\r\n");
  smtp.Close();
  tail(smtp, 5);
  TcpConversation imap(kClient, 40021, kServer, 143);
  imap.Handshake();
  imap.Server("* OK ready\r\n");
  imap.Client("a1 LOGIN alice s3cr3t\r\n");  // the capture starts here
  imap.Server("a1 OK logged in\r\n");
  imap.Close();
  tail(imap, 4);
  TcpConversation pop(kClient, 40022, kServer, 110);
  pop.Handshake();
  pop.Server("+OK ready\r\n");
  pop.Client("USER alice\r\n");  // the capture starts here
  pop.Server("+OK\r\n");
  pop.Client("PASS s3cr3t\r\n");
  pop.Server("+OK logged in\r\n");
  pop.Close();
  tail(pop, 4);
  TcpConversation sub(kClient, 40023, kServer, 587);
  sub.Handshake();
  sub.Server("220 mx\r\n");
  sub.Client("STARTTLS\r\n");  // the capture starts here
  sub.Server("220 go ahead\r\n");
  ClientHelloProfile p;
  p.cipher_suites = {0xC02F};
  std::vector<uint8_t> random(32, 7), x25519(32, 9), hello(kMaxClientHelloRecord);
  hello.resize(BuildClientHello(p, {"mx.example", random, {}, x25519}, hello).value());
  sub.Client(std::string(hello.begin(), hello.end()));
  tail(sub, 4);
  TcpConversation late(kClient, 40024, kServer, 25);  // TLS records first: text is not a command
  late.Handshake();
  late.Server(std::string("\x17\x03\x03\x00\x02" "ab", 7));
  late.Client("QUIT\r\n");
  tail(late, 3);
  TcpConversation xmpp(kClient, 40025, kServer, 5222);
  xmpp.Handshake();
  xmpp.Client("<message to='bob@example.org'><body>hi</body></message>\n");
  tail(xmpp, 3);

  PassiveCounters counters;
  const std::vector<ConnectionRecord> records = RunCapture(frames, {}, &counters);
  ASSERT_EQ(records.size(), 4u);
  for (const ConnectionRecord& r : records) {
    EXPECT_FALSE(r.syn_seen);
    EXPECT_EQ(r.observation.midstream_pickup, MidstreamPickup::kPlaintextDialogue) << r.server_port;
    EXPECT_EQ(r.observation.banner, "") << r.server_port;
    ASSERT_TRUE(r.observation.auth.has_value() || r.server_port == 587) << r.server_port;
  }
  const Observation& s = records[0].observation;
  EXPECT_EQ(records[0].server_port, 25);
  EXPECT_EQ(s.auth->method, "sasl");
  EXPECT_EQ(s.auth->mechanism, "LOGIN");
  EXPECT_TRUE(s.auth->plaintext_credentials);
  EXPECT_EQ(s.auth->succeeded, true);
  EXPECT_FALSE(s.before_tls.seen);
  EXPECT_FALSE(s.starttls.has_value());
  EXPECT_EQ(records[0].end, FlowEnd::kFin);
  EXPECT_EQ(records[1].server_port, 143);
  EXPECT_EQ(records[1].observation.auth->method, "imap-login");
  EXPECT_TRUE(records[1].observation.auth->plaintext_credentials);
  EXPECT_EQ(records[1].observation.auth->succeeded, true);
  EXPECT_EQ(records[2].server_port, 110);
  EXPECT_EQ(records[2].observation.auth->method, "pop3-user");
  EXPECT_TRUE(records[2].observation.auth->plaintext_credentials);
  EXPECT_EQ(records[2].observation.auth->succeeded, true);
  const Observation& t = records[3].observation;
  EXPECT_EQ(records[3].server_port, 587);
  ASSERT_TRUE(t.starttls.has_value());
  EXPECT_TRUE(t.starttls->attempted);
  EXPECT_TRUE(t.starttls->accepted);
  EXPECT_FALSE(t.starttls->offered);  // no listing seen
  EXPECT_TRUE(t.tls_started);
  EXPECT_EQ(t.tls.client_hello_result, ClientHelloParse::kOk);
  EXPECT_EQ(t.tls.client_hello.server_name, "mx.example");

  using enum MidstreamOutcome;
  EXPECT_EQ(counters.flows_midstream, 6u);
  EXPECT_EQ(counters.midstream_outcomes[static_cast<size_t>(kPickedUpPlaintext)], 4u);
  EXPECT_EQ(counters.midstream_outcomes[static_cast<size_t>(kSkippedTls)], 1u);
  EXPECT_EQ(counters.midstream_outcomes[static_cast<size_t>(kSkippedPlaintext)], 1u);
  // smtp's listing before the pickup; late's record and QUIT; xmpp's stanza.
  EXPECT_EQ(counters.midstream_segments, 4u);
}

TEST(PassiveAnalyzerTest, FullTableEvictsTheOldestAndIdleFlowsExpire) {
  std::vector<TimedFrame> frames;
  for (uint16_t i = 0; i < 3; ++i) {
    TcpConversation c(kClient, static_cast<uint16_t>(41000 + i), kServer, 110,
                      1'700'000'000'000'000'000ull + i * 1'000'000ull);
    c.Handshake();
    c.Server("+OK hi\r\n");
    frames.insert(frames.end(), c.frames().begin(), c.frames().end());
  }
  // A fourth flow an hour later: every earlier one has been idle too long.
  TcpConversation late(kClient, 42000, kServer, 110, 1'700'003'600'000'000'000ull);
  late.Handshake();
  frames.insert(frames.end(), late.frames().begin(), late.frames().end());
  PassiveOptions options;
  options.max_flows = 2;
  PassiveCounters counters;
  const std::vector<ConnectionRecord> records = RunCapture(frames, options, &counters);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].end, FlowEnd::kEvicted);
  EXPECT_EQ(records[0].client_port, 41000);
  EXPECT_EQ(records[0].observation.banner, "+OK hi");
  EXPECT_EQ(records[1].end, FlowEnd::kIdle);
  EXPECT_EQ(records[2].end, FlowEnd::kIdle);
  EXPECT_EQ(records[3].end, FlowEnd::kCaptureEnd);
  EXPECT_EQ(counters.flow_ends[static_cast<size_t>(FlowEnd::kEvicted)], 1u);
  EXPECT_EQ(counters.flow_ends[static_cast<size_t>(FlowEnd::kIdle)], 2u);
}

TEST(PassiveAnalyzerTest, XmppFlowsAreObserved) {
  TcpConversation xmpp(kClient, 40011, kServer, 5222);
  xmpp.Handshake();
  xmpp.Client("<?xml version='1.0'?><stream:stream to='example.org' xmlns='jabber:client' "
              "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
  xmpp.Server("<?xml version='1.0'?><stream:stream xmlns='jabber:client' id='x1' "
              "from='example.org' xmlns:stream='http://etherx.jabber.org/streams' "
              "version='1.0'><stream:features><starttls "
              "xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
  PassiveCounters counters;
  const std::vector<ConnectionRecord> records = RunCapture(xmpp.frames(), {}, &counters);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].observation.module, "xmpp");
  EXPECT_THAT(records[0].observation.before_tls.capabilities, ::testing::ElementsAre("starttls"));
  EXPECT_TRUE(records[0].observation.starttls->offered);
  EXPECT_EQ(counters.unobserved_segments, 0u);
}

TEST(PassiveAnalyzerTest, RstEndsAFlowAndOtherTrafficIsDroppedEarly) {
  TcpConversation c(kClient, 40004, kServer, 995);
  c.Handshake();
  c.ClientRst();
  TcpConversation web(kClient, 40005, kServer, 443);
  web.Handshake();
  std::vector<TimedFrame> frames = c.frames();
  frames.insert(frames.end(), web.frames().begin(), web.frames().end());
  PassiveCounters counters;
  const std::vector<ConnectionRecord> records = RunCapture(frames, {}, &counters);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].end, FlowEnd::kRst);
  EXPECT_TRUE(records[0].observation.implicit_tls);
  EXPECT_EQ(counters.unmapped_segments, 3u);
}

// A short snaplen: a frame whose headers were kept is read as far as it
// goes and the rest of its payload is a gap (no line is made of what
// remains); a frame cut inside its headers is a parser drop.
TEST(PassiveAnalyzerTest, SnaplenCutPayloadIsAGapAndCutHeadersADrop) {
  TcpConversation c = Submission(40006);
  PassiveCounters counters;
  // 54 bytes: Ethernet, IPv4 and TCP headers, no payload byte.
  const std::vector<ConnectionRecord> records = RunCapture(c.frames(), {}, &counters, 54);
  ASSERT_EQ(records.size(), 1u);
  const ConnectionRecord& r = records[0];
  EXPECT_EQ(r.end, FlowEnd::kFin);  // the FINs are whole
  EXPECT_EQ(r.observation.banner, "");
  EXPECT_FALSE(r.observation.auth.has_value());
  EXPECT_TRUE(r.observation.gap_in_dialogue);
  // Every frame was cut (the bare ones lost their Ethernet padding to 60
  // bytes, which holds no payload); seven data segments, each all gap:
  // 3 + 4 of the two directions.
  EXPECT_EQ(counters.snaplen_truncated, c.frames().size());
  EXPECT_EQ(r.client_stream.gaps, 3u);
  EXPECT_EQ(r.server_stream.gaps, 4u);
  EXPECT_EQ(counters.gaps_by_reason[static_cast<size_t>(GapReason::kSnaplen)], 7u);
  EXPECT_EQ(counters.gaps, 7u);
  EXPECT_EQ(r.client_stream.bytes + r.server_stream.bytes, 0u);

  // 40 bytes: the TCP header itself is cut.
  PassiveCounters cut_headers;
  EXPECT_TRUE(RunCapture(c.frames(), {}, &cut_headers, 40).empty());
  EXPECT_EQ(cut_headers.parse[ParseResult::kTruncated], c.frames().size());
  EXPECT_EQ(cut_headers.flows, 0u);
}

TEST(PcapSourceTest, RefusesWhatIsNotACapture) {
  const std::string path = TempPath("not.pcap");
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("EHLO this is not a capture\n", f);
  std::fclose(f);
  EXPECT_FALSE(PcapSource::Open(path).ok());
  EXPECT_FALSE(PcapSource::Open(path + ".missing").ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tlsweep
