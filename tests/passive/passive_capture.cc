// Writes a capture for the passive command's end-to-end test
// (passive_cli_test.sh): mail sessions that carry known credentials, mail
// addresses and a message body, which no output may contain, plus the
// hostile parts a real capture has: a duplicated and an overlapping
// segment with other bytes, a lost segment, a flow seen mid-stream, and
// traffic that is not mail.
//
// usage: passive_capture OUT.pcap
#include <cstdio>
#include <string>
#include <vector>

#include "packet/pcap_writer.h"
#include "testing/tcp_conversation.h"
#include "testing/tls_handshake_bytes.h"

namespace {

using tlsweep::testing::TcpConversation;
using tlsweep::testing::TimedFrame;

constexpr uint32_t kClient = 0x0a4d0064;   // 10.77.0.100
constexpr uint32_t kClient2 = 0x0a4d0065;  // 10.77.0.101
constexpr uint32_t kServer = 0x0a4d0003;   // 10.77.0.3

// The secrets passive_cli_test.sh greps for (keep the two lists equal).
// base64("\0alice.secret.user\0Pa55w0rd-XYZZY") and the parts of LOGIN.
constexpr char kPlainResponse[] = "AGFsaWNlLnNlY3JldC51c2VyAFBhNTV3MHJkLVhZWlpZ";
constexpr char kLoginUser[] = "YWxpY2Uuc2VjcmV0LnVzZXI=";
constexpr char kLoginPass[] = "UGE1NXcwcmQtWFlaWlk=";

using tlsweep::testing::SampleClientHello;
using tlsweep::testing::SampleServerFlightRc4;

void Append(std::vector<TimedFrame>* all, TcpConversation& c) {
  all->insert(all->end(), c.frames().begin(), c.frames().end());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: passive_capture OUT.pcap\n");
    return 2;
  }
  std::vector<TimedFrame> frames;
  uint64_t t = 1'700'000'000'000'000'000ull;
  const uint64_t kApart = 10'000'000;  // 10 ms between sessions

  {  // SMTP: plaintext AUTH LOGIN, then an envelope and a body.
    TcpConversation c(kClient, 40000, kServer, 25, t += kApart);
    c.Handshake();
    c.Server("220 mx.lab ESMTP Postfix\r\n");
    c.Client("EHLO laptop.lab\r\n");
    c.Server("250-mx.lab\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
    c.Client("AUTH LOGIN\r\n");
    c.Server("334 VXNlcm5hbWU6\r\n");
    c.Client(std::string(kLoginUser) + "\r\n");
    c.Server("334 UGFzc3dvcmQ6\r\n");
    c.Client(std::string(kLoginPass) + "\r\n");
    c.Server("235 2.7.0 Authentication successful\r\n");
    c.Client("MAIL FROM:<alice@private.example>\r\n");
    c.Server("250 2.1.0 Ok\r\n");
    c.Client("RCPT TO:<bob@private.example>\r\n");
    c.Server("250 2.1.5 Ok\r\n");
    c.Client("DATA\r\n");
    c.Server("354 End data with <CR><LF>.<CR><LF>\r\n");
    c.Client("Subject: TOP-SECRET-SUBJECT\r\n\r\nTOP-SECRET-BODY-TEXT\r\n.\r\n");
    c.Server("250 2.0.0 Ok: queued\r\n");
    c.Client("QUIT\r\n");
    c.Server("221 2.0.0 Bye\r\n");
    c.Close();
    Append(&frames, c);
  }
  {  // SUBMISSION: STARTTLS, ClientHello, the server's flight; the EHLO
     // comes duplicated and overlapped by other bytes.
    TcpConversation c(kClient2, 40001, kServer, 587, t += kApart);
    c.Handshake();
    c.Server("220 mx.lab ESMTP\r\n");
    c.ClientAt(5, "laptop\r\n");
    c.ClientAt(5, "laptop\r\n");
    c.ClientAt(3, "O LAPTOP\r\n");  // differs from the held copy
    c.ClientAt(0, "EHL");
    c.SkipClient(13);
    c.Server("250-mx.lab\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n");
    c.Client("STARTTLS\r\n");
    c.Server("220 2.0.0 Ready to start TLS\r\n");
    c.Client(SampleClientHello("mx.lab"));
    c.Server(SampleServerFlightRc4());
    c.Client(std::string(kPlainResponse));  // stands for encrypted data
    c.Close();
    Append(&frames, c);
  }
  {  // IMAP: LOGIN with literals before TLS.
    TcpConversation c(kClient, 40002, kServer, 143, t += kApart);
    c.Handshake();
    c.Server("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.\r\n");
    c.Client("a1 LOGIN {17}\r\n");
    c.Server("+ OK\r\n");
    c.Client("alice.secret.user {14}\r\n");
    c.Server("+ OK\r\n");
    c.Client("Pa55w0rd-XYZZY\r\n");
    c.Server("a1 OK Logged in\r\n");
    c.Client("a2 FETCH 1 BODY[]\r\n");
    c.Server("* 1 FETCH (BODY[] {22}\r\nTOP-SECRET-BODY-TEXT\r\n)\r\na2 OK\r\n");
    c.Close();
    Append(&frames, c);
  }
  {  // POP3: USER/PASS with a segment the capture lost in the server's
     // direction (the client's ACK shows it).
    TcpConversation c(kClient, 40003, kServer, 110, t += kApart);
    c.Handshake();
    c.Server("+OK Dovecot ready.\r\n");
    c.Client("CAPA\r\n");
    c.Server("+OK\r\nCAPA\r\nUSER\r\n");
    c.SkipServer(16);  // "SASL PLAIN LOGIN" lost
    c.Server("\r\nSTLS\r\n.\r\n");
    c.ClientAck();
    c.Client("USER alice.secret.user\r\n");
    c.Server("+OK\r\n");
    c.Client("PASS Pa55w0rd-XYZZY\r\n");
    c.Server("+OK Logged in.\r\n");
    c.Close();
    Append(&frames, c);
  }
  {  // SMTPS: the server refuses the offer with a fatal alert.
    TcpConversation c(kClient2, 40006, kServer, 465, t += kApart);
    c.Handshake();
    c.Client(SampleClientHello("mx.lab"));
    c.Server(std::string("\x15\x03\x03\x00\x02\x02\x28", 7));  // handshake_failure
    c.Close();
    Append(&frames, c);
  }
  {  // XMPP: SASL PLAIN before TLS (STARTTLS offered, not required), then
     // a message.
    TcpConversation c(kClient, 40007, kServer, 5222, t += kApart);
    c.Handshake();
    c.Client("<?xml version='1.0'?><stream:stream to='xmpp.lab' xmlns='jabber:client' "
             "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
    c.Server("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' "
             "xmlns:stream='http://etherx.jabber.org/streams' id='5c1f0b7e-1b2c' "
             "from='xmpp.lab' version='1.0'><stream:features><starttls "
             "xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><mechanisms "
             "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>"
             "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
    c.Client("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" +
             std::string(kPlainResponse) + "</auth>");
    c.Server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    c.Client("<?xml version='1.0'?><stream:stream to='xmpp.lab' xmlns='jabber:client' "
             "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
             "<message to='bob@private.example'><body>TOP-SECRET-BODY-TEXT</body></message>");
    c.Close();
    Append(&frames, c);
  }
  {  // A flow already running when the capture began.
    TcpConversation c(kClient2, 40004, kServer, 25, t += kApart);
    c.Handshake();
    c.Client("AUTH PLAIN " + std::string(kPlainResponse) + "\r\n");
    c.Close();
    frames.insert(frames.end(), c.frames().begin() + 3, c.frames().end());
  }
  {  // Not mail.
    TcpConversation c(kClient, 40005, kServer, 443, t += kApart);
    c.Handshake();
    c.Client("GET / HTTP/1.1\r\n\r\n");
    Append(&frames, c);
  }
  absl::StatusOr<tlsweep::PcapWriter> w = tlsweep::PcapWriter::Open(argv[1]);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", std::string(w.status().message()).c_str());
    return 1;
  }
  for (const TimedFrame& f : frames) {
    if (!w->Write(f.bytes.data(), static_cast<uint32_t>(f.bytes.size()), f.timestamp_ns).ok()) return 1;
  }
  return w->Close().ok() ? 0 : 1;
}
