#include "grab/stack_grabber.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tlsweep {
namespace {

// A finished session's last bytes (QUIT, close_notify) and our FIN get this
// long to be acknowledged; then the connection is reset, as `tlsweep grab`
// closes its socket after the same linger.
constexpr uint64_t kLingerMs = 1000;

GrabStatus ConnectFailureStatus(TcpCloseReason reason) {
  switch (reason) {
    case TcpCloseReason::kRefused: return GrabStatus::kConnectionRefused;
    case TcpCloseReason::kTimeout: return GrabStatus::kConnectionTimeout;
    default: return GrabStatus::kUnknownError;
  }
}

}  // namespace

class StackGrabber::Grab : public TcpHandler {
 public:
  explicit Grab(GrabScheduler::Started started)
      : grab(std::move(started.grab)), session(std::move(started.session)) {}

  void OnConnected(uint64_t now_ms) override { session->OnConnected(now_ms); }
  void OnData(std::string_view bytes, uint64_t now_ms) override {
    if (!session->done()) session->OnBytes(bytes, now_ms);
  }
  void OnPeerClosed(uint64_t) override {
    if (!session->done()) session->OnPeerClosed();
  }
  void OnClosed(TcpCloseReason reason, uint64_t) override {
    closed = true;
    if (session->done()) return;
    if (!session->connected()) {
      session->OnConnectFailed(ConnectFailureStatus(reason),
                               absl::StrCat("connect: ", std::string(TcpCloseReasonName(reason))));
    } else {
      session->OnPeerClosed();
    }
  }

  QueuedGrab grab;
  std::unique_ptr<GrabSession> session;
  TcpConnId id;
  bool closed = false;     // the stack is done with this connection
  bool fin_sent = false;
  bool recorded = false;
  uint64_t done_at_ms = 0;
};

StackGrabber::StackGrabber(TcpStack& stack, GrabScheduler& scheduler, RecordSink sink)
    : stack_(stack), scheduler_(scheduler), sink_(std::move(sink)) {}

StackGrabber::~StackGrabber() = default;

void StackGrabber::Flush(Grab& g, uint64_t now_ms) {
  GrabSession& s = *g.session;
  if (!g.closed && s.connected() && !g.fin_sent) {
    std::string& out = s.outgoing();
    while (!out.empty()) {
      const size_t n = stack_.Send(g.id, out);
      if (n == 0) break;  // the send buffer is full: more on the next poll
      out.erase(0, n);
    }
  }
  if (!s.done()) return;
  if (!g.recorded) {
    g.recorded = true;
    g.done_at_ms = now_ms;
    sink_(GrabRecordLine(s, g.grab.scan));
  }
  if (g.closed || g.fin_sent) return;
  if (!s.connected()) {
    stack_.Abort(g.id);  // a connect deadline: stop retransmitting the SYN
  } else if (s.outgoing().empty()) {
    stack_.Close(g.id);
    g.fin_sent = true;
  }
}

void StackGrabber::Poll(uint64_t now_ms, bool admit) {
  while (admit) {
    std::optional<GrabScheduler::Started> started = scheduler_.Next(now_ms);
    if (!started) break;
    auto g = std::make_unique<Grab>(*std::move(started));
    const GrabTarget& t = g->grab.target;
    absl::StatusOr<TcpConnId> id = stack_.Connect(t.ip, t.port, g.get(), now_ms);
    if (id.ok()) {
      g->id = *id;
    } else {
      ++connect_errors_;
      g->closed = true;
      g->session->OnConnectFailed(GrabStatus::kUnknownError,
                                  absl::StrCat("userspace TCP: ", id.status().message()));
    }
    grabs_.push_back(std::move(g));
  }
  stack_.Tick(now_ms);
  for (auto it = grabs_.begin(); it != grabs_.end();) {
    Grab& g = **it;
    if (!g.session->done()) g.session->Tick(now_ms);
    Flush(g, now_ms);
    if (g.recorded && !g.closed && now_ms - g.done_at_ms >= kLingerMs) stack_.Abort(g.id);
    if (g.recorded && g.closed) {
      scheduler_.Finished(g.grab.target, g.session->status());
      it = grabs_.erase(it);
    } else {
      ++it;
    }
  }
}

void StackGrabber::AbortAll() {
  for (const auto& g : grabs_) {
    if (!g->closed) stack_.Abort(g->id);
  }
  grabs_.clear();
}

}  // namespace tlsweep
