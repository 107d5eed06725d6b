// See passive_command.h.
#include "app/passive_command.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
#include "app/flag_table.h"
#include "app/stop_signal.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "output/metadata.h"
#include "output/passive_json.h"
#include "passive/analyzer.h"
#include "passive/anonymize.h"
#include "passive/pcap_source.h"
#include "proto/registry.h"

namespace tlsweep {
namespace {

constexpr char kUsage[] = R"(usage: tlsweep passive -r FILE [-r FILE...] [flags]

Reads pcap or pcapng capture files (Ethernet) of real client traffic and
writes one JSON record per observed SMTP, SUBMISSION, IMAP or POP3
connection (and the TLS handshake on the implicit-TLS ports): the server's
greeting and capabilities before TLS, STARTTLS offered, requested and
accepted, the AUTH mechanism the client chose (its name only), whether
credentials crossed in plaintext, the ClientHello's offer and JA3, and the
server's TLS choice. No username, password, AUTH payload, envelope address
or message body is ever stored. Connections first seen mid-stream are
counted in the metadata and not observed.
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
};

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
  if (cl.inputs.empty() && !cl.help) {
    return absl::InvalidArgumentError("no capture file (-r FILE; see tlsweep passive --help)");
  }
  cl.options.idle_timeout_ns = cl.idle_timeout_seconds * 1'000'000'000ull;
  return cl;
}

std::string Usage() {
  PassiveCommandLine defaults;
  return absl::StrCat(kUsage, "\n", FlagHelp(Flags(&defaults)), kUsageTail);
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
  bool write_failed = false;
  PassiveAnalyzer analyzer(cl.options, [&](const ConnectionRecord& r) {
    const std::string line = PassiveRecordLine(r, pseudonyms ? &*pseudonyms : nullptr);
    write_failed |= std::fwrite(line.data(), 1, line.size(), out.get()) != line.size();
  });
  PassiveRunSummary summary;
  summary.inputs = cl.inputs;
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
  if (std::fflush(out.get()) != 0 || write_failed) {
    return absl::UnavailableError(absl::StrCat(cl.output_file, ": write failed"));
  }
  summary.counters = analyzer.counters();
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
