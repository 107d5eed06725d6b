#include "grab/grab_driver.h"

#include <concepts>
#include <string>
#include <utility>

namespace tlsweep {
namespace {

// A finished session's last bytes (QUIT, close_notify) get this long to
// leave and the connection this long to close; then it is aborted, so a
// peer that stops reading cannot hold a grab slot (commit 8a8bdd9).
constexpr uint64_t kLingerMs = 1000;
// Every grab's deadlines are checked this often; they are whole seconds.
constexpr uint64_t kSweepMs = 10;

// What the driver asks of the session of a connection: the grab's own
// (GrabSession) and each raw probe's (RawProbeSession) take the same
// transport events and hold the same outgoing bytes, so one code path
// drives either (DriveConnection, the events, the deadline sweep).
template <typename S>
concept ConnectionSession = requires(S& s, std::string_view bytes, uint64_t now_ms,
                                     GrabStatus status, std::string error) {
  s.OnConnected(now_ms);
  s.OnConnectFailed(status, std::move(error));
  s.OnBytes(bytes, now_ms);
  s.OnPeerClosed();
  s.Tick(now_ms);
  { s.outgoing() } -> std::same_as<std::string&>;
  { s.done() } -> std::same_as<bool>;
  { s.connected() } -> std::same_as<bool>;
};
static_assert(ConnectionSession<GrabSession>);
static_assert(ConnectionSession<RawProbeSession>);

}  // namespace

class GrabDriver::Grab final : public GrabEvents {
 public:
  Grab(GrabDriver& driver, GrabScheduler::Started started)
      : owner(driver), grab(std::move(started.grab)), session(std::move(started.session)) {}

  // Calls `f` with the session of the current connection: the raw probe's
  // while one runs, else the grab's own.
  template <typename F>
  void WithCurrent(F&& f) {
    if (probe) {
      f(*probe);
    } else {
      f(*session);
    }
  }

  // A done session ignores its transport's events, so what the transport
  // reports after the driver's own Close() or Abort() changes no record.
  void OnConnected(uint64_t now_ms) override {
    WithCurrent([&](ConnectionSession auto& s) { s.OnConnected(now_ms); });
    owner.MarkDirty(*this);
  }
  void OnConnectFailed(GrabStatus status, std::string error) override {
    WithCurrent([&](ConnectionSession auto& s) { s.OnConnectFailed(status, std::move(error)); });
    owner.MarkDirty(*this);
  }
  void OnData(std::string_view bytes, uint64_t now_ms) override {
    WithCurrent([&](ConnectionSession auto& s) { s.OnBytes(bytes, now_ms); });
    owner.MarkDirty(*this);
  }
  void OnPeerClosed() override {
    WithCurrent([](ConnectionSession auto& s) { s.OnPeerClosed(); });
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
  // The raw probe whose connection is current (null: the grab's own), the
  // next profile to run and the results of those that ended.
  std::unique_ptr<RawProbeSession> probe;
  size_t next_probe = 0;
  std::vector<RawProbeResult> probe_results;
  // --enumerate: made when the raw probes are done; `probe` is then its
  // offer's while `enumerating`.
  std::unique_ptr<Enumerator> enumerator;
  bool enumerating = false;
  std::unique_ptr<GrabConnection> connection;  // null if it never started
  std::list<std::unique_ptr<Grab>>::iterator self;
  // Of the current connection (the grab's own, then each probe's).
  bool closing = false;   // Close() called: nothing more to send
  bool closed = false;    // the transport is done with the connection
  bool ended = false;     // its session is done
  uint64_t done_at_ms = 0;  // when its session was seen done
  bool recorded = false;  // the record is written
  bool dirty = false;
  bool retired = false;
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
  if (std::optional<std::string> error = Connect(g, now_ms)) {
    g.session->OnConnectFailed(GrabStatus::kUnknownError, *std::move(error));
  }
  MarkDirty(g);
}

std::optional<std::string> GrabDriver::Connect(Grab& g, uint64_t now_ms) {
  absl::StatusOr<std::unique_ptr<GrabConnection>> connection =
      transport_.Connect(g.grab.target, g, now_ms);
  if (connection.ok()) {
    g.connection = *std::move(connection);
    return std::nullopt;
  }
  ++connect_errors_;
  g.closed = true;
  return std::string(connection.status().message());
}

bool GrabDriver::Flush(Grab& g, std::string& out) {
  while (!out.empty()) {
    const std::optional<size_t> sent = g.connection->Send(out);
    if (!sent) {
      out.clear();  // the peer is gone; the caller tells its session
      return false;
    }
    if (*sent == 0) return true;  // no room: OnWritable, or the next sweep
    out.erase(0, *sent);
  }
  return true;
}

void GrabDriver::Record(Grab& g) {
  g.recorded = true;
  GrabResult result = g.session->Result();
  result.raw_probes = std::move(g.probe_results);
  if (g.enumerator != nullptr) {
    result.enumeration = g.enumerator->Result();
    scheduler_.EnumerationRecorded(*result.enumeration);
  }
  sink_(result, g.grab.scan);
  scheduler_.Recorded(g.session->status());
}

bool GrabDriver::WantsRawProbes(const Grab& g) const {
  // Only servers that got as far as TLS: a port that refused, timed out or
  // never offered STARTTLS would answer each probe the same way, so the
  // probes would be connections spent on nothing.
  return g.next_probe < scheduler_.raw_probe_count() && g.session->tls_started();
}

bool GrabDriver::WantsEnumeration(Grab& g) {
  // As for raw probes: only servers whose dialogue got as far as TLS.
  if (!scheduler_.enumeration().enabled || !g.session->tls_started()) return false;
  if (g.enumerator == nullptr) {
    g.enumerator = std::make_unique<Enumerator>(scheduler_.enumeration());
  }
  return g.enumerator->Pending() != nullptr;
}

bool GrabDriver::WantsMore(Grab& g) { return WantsRawProbes(g) || WantsEnumeration(g); }

template <typename Session>
void GrabDriver::DriveConnection(Grab& g, Session& s, uint64_t now_ms) {
  if (!g.closed && !g.closing && s.connected() && !Flush(g, s.outgoing())) s.OnPeerClosed();
  if (!s.done()) return;
  if (!g.ended) {
    g.ended = true;
    g.done_at_ms = now_ms;
  }
  if (g.closed) return;
  if (!s.connected()) {
    g.connection->Abort();  // a connect deadline: stop retransmitting the SYN
  } else if (!g.closing && s.outgoing().empty()) {
    g.closing = true;
    g.connection->Close();
  } else if (now_ms - g.done_at_ms >= kLingerMs) {
    g.connection->Abort();
  }
}

void GrabDriver::StartRawProbe(Grab& g, uint64_t now_ms) {
  g.probe = scheduler_.MakeRawProbe(g.grab.target, g.next_probe++, now_ms);
  ConnectProbe(g, now_ms);
}

void GrabDriver::StartEnumerationProbe(Grab& g, uint64_t now_ms) {
  g.enumerating = true;
  g.enumerator->Started(now_ms);
  g.probe = scheduler_.MakeProbe(g.grab.target, *g.enumerator->Pending(), now_ms);
  ConnectProbe(g, now_ms);
}

void GrabDriver::ConnectProbe(Grab& g, uint64_t now_ms) {
  g.connection.reset();  // the last one is closed: its transport is done with it
  g.closing = g.closed = g.ended = false;
  if (std::optional<std::string> error = Connect(g, now_ms)) {
    g.probe->OnConnectFailed(GrabStatus::kUnknownError, *std::move(error));
  }
  MarkDirty(g);
}

void GrabDriver::Process(Grab& g, uint64_t now_ms) {
  if (g.probe == nullptr) {
    DriveConnection(g, *g.session, now_ms);
    if (!g.session->done()) return;
    // The record is written as soon as the session is done, unless raw
    // probes follow: then once the last of them is done.
    if (!g.recorded && !WantsMore(g)) Record(g);
  } else {
    DriveConnection(g, *g.probe, now_ms);
    if (!g.probe->done()) return;
  }
  if (!g.closed) return;
  if (g.probe != nullptr) {
    if (g.enumerating) {
      g.enumerator->OnChoice(g.probe->Choice(), now_ms);
    } else {
      g.probe_results.push_back(g.probe->Result());
      scheduler_.RawProbeRecorded(g.probe_results.back().status);
    }
    g.probe.reset();
  }
  if (!g.recorded) {
    if (WantsRawProbes(g)) {
      // Each probe is a new connection: it waits for the connect-rate
      // budget like a grab does (the sweep retries).
      if (scheduler_.AcquireConnection(now_ms)) StartRawProbe(g, now_ms);
      return;
    }
    if (WantsEnumeration(g)) {
      // Also spaced per address (EnumerationOptions::interval_ms).
      if (scheduler_.AcquireEnumerationConnection(g.grab.target, now_ms)) {
        StartEnumerationProbe(g, now_ms);
      }
      return;
    }
    Record(g);
  }
  if (!g.retired) {
    g.retired = true;
    retired_.push_back(&g);
  }
}

void GrabDriver::Poll(uint64_t now_ms, bool admit) {
  if (now_ms >= next_sweep_ms_) {
    next_sweep_ms_ = now_ms + kSweepMs;
    for (const auto& g : grabs_) {
      g->WithCurrent([now_ms](ConnectionSession auto& s) { s.Tick(now_ms); });
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
    // A grab in its raw probes is recorded with the probes that ended.
    if (g->probe != nullptr && g->probe->done()) {
      if (g->enumerating) {
        g->enumerator->OnChoice(g->probe->Choice(), 0);
      } else {
        g->probe_results.push_back(g->probe->Result());
        scheduler_.RawProbeRecorded(g->probe_results.back().status);
      }
    }
    // An enumeration is recorded as far as it got.
    if (g->enumerator != nullptr) g->enumerator->Stop("aborted");
    if (g->session->done() && !g->recorded) Record(*g);
    if (!g->closed) g->connection->Abort();
    scheduler_.Release(g->grab.target);
  }
  dirty_.clear();
  retired_.clear();
  grabs_.clear();
}

}  // namespace tlsweep
