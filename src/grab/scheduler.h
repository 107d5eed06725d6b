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
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "grab/enumeration.h"
#include "grab/grab_input.h"
#include "grab/raw_probe.h"
#include "grab/session.h"
#include "nlohmann/json.hpp"
#include "proto/module.h"
#include "proto/registry.h"
#include "scan/rate_limiter.h"
#include "scan/response_handler.h"
#include "tls/client_hello.h"
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
  // Raw ClientHello probes (grab/raw_probe.h), one connection each after
  // the grab itself, in this order; empty: none (--raw-probes).
  std::vector<ClientHelloProfile> raw_probes;
  // Version and suite enumeration after the raw probes (--enumerate,
  // grab/enumeration.h).
  EnumerationOptions enumeration;
  bool quiet = false;
};

// Grabs finished, by status (indexed by GrabStatus).
using GrabStatusCounts = std::array<uint64_t, kGrabStatusCount>;

struct GrabStats {
  uint64_t started = 0;
  uint64_t finished = 0;   // records written
  uint64_t no_module = 0;  // targets on a port with no module (skipped)
  GrabStatusCounts by_status{};
  // Raw probes recorded, by their own status (a probe is one connection).
  uint64_t raw_probes = 0;
  GrabStatusCounts raw_probe_status{};
  // Enumerations recorded, their connections, and those truncated.
  uint64_t enumerations = 0;
  uint64_t enumeration_connections = 0;
  uint64_t enumerations_truncated = 0;
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
  // A started grab's record is written: counts it by status.
  void Recorded(GrabStatus status);

  // Raw probes per grab (options.raw_probes).
  size_t raw_probe_count() const { return options_.raw_probes.size(); }
  const EnumerationOptions& enumeration() const { return options_.enumeration; }
  // Probe `index` of a started grab's target, with the same module, name and
  // deadlines as the grab's session.
  std::unique_ptr<RawProbeSession> MakeRawProbe(const GrabTarget& target, size_t index,
                                                uint64_t now_ms) const;
  // A probe of `target` with `profile` (which must outlive it): an
  // enumeration's offer (grab/enumeration.h).
  std::unique_ptr<RawProbeSession> MakeProbe(const GrabTarget& target,
                                             const ClientHelloProfile& profile,
                                             uint64_t now_ms) const;
  // One enumeration connection to `target`: false until its address's last
  // one is options.enumeration.interval_ms old, or while the connect-rate
  // budget is spent. The spacing is per address, across its ports.
  bool AcquireEnumerationConnection(const GrabTarget& target, uint64_t now_ms);
  // An enumeration is in its grab's record: counts it and its connections.
  void EnumerationRecorded(const EnumerationResult& enumeration);
  // Takes one new connection from the connect-rate budget (--connect-rate
  // counts every connection, the probes' too); false: not now.
  bool AcquireConnection(uint64_t now_ms) { return limiter_.Acquire(now_ms, 1) != 0; }
  // A probe's result is in its grab's record: counts it by status.
  void RawProbeRecorded(GrabStatus status);
  // A started grab's connection is gone (or abandoned): frees its slots.
  void Release(const GrabTarget& target);
  // Addresses with grabs in flight (each holds one entry of the per-host
  // limit's table until its last grab is released).
  size_t hosts_in_flight() const { return per_host_.size(); }

  const GrabStats& stats() const { return stats_; }

 private:
  // The name a target's grab uses: its input's, its address's, else
  // --server-name.
  const std::string& ServerName(const GrabTarget& target) const;
  ModuleOptions MakeModuleOptions(const GrabTarget& target) const;

  const TlsContext& tls_;
  const GrabOptions& options_;
  RateLimiter limiter_;
  std::deque<QueuedGrab> ready_;
  size_t in_flight_ = 0;
  absl::flat_hash_map<uint32_t, size_t> per_host_;
  // When each address may get its next enumeration connection; an entry
  // lives while the address has grabs in flight (erased with per_host_'s).
  absl::flat_hash_map<uint32_t, uint64_t> enumeration_next_ms_;
  GrabStats stats_;
};

// Takes each finished grab, with the scan's answer that found it when there
// is one (`tlsweep run`); output/record_json.h turns them into a record.
using GrabRecordSink =
    std::function<void(const GrabResult& grab, const std::optional<ScanResult>& scan)>;

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_SCHEDULER_H_
