// Which grab starts next, for any transport: a queue of targets and the
// limits ZGrab2 users expect (grabs in flight, new connections per second,
// grabs in flight per address, so a host with twelve open ports is not hit
// by twelve handshakes together), plus the per-status counts.
//
// `tlsweep grab` (kernel sockets) and the grabber lcores of `tlsweep run`
// (userspace TCP on DPDK) both start sessions through it, so the two paths
// make the same sessions with the same modules and limits.
#ifndef TLSWEEP_GRAB_SCHEDULER_H_
#define TLSWEEP_GRAB_SCHEDULER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "grab/grab_input.h"
#include "grab/session.h"
#include "nlohmann/json.hpp"
#include "proto/module.h"
#include "proto/registry.h"
#include "scan/rate_limiter.h"
#include "scan/response_handler.h"
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
  // SNI, name check and XMPP to= for targets whose input line names none:
  // the name of their address in `names`, else `server_name` ("" = none).
  ServerNames names;
  std::string server_name;
  bool quiet = false;
};

// Grabs finished, by status (indexed by GrabStatus).
using GrabStatusCounts = std::array<uint64_t, kGrabStatusCount>;

struct GrabStats {
  uint64_t started = 0;
  uint64_t finished = 0;
  uint64_t no_module = 0;  // targets on a port with no module (skipped)
  GrabStatusCounts by_status{};
};

// One grab to run: where, and for `tlsweep run` the scan answer that found
// it (its fields go into the record).
struct QueuedGrab {
  GrabTarget target;
  std::optional<ScanResult> scan;
};

class GrabScheduler {
 public:
  GrabScheduler(const TlsContext& tls, const GrabOptions& options);

  // Starts the connect-rate clock (milliseconds).
  void Start(uint64_t now_ms) { limiter_.Start(now_ms); }
  void Push(QueuedGrab grab) { ready_.push_back(std::move(grab)); }
  // Takes the oldest waiting grab without starting it (when stopping).
  std::optional<QueuedGrab> Pop();
  size_t queued() const { return ready_.size(); }
  size_t in_flight() const { return in_flight_; }

  struct Started {
    QueuedGrab grab;
    std::unique_ptr<GrabSession> session;
  };
  // The next grab allowed to start now, with its session, or nothing: all
  // slots busy, the rate limit reached, or every queued target's address at
  // its per-host limit. Targets on a port with no module are counted and
  // dropped.
  std::optional<Started> Next(uint64_t now_ms);
  // A started grab's connection is gone: frees its slots, counts its status.
  void Finished(const GrabTarget& target, GrabStatus status);

  const GrabStats& stats() const { return stats_; }

 private:
  const TlsContext& tls_;
  const GrabOptions& options_;
  RateLimiter limiter_;
  std::deque<QueuedGrab> ready_;
  size_t in_flight_ = 0;
  absl::flat_hash_map<uint32_t, size_t> per_host_;
  GrabStats stats_;
};

// The record line of a finished grab: the session's record, with the scan's
// answer under "scan" when there is one, as one JSON line ending in '\n'.
std::string GrabRecordLine(const GrabSession& session, const std::optional<ScanResult>& scan);
// The record of an open port that was not grabbed: {"ip", "port", "scan",
// "not_grabbed": reason} ("queue-full", "interrupted").
std::string NotGrabbedRecordLine(const ScanResult& scan, std::string_view reason);

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_SCHEDULER_H_
