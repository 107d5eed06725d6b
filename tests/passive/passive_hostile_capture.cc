// Writes the hand-made hostile captures of passive_hostile_test.sh, one
// scenario per file, each with known outcomes the test checks in
// `tlsweep passive`'s records and metadata:
//
//   snaplen    a SUBMISSION STARTTLS session and a POP3 USER/PASS session
//              captured with a 96-byte snaplen (tcpdump -s 96): frames cut
//              short keep their wire length in the file
//   reorder    an SMTP session whose client and server segments arrive out
//              of order, and an SMTPS ClientHello in three segments, last
//              first
//   duplicate  a POP3 session with every segment written twice
//   overlap    an SMTP session whose buffered (out-of-order) AUTH line is
//              overlapped by a copy with other bytes, and whose delivered
//              EHLO is retransmitted with other bytes
//   midstream  sessions whose first packets the capture missed: plaintext
//              SMTP, IMAP and POP3 joined mid-dialogue with credentials in
//              the clear after the join, a SUBMISSION joined at its
//              ClientHello, an IMAPS session past its handshake, an XMPP
//              stream and an SMTP server that only talks
//   split      one ClientHello three ways on SMTPS: whole, over three TCP
//              segments, and over three TLS records
//   flows N    N POP3 connections open at once (handshake and greeting),
//              then, 5 s later, each closed (FIN both ways)
//
// usage: passive_hostile_capture SCENARIO OUT.pcap [N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "packet/pcap_writer.h"
#include "testing/tcp_conversation.h"
#include "testing/tls_handshake_bytes.h"

namespace {

using tlsweep::PcapWriter;
using tlsweep::testing::TcpConversation;
using tlsweep::testing::TimedFrame;

constexpr uint32_t kClient = 0x0a4d0064;  // 10.77.0.100
constexpr uint32_t kServer = 0x0a4d0003;  // 10.77.0.3
constexpr uint64_t kStart = 1'700'000'000'000'000'000ull;
constexpr uint64_t kApart = 10'000'000;  // 10 ms between sessions

// The secrets passive_hostile_test.sh greps for (keep the lists equal).
constexpr char kUser[] = "mallory.hostile.user";
constexpr char kPassword[] = "Hostile-Pa55-QWERTY";
// base64("\0mallory.hostile.user\0Hostile-Pa55-QWERTY")
constexpr char kPlainResponse[] = "AG1hbGxvcnkuaG9zdGlsZS51c2VyAEhvc3RpbGUtUGE1NS1RV0VSVFk=";

using tlsweep::testing::SampleClientHello;
using tlsweep::testing::SampleServerFlightRc4;

// The handshake message of a one-record ClientHello re-cut into records of
// at most `piece` bytes each (RFC 5246 6.2.1: a handshake message may span
// records).
std::string AcrossRecords(const std::string& record, size_t piece) {
  const std::string message = record.substr(5);
  std::string out;
  for (size_t at = 0; at < message.size(); at += piece) {
    const std::string part = message.substr(at, piece);
    out += {0x16, record[1], record[2], static_cast<char>(part.size() >> 8),
            static_cast<char>(part.size())};
    out += part;
  }
  return out;
}

class Capture {
 public:
  explicit Capture(const char* path) : writer_(PcapWriter::Open(path)) {}
  bool ok() const { return writer_.ok() && ok_; }
  // Frames cut to `snaplen` bytes, as tcpdump -s keeps them.
  void Add(const std::vector<TimedFrame>& frames, size_t from = 0, uint32_t snaplen = 65535) {
    for (size_t i = from; i < frames.size() && ok(); ++i) {
      const auto wire = static_cast<uint32_t>(frames[i].bytes.size());
      ok_ = writer_->Write(frames[i].bytes.data(), std::min(wire, snaplen), wire,
                           frames[i].timestamp_ns).ok();
    }
  }
  bool Close() { return ok() && writer_->Close().ok(); }

 private:
  absl::StatusOr<PcapWriter> writer_;
  bool ok_ = true;
};

void Snaplen(Capture& out) {
  uint64_t t = kStart;
  TcpConversation sub(kClient, 40100, kServer, 587, t += kApart);
  sub.Handshake();
  sub.Server("220 mx.lab ESMTP\r\n");                   // 18 bytes: whole
  sub.Client("EHLO laptop.lab\r\n");                    // whole
  sub.Server("250-mx.lab\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-SIZE 10240000\r\n"
             "250 AUTH PLAIN LOGIN\r\n");               // cut: 42 of 83 bytes kept
  sub.Client("STARTTLS\r\n");
  sub.Server("220 2.0.0 Ready to start TLS\r\n");       // 30 bytes: whole
  sub.Client(SampleClientHello("mx.lab"));              // cut
  sub.Server(SampleServerFlightRc4());                  // cut
  sub.Close();
  out.Add(sub.frames(), 0, 96);
  TcpConversation pop(kClient, 40101, kServer, 110, t += kApart);
  pop.Handshake();
  pop.Server("+OK Dovecot ready.\r\n");
  pop.Client("USER " + std::string(kUser) + "\r\n");
  pop.Server("+OK\r\n");
  pop.Client("PASS " + std::string(kPassword) + "\r\n");
  pop.Server("+OK Logged in, and a long line that the snaplen cuts in the middle.\r\n");
  pop.Close();
  out.Add(pop.frames(), 0, 96);
}

void Reorder(Capture& out) {
  uint64_t t = kStart;
  TcpConversation smtp(kClient, 40200, kServer, 25, t += kApart);
  smtp.Handshake();
  smtp.Server("220 mx.lab ESMTP\r\n");
  // "EHLO laptop.lab\r\n" as 3 segments, last first, then the middle.
  smtp.ClientAt(12, "lab\r\n");
  smtp.ClientAt(5, "laptop.");
  smtp.ClientAt(0, "EHLO ");
  smtp.SkipClient(17);
  // The reply's second half before its first.
  const std::string reply = "250-mx.lab\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n";
  smtp.ServerAt(26, reply.substr(26));
  smtp.ServerAt(0, reply.substr(0, 26));
  smtp.SkipServer(static_cast<uint32_t>(reply.size()));
  smtp.Client("QUIT\r\n");
  smtp.Server("221 bye\r\n");
  smtp.Close();
  out.Add(smtp.frames());
  TcpConversation smtps(kClient, 40201, kServer, 465, t += kApart);
  smtps.Handshake();
  const std::string hello = SampleClientHello("reorder.lab");
  const size_t a = 40, b = 120;
  smtps.ClientAt(static_cast<int64_t>(b), hello.substr(b));
  smtps.ClientAt(0, hello.substr(0, a));
  smtps.ClientAt(static_cast<int64_t>(a), hello.substr(a, b - a));
  smtps.SkipClient(static_cast<uint32_t>(hello.size()));
  smtps.Server(SampleServerFlightRc4());
  smtps.Close();
  out.Add(smtps.frames());
}

void Duplicate(Capture& out) {
  TcpConversation pop(kClient, 40300, kServer, 110, kStart);
  pop.Handshake();
  pop.Server("+OK Dovecot ready.\r\n");
  pop.Client("CAPA\r\n");
  pop.Server("+OK\r\nCAPA\r\nUSER\r\nSTLS\r\n.\r\n");
  pop.Client("USER " + std::string(kUser) + "\r\n");
  pop.Server("+OK\r\n");
  pop.Client("PASS " + std::string(kPassword) + "\r\n");
  pop.Server("+OK Logged in.\r\n");
  pop.Close();
  std::vector<TimedFrame> twice;
  for (const TimedFrame& f : pop.frames()) {
    twice.push_back(f);
    twice.push_back(f);
    twice.back().timestamp_ns += 500;  // the copy, half a microsecond later
  }
  out.Add(twice);
}

void Overlap(Capture& out) {
  TcpConversation smtp(kClient, 40400, kServer, 25, kStart);
  smtp.Handshake();
  smtp.Server("220 mx.lab ESMTP\r\n");
  smtp.Client("EHLO laptop.lab\r\n");
  // The delivered EHLO again with other bytes: not kept, so not compared;
  // counted as a retransmission.
  smtp.ClientAt(-17, "EHLO OTHER.XXX\r\n\n");
  smtp.Server("250-mx.lab\r\n250 AUTH PLAIN LOGIN\r\n");
  // "AUTH PLAIN <response>\r\n": its tail first (held for the hole), a copy
  // of that tail with other bytes (the first copy wins, counted), then the
  // head.
  const std::string line = "AUTH PLAIN " + std::string(kPlainResponse) + "\r\n";
  smtp.ClientAt(5, line.substr(5));
  std::string other = line.substr(5);
  other.replace(0, 5, "LOGIN");
  smtp.ClientAt(5, other);
  smtp.ClientAt(0, line.substr(0, 5));
  smtp.SkipClient(static_cast<uint32_t>(line.size()));
  smtp.Server("235 2.7.0 Authentication successful\r\n");
  smtp.Client("QUIT\r\n");
  smtp.Server("221 bye\r\n");
  smtp.Close();
  out.Add(smtp.frames());
}

void Midstream(Capture& out) {
  uint64_t t = kStart;
  {  // SMTP joined after its EHLO: AUTH PLAIN with an initial response.
    TcpConversation c(kClient, 40500, kServer, 25, t += kApart);
    c.Handshake();
    c.Server("220 mx.lab ESMTP\r\n");
    c.Client("EHLO laptop.lab\r\n");
    c.Server("250-mx.lab\r\n250 AUTH PLAIN LOGIN\r\n");  // first captured
    c.Client("AUTH PLAIN " + std::string(kPlainResponse) + "\r\n");
    c.Server("235 2.7.0 Authentication successful\r\n");
    c.Client("MAIL FROM:<mallory@hostile.example>\r\n");
    c.Close();
    out.Add(c.frames(), 5);
  }
  {  // IMAP joined at its LOGIN.
    TcpConversation c(kClient, 40501, kServer, 143, t += kApart);
    c.Handshake();
    c.Server("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n");
    c.Client("a1 LOGIN " + std::string(kUser) + " " + std::string(kPassword) + "\r\n");
    c.Server("a1 OK Logged in\r\n");
    c.Close();
    out.Add(c.frames(), 4);
  }
  {  // POP3 joined at USER; a CAPA after the join lists capabilities.
    TcpConversation c(kClient, 40502, kServer, 110, t += kApart);
    c.Handshake();
    c.Server("+OK Dovecot ready.\r\n");
    c.Client("CAPA\r\n");
    c.Server("+OK\r\nCAPA\r\nUSER\r\nSTLS\r\n.\r\n");
    c.Client("USER " + std::string(kUser) + "\r\n");
    c.Server("+OK\r\n");
    c.Client("PASS " + std::string(kPassword) + "\r\n");
    c.Server("+OK Logged in.\r\n");
    c.Close();
    out.Add(c.frames(), 4);
  }
  {  // SUBMISSION joined at its ClientHello, after STARTTLS.
    TcpConversation c(kClient, 40503, kServer, 587, t += kApart);
    c.Handshake();
    c.Server("220 mx.lab ESMTP\r\n");
    c.Client("STARTTLS\r\n");
    c.Server("220 2.0.0 Ready to start TLS\r\n");
    c.Client(SampleClientHello("midstream.lab"));
    c.Server(SampleServerFlightRc4());
    c.Close();
    out.Add(c.frames(), 6);
  }
  {  // IMAPS past its handshake: encrypted records only.
    TcpConversation c(kClient, 40504, kServer, 993, t += kApart);
    c.Handshake();
    c.Client(std::string("\x17\x03\x03\x00\x05" "abcde", 10));
    c.Server(std::string("\x17\x03\x03\x00\x03" "xyz", 8));
    c.Close();
    out.Add(c.frames(), 3);
  }
  {  // XMPP: a stanza cannot be read without its stream's start.
    TcpConversation c(kClient, 40505, kServer, 5222, t += kApart);
    c.Handshake();
    c.Client("<message to='bob@hostile.example'><body>" + std::string(kPassword) +
             "</body></message>");
    c.Close();
    out.Add(c.frames(), 3);
  }
  {  // SMTP whose client says nothing while captured.
    TcpConversation c(kClient, 40506, kServer, 25, t += kApart);
    c.Handshake();
    c.Server("421 4.4.2 mx.lab Error: timeout exceeded\r\n");
    c.Close();
    out.Add(c.frames(), 3);
  }
}

void Split(Capture& out) {
  uint64_t t = kStart;
  const std::string hello = SampleClientHello("split.lab");
  for (int how = 0; how < 3; ++how) {
    TcpConversation c(kClient, static_cast<uint16_t>(40600 + how), kServer, 465, t += kApart);
    c.Handshake();
    if (how == 0) {
      c.Client(hello);
    } else if (how == 1) {  // three TCP segments, the record header split too
      c.Client(hello.substr(0, 3));
      c.Client(hello.substr(3, 100));
      c.Client(hello.substr(103));
    } else {  // three TLS records
      c.Client(AcrossRecords(hello, (hello.size() - 5 + 2) / 3));
    }
    c.Server(SampleServerFlightRc4());
    c.Close();
    out.Add(c.frames());
  }
}

void Flows(Capture& out, uint32_t n) {
  std::vector<TcpConversation> flows;
  flows.reserve(n);
  // 10 us apart: N flows open within N * 10 us.
  for (uint32_t i = 0; i < n; ++i) {
    // Client ports 10000-59999 (none on the port map), one address per 50000.
    flows.emplace_back(kClient + i / 50000, static_cast<uint16_t>(10000 + i % 50000), kServer,
                       110, kStart + uint64_t{i} * 10'000);
    TcpConversation& c = flows.back();
    c.Handshake();
    c.Server("+OK\r\n");
    out.Add(c.frames());
    c.frames().clear();
  }
  for (TcpConversation& c : flows) {
    c.Wait(5'000'000'000ull);
    c.Close();
    out.Add(c.frames());
    c.frames().clear();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: passive_hostile_capture SCENARIO OUT.pcap [N]\n");
    return 2;
  }
  const std::string scenario = argv[1];
  Capture out(argv[2]);
  if (scenario == "snaplen") {
    Snaplen(out);
  } else if (scenario == "reorder") {
    Reorder(out);
  } else if (scenario == "duplicate") {
    Duplicate(out);
  } else if (scenario == "overlap") {
    Overlap(out);
  } else if (scenario == "midstream") {
    Midstream(out);
  } else if (scenario == "split") {
    Split(out);
  } else if (scenario == "flows" && argc == 4) {
    Flows(out, static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10)));
  } else {
    std::fprintf(stderr, "unknown scenario '%s'\n", scenario.c_str());
    return 2;
  }
  if (!out.Close()) {
    std::fprintf(stderr, "cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
