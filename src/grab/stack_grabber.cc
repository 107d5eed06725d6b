#include "grab/stack_grabber.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tlsweep {
namespace {

// A finished session's last bytes (QUIT, close_notify) and our FIN get this
// long to be acknowledged; then the connection is reset, as `tlsweep grab`
// closes its socket after the same linger.
constexpr uint64_t kLingerMs = 1000;
// Every grab's deadlines are checked this often; they are whole seconds.
constexpr uint64_t kSweepMs = 10;

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
  Grab(StackGrabber& grabber, GrabScheduler::Started started)
      : owner(grabber), grab(std::move(started.grab)), session(std::move(started.session)) {}

  void OnConnected(uint64_t now_ms) override {
    session->OnConnected(now_ms);
    owner.MarkDirty(*this);
  }
  void OnData(std::string_view bytes, uint64_t now_ms) override {
    if (!session->done()) session->OnBytes(bytes, now_ms);
    owner.MarkDirty(*this);
  }
  void OnPeerClosed(uint64_t) override {
    if (!session->done()) session->OnPeerClosed();
    owner.MarkDirty(*this);
  }
  void OnClosed(TcpCloseReason reason, uint64_t) override {
    closed = true;
    owner.MarkDirty(*this);
    if (session->done()) return;
    if (!session->connected()) {
      session->OnConnectFailed(ConnectFailureStatus(reason),
                               absl::StrCat("connect: ", std::string(TcpCloseReasonName(reason))));
    } else {
      session->OnPeerClosed();
    }
  }

  StackGrabber& owner;
  QueuedGrab grab;
  std::unique_ptr<GrabSession> session;
  std::list<std::unique_ptr<Grab>>::iterator self;
  TcpConnId id;
  bool closed = false;  // the stack is done with this connection
  bool fin_sent = false;
  bool recorded = false;
  bool dirty = false;
  bool retired = false;
  uint64_t done_at_ms = 0;
};

StackGrabber::StackGrabber(TcpStack& stack, GrabScheduler& scheduler, GrabRecordSink sink)
    : stack_(stack), scheduler_(scheduler), sink_(std::move(sink)) {}

StackGrabber::~StackGrabber() = default;

void StackGrabber::MarkDirty(Grab& g) {
  if (g.dirty || g.retired) return;
  g.dirty = true;
  dirty_.push_back(&g);
}

void StackGrabber::Process(Grab& g, uint64_t now_ms) {
  GrabSession& s = *g.session;
  if (!g.closed && s.connected() && !g.fin_sent) {
    std::string& out = s.outgoing();
    while (!out.empty()) {
      const size_t n = stack_.Send(g.id, out);
      if (n == 0) break;  // the send buffer is full: more on the next sweep
      out.erase(0, n);
    }
  }
  if (s.done()) {
    if (!g.recorded) {
      g.recorded = true;
      g.done_at_ms = now_ms;
      sink_(s.Result(), g.grab.scan);
    }
    if (!g.closed && !g.fin_sent) {
      if (!s.connected()) {
        stack_.Abort(g.id);  // a connect deadline: stop retransmitting the SYN
      } else if (s.outgoing().empty()) {
        stack_.Close(g.id);
        g.fin_sent = true;
      }
    }
    if (!g.closed && now_ms - g.done_at_ms >= kLingerMs) stack_.Abort(g.id);
  }
  if (g.recorded && g.closed && !g.retired) {
    g.retired = true;
    retired_.push_back(&g);
  }
}

void StackGrabber::Poll(uint64_t now_ms, bool admit) {
  while (admit) {
    std::optional<GrabScheduler::Started> started = scheduler_.Next(now_ms);
    if (!started) break;
    grabs_.push_back(std::make_unique<Grab>(*this, *std::move(started)));
    Grab& g = *grabs_.back();
    g.self = std::prev(grabs_.end());
    const GrabTarget& t = g.grab.target;
    absl::StatusOr<TcpConnId> id = stack_.Connect(t.ip, t.port, &g, now_ms);
    if (id.ok()) {
      g.id = *id;
    } else {
      ++connect_errors_;
      g.closed = true;
      g.session->OnConnectFailed(GrabStatus::kUnknownError,
                                 absl::StrCat("userspace TCP: ", id.status().message()));
      MarkDirty(g);
    }
  }
  stack_.Tick(now_ms);
  if (now_ms >= next_sweep_ms_) {
    next_sweep_ms_ = now_ms + kSweepMs;
    for (const auto& g : grabs_) {
      if (!g->session->done()) g->session->Tick(now_ms);
      MarkDirty(*g);
    }
  }
  // Processing may call the stack, whose callbacks may add to dirty_.
  for (size_t i = 0; i < dirty_.size(); ++i) {
    Grab& g = *dirty_[i];
    g.dirty = false;
    Process(g, now_ms);
  }
  dirty_.clear();
  for (Grab* g : retired_) {
    scheduler_.Finished(g->grab.target, g->session->status());
    grabs_.erase(g->self);
  }
  retired_.clear();
}

void StackGrabber::AbortAll() {
  for (const auto& g : grabs_) {
    if (!g->closed) stack_.Abort(g->id);
  }
  dirty_.clear();
  retired_.clear();
  grabs_.clear();
}

}  // namespace tlsweep
