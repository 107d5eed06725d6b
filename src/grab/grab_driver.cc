#include "grab/grab_driver.h"

#include <utility>

namespace tlsweep {
namespace {

// A finished session's last bytes (QUIT, close_notify) get this long to
// leave and the connection this long to close; then it is aborted, so a
// peer that stops reading cannot hold a grab slot (commit 8a8bdd9).
constexpr uint64_t kLingerMs = 1000;
// Every grab's deadlines are checked this often; they are whole seconds.
constexpr uint64_t kSweepMs = 10;

}  // namespace

class GrabDriver::Grab final : public GrabEvents {
 public:
  Grab(GrabDriver& driver, GrabScheduler::Started started)
      : owner(driver), grab(std::move(started.grab)), session(std::move(started.session)) {}

  // A done session ignores its transport's events, so what the transport
  // reports after the driver's own Close() or Abort() changes no record.
  void OnConnected(uint64_t now_ms) override {
    session->OnConnected(now_ms);
    owner.MarkDirty(*this);
  }
  void OnConnectFailed(GrabStatus status, std::string error) override {
    session->OnConnectFailed(status, std::move(error));
    owner.MarkDirty(*this);
  }
  void OnData(std::string_view bytes, uint64_t now_ms) override {
    session->OnBytes(bytes, now_ms);
    owner.MarkDirty(*this);
  }
  void OnPeerClosed() override {
    session->OnPeerClosed();
    owner.MarkDirty(*this);
  }
  void OnWritable() override { owner.MarkDirty(*this); }
  void OnClosed() override {
    closed = true;
    owner.MarkDirty(*this);
  }

  GrabDriver& owner;
  QueuedGrab grab;
  std::unique_ptr<GrabSession> session;
  std::unique_ptr<GrabConnection> connection;  // null if it never started
  std::list<std::unique_ptr<Grab>>::iterator self;
  bool closing = false;   // Close() called: nothing more to send
  bool closed = false;    // the transport is done with the connection
  bool recorded = false;  // the record is written
  bool dirty = false;
  bool retired = false;
  uint64_t done_at_ms = 0;  // when the record was written
};

GrabDriver::GrabDriver(GrabTransport& transport, GrabScheduler& scheduler, GrabRecordSink sink)
    : transport_(transport), scheduler_(scheduler), sink_(std::move(sink)) {}

GrabDriver::~GrabDriver() = default;

void GrabDriver::MarkDirty(Grab& g) {
  if (g.dirty || g.retired) return;
  g.dirty = true;
  dirty_.push_back(&g);
}

void GrabDriver::Start(GrabScheduler::Started started, uint64_t now_ms) {
  grabs_.push_back(std::make_unique<Grab>(*this, std::move(started)));
  Grab& g = *grabs_.back();
  g.self = std::prev(grabs_.end());
  absl::StatusOr<std::unique_ptr<GrabConnection>> connection =
      transport_.Connect(g.grab.target, g, now_ms);
  if (connection.ok()) {
    g.connection = *std::move(connection);
  } else {
    ++connect_errors_;
    g.closed = true;
    g.session->OnConnectFailed(GrabStatus::kUnknownError,
                               std::string(connection.status().message()));
  }
  MarkDirty(g);
}

void GrabDriver::Flush(Grab& g) {
  std::string& out = g.session->outgoing();
  while (!out.empty()) {
    const std::optional<size_t> sent = g.connection->Send(out);
    if (!sent) {
      out.clear();  // the peer is gone; the session learns it now
      g.session->OnPeerClosed();
      return;
    }
    if (*sent == 0) return;  // no room: OnWritable, or the next sweep
    out.erase(0, *sent);
  }
}

void GrabDriver::Record(Grab& g) {
  g.recorded = true;
  sink_(g.session->Result(), g.grab.scan);
  scheduler_.Recorded(g.session->status());
}

void GrabDriver::Process(Grab& g, uint64_t now_ms) {
  GrabSession& s = *g.session;
  if (!g.closed && !g.closing && s.connected()) Flush(g);
  if (!s.done()) return;
  if (!g.recorded) {
    Record(g);
    g.done_at_ms = now_ms;
  }
  if (!g.closed) {
    if (!s.connected()) {
      g.connection->Abort();  // a connect deadline: stop retransmitting the SYN
    } else if (!g.closing && s.outgoing().empty()) {
      g.closing = true;
      g.connection->Close();
    } else if (now_ms - g.done_at_ms >= kLingerMs) {
      g.connection->Abort();
    }
  }
  if (g.closed && !g.retired) {
    g.retired = true;
    retired_.push_back(&g);
  }
}

void GrabDriver::Poll(uint64_t now_ms, bool admit) {
  if (now_ms >= next_sweep_ms_) {
    next_sweep_ms_ = now_ms + kSweepMs;
    for (const auto& g : grabs_) {
      g->session->Tick(now_ms);
      MarkDirty(*g);
    }
  }
  Advance(now_ms);
  if (!admit) return;
  // After Advance(), so the slots it freed go to waiting targets in this
  // same poll (with one grab at a time, a poll later would be an epoll
  // wait later); a grab that could not start is recorded at once.
  bool started = false;
  while (std::optional<GrabScheduler::Started> next = scheduler_.Next(now_ms)) {
    Start(*std::move(next), now_ms);
    started = true;
  }
  if (started) Advance(now_ms);
}

void GrabDriver::Advance(uint64_t now_ms) {
  // Processing calls the transport, whose events may add to dirty_.
  for (size_t i = 0; i < dirty_.size(); ++i) {
    Grab& g = *dirty_[i];
    g.dirty = false;
    Process(g, now_ms);
  }
  dirty_.clear();
  for (Grab* g : retired_) {
    scheduler_.Release(g->grab.target);
    grabs_.erase(g->self);
  }
  retired_.clear();
}

void GrabDriver::AbortAll() {
  for (const auto& g : grabs_) {
    if (g->session->done() && !g->recorded) Record(*g);
    if (!g->closed) g->connection->Abort();
    scheduler_.Release(g->grab.target);
  }
  dirty_.clear();
  retired_.clear();
  grabs_.clear();
}

}  // namespace tlsweep
