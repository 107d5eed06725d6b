#include "grab/kernel_grabber.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "scan/status.h"

namespace tlsweep {
namespace {

// Bytes read per recv(): a whole dialogue usually fits in one read.
constexpr size_t kReadChunk = 16 * 1024;
// epoll_wait's longest sleep: deadlines are checked at least this often.
constexpr int kPollMs = 50;
// A finished session's last bytes (QUIT, close_notify) get this long to
// leave; a peer that stops reading cannot hold the connection open.
constexpr uint64_t kLingerMs = 1000;

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

struct Connection {
  int fd = -1;
  QueuedGrab grab;
  std::unique_ptr<GrabSession> session;
  bool want_write = false;
  uint64_t done_at_ms = 0;  // when the session finished (0: not yet)
};

class Grabber {
 public:
  Grabber(const TlsContext& tls, const GrabOptions& options, const StopToken& stop,
          std::FILE* out)
      : options_(options), stop_(stop), out_(out), scheduler_(tls, options) {}

  ~Grabber() {
    for (Connection& c : conns_) close(c.fd);
    if (epfd_ >= 0) close(epfd_);
  }

  absl::Status Run(const std::vector<GrabTarget>& targets) {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return absl::InternalError(absl::StrCat("epoll_create1: ", std::strerror(errno)));
    for (const GrabTarget& t : targets) scheduler_.Push({t, std::nullopt});
    const uint64_t t0 = NowMs();
    scheduler_.Start(t0);
    uint64_t next_status = t0 + 1000;
    // No -u file: `tlsweep grab` has no flag for one.
    TLSWEEP_ASSIGN_OR_RETURN(StatusReporter status,
                             StatusReporter::Create(kGrabStatus, options_.quiet, ""));
    epoll_event events[256];
    while (!conns_.empty() || (scheduler_.queued() > 0 && stop_.running())) {
      if (stop_.level() == StopLevel::kStopNow) break;
      if (stop_.running()) {
        const uint64_t now = NowMs();
        while (auto started = scheduler_.Next(now)) Start(*std::move(started));
      }
      const int n = epoll_wait(epfd_, events, 256, kPollMs);
      const uint64_t now = NowMs();
      for (int i = 0; i < n; ++i) {
        HandleEvent(*static_cast<Connection*>(events[i].data.ptr), events[i].events, now);
      }
      for (auto it = conns_.begin(); it != conns_.end();) {
        it->session->Tick(now);
        Flush(*it);
        if (it->session->done() && it->done_at_ms == 0) it->done_at_ms = now;
        if (it->session->done() && (it->session->outgoing().empty() || !it->session->connected() ||
                                    now - it->done_at_ms >= kLingerMs)) {
          it = Finish(it);
        } else {
          ++it;
        }
      }
      if (now >= next_status) {
        status.Report(Snapshot(static_cast<double>(now - t0) / 1000, targets.size()));
        next_status += 1000;
      }
    }
    std::fflush(out_);
    return absl::OkStatus();
  }

  const GrabStats& stats() const { return scheduler_.stats(); }

 private:
  StatusSnapshot Snapshot(double elapsed_s, size_t targets) const {
    StatusSnapshot s;
    s.elapsed_s = elapsed_s;
    // Targets without a module are done as soon as they are reached.
    const uint64_t done = stats().finished + stats().no_module;
    s.progress = targets > 0 ? static_cast<double>(done) / static_cast<double>(targets) : 1;
    s.grabs_in_flight = conns_.size();
    s.grabs_done = stats().finished;
    s.grabs_total = targets;
    for (size_t i = 0; i < kGrabStatusCount; ++i) {
      if (stats().by_status[i] == 0) continue;
      s.grabs_by_status.emplace_back(GrabStatusName(static_cast<GrabStatus>(i)),
                                     stats().by_status[i]);
    }
    return s;
  }

  void Start(GrabScheduler::Started started) {
    Connection c;
    c.grab = std::move(started.grab);
    c.session = std::move(started.session);
    const GrabTarget& t = c.grab.target;
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      c.session->OnConnectFailed(GrabStatus::kUnknownError,
                                 absl::StrCat("socket: ", std::strerror(errno)));
    } else {
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(t.port);
      sa.sin_addr.s_addr = htonl(t.ip.value());
      if (connect(c.fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 && errno != EINPROGRESS) {
        c.session->OnConnectFailed(ConnectStatus(errno), absl::StrCat("connect: ", std::strerror(errno)));
      }
    }
    conns_.push_back(std::move(c));
    Connection& placed = conns_.back();
    if (placed.fd >= 0 && !placed.session->done()) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
      ev.data.ptr = &placed;
      placed.want_write = true;
      epoll_ctl(epfd_, EPOLL_CTL_ADD, placed.fd, &ev);
    }
  }

  static GrabStatus ConnectStatus(int err) {
    switch (err) {
      case ECONNREFUSED: return GrabStatus::kConnectionRefused;
      case ETIMEDOUT: return GrabStatus::kConnectionTimeout;
      default: return GrabStatus::kUnknownError;
    }
  }

  void HandleEvent(Connection& c, uint32_t events, uint64_t now) {
    GrabSession& s = *c.session;
    if (s.done()) return;
    if (!s.connected()) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        s.OnConnectFailed(ConnectStatus(err), absl::StrCat("connect: ", std::strerror(err)));
        return;
      }
      if ((events & EPOLLOUT) == 0) return;
      s.OnConnected(now);
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
      char buf[kReadChunk];
      while (!s.done()) {
        const ssize_t got = recv(c.fd, buf, sizeof(buf), 0);
        if (got > 0) {
          s.OnBytes(std::string_view(buf, static_cast<size_t>(got)), now);
          continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
        s.OnPeerClosed();  // FIN (0) or an error such as ECONNRESET
        break;
      }
    }
    Flush(c);
  }

  // Sends what the session has queued; asks epoll for writability while
  // anything is left.
  void Flush(Connection& c) {
    if (c.fd < 0 || !c.session->connected()) return;
    std::string& out = c.session->outgoing();
    while (!out.empty()) {
      const ssize_t sent = send(c.fd, out.data(), out.size(), MSG_NOSIGNAL);
      if (sent <= 0) {
        if (sent < 0 && errno != EAGAIN && errno != EINTR) {
          out.clear();  // the peer is gone; the session learns it on read
          if (!c.session->done()) c.session->OnPeerClosed();
        }
        break;
      }
      out.erase(0, static_cast<size_t>(sent));
    }
    const bool want_write = !out.empty();
    if (want_write != c.want_write && !c.session->done()) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u);
      ev.data.ptr = &c;
      epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
      c.want_write = want_write;
    }
  }

  std::list<Connection>::iterator Finish(std::list<Connection>::iterator it) {
    if (it->fd >= 0) close(it->fd);
    const std::string line = GrabRecordLine(*it->session, it->grab.scan);
    std::fwrite(line.data(), 1, line.size(), out_);
    scheduler_.Finished(it->grab.target, it->session->status());
    return conns_.erase(it);
  }

  const GrabOptions& options_;
  const StopToken& stop_;
  std::FILE* out_;
  GrabScheduler scheduler_;
  int epfd_ = -1;
  std::list<Connection> conns_;  // stable addresses for epoll's data.ptr
};

}  // namespace

absl::Status RunKernelGrab(const std::vector<GrabTarget>& targets, const TlsContext& tls,
                           const GrabOptions& options, const StopToken& stop, std::FILE* out,
                           GrabStats* stats) {
  Grabber grabber(tls, options, stop, out);
  absl::Status status = grabber.Run(targets);
  *stats = grabber.stats();
  return status;
}

}  // namespace tlsweep
