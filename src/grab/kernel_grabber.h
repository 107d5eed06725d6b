// `tlsweep grab` on kernel sockets: non-blocking connects and an epoll loop
// as the transport of a GrabDriver, for host lists from any scanner on
// machines where the kernel owns the NIC.
//
// The limits are GrabScheduler's, the grab's life GrabDriver's (the same as
// over tlsweep's userspace TCP). Each finished grab goes to the record sink
// as soon as its session is done, so an interrupted run leaves only
// complete records.
#ifndef TLSWEEP_GRAB_KERNEL_GRABBER_H_
#define TLSWEEP_GRAB_KERNEL_GRABBER_H_

#include <vector>

#include "absl/status/status.h"
#include "common/stop_token.h"
#include "grab/grab_input.h"
#include "grab/scheduler.h"
#include "tls/tls_context.h"

namespace tlsweep {

// Grabs every target, handing every finished grab to `sink`.
// Returns an error only for set-up failures (epoll); every per-target
// failure is a record with an error status. `stop` at kStopSending stops
// starting new grabs; at kStopNow those in flight are abandoned (a grab
// already done has its record).
absl::Status RunKernelGrab(const std::vector<GrabTarget>& targets,
                           const TlsContext& tls, const GrabOptions& options,
                           const StopToken& stop, const GrabRecordSink& sink,
                           GrabStats* stats);

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_KERNEL_GRABBER_H_
