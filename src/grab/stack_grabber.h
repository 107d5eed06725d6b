// Grabs over tlsweep's userspace TCP: the GrabScheduler's sessions on
// TcpStack connections, for the grabber lcores of `tlsweep run`.
//
// The same sessions as `tlsweep grab` on kernel sockets (GrabScheduler
// makes both), so a server gives the same record on either path. Plain
// C++: the DPDK side only feeds segments in, hands the stack a FrameSink
// and calls Poll(); tests drive it with an in-memory link.
#ifndef TLSWEEP_GRAB_STACK_GRABBER_H_
#define TLSWEEP_GRAB_STACK_GRABBER_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "grab/scheduler.h"
#include "tcp/tcp_stack.h"

namespace tlsweep {

class StackGrabber {
 public:
  StackGrabber(TcpStack& stack, GrabScheduler& scheduler, GrabRecordSink sink);
  ~StackGrabber();
  StackGrabber(const StackGrabber&) = delete;
  StackGrabber& operator=(const StackGrabber&) = delete;

  // Starts what the scheduler allows (unless `admit` is false: stopping),
  // runs the stack's timers, sends what the sessions queued and retires
  // finished grabs. Only grabs the stack called back since the last poll
  // are visited, plus every grab once per kSweepMs for its deadlines, so a
  // poll costs what happened, not how many grabs are in flight.
  void Poll(uint64_t now_ms, bool admit = true);
  // Ends every grab at once (a second Ctrl-C): RST, no records.
  void AbortAll();

  size_t in_flight() const { return grabs_.size(); }
  // Connections that failed to start: no slot or source port was free.
  uint64_t connect_errors() const { return connect_errors_; }

 private:
  class Grab;
  // Flushes a grab's output, writes its record once it is done, closes its
  // connection; queues it for retirement once the connection is gone.
  void Process(Grab& grab, uint64_t now_ms);
  void MarkDirty(Grab& grab);

  TcpStack& stack_;
  GrabScheduler& scheduler_;
  GrabRecordSink sink_;
  std::list<std::unique_ptr<Grab>> grabs_;
  std::vector<Grab*> dirty_;    // called back (or swept) since the last poll
  std::vector<Grab*> retired_;  // done and closed: removed at the poll's end
  uint64_t next_sweep_ms_ = 0;
  uint64_t connect_errors_ = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_STACK_GRABBER_H_
