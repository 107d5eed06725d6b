// `tlsweep grab` on kernel sockets: non-blocking connects and an epoll loop
// driving one GrabSession per connection, for host lists from any scanner on
// machines where the kernel owns the NIC.
//
// Limits, as ZGrab2 users expect: how many grabs are in flight at once, how
// many new connections start per second, and how many run against one
// address at once (so a host with twelve open ports is not hit by twelve
// handshakes together). Each finished grab is written as one whole JSON
// line, so an interrupted run leaves only complete records.
#ifndef TLSWEEP_GRAB_KERNEL_GRABBER_H_
#define TLSWEEP_GRAB_KERNEL_GRABBER_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grab/grab_input.h"
#include "grab/session.h"
#include "proto/module.h"
#include "proto/registry.h"
#include "tls/tls_context.h"

namespace tlsweep {

struct GrabOptions {
  // ZGrab2's default number of concurrent senders.
  size_t concurrency = 1000;
  uint64_t connect_rate = 0;  // new connections per second; 0 = no limit
  // Concurrent grabs per address: enough for a mail host's usual 3-4 ports
  // at once, few enough not to look like a flood to one server.
  size_t per_host = 4;
  GrabTimeouts timeouts;
  ModuleOptions module_options;
  PortModuleMap ports = PortModuleMap::Defaults();
  // SNI, name check and XMPP to= for targets whose input line names none;
  // "" = none.
  std::string server_name;
  bool quiet = false;
};

struct GrabStats {
  uint64_t started = 0;
  uint64_t finished = 0;
  uint64_t no_module = 0;  // targets on a port with no module (skipped)
  std::map<std::string, uint64_t> by_status;
};

// Grabs every target, writing one JSON line per finished grab to `out`.
// Returns an error only for set-up failures (epoll); every per-target
// failure is a record with an error status. SIGINT (scan/stop_signal.h)
// stops starting new grabs; a second one abandons those in flight.
absl::Status RunKernelGrab(const std::vector<GrabTarget>& targets,
                           const TlsContext& tls, const GrabOptions& options,
                           std::FILE* out, GrabStats* stats);

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_KERNEL_GRABBER_H_
