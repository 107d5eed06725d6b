#include "output/metadata.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/atomic_file.h"
#include "common/time_format.h"
#include "validate/validator.h"

namespace tlsweep {
namespace {

// The fields of every mode. end_time is when the metadata is built, which
// is when the run ended: every runner builds it last.
nlohmann::json RunFields(std::string_view mode, const RunSummary& run) {
  return {
      {"tlsweep_version", TLSWEEP_VERSION},
      {metadata_key::kMode, mode},
      {"start_time", run.start_time},
      {"end_time", Rfc3339Now()},
      {"duration_seconds", run.duration_seconds},
      {metadata_key::kInterrupted, run.interrupted},
  };
}

// A scan's plan, run and progress, at the top level.
nlohmann::json ScanRunFields(const ScanPlan& plan, std::string_view mode, const RunSummary& run,
                             const ScanProgress& progress) {
  nlohmann::json meta = PlanMetadata(plan);
  meta.update(RunFields(mode, run));
  meta[metadata_key::kComplete] = progress.complete;
  meta["resumed_from"] = progress.resumed_from;
  meta["resume_file"] = progress.resume_file;
  return meta;
}

// {status name: count} for the statuses that occurred.
nlohmann::json GrabStatusCountsJson(const GrabStatusCounts& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] != 0) out[std::string(GrabStatusName(static_cast<GrabStatus>(i)))] = counts[i];
  }
  return out;
}

// {parse result name: count} for every kind of dropped frame; with
// `nonzero_only`, only those that occurred.
nlohmann::json ParseDropsJson(const ParseCounters& parse, bool nonzero_only) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = static_cast<size_t>(ParseResult::kTruncated);
       i < static_cast<size_t>(ParseResult::kCount); ++i) {
    if (nonzero_only && parse.by_result[i] == 0) continue;
    out[std::string(ParseResultName(static_cast<ParseResult>(i)))] = parse.by_result[i];
  }
  return out;
}

nlohmann::json ScanCountersJson(const ScanCounters& c) {
  const ReceiveCounters& rx = c.rx;
  nlohmann::json validate_drops = nlohmann::json::object();
  for (size_t i = 1; i < static_cast<size_t>(ValidateResult::kCount); ++i) {
    validate_drops[std::string(ValidateResultName(static_cast<ValidateResult>(i)))] =
        rx.validate.by_result[i];
  }
  return {
      {"sent", c.sent},
      {"tx_failed", c.tx_failed},
      {"mbuf_alloc_failed", c.mbuf_alloc_failed},
      {"frames_received", rx.frames},
      {"synack", rx.synack},
      {"rst", rx.rst},
      {"icmp_unreach", rx.icmp_unreach},
      {"repeats", rx.repeats},
      {"results_written", c.results_written},
      {"arp_replies_sent", rx.arp_replies_sent},
      {"rst_sent", c.rst_sent},
      {"control_tx_failed", c.control_tx_failed},
      {"arp_ignored", rx.arp_ignored},
      {"parse_drops", ParseDropsJson(rx.parse, /*nonzero_only=*/false)},
      {"validate_drops", validate_drops},
      {"dedup_bytes", c.dedup_bytes},
      {"nic", {{"ipackets", c.nic.ipackets}, {"opackets", c.nic.opackets},
               {"imissed", c.nic.imissed}, {"ierrors", c.nic.ierrors},
               {"oerrors", c.nic.oerrors}, {"rx_nombuf", c.nic.rx_nombuf},
               {"ring_drops", c.nic.ring_drops}, {"rx_drops_counted", c.nic.rx_drops_counted}}},
  };
}

// --enumerate's cost: enumerations recorded, their connections and the
// mean per enumerated server (grab/enumeration.h).
nlohmann::json EnumerationTotalsJson(uint64_t enumerations, uint64_t connections,
                                     uint64_t truncated) {
  return {{"recorded", enumerations},
          {"connections", connections},
          {"connections_per_server",
           enumerations == 0 ? 0.0
                             : static_cast<double>(connections) / static_cast<double>(enumerations)},
          {"truncated", truncated}};
}

nlohmann::json GrabWorkerJson(const GrabWorkerCounters& w) {
  const TcpStats& t = w.tcp;
  nlohmann::json closed = nlohmann::json::object();
  for (size_t i = 0; i < std::size(t.closed_by_reason); ++i) {
    closed[std::string(TcpCloseReasonName(static_cast<TcpCloseReason>(i)))] =
        t.closed_by_reason[i];
  }
  return {{"tcp",
           {{"connects", t.connects}, {"established", t.established}, {"closed", closed},
            {"segments_in", t.segments_in}, {"segments_out", t.segments_out},
            {"retransmits", t.retransmits}, {"fast_retransmits", t.fast_retransmits},
            {"out_of_order", t.out_of_order}, {"out_of_window", t.out_of_window},
            {"duplicates", t.duplicates}, {"unknown_connection", t.unknown_connection},
            {"rst_sent", t.rst_sent}, {"sink_full", t.sink_full},
            {"bad_segments", t.bad_segments}}},
          {"tx_failed", w.tx_failed},
          {"connect_errors", w.connect_errors},
          {"no_module", w.no_module},
          {"raw_probes_recorded", w.raw_probes},
          {"raw_probes_by_status", GrabStatusCountsJson(w.raw_probe_status)},
          {"enumerations", EnumerationTotalsJson(w.enumerations, w.enumeration_connections,
                                                 w.enumerations_truncated)},
          {"parse_drops", ParseDropsJson(w.parse, /*nonzero_only=*/true)}};
}

nlohmann::json GrabPoolJson(const GrabPoolSummary& g) {
  nlohmann::json workers = nlohmann::json::array();
  for (const GrabWorkerCounters& w : g.workers) workers.push_back(GrabWorkerJson(w));
  return {{"offered", g.offered},
          {"not_grabbed", g.not_grabbed},
          {"queue_full", g.queue_full},
          {"finished", g.finished},
          {"by_status", GrabStatusCountsJson(g.by_status)},
          {"segments_dropped", g.segments_dropped},
          {"grab_lcores", g.grab_lcores},
          {"overflow", g.overflow},
          {"scan_pauses", g.scan_pauses},
          {"scan_paused_seconds", g.scan_paused_seconds},
          {"peak_waiting", g.peak_waiting},
          {"source_ports", absl::StrCat(g.port_first, "-", g.port_last)},
          {"tcp_bytes_per_connection", g.tcp_bytes_per_connection},
          {"workers", workers},
          {"settings", g.settings}};
}

}  // namespace

nlohmann::json PlanMetadata(const ScanPlan& plan) {
  const ScanConfig& c = plan.config();
  const SourceRange& s = c.sources;
  return {
      {metadata_key::kSeed, c.seed},
      {metadata_key::kPrime, plan.group().prime},
      {metadata_key::kGenerator, plan.group().generator},
      {"start", plan.group().start},
      {metadata_key::kShard, c.shard},
      {metadata_key::kShards, c.num_shards},
      {"sender_threads", c.sender_threads},
      {metadata_key::kTargetPorts, c.ports},
      {"targets", plan.space().size()},
      {metadata_key::kAddressesAllowed, plan.allowed().allowed.Count()},
      {"addresses_requested", plan.allowed().requested},
      {"addresses_blocked", plan.allowed().blocked},
      {"blocklist", plan.allowed().blocklist_source},
      {"probes_per_target", c.probes},
      {metadata_key::kMaxTargets, c.max_targets},
      {"rate", c.rate.ToString()},
      {"source_ip_first", s.first.ToString()},
      {"source_ip_last", Ipv4Address(s.first.value() + s.count - 1).ToString()},
      {"source_port_first", c.sport_first},
      {"source_port_last", c.sport_first + c.sport_count - 1},
      {"source_mac", c.probe.src_mac.ToString()},
      {"gateway_mac", c.probe.dst_mac.ToString()},
      {"probe_ttl", c.probe.ttl},
      {"tcp_options", std::string(TcpOptionProfileName(c.probe.options))},
  };
}

nlohmann::json DryrunMetadata(const ScanPlan& plan, const RunSummary& run,
                              const ScanProgress& progress, uint64_t packets_built) {
  nlohmann::json meta = ScanRunFields(plan, kModeDryrun, run, progress);
  meta["packets_built"] = packets_built;
  return meta;
}

nlohmann::json DpdkScanMetadata(const ScanPlan& plan, const DpdkScanSummary& summary) {
  nlohmann::json meta = ScanRunFields(plan, summary.grab ? kModeRun : kModeDpdk, summary.run,
                                      summary.progress);
  meta["cooldown_seconds"] = summary.cooldown_seconds;
  const CheckpointSummary& cp = summary.checkpoint;
  meta["checkpoint"] = {{"interval_ms", cp.interval_ms},
                        {"enabled", cp.off_reason.empty()},
                        {"off_reason", std::string(cp.off_reason)},
                        {"file", cp.file},
                        {"answer_window_seconds", cp.answer_window_s},
                        {"written", cp.written},
                        {"failed", cp.failed},
                        {"journal",
                         {{"file", cp.journal.file},
                          {"entries", cp.journal.entries},
                          {"writes", cp.journal.writes},
                          {"bytes", cp.journal.bytes},
                          {"error", cp.journal.error},
                          {"resume_read", cp.journal.resume_read},
                          {"resume_taken", cp.journal.resume_taken},
                          {"resume_damaged_bytes", cp.journal.resume_damaged_bytes}}}};
  const DpdkPortInfo& port = summary.port;
  meta["dpdk"] = {{"port", port.port},
                  {"driver", port.driver},
                  {"mac", port.mac.ToString()},
                  {"queues", port.queues},
                  {"eal_args", port.eal_args}};
  // The addresses the probes really carried: the port's own MAC when none
  // was given, the gateway's as ARP resolved it (the plan's are the flags').
  meta["source_mac"] = summary.source_mac.ToString();
  meta["gateway_mac"] = summary.gateway_mac.ToString();
  meta["frame_bytes"] = summary.frame_bytes;
  meta["counters"] = ScanCountersJson(summary.counters);
  if (summary.grab) meta["grab"] = GrabPoolJson(*summary.grab);
  return meta;
}

nlohmann::json GrabSettingsMetadata(const GrabOptions& options, TlsProfile profile,
                                    const std::string& ca_file, const std::string& names_file) {
  nlohmann::json probes = nlohmann::json::array();
  for (const ClientHelloProfile& p : options.raw_probes) {
    probes.push_back({{"name", p.name}, {"source", p.source}});
  }
  return {{"tls_profile", std::string(TlsProfileName(profile))},
          // One connection per profile, after the grab's own, for each
          // server whose grab reached the TLS handshake (grab/grab_driver.h).
          {"raw_probes",
           {{"profiles", std::move(probes)},
            {"connections_per_tls_server", options.raw_probes.size()}}},
          // After the raw probes, one connection per offer (grab/enumeration.h).
          {"enumeration",
           {{"enabled", options.enumeration.enabled},
            {"budget_per_server", options.enumeration.budget},
            {"interval_ms_per_address", options.enumeration.interval_ms},
            {"batch", kEnumerationBatch},
            {"tls13", options.enumeration.tls13}}},
          {"ca_file", ca_file.empty() ? "system" : ca_file},
          {"server_name", options.server_name},
          {"names", {{"file", names_file}, {"addresses", options.names.size()}}},
          {"concurrency", options.concurrency},
          {"connect_rate", options.connect_rate},
          {"per_host", options.per_host},
          {"timeouts_ms", {{"connect", options.timeouts.connect_ms},
                           {"phase", options.timeouts.phase_ms},
                           {"session", options.timeouts.session_ms}}}};
}

nlohmann::json GrabMetadata(const GrabRunSummary& summary) {
  nlohmann::json meta = RunFields(kModeGrab, summary.run);
  meta["inputs"] = summary.inputs;
  meta["input_lines_skipped"] = summary.input_lines_skipped;
  meta["targets"] = summary.targets;
  meta["grabs_started"] = summary.stats.started;
  meta["grabs_finished"] = summary.stats.finished;
  meta["targets_without_module"] = summary.stats.no_module;
  meta["by_status"] = GrabStatusCountsJson(summary.stats.by_status);
  meta["raw_probes_recorded"] = summary.stats.raw_probes;
  meta["raw_probes_by_status"] = GrabStatusCountsJson(summary.stats.raw_probe_status);
  meta["enumerations"] =
      EnumerationTotalsJson(summary.stats.enumerations, summary.stats.enumeration_connections,
                            summary.stats.enumerations_truncated);
  meta.update(summary.settings);
  return meta;
}

nlohmann::json PassiveMetadata(const PassiveRunSummary& s) {
  const PassiveCounters& c = s.counters;
  nlohmann::json meta = RunFields(kModePassive, s.run);
  meta["inputs"] = s.inputs;
  meta["capture_truncated"] = s.capture_truncated;
  meta["packets"] = c.packets;
  meta["bytes"] = c.bytes;
  meta["snaplen_truncated"] = c.snaplen_truncated;
  // Every frame that did not parse as TCP, by the parser's reason.
  nlohmann::json drops = nlohmann::json::object();
  for (size_t r = 0; r < c.parse.by_result.size(); ++r) {
    const ParseResult result = static_cast<ParseResult>(r);
    if (result != ParseResult::kTcp && c.parse.by_result[r] != 0) {
      drops[std::string(ParseResultName(result))] = c.parse.by_result[r];
    }
  }
  meta["frames_dropped"] = std::move(drops);
  meta["segments"] = {{"unmapped_port", c.unmapped_segments},
                      {"no_observer", c.unobserved_segments},
                      {"midstream", c.midstream_segments},
                      {"stray", c.stray_segments}};
  nlohmann::json ends = nlohmann::json::object();
  for (size_t e = 0; e < c.flow_ends.size(); ++e) {
    ends[std::string(FlowEndName(static_cast<FlowEnd>(e)))] = c.flow_ends[e];
  }
  nlohmann::json midstream = nlohmann::json::object();
  for (size_t o = 0; o < c.midstream_outcomes.size(); ++o) {
    midstream[std::string(MidstreamOutcomeName(static_cast<MidstreamOutcome>(o)))] =
        c.midstream_outcomes[o];
  }
  meta["flows"] = {{"created", c.flows},
                   {"midstream", c.flows_midstream},
                   {"midstream_outcomes", std::move(midstream)},
                   {"ended", std::move(ends)},
                   {"max_flows", s.max_flows},
                   {"idle_timeout_seconds", s.idle_timeout_seconds}};
  meta["records"] = c.records;
  nlohmann::json gaps = nlohmann::json::object();
  for (size_t g = 0; g < c.gaps_by_reason.size(); ++g) {
    gaps[std::string(GapReasonName(static_cast<GapReason>(g)))] = c.gaps_by_reason[g];
  }
  meta["reassembly"] = {{"retransmitted_segments", c.retransmitted_segments},
                        {"out_of_order_segments", c.out_of_order_segments},
                        {"overlaps_differing", c.overlaps_differing},
                        {"gaps", c.gaps},
                        {"gap_bytes", c.gap_bytes},
                        {"gaps_by_reason", std::move(gaps)},
                        {"rings", s.reassembly_rings},
                        {"ring_bytes", s.reassembly_ring_bytes}};
  meta["clients_anonymized"] = s.clients_anonymized ? "keyed-hash" : "no";
  if (s.dpdk) {
    const PassiveDpdkSummary& d = *s.dpdk;
    nlohmann::json lcores = nlohmann::json::array();
    for (const PassiveLcoreStats& l : d.lcores) {
      lcores.push_back({{"lcore", l.lcore}, {"role", l.role}, {"rx_queue", l.rx_queue},
                        {"packets", l.packets}, {"bytes", l.bytes},
                        {"ring_drops", l.ring_drops}, {"oversize", l.oversize}});
    }
    const NicCounters& p = d.port;
    meta["dpdk"] = {{"eal_args", d.eal_args},
                    {"port", d.port_id},
                    {"driver", d.driver},
                    {"dispatch", d.dispatch},
                    {"rx_queues", d.rx_queues},
                    {"analyzers", d.analyzers},
                    {"nic", {{"ipackets", p.ipackets}, {"imissed", p.imissed},
                             {"ierrors", p.ierrors}, {"rx_nombuf", p.rx_nombuf},
                             {"ring_drops", p.ring_drops},
                             {"rx_drops_counted", p.rx_drops_counted}}},
                    {"lcores", std::move(lcores)},
                    {"active_seconds", d.active_seconds},
                    {"end_after_idle_seconds", d.end_after_idle_seconds},
                    {"ended_idle", d.ended_idle}};
  }
  return meta;
}

absl::Status WriteJsonFile(const std::string& path, const nlohmann::json& doc) {
  return WriteFileAtomically(path, doc.dump(2) + "\n");
}

}  // namespace tlsweep
