// Grabs over tlsweep's userspace TCP: the GrabScheduler's sessions on
// TcpStack connections, for the grabber lcores of `tlsweep run`.
//
// The same sessions as `tlsweep grab` on kernel sockets (GrabScheduler
// makes both) and the same GrabDriver, so a server gives the same record on
// either path. Plain C++: the DPDK side only feeds segments in, hands the
// stack a FrameSink and calls Poll(); tests drive it with an in-memory link.
#ifndef TLSWEEP_GRAB_STACK_GRABBER_H_
#define TLSWEEP_GRAB_STACK_GRABBER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "grab/grab_driver.h"
#include "grab/scheduler.h"
#include "tcp/tcp_stack.h"

namespace tlsweep {

// GrabTransport over a TcpStack: Close() sends FIN after the queued bytes
// and the connection is closed when the stack says so (FINs exchanged, a
// reset, a timeout); Abort() sends RST. A connection that closes before it
// was established failed to connect (refused, timed out).
class TcpStackTransport final : public GrabTransport {
 public:
  explicit TcpStackTransport(TcpStack& stack) : stack_(stack) {}

  absl::StatusOr<std::unique_ptr<GrabConnection>> Connect(const GrabTarget& target,
                                                          GrabEvents& events,
                                                          uint64_t now_ms) override;

 private:
  class Connection;
  TcpStack& stack_;
};

class StackGrabber {
 public:

  StackGrabber(TcpStack& stack, GrabScheduler& scheduler, GrabRecordSink sink);
  StackGrabber(const StackGrabber&) = delete;
  StackGrabber& operator=(const StackGrabber&) = delete;

  // Runs the stack's timers, then GrabDriver::Poll(): starts what the
  // scheduler allows (unless `admit` is false: stopping), sends what the
  // sessions queued, records and retires finished grabs.
  void Poll(uint64_t now_ms, bool admit = true);
  // Ends every grab at once (a second Ctrl-C): RST; records only for the
  // sessions that were already done.
  void AbortAll() { driver_.AbortAll(); }

  size_t in_flight() const { return driver_.in_flight(); }
  // Connections that failed to start: no slot or source port was free.
  uint64_t connect_errors() const { return driver_.connect_errors(); }

 private:
  TcpStack& stack_;
  TcpStackTransport transport_;
  GrabDriver driver_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_STACK_GRABBER_H_
