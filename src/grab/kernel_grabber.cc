#include "grab/kernel_grabber.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "grab/grab_driver.h"
#include "scan/status.h"

namespace tlsweep {
namespace {

// Bytes read per recv(): a whole dialogue usually fits in one read.
constexpr size_t kReadChunk = 16 * 1024;
// recv() calls per socket and wake-up: a peer that sends without pause
// (even after its grab is done: what arrives then is read and dropped)
// gets 64 KiB before the other sockets' turn; level-triggered epoll
// reports the rest at the next wait.
constexpr int kReadsPerEvent = 4;
// epoll_wait's longest sleep: deadlines are checked at least this often.
constexpr int kPollMs = 50;
// Socket events taken per epoll_wait; more wait for the next one.
constexpr int kMaxEvents = 256;

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

GrabStatus ConnectStatus(int err) {
  switch (err) {
    case ECONNREFUSED: return GrabStatus::kConnectionRefused;
    case ETIMEDOUT: return GrabStatus::kConnectionTimeout;
    default: return GrabStatus::kUnknownError;
  }
}

std::string ConnectError(int err) { return absl::StrCat("connect: ", std::strerror(err)); }

// GrabTransport on non-blocking kernel sockets and one epoll set. Close()
// and Abort() both close the socket at once: the kernel sends what it has
// already taken, then FIN, on its own.
class EpollTransport final : public GrabTransport {
 public:
  EpollTransport() = default;
  ~EpollTransport() override {
    if (epfd_ >= 0) close(epfd_);
  }

  absl::Status Init() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return absl::InternalError(absl::StrCat("epoll_create1: ", std::strerror(errno)));
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<GrabConnection>> Connect(const GrabTarget& target,
                                                          GrabEvents& events,
                                                          uint64_t now_ms) override;

  // Waits up to `timeout_ms` for socket events and reports them.
  void Wait(int timeout_ms);

 private:
  class Socket;
  int epfd_ = -1;
};

class EpollTransport::Socket final : public GrabConnection {
 public:
  Socket(int epfd, int fd, GrabEvents& events) : epfd_(epfd), fd_(fd), events_(events) {}
  ~Socket() override {
    if (fd_ >= 0) close(fd_);
  }

  // Registers the connecting socket: writable means connected (or failed),
  // and a banner already there is read with the same wake-up.
  bool Watch() {
    epoll_event ev{};
    ev.events = watched_ = Interest();
    ev.data.ptr = this;
    return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd_, &ev) == 0;
  }

  // The connect failed at once (not EINPROGRESS).
  void Failed(int err) {
    connecting_ = false;
    events_.OnConnectFailed(ConnectStatus(err), ConnectError(err));
  }

  std::optional<size_t> Send(std::string_view bytes) override {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<size_t>(sent);
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return std::nullopt;
    want_write_ = true;
    Rewatch();
    return 0;
  }
  void Close() override { Release(); }
  void Abort() override { Release(); }

  void OnReady(uint32_t ready, uint64_t now_ms) {
    if (connecting_) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        connecting_ = false;
        reading_ = false;
        epoll_ctl(epfd_, EPOLL_CTL_DEL, fd_, nullptr);  // nothing more to hear
        events_.OnConnectFailed(ConnectStatus(err), ConnectError(err));
        return;
      }
      if ((ready & EPOLLOUT) == 0) return;
      connecting_ = false;
      events_.OnConnected(now_ms);
    } else if ((ready & EPOLLOUT) != 0 && want_write_) {
      want_write_ = false;
      events_.OnWritable();
    }
    if (reading_ && (ready & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) Read(now_ms);
    Rewatch();
  }

 private:
  void Read(uint64_t now_ms) {
    char buf[kReadChunk];
    for (int i = 0; i < kReadsPerEvent; ++i) {
      const ssize_t got = recv(fd_, buf, sizeof(buf), 0);
      if (got > 0) {
        events_.OnData(std::string_view(buf, static_cast<size_t>(got)), now_ms);
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      reading_ = false;  // FIN (0) or an error such as ECONNRESET
      events_.OnPeerClosed();
      return;
    }
  }

  // What the socket waits for now. Level-triggered: a socket at EOF is no
  // longer watched for reading, nor one with nothing to send for writing.
  uint32_t Interest() const {
    return (reading_ ? EPOLLIN | EPOLLRDHUP : 0u) | (connecting_ || want_write_ ? EPOLLOUT : 0u);
  }

  void Rewatch() {
    const uint32_t want = Interest();
    if (fd_ < 0 || want == watched_) return;
    epoll_event ev{};
    ev.events = watched_ = want;
    ev.data.ptr = this;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, fd_, &ev);
  }

  void Release() {
    close(fd_);  // leaves the epoll set with it
    fd_ = -1;
    events_.OnClosed();
  }

  int epfd_;
  int fd_;
  GrabEvents& events_;
  bool connecting_ = true;
  bool reading_ = true;
  bool want_write_ = false;
  uint32_t watched_ = 0;
};

void EpollTransport::Wait(int timeout_ms) {
  epoll_event ready[kMaxEvents];
  const int n = epoll_wait(epfd_, ready, kMaxEvents, timeout_ms);
  const uint64_t now = NowMs();
  // Reporting only changes sessions; no socket is closed before the next
  // GrabDriver::Poll(), so every data.ptr here is alive.
  for (int i = 0; i < n; ++i) static_cast<Socket*>(ready[i].data.ptr)->OnReady(ready[i].events, now);
}

absl::StatusOr<std::unique_ptr<GrabConnection>> EpollTransport::Connect(const GrabTarget& target,
                                                                        GrabEvents& events,
                                                                        uint64_t) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  auto sock = std::make_unique<Socket>(epfd_, fd, events);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(target.port);
  sa.sin_addr.s_addr = htonl(target.ip.value());
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 && errno != EINPROGRESS) {
    sock->Failed(errno);
  } else if (!sock->Watch()) {
    return absl::InternalError(absl::StrCat("epoll_ctl: ", std::strerror(errno)));
  }
  return sock;
}

StatusSnapshot Snapshot(const GrabStats& stats, size_t in_flight, double elapsed_s,
                        size_t targets) {
  StatusSnapshot s;
  s.elapsed_s = elapsed_s;
  // Targets without a module are done as soon as they are reached.
  const uint64_t done = stats.finished + stats.no_module;
  s.progress = targets > 0 ? static_cast<double>(done) / static_cast<double>(targets) : 1;
  s.grabs_in_flight = in_flight;
  s.grabs_done = stats.finished;
  s.grabs_total = targets;
  for (size_t i = 0; i < kGrabStatusCount; ++i) {
    if (stats.by_status[i] == 0) continue;
    s.grabs_by_status.emplace_back(GrabStatusName(static_cast<GrabStatus>(i)), stats.by_status[i]);
  }
  return s;
}

}  // namespace

absl::Status RunKernelGrab(const std::vector<GrabTarget>& targets, const TlsContext& tls,
                           const GrabOptions& options, const StopToken& stop,
                           const GrabRecordSink& sink, GrabStats* stats) {
  EpollTransport transport;
  TLSWEEP_RETURN_IF_ERROR(transport.Init());
  GrabScheduler scheduler(tls, options);
  GrabDriver driver(transport, scheduler, sink);
  for (const GrabTarget& t : targets) scheduler.Push({t, std::nullopt});
  const uint64_t t0 = NowMs();
  scheduler.Start(t0);
  uint64_t next_status = t0 + 1000;
  // No -u file: `tlsweep grab` has no flag for one.
  TLSWEEP_ASSIGN_OR_RETURN(StatusReporter status,
                           StatusReporter::Create(kGrabStatus, options.quiet, ""));
  while (true) {
    const StopLevel level = stop.level();
    if (level == StopLevel::kStopNow) {
      driver.AbortAll();
      break;
    }
    driver.Poll(NowMs(), level == StopLevel::kRunning);
    if (driver.in_flight() == 0 && (scheduler.queued() == 0 || level != StopLevel::kRunning)) break;
    transport.Wait(kPollMs);
    const uint64_t now = NowMs();
    if (now >= next_status) {
      status.Report(Snapshot(scheduler.stats(), driver.in_flight(),
                             static_cast<double>(now - t0) / 1000, targets.size()));
      next_status += 1000;
    }
  }
  *stats = scheduler.stats();
  return absl::OkStatus();
}

}  // namespace tlsweep
