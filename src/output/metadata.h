// The metadata JSON of every run, built in one place: `tlsweep scan` on
// DPDK ("dpdk"), its dry run ("dryrun"), `tlsweep run` ("run") and
// `tlsweep grab` ("grab"). Every key name of the metadata files is written
// here and nowhere else (docs/schema/ describes them); the runners hand in
// plain structs of what they counted, so a builder is tested without a NIC,
// a socket or a clock.
//
// The shape, shared by every mode: the run's own fields (version, mode,
// times, interrupted) at the top; a scan adds its plan (seed, group, shard,
// probe settings) and how far it got (complete, resume files) at the top
// too, and on DPDK the port and the counters; a grab's settings sit at the
// top for `grab` and under "grab" for `run`.
#ifndef TLSWEEP_OUTPUT_METADATA_H_
#define TLSWEEP_OUTPUT_METADATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/net_types.h"
#include "grab/scheduler.h"
#include "nlohmann/json.hpp"
#include "packet/parse.h"
#include "passive/analyzer.h"
#include "scan/response_handler.h"
#include "scan/scan_config.h"
#include "tcp/tcp_stack.h"
#include "tls/tls_context.h"

namespace tlsweep {

// The keys that readers of metadata files look up (`tlsweep report`); the
// builders write them under these names.
namespace metadata_key {
inline constexpr char kMode[] = "mode";
inline constexpr char kSeed[] = "seed";
inline constexpr char kPrime[] = "prime";
inline constexpr char kGenerator[] = "generator";
inline constexpr char kShard[] = "shard";
inline constexpr char kShards[] = "shards";
inline constexpr char kTargetPorts[] = "target_ports";
inline constexpr char kAddressesAllowed[] = "addresses_allowed";
inline constexpr char kMaxTargets[] = "max_targets";
inline constexpr char kComplete[] = "complete";
inline constexpr char kInterrupted[] = "interrupted";
}  // namespace metadata_key

// The values of "mode".
inline constexpr char kModeDryrun[] = "dryrun";
inline constexpr char kModeDpdk[] = "dpdk";
inline constexpr char kModeRun[] = "run";
inline constexpr char kModeGrab[] = "grab";
inline constexpr char kModePassive[] = "passive";

// How a run went, in every mode.
struct RunSummary {
  std::string start_time;  // RFC 3339 (common/time_format.h)
  double duration_seconds = 0;
  bool interrupted = false;  // stopped by a signal
};

// How far a scan got: whether it covered its shard, and the resume files
// it read (--resume) and wrote (empty: none).
struct ScanProgress {
  bool complete = false;
  std::string resumed_from;
  std::string resume_file;
};

// The plan: what was scanned and how (seed, group, shard, targets and
// blocklist sizes, probe settings).
nlohmann::json PlanMetadata(const ScanPlan& plan);

// `tlsweep scan --dryrun`: the plan, the run and the probes built.
nlohmann::json DryrunMetadata(const ScanPlan& plan, const RunSummary& run,
                              const ScanProgress& progress, uint64_t packets_built);

// The DPDK port a scan ran on.
struct DpdkPortInfo {
  uint16_t port = 0;
  std::string driver;
  MacAddress mac;
  uint16_t queues = 0;
  std::string eal_args;  // the EAL's command line, space-separated
};

// The NIC's own counters (rte_eth_stats) at the end of the scan.
struct NicCounters {
  uint64_t ipackets = 0;
  uint64_t opackets = 0;
  uint64_t imissed = 0;
  uint64_t ierrors = 0;
  uint64_t oerrors = 0;
  uint64_t rx_nombuf = 0;
  uint64_t ring_drops = 0;  // af_packet: the kernel's drops, its ring full
  std::string rx_drops_counted = "imissed";  // runner/packet_io.h PortStats
};

// What a DPDK scan counted: the senders', the receive side's and the NIC's.
struct ScanCounters {
  uint64_t sent = 0;
  uint64_t tx_failed = 0;
  uint64_t mbuf_alloc_failed = 0;
  ReceiveCounters rx;
  uint64_t results_written = 0;
  uint64_t rst_sent = 0;
  uint64_t control_tx_failed = 0;
  uint64_t dedup_bytes = 0;
  NicCounters nic;
};

// One grab worker of `tlsweep run`: its TCP stack, its transmit failures,
// and the frames it could not parse.
struct GrabWorkerCounters {
  TcpStats tcp;
  uint64_t tx_failed = 0;
  uint64_t connect_errors = 0;
  uint64_t no_module = 0;
  ParseCounters parse;
  uint64_t raw_probes = 0;  // raw probes recorded (grab/raw_probe.h)
  GrabStatusCounts raw_probe_status{};
  // --enumerate (grab/enumeration.h): enumerations recorded, their
  // connections, those truncated.
  uint64_t enumerations = 0;
  uint64_t enumeration_connections = 0;
  uint64_t enumerations_truncated = 0;
};

// The grab pool of `tlsweep run`, its settings and every worker's counters.
struct GrabPoolSummary {
  uint64_t offered = 0;
  uint64_t not_grabbed = 0;
  uint64_t queue_full = 0;
  uint64_t finished = 0;
  GrabStatusCounts by_status{};
  uint64_t segments_dropped = 0;
  uint32_t grab_lcores = 0;
  std::string overflow = "pause";  // --grab-overflow
  uint64_t scan_pauses = 0;        // times the senders paused for the backlog
  double scan_paused_seconds = 0;
  uint64_t peak_waiting = 0;       // most open ports queued for the workers
  uint16_t port_first = 0;
  uint16_t port_last = 0;
  uint64_t tcp_bytes_per_connection = 0;
  std::vector<GrabWorkerCounters> workers;
  nlohmann::json settings;  // GrabSettingsMetadata()
};

// A DPDK scan: the plan, the run, the port, the counters; with `grab`, the
// run is `tlsweep run` and the pool's half goes under "grab".
// The periodic checkpoints of a DPDK scan or run (scan/resume.h).
// CheckpointSummary::off_reason: taken, or why not.
inline constexpr std::string_view kCheckpointOn = "";
inline constexpr std::string_view kCheckpointIntervalZero = "interval-0";
inline constexpr std::string_view kCheckpointOutputNotAFile = "output-not-a-file";
// The open-port journal beside the checkpoints (scan/journal.h): kept
// whenever checkpoints are.
struct JournalSummary {
  std::string file;          // "" when none was kept
  uint64_t entries = 0;      // open ports appended by this run
  uint64_t writes = 0;       // write(2) calls (one per RX burst with new open ports)
  uint64_t bytes = 0;        // its length at the end (a resumed run appends)
  std::string error;         // the first write error ("" = none)
  // --resume: the entries past the checkpoint's offset that were read,
  // those of them grabbed (run) or written (scan) again (the others were
  // in the checkpoint already), and bytes past the offset that were not
  // whole, valid entries (a torn entry, a power cut's zeros).
  uint64_t resume_read = 0;
  uint64_t resume_taken = 0;
  uint64_t resume_damaged_bytes = 0;
};

struct CheckpointSummary {
  uint32_t interval_ms = 0;  // --checkpoint-interval; 0: none
  std::string file;          // where they went ("" = none taken: -o was not a file)
  double answer_window_s = 0;
  uint64_t written = 0;
  uint64_t failed = 0;
  // Why no checkpoint was taken (kCheckpointOn when they were): without
  // -o FILE there is no output to fsync and cut back, so a kill -9 cannot
  // be resumed; the metadata says so instead of leaving it to be guessed.
  std::string_view off_reason = kCheckpointOn;
  JournalSummary journal = {};
};

struct DpdkScanSummary {
  RunSummary run;
  ScanProgress progress;
  double cooldown_seconds = 0;
  CheckpointSummary checkpoint;
  DpdkPortInfo port;
  MacAddress source_mac;
  MacAddress gateway_mac;
  uint64_t frame_bytes = 0;
  ScanCounters counters;
  std::optional<GrabPoolSummary> grab;
};
nlohmann::json DpdkScanMetadata(const ScanPlan& plan, const DpdkScanSummary& summary);

// The grab's settings (TLS profile, CA file, names, limits, timeouts), in
// both `grab` and `run`. `names_file` is --names' file (empty: none).
nlohmann::json GrabSettingsMetadata(const GrabOptions& options, TlsProfile profile,
                                    const std::string& ca_file, const std::string& names_file);

// `tlsweep grab`: the inputs, the grab's counters and its settings.
struct GrabRunSummary {
  RunSummary run;
  std::vector<std::string> inputs;
  uint64_t input_lines_skipped = 0;
  uint64_t targets = 0;
  GrabStats stats;
  nlohmann::json settings;  // GrabSettingsMetadata()
};
nlohmann::json GrabMetadata(const GrabRunSummary& summary);

// Writes `doc` to `path`, pretty-printed, atomically; the error names the
// path.
// One lcore of a passive capture on a DPDK port (nic/passive_rx.h).
struct PassiveLcoreStats {
  uint32_t lcore = 0;
  std::string role;          // "rx", "analyzer" or "rx+analyzer"
  int32_t rx_queue = -1;     // the queue it polls, -1 for none
  uint64_t packets = 0;      // received (rx) or analyzed (analyzer)
  uint64_t bytes = 0;
  uint64_t ring_drops = 0;   // software dispatch: its ring was full
  uint64_t oversize = 0;     // frames longer than any IPv4 packet, dropped
};

// How frames reached the analyzers of a passive capture on a DPDK port.
struct PassiveDpdkSummary {
  std::string eal_args;
  uint16_t port_id = 0;
  std::string driver;
  std::string dispatch;       // "single", "rss" or "software" (nic/passive_rx.h)
  uint16_t rx_queues = 0;
  uint32_t analyzers = 0;
  NicCounters port;           // the driver's counters at the end
  std::vector<PassiveLcoreStats> lcores;
  double active_seconds = 0;  // from the first frame received to the last
  double end_after_idle_seconds = 0;  // 0: only a stop ends the capture
  bool ended_idle = false;
};

// How a passive run over capture files or a DPDK port went.
struct PassiveRunSummary {
  RunSummary run;
  std::vector<std::string> inputs;
  bool capture_truncated = false;  // an input ended inside a record
  PassiveCounters counters;
  uint32_t max_flows = 0;
  uint64_t idle_timeout_seconds = 0;
  uint32_t reassembly_rings = 0;
  uint32_t reassembly_ring_bytes = 0;
  bool clients_anonymized = false;
  std::optional<PassiveDpdkSummary> dpdk;  // a capture on a DPDK port
};

// The passive metadata (docs/schema/passive_metadata.schema.json).
nlohmann::json PassiveMetadata(const PassiveRunSummary& summary);

absl::Status WriteJsonFile(const std::string& path, const nlohmann::json& doc);

}  // namespace tlsweep

#endif  // TLSWEEP_OUTPUT_METADATA_H_
