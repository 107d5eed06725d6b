// See passive_command.h.
#include "app/passive_command.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/flag_parsing.h"
#include "app/flag_table.h"
#include "app/stop_signal.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "nic/eal.h"
#include "nic/passive_rx.h"
#include "output/metadata.h"
#include "output/passive_json.h"
#include "passive/analyzer.h"
#include "passive/anonymize.h"
#include "passive/pcap_source.h"
#include "proto/registry.h"

namespace tlsweep {
namespace {

constexpr char kUsage[] = R"(usage: tlsweep passive -r FILE [-r FILE...] [flags]
       tlsweep passive -i IFACE | --dpdk-config FILE | --eal "ARGS" [flags]

Reads pcap or pcapng capture files (Ethernet) of real client traffic and
writes one JSON record per observed SMTP, SUBMISSION, IMAP, POP3, XMPP
(client and server) or IRC connection, on the STARTTLS ports and the
implicit-TLS ones (the port table of `tlsweep grab`, --module to change
it): the server's greeting and capabilities before TLS, STARTTLS offered,
requested and accepted, the AUTH mechanism the client chose (its name
only), whether credentials crossed in plaintext, the ClientHello's offer
with JA3 and JA4, and the server's TLS choice. No username, password, AUTH
payload, envelope address or message body is ever stored. Connections
first seen mid-stream are counted in the metadata and observed from where
their state is known: a client's ClientHello, or on SMTP, IMAP, POP3 and
IRC a client's next command line (picked_up_midstream and
midstream_pickup say which).

On a DPDK port (a NIC on a mirror port or tap; net_pcap replaying a file)
each of --analyzers lcores keeps its own flow table. A port with RSS
spreads flows over them with the symmetric Toeplitz key, so that both
directions of a connection meet on one lcore; a port without (net_pcap,
net_ring, af_packet) is read by one more lcore that computes the same hash
in software. Ctrl-C ends the capture; on net_pcap so does the end of the
file (no frame for --end-after-idle seconds).
)";
constexpr char kUsageTail[] = R"(
Exit status: 0 done, 1 an input or output file failed, 2 bad flags.
)";

struct PassiveCommandLine {
  std::vector<std::string> inputs;
  std::string output_file = "-";
  std::string metadata_file;
  std::string key_file;
  bool quiet = false;
  bool help = false;
  PassiveOptions options;
  uint64_t idle_timeout_seconds = 300;
  // A DPDK port instead of files.
  std::string interface;
  std::string dpdk_config;
  std::vector<std::string> eal_args;
  uint16_t port_id = 0;
  uint32_t analyzers = 1;
  std::optional<uint64_t> end_after_idle_seconds;
  bool live() const { return !interface.empty() || !dpdk_config.empty() || !eal_args.empty(); }
};

// -i, --dpdk-config, --eal and --dpdk-port as for scan, and the capture's own.
std::vector<Flag> LiveFlags(PassiveCommandLine* cl) {
  std::vector<Flag> flags =
      DpdkPortFlags(&cl->interface, &cl->dpdk_config, &cl->eal_args, &cl->port_id);
  flags.push_back({.name = "analyzers", .arg = "N",
                   .help = "analyzer lcores, each with its own flow table (one more lcore "
                           "dispatches when the port has no RSS)",
                   .default_value = absl::StrCat(cl->analyzers),
                   .set = SetNumber<uint32_t>(&cl->analyzers, 1, 64)});
  flags.push_back({.name = "end-after-idle", .arg = "SECONDS",
                   .help = "end the capture once no frame arrived for this long (0: never; "
                           "default 2 on net_pcap, whose file ends so, else 0)",
                   .set = [cl](const std::string& flag, const std::string& value) {
                     absl::StatusOr<uint64_t> n =
                         ParseFlagNumber<uint64_t>(flag, value, 0, 86400);
                     if (!n.ok()) return n.status();
                     cl->end_after_idle_seconds = *n;
                     return absl::OkStatus();
                   }});
  return flags;
}

std::vector<FlagGroup> Flags(PassiveCommandLine* cl) {
  return {{"",
           {{.name = "read", .short_name = 'r', .arg = "FILE",
             .help = "a pcap or pcapng file to read (repeatable; read in order)",
             .set = [cl](const std::string&, const std::string& value) {
               cl->inputs.push_back(value);
               return absl::OkStatus();
             }},
            {.name = "module", .arg = "PORT=NAME",
             .help = "observe PORT as module NAME (repeatable), as for grab",
             .set = [cl](const std::string& flag, const std::string& value) -> absl::Status {
               if (absl::Status s = cl->options.ports.ApplyOverride(value); !s.ok()) {
                 return FlagError(flag, s);
               }
               return absl::OkStatus();
             }},
            {.name = "max-flows", .arg = "N", .help = "concurrent flows kept; the oldest is evicted",
             .default_value = absl::StrCat(cl->options.max_flows),
             .set = SetNumber<uint32_t>(&cl->options.max_flows, 1, 1u << 24)},
            {.name = "idle-timeout", .arg = "SECONDS", .help = "a flow idle this long ends",
             .default_value = absl::StrCat(cl->idle_timeout_seconds),
             .set = SetNumber<uint64_t>(&cl->idle_timeout_seconds, 1, 86400)},
            {.name = "anonymize-clients", .arg = "KEYFILE",
             .help = "replace client addresses by a keyed hash (SipHash-2-4 under SHA-256 of "
                     "KEYFILE, at least 16 bytes): equal clients stay equal, nothing else "
                     "is kept",
             .set = SetString(&cl->key_file)}}},
          {"Live capture (DPDK)",
           LiveFlags(cl)},
          {"output", OutputFileFlags("records, one JSON line per connection (default stdout)",
                                     &cl->output_file, &cl->metadata_file, &cl->quiet)}};
}

absl::StatusOr<PassiveCommandLine> Parse(const std::vector<std::string>& args) {
  PassiveCommandLine cl;
  TLSWEEP_ASSIGN_OR_RETURN(ParsedFlags parsed, ParseFlags("passive", Flags(&cl), args));
  cl.help = parsed.help;
  if (!parsed.positional.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", parsed.positional[0], "' (inputs are given with -r)"));
  }
  if (cl.inputs.empty() && !cl.live() && !cl.help) {
    return absl::InvalidArgumentError(
        "no capture file or port (-r FILE, or -i, --dpdk-config, --eal; see tlsweep passive "
        "--help)");
  }
  if (!cl.inputs.empty() && cl.live()) {
    return absl::InvalidArgumentError("-r reads files; -i, --dpdk-config and --eal a DPDK port: "
                                      "give one or the other");
  }
  cl.options.idle_timeout_ns = cl.idle_timeout_seconds * 1'000'000'000ull;
  return cl;
}

std::string Usage() {
  PassiveCommandLine defaults;
  return absl::StrCat(kUsage, "\n", FlagHelp(Flags(&defaults)), kUsageTail);
}

// The EAL arguments: a --dpdk-config file, af_packet on -i (one queue
// pair: af_packet has no RSS, so analyzers beyond one take an extra
// dispatching lcore, mapped onto the CPUs round-robin as scan does), then
// --eal.
absl::StatusOr<std::vector<std::string>> EalArgs(const PassiveCommandLine& cl) {
  std::vector<std::string> args;
  if (!cl.dpdk_config.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(args, ReadEalConfigFile(cl.dpdk_config));
  }
  if (!cl.interface.empty()) {
    const std::vector<std::string> af = AfPacketEalArgs(cl.interface, 1);
    args.insert(args.end(), af.begin(), af.end());
    const uint32_t lcores = cl.analyzers == 1 ? 1 : cl.analyzers + 1;
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::string> map;
    for (uint32_t l = 0; l < lcores; ++l) map.push_back(absl::StrCat(l, "@", l % cpus));
    args.push_back(absl::StrCat("--lcores=", absl::StrJoin(map, ",")));
  }
  args.insert(args.end(), cl.eal_args.begin(), cl.eal_args.end());
  return args;
}

// The capture on a DPDK port: the EAL, one analyzer per analyzer lcore,
// their counters summed into `counters`.
absl::StatusOr<PassiveDpdkSummary> CaptureOnDpdk(const PassiveCommandLine& cl,
                                                 const PassiveAnalyzer::RecordSink& sink,
                                                 PassiveCounters* counters, StopToken& stop) {
  TLSWEEP_ASSIGN_OR_RETURN(const std::vector<std::string> eal, EalArgs(cl));
  TLSWEEP_RETURN_IF_ERROR(StartEal(eal));
  std::vector<std::unique_ptr<PassiveAnalyzer>> analyzers;
  std::vector<PassiveAnalyzer*> lanes;
  for (uint32_t i = 0; i < cl.analyzers; ++i) {
    analyzers.push_back(std::make_unique<PassiveAnalyzer>(cl.options, sink));
    lanes.push_back(analyzers.back().get());
  }
  PassiveRxOptions options;
  options.port_id = cl.port_id;
  if (cl.end_after_idle_seconds) {
    options.end_after_idle_ns = *cl.end_after_idle_seconds * 1'000'000'000ull;
  }
  absl::StatusOr<PassiveDpdkSummary> summary = RunPassiveCapture(options, lanes, stop);
  if (summary.ok()) {
    summary->eal_args = absl::StrJoin(eal, " ");
    for (const auto& a : analyzers) *counters += a->counters();
  }
  StopEal();
  return summary;
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != stdout) std::fclose(f);
  }
};

absl::Status Run(const PassiveCommandLine& cl, StopToken& stop) {
  const std::string start_time = Rfc3339Now();
  const uint64_t t0 = WallClockNs();
  std::optional<ClientPseudonyms> pseudonyms;
  if (!cl.key_file.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(ClientPseudonyms p, ClientPseudonyms::FromKeyFile(cl.key_file));
    pseudonyms = p;
  }
  std::unique_ptr<std::FILE, FileCloser> out(
      cl.output_file == "-" ? stdout : std::fopen(cl.output_file.c_str(), "w"));
  if (out == nullptr) return absl::InvalidArgumentError(absl::StrCat(cl.output_file, ": cannot create"));
  // Analyzer lcores call this concurrently on a DPDK port; records are one
  // per connection, so the lock is taken far less often than per frame.
  std::mutex out_mutex;
  bool write_failed = false;
  const PassiveAnalyzer::RecordSink sink = [&](const ConnectionRecord& r) {
    const std::string line = PassiveRecordLine(r, pseudonyms ? &*pseudonyms : nullptr);
    std::lock_guard<std::mutex> lock(out_mutex);
    write_failed |= std::fwrite(line.data(), 1, line.size(), out.get()) != line.size();
  };
  PassiveRunSummary summary;
  summary.inputs = cl.inputs;
  if (cl.live()) {
    absl::StatusOr<PassiveDpdkSummary> dpdk = CaptureOnDpdk(cl, sink, &summary.counters, stop);
    if (!dpdk.ok()) return dpdk.status();
    summary.dpdk = *std::move(dpdk);
  } else {
    PassiveAnalyzer analyzer(cl.options, sink);
    for (const std::string& input : cl.inputs) {
      TLSWEEP_ASSIGN_OR_RETURN(PcapSource source, PcapSource::Open(input));
      CapturedFrame frame;
      while (stop.running() && source.Next(&frame)) analyzer.Frame(frame);
      if (source.truncated()) {
        summary.capture_truncated = true;
        std::fprintf(stderr, "tlsweep passive: %s: %s (read up to there)\n", input.c_str(),
                     source.error().c_str());
      }
      if (!stop.running()) break;
    }
    analyzer.Finish();
    summary.counters = analyzer.counters();
  }
  if (std::fflush(out.get()) != 0 || write_failed) {
    return absl::UnavailableError(absl::StrCat(cl.output_file, ": write failed"));
  }
  summary.run = {start_time, static_cast<double>(WallClockNs() - t0) / 1e9,
                 !stop.running()};
  summary.max_flows = cl.options.max_flows;
  summary.idle_timeout_seconds = cl.idle_timeout_seconds;
  summary.reassembly_rings = cl.options.rings;
  summary.reassembly_ring_bytes = cl.options.ring_bytes;
  summary.clients_anonymized = pseudonyms.has_value();
  if (!cl.metadata_file.empty()) {
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(cl.metadata_file, PassiveMetadata(summary)));
  }
  if (!cl.quiet) {
    const PassiveCounters& c = summary.counters;
    std::fprintf(stderr,
                 "passive: %llu packets, %llu flows (%llu mid-stream), %llu records, %llu gaps\n",
                 static_cast<unsigned long long>(c.packets), static_cast<unsigned long long>(c.flows),
                 static_cast<unsigned long long>(c.flows_midstream),
                 static_cast<unsigned long long>(c.records), static_cast<unsigned long long>(c.gaps));
    if (summary.dpdk) {
      const PassiveDpdkSummary& d = *summary.dpdk;
      std::fprintf(stderr,
                   "passive: %s port %u, %s dispatch, %u analyzers, %u rx queues, "
                   "%llu received, %llu imissed, %llu rx_nombuf%s\n",
                   d.driver.c_str(), d.port_id, d.dispatch.c_str(), d.analyzers, d.rx_queues,
                   static_cast<unsigned long long>(d.port.ipackets),
                   static_cast<unsigned long long>(d.port.imissed),
                   static_cast<unsigned long long>(d.port.rx_nombuf),
                   d.ended_idle ? ", ended: no frame for --end-after-idle" : "");
    }
  }
  return absl::OkStatus();
}

}  // namespace

int PassiveCommand(const std::vector<std::string>& args, StopToken& stop) {
  auto cl = Parse(args);
  if (!cl.ok()) return CommandError("passive", cl.status(), 2);
  if (cl->help) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  InstallStopSignals(stop);
  const absl::Status status = Run(*cl, stop);
  return status.ok() ? 0 : CommandError("passive", status, 1);
}

}  // namespace tlsweep
