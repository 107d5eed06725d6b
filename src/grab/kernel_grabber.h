// `tlsweep grab` on kernel sockets: non-blocking connects and an epoll loop
// driving one GrabSession per connection, for host lists from any scanner on
// machines where the kernel owns the NIC.
//
// The limits are GrabScheduler's. Each finished grab is written as one
// whole JSON line, so an interrupted run leaves only complete records.
#ifndef TLSWEEP_GRAB_KERNEL_GRABBER_H_
#define TLSWEEP_GRAB_KERNEL_GRABBER_H_

#include <cstdio>
#include <vector>

#include "absl/status/status.h"
#include "common/stop_token.h"
#include "grab/grab_input.h"
#include "grab/scheduler.h"
#include "tls/tls_context.h"

namespace tlsweep {

// Grabs every target, writing one JSON line per finished grab to `out`.
// Returns an error only for set-up failures (epoll); every per-target
// failure is a record with an error status. `stop` at kStopSending stops
// starting new grabs; at kStopNow those in flight are abandoned.
absl::Status RunKernelGrab(const std::vector<GrabTarget>& targets,
                           const TlsContext& tls, const GrabOptions& options,
                           const StopToken& stop,
                           std::FILE* out, GrabStats* stats);

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_KERNEL_GRABBER_H_
