// RunKernelGrab (epoll, kernel sockets) against scripted servers on
// 127.0.0.1, each a thread of this test: an SMTP dialogue through STARTTLS
// and a real TLS handshake to success, a refused connect, a connect that
// is never answered, a silent server hitting the phase deadline, and the
// two stop levels. Loopback only: nothing leaves the machine.
#include "grab/kernel_grabber.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/stop_token.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "output/record_json.h"
#include "testing/tls_peer.h"
#include "tls/openssl_util.h"
#include "tls/tls_context.h"

namespace tlsweep {
namespace {

constexpr uint32_t kLoopback = 0x7f000001;  // 127.0.0.1

// A TCP socket on 127.0.0.1 with a port of the kernel's choosing.
int BoundSocket(uint16_t* port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(kLoopback);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

// Listens on 127.0.0.1 and runs `script` on each accepted connection, one
// after the other, on its own thread. The script's socket gives up on a
// read after 5 s, so a client that misbehaves fails the test, not hangs it.
class LoopbackServer {
 public:
  using Script = std::function<void(int fd)>;

  explicit LoopbackServer(Script script) : script_(std::move(script)) {
    fd_ = BoundSocket(&port_);
    EXPECT_EQ(listen(fd_, 16), 0);
    thread_ = std::thread([this] {
      while (true) {
        const int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // shut down by the destructor
        timeval timeout{.tv_sec = 5, .tv_usec = 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        script_(c);
        close(c);
      }
    });
  }
  ~LoopbackServer() {
    shutdown(fd_, SHUT_RDWR);  // accept() returns EINVAL
    thread_.join();
    close(fd_);
  }

  uint16_t port() const { return port_; }

 private:
  Script script_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

// Line I/O for the scripts, on the plain socket or, after STARTTLS, on TLS.
struct Peer {
  int fd;
  SSL* ssl = nullptr;

  void Send(const std::string& text) {
    if (ssl != nullptr) {
      size_t n = 0;
      SSL_write_ex(ssl, text.data(), text.size(), &n);
    } else {
      ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    }
  }
  // One line without its CRLF; "" when the client closed or went quiet.
  std::string ReadLine() {
    std::string line;
    char c;
    while (true) {
      const bool got = ssl != nullptr ? SSL_read(ssl, &c, 1) == 1 : recv(fd, &c, 1, 0) == 1;
      if (!got) return "";
      if (c == '\n') break;
      line.push_back(c);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
};

// A self-signed P-256 certificate for "mail.lab.test" and its key in a
// server context: the grabber records whatever it gets, verified or not.
SslCtxPtr ServerContext() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  X509Ptr cert = tls_peer::MakeCert(tls_peer::CertSpec().set_common_name("mail.lab.test"), key.get(),
                                   nullptr, nullptr);
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  EXPECT_EQ(SSL_CTX_use_certificate(ctx.get(), cert.get()), 1) << DrainOpenSslErrors();
  EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx.get(), key.get()), 1) << DrainOpenSslErrors();
  return ctx;
}

class KernelGrabberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = TlsContext::Create(TlsProfile::kModern, "");
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *std::move(tls);
    options_.quiet = true;
    options_.timeouts = {.connect_ms = 500, .phase_ms = 2000, .session_ms = 5000};
  }

  // Grabs 127.0.0.1 on each port as SMTP, in order; the records, and how
  // long it took.
  std::vector<nlohmann::json> Grab(const std::vector<uint16_t>& ports) {
    std::vector<GrabTarget> targets;
    for (uint16_t port : ports) {
      EXPECT_TRUE(options_.ports.ApplyOverride(std::to_string(port) + "=smtp").ok());
      targets.push_back({Ipv4Address(kLoopback), port, ""});
    }
    std::vector<nlohmann::json> records;
    const GrabRecordSink sink = [&records](const GrabResult& grab,
                                           const std::optional<ScanResult>& scan) {
      records.push_back(GrabRecordJson(grab, scan));
    };
    const auto start = std::chrono::steady_clock::now();
    const absl::Status status = RunKernelGrab(targets, *tls_, options_, stop_, sink, &stats_);
    took_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count();
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_EQ(stats_.finished, records.size());
    return records;
  }

  static const nlohmann::json& Smtp(const nlohmann::json& record) {
    return record["data"]["smtp"];
  }
  uint64_t Count(GrabStatus status) const {
    return stats_.by_status[static_cast<size_t>(status)];
  }

  std::unique_ptr<TlsContext> tls_;
  GrabOptions options_;
  StopToken stop_;
  GrabStats stats_;
  int64_t took_ms_ = 0;
};

TEST_F(KernelGrabberTest, StartTlsDialogueToSuccess) {
  SslCtxPtr ctx = ServerContext();
  std::vector<std::string> heard;  // what the server read, in order (read after the join)
  auto server = std::make_unique<LoopbackServer>([&](int fd) {
    Peer peer{fd};
    auto hear = [&] {
      heard.push_back(peer.ReadLine());
      return heard.back();
    };
    peer.Send("220 mail.lab.test ESMTP scripted\r\n");
    if (hear().rfind("EHLO ", 0) != 0) return;
    peer.Send("250-mail.lab.test\r\n250-AUTH LOGIN\r\n250 STARTTLS\r\n");
    if (hear() != "STARTTLS") return;
    peer.Send("220 go ahead\r\n");
    SslPtr ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) != 1) return;
    peer.ssl = ssl.get();
    if (hear().rfind("EHLO ", 0) != 0) return;
    peer.Send("250-mail.lab.test\r\n250 AUTH PLAIN LOGIN\r\n");
    hear();  // QUIT: the grab is done and closes
    hear();  // then nothing more (close_notify, FIN)
  });

  const uint16_t port = server->port();
  const std::vector<nlohmann::json> records = Grab({port});
  server.reset();  // joins it: its script has seen the client close
  ASSERT_EQ(records.size(), 1u);
  const nlohmann::json& r = records[0];
  EXPECT_EQ(r["ip"], "127.0.0.1");
  EXPECT_EQ(r["port"], port);
  EXPECT_FALSE(r.contains("scan")) << "kernel grabs have no scan answer";
  EXPECT_EQ(Smtp(r)["status"], "success") << r.dump();
  EXPECT_EQ(Smtp(r)["result"]["banner"], "220 mail.lab.test ESMTP scripted");
  EXPECT_EQ(Smtp(r)["result"]["ehlo_after_tls"], "250-mail.lab.test\n250 AUTH PLAIN LOGIN");
  EXPECT_TRUE(Smtp(r)["result"].contains("tls"));
  EXPECT_EQ(Count(GrabStatus::kSuccess), 1u);
  ASSERT_EQ(heard.size(), 5u);
  EXPECT_EQ(heard[3], "QUIT") << "the session's last bytes leave before the close";
  EXPECT_EQ(heard[4], "") << "then the connection closes";
}

TEST_F(KernelGrabberTest, RefusedConnect) {
  uint16_t port = 0;
  const int fd = BoundSocket(&port);  // bound, not listening: the kernel answers RST
  const std::vector<nlohmann::json> records = Grab({port});
  close(fd);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(Smtp(records[0])["status"], "connection-refused");
  EXPECT_EQ(Smtp(records[0])["error"], "connect: Connection refused");
  EXPECT_EQ(Count(GrabStatus::kConnectionRefused), 1u);
}

// An unanswered SYN without leaving loopback: a listener whose accept queue
// is full drops new SYNs (Linux counts them as ListenOverflows). With a
// backlog of 0 the queue holds one connection, here a filler never accepted.
TEST_F(KernelGrabberTest, UnansweredConnectTimesOut) {
  uint16_t port = 0;
  const int listener = BoundSocket(&port);
  ASSERT_EQ(listen(listener, 0), 0);
  const int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(kLoopback);
  ASSERT_EQ(connect(filler, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  const std::vector<nlohmann::json> records = Grab({port});
  close(filler);
  close(listener);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(Smtp(records[0])["status"], "connection-timeout") << records[0].dump();
  EXPECT_EQ(Smtp(records[0])["error"], "connect: timed out");
  EXPECT_GE(took_ms_, 500);
  EXPECT_LT(took_ms_, 1500) << "the connect deadline, checked every 50 ms";
}

TEST_F(KernelGrabberTest, SilentServerHitsThePhaseDeadline) {
  options_.timeouts.phase_ms = 300;
  LoopbackServer server([](int fd) {
    Peer{fd}.ReadLine();  // waits for the client to give up and close
  });
  const std::vector<nlohmann::json> records = Grab({server.port()});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(Smtp(records[0])["status"], "io-timeout");
  EXPECT_EQ(Smtp(records[0])["phase"], "banner");
  EXPECT_GE(took_ms_, 300);
  EXPECT_LT(took_ms_, 1300);
  EXPECT_EQ(Count(GrabStatus::kIoTimeout), 1u);
}

// Ctrl-C twice, from inside the run: the first (when the dialogue server
// accepts) lets the two grabs in flight go on and starts no other; the
// second (once that dialogue has sent QUIT) abandons the silent server's
// grab without a record and returns at once, with the finished grab's
// record.
TEST_F(KernelGrabberTest, FirstStopStartsNoMoreSecondAbandons) {
  options_.concurrency = 2;
  options_.timeouts.phase_ms = 10'000;
  LoopbackServer talking([this](int fd) {
    stop_.Trip(StopLevel::kStopSending);
    Peer peer{fd};
    peer.Send("220 mx.lab.test ESMTP\r\n");
    peer.ReadLine();  // EHLO
    peer.Send("250-mx.lab.test\r\n250 PIPELINING\r\n");
    peer.ReadLine();  // QUIT: that grab is done and recorded
    stop_.Trip(StopLevel::kStopNow);
  });
  LoopbackServer silent([](int fd) { Peer{fd}.ReadLine(); });
  // The third target waits for a slot, which frees after the first stop.
  const std::vector<nlohmann::json> records =
      Grab({talking.port(), silent.port(), silent.port()});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["port"], talking.port());
  EXPECT_EQ(Smtp(records[0])["status"], "no-starttls");
  EXPECT_EQ(stats_.started, 2u);
  EXPECT_EQ(stats_.finished, 1u);
  EXPECT_LT(took_ms_, 2000);
}

}  // namespace
}  // namespace tlsweep
