// One grab's life on any transport: start the scheduler's sessions, pass
// the transport's events to them, send what they queue, and once a session
// is done write its record, let its last bytes leave, close and retire it.
//
// `tlsweep grab` (kernel sockets, grab/kernel_grabber.cc) and the grab
// lcores of `tlsweep run` (tlsweep's userspace TCP, grab/stack_grabber.cc)
// both run their grabs through GrabDriver, so the two paths cannot drift:
// the same record, written at the same point, counted the same way. A
// transport is small: it connects, sends, closes or aborts, and reports
// what happened on each connection through GrabEvents.
//
// When the record is written: as soon as the session is done, before its
// last bytes (QUIT, close_notify) are flushed and the connection closed. A
// done session ignores every later event, so its record is final then.
// Writing it there means a second Ctrl-C, which abandons the grabs in
// flight, cannot lose a grab that had already ended but was still lingering
// (up to kLingerMs) for its connection to close; AbortAll() also writes the
// records of sessions that ended since the last Poll(). One flag, set where
// the record is written, keeps it from being written twice.
//
// Raw probes (--raw-probes, grab/raw_probe.h): once a grab's own connection
// is closed and its dialogue got as far as TLS, the driver opens one more
// connection per profile, one after the other (one ClientHello per
// connection; never two connections of the same grab at once, so the
// per-host limit still holds), in the grab's slot; the record is then
// written when the last probe is done, with every probe's result. A second
// Ctrl-C records the grab with the probes that had ended.
//
// Enumeration (--enumerate, grab/enumeration.h) follows the raw probes the
// same way: one connection per offer, one at a time, in the grab's slot,
// spaced per address by the scheduler; the record holds its result. A
// second Ctrl-C records it as far as it got (truncated, "aborted").
#ifndef TLSWEEP_GRAB_GRAB_DRIVER_H_
#define TLSWEEP_GRAB_GRAB_DRIVER_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "grab/grab_input.h"
#include "grab/scheduler.h"
#include "proto/module.h"

namespace tlsweep {

// What a transport reports about one connection. The driver implements it
// per grab; every call may come from inside the transport's own calls
// (Connect, Close, Abort) as well as from its event loop.
class GrabEvents {
 public:
  virtual void OnConnected(uint64_t now_ms) = 0;
  // Refused, timed out or unreachable; `error` is the transport's reason.
  virtual void OnConnectFailed(GrabStatus status, std::string error) = 0;
  virtual void OnData(std::string_view bytes, uint64_t now_ms) = 0;
  // The peer closed or reset the connection: no more OnData.
  virtual void OnPeerClosed() = 0;
  // Room to send again after a Send() that took less than it was offered.
  virtual void OnWritable() = 0;
  // The transport is done with the connection: the last call.
  virtual void OnClosed() = 0;

 protected:
  ~GrabEvents() = default;
};

// The transport's side of one connection.
class GrabConnection {
 public:
  virtual ~GrabConnection() = default;
  // How many leading bytes of `bytes` were taken (0: no room now), or
  // nullopt when the connection has failed and can send nothing more.
  virtual std::optional<size_t> Send(std::string_view bytes) = 0;
  // An orderly close after the bytes taken; OnClosed follows, at once or
  // when the peer has acknowledged.
  virtual void Close() = 0;
  // Ends the connection now; OnClosed is called before this returns.
  virtual void Abort() = 0;
};

class GrabTransport {
 public:
  virtual ~GrabTransport() = default;
  // Starts connecting to `target`; the connection reports to `events` until
  // OnClosed. An error when no connection could be started (no socket, no
  // free slot or source port): the grab is then recorded with it.
  virtual absl::StatusOr<std::unique_ptr<GrabConnection>> Connect(const GrabTarget& target,
                                                                  GrabEvents& events,
                                                                  uint64_t now_ms) = 0;
};

class GrabDriver {
 public:
  GrabDriver(GrabTransport& transport, GrabScheduler& scheduler, GrabRecordSink sink);
  ~GrabDriver();
  GrabDriver(const GrabDriver&) = delete;
  GrabDriver& operator=(const GrabDriver&) = delete;

  // Moves forward the grabs the transport reported on since the last poll,
  // plus every grab once per kSweepMs for its deadlines, so a poll costs
  // what happened, not how many grabs are in flight; then starts what the
  // scheduler allows (unless `admit` is false: stopping).
  void Poll(uint64_t now_ms, bool admit);
  // Ends every grab at once (a second Ctrl-C): the sessions that are done
  // have their records, the others are abandoned without one.
  void AbortAll();

  // Grabs started and not yet retired (their connections not yet closed).
  size_t in_flight() const { return grabs_.size(); }
  // Connections the transport could not start.
  uint64_t connect_errors() const { return connect_errors_; }

 private:
  class Grab;
  void Start(GrabScheduler::Started started, uint64_t now_ms);
  // Processes the dirty grabs, then retires those whose connections are gone.
  void Advance(uint64_t now_ms);
  // Flushes a grab's output; once its session is done, records it, closes
  // its connection and, when the connection is gone, queues it for
  // retirement.
  void Process(Grab& grab, uint64_t now_ms);
  // Sends what `out` holds as far as the connection takes it; false when
  // the connection can send nothing more (the peer is gone).
  bool Flush(Grab& grab, std::string& out);
  // Flushes the current connection's session and, once it is done, closes
  // the connection (or aborts it: a connect deadline, the linger expired).
  template <typename Session>
  void DriveConnection(Grab& grab, Session& session, uint64_t now_ms);
  bool WantsRawProbes(const Grab& grab) const;
  // --enumerate and the enumeration has an offer left (makes the grab's
  // Enumerator the first time).
  bool WantsEnumeration(Grab& grab);
  // Raw probes or enumeration offers are still to come.
  bool WantsMore(Grab& grab);
  // Opens the next raw probe's connection (grab/raw_probe.h).
  void StartRawProbe(Grab& grab, uint64_t now_ms);
  // Opens the enumeration's pending offer's connection (grab/enumeration.h).
  void StartEnumerationProbe(Grab& grab, uint64_t now_ms);
  // Opens g's connection; on failure counts it, marks g closed and returns
  // the transport's reason.
  std::optional<std::string> Connect(Grab& grab, uint64_t now_ms);
  // Connects the grab's new g.probe in place of its closed connection.
  void ConnectProbe(Grab& grab, uint64_t now_ms);
  // Writes the record and counts its status: once per grab.
  void Record(Grab& grab);
  void MarkDirty(Grab& grab);

  GrabTransport& transport_;
  GrabScheduler& scheduler_;
  GrabRecordSink sink_;
  std::list<std::unique_ptr<Grab>> grabs_;
  std::vector<Grab*> dirty_;    // reported on (or swept) since the last poll
  std::vector<Grab*> retired_;  // recorded and closed: removed at the poll's end
  uint64_t next_sweep_ms_ = 0;
  uint64_t connect_errors_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_GRAB_DRIVER_H_
