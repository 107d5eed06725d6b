#include "app/scan_flags.h"

#include <getopt.h>
#include <sys/random.h>

#include <charconv>
#include <limits>

#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace tlsweep {
namespace {

enum LongOnly {
  kSeed = 1000,
  kShards,
  kShard,
  kNoBlocklist,
  kDryrun,
  kPcap,
  kSourceMac,
  kProbeTtl,
  kTcpOptions,
  kResume,
  kResumeOut,
  kDpdkConfig,
  kEal,
  kDpdkPort,
  kGatewayIp,
  kCooldown,
  kOutputAll,
};

const struct option kOptions[] = {
    {"target-ports", required_argument, nullptr, 'p'},
    {"rate", required_argument, nullptr, 'r'},
    {"bandwidth", required_argument, nullptr, 'B'},
    {"blocklist-file", required_argument, nullptr, 'b'},
    {"allowlist-file", required_argument, nullptr, 'w'},
    {"list-of-ips-file", required_argument, nullptr, 'I'},
    {"no-blocklist", no_argument, nullptr, kNoBlocklist},
    {"probes", required_argument, nullptr, 'P'},
    {"max-targets", required_argument, nullptr, 'n'},
    {"seed", required_argument, nullptr, kSeed},
    {"shards", required_argument, nullptr, kShards},
    {"shard", required_argument, nullptr, kShard},
    {"sender-threads", required_argument, nullptr, 'T'},
    {"source-ip", required_argument, nullptr, 'S'},
    {"source-port", required_argument, nullptr, 's'},
    {"source-mac", required_argument, nullptr, kSourceMac},
    {"gateway-mac", required_argument, nullptr, 'G'},
    {"probe-ttl", required_argument, nullptr, kProbeTtl},
    {"tcp-options", required_argument, nullptr, kTcpOptions},
    {"output-file", required_argument, nullptr, 'o'},
    {"metadata-file", required_argument, nullptr, 'm'},
    {"dryrun", no_argument, nullptr, kDryrun},
    {"pcap", required_argument, nullptr, kPcap},
    {"resume", required_argument, nullptr, kResume},
    {"resume-out", required_argument, nullptr, kResumeOut},
    {"interface", required_argument, nullptr, 'i'},
    {"dpdk-config", required_argument, nullptr, kDpdkConfig},
    {"eal", required_argument, nullptr, kEal},
    {"dpdk-port", required_argument, nullptr, kDpdkPort},
    {"gateway-ip", required_argument, nullptr, kGatewayIp},
    {"cooldown-time", required_argument, nullptr, 'c'},
    {"output-module", required_argument, nullptr, 'O'},
    {"output-fields", required_argument, nullptr, 'f'},
    {"output-all", no_argument, nullptr, kOutputAll},
    {"status-updates-file", required_argument, nullptr, 'u'},
    {"quiet", no_argument, nullptr, 'q'},
    {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0},
};
constexpr char kShortOptions[] = "p:r:B:b:w:I:P:n:T:S:s:G:o:m:i:c:O:f:u:qh";

std::string FlagName(const std::vector<option>& options, int opt, int long_index) {
  if (long_index >= 0) return absl::StrCat("--", options[long_index].name);
  return absl::StrCat("-", std::string(1, static_cast<char>(opt)));
}

// "a.b.c.d" or "a.b.c.d-a.b.c.e" (ZMap's -S).
absl::StatusOr<SourceRange> ParseSourceRange(const std::string& flag,
                                             const std::string& text) {
  const std::vector<std::string> parts = absl::StrSplit(text, '-');
  const auto first = Ipv4Address::Parse(parts[0]);
  const auto last = parts.size() == 2 ? Ipv4Address::Parse(parts[1]) : first;
  if (parts.size() > 2 || !first || !last || *last < *first ||
      last->value() - first->value() >= (1u << 16)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": invalid source address or range '", text,
        "' (a.b.c.d or a.b.c.d-a.b.c.e, at most 65536 addresses)"));
  }
  return SourceRange{*first, last->value() - first->value() + 1};
}

// "40000" or "32768-61000" (ZMap's -s).
absl::Status ParseSourcePorts(const std::string& flag, const std::string& text,
                              ScanConfig* config) {
  const std::vector<std::string> parts = absl::StrSplit(text, '-');
  if (parts.size() > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": invalid source port range '", text, "'"));
  }
  TLSWEEP_ASSIGN_OR_RETURN(uint16_t first,
                           ParseFlagNumber<uint16_t>(flag, parts[0], 1, 65535));
  uint16_t last = first;
  if (parts.size() == 2) {
    TLSWEEP_ASSIGN_OR_RETURN(last, ParseFlagNumber<uint16_t>(flag, parts[1], 1, 65535));
  }
  if (last < first) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": reversed source port range '", text, "'"));
  }
  config->sport_first = first;
  config->sport_count = static_cast<uint16_t>(last - first + 1);
  return absl::OkStatus();
}

absl::StatusOr<MacAddress> ParseMac(const std::string& flag,
                                    const std::string& text) {
  const auto mac = MacAddress::Parse(text);
  if (!mac) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": invalid MAC address '", text, "' (aa:bb:cc:dd:ee:ff)"));
  }
  return *mac;
}

uint64_t RandomSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
    // getrandom cannot fail for 8 bytes once the pool is initialised; if it
    // does, fall back to a constant rather than an uninitialised value.
    seed = 0x746c7377656570ull;
  }
  return seed;
}

absl::Status ApplyFlag(int opt, const std::string& flag, const std::string& v,
                       ScanCommand* cmd) {
  ScanConfig& c = cmd->config;
  switch (opt) {
    case 'p': {
      auto ports = ParsePortList(v);
      if (!ports.ok()) return FlagError(flag, ports.status());
      c.ports = *std::move(ports);
      return absl::OkStatus();
    }
    case 'r': {
      TLSWEEP_ASSIGN_OR_RETURN(uint64_t pps, ParseFlagNumber<uint64_t>(flag, v, 0, std::numeric_limits<uint64_t>::max() / 4));
      c.rate = RateSpec::Packets(pps);
      return absl::OkStatus();
    }
    case 'B': {
      auto bps = ParseBandwidth(v);
      if (!bps.ok()) return FlagError(flag, bps.status());
      c.rate = RateSpec::Bits(*bps);
      return absl::OkStatus();
    }
    case 'b': c.targets.blocklist_file = v; return absl::OkStatus();
    case 'w': c.targets.allowlist_file = v; return absl::OkStatus();
    case 'I': c.targets.list_file = v; return absl::OkStatus();
    case kNoBlocklist: c.targets.no_blocklist = true; return absl::OkStatus();
    case 'P': {
      TLSWEEP_ASSIGN_OR_RETURN(c.probes, ParseFlagNumber<uint32_t>(flag, v, 1, 1000));
      return absl::OkStatus();
    }
    case 'n': {
      TLSWEEP_ASSIGN_OR_RETURN(c.max_targets, ParseFlagNumber<uint64_t>(flag, v, 1, std::numeric_limits<uint64_t>::max()));
      return absl::OkStatus();
    }
    case kSeed: {
      TLSWEEP_ASSIGN_OR_RETURN(c.seed, ParseFlagNumber<uint64_t>(flag, v, 0, std::numeric_limits<uint64_t>::max()));
      cmd->seed_given = true;
      return absl::OkStatus();
    }
    case kShards: {
      TLSWEEP_ASSIGN_OR_RETURN(c.num_shards, ParseFlagNumber<uint32_t>(flag, v, 1, 65535));
      return absl::OkStatus();
    }
    case kShard: {
      TLSWEEP_ASSIGN_OR_RETURN(c.shard, ParseFlagNumber<uint32_t>(flag, v, 0, 65534));
      return absl::OkStatus();
    }
    case 'T': {
      TLSWEEP_ASSIGN_OR_RETURN(c.sender_threads, ParseFlagNumber<uint32_t>(flag, v, 1, 64));
      return absl::OkStatus();
    }
    case 'S': {
      TLSWEEP_ASSIGN_OR_RETURN(c.sources, ParseSourceRange(flag, v));
      return absl::OkStatus();
    }
    case 's':
      cmd->source_ports_given = true;
      return ParseSourcePorts(flag, v, &c);
    case kSourceMac: {
      TLSWEEP_ASSIGN_OR_RETURN(MacAddress mac, ParseMac(flag, v));
      c.probe.src_mac = mac;
      cmd->run.source_mac = mac;
      return absl::OkStatus();
    }
    case 'G': {
      TLSWEEP_ASSIGN_OR_RETURN(MacAddress mac, ParseMac(flag, v));
      c.probe.dst_mac = mac;
      cmd->run.gateway_mac = mac;
      return absl::OkStatus();
    }
    case kProbeTtl: {
      TLSWEEP_ASSIGN_OR_RETURN(c.probe.ttl, ParseFlagNumber<uint8_t>(flag, v, 1, 255));
      return absl::OkStatus();
    }
    case kTcpOptions: {
      auto profile = ParseTcpOptionProfile(v);
      if (!profile.ok()) return FlagError(flag, profile.status());
      c.probe.options = *profile;
      // Linux's SYN window; ZMap's 65535 for the others.
      c.probe.window = *profile == TcpOptionProfile::kLinux ? 64240 : 65535;
      return absl::OkStatus();
    }
    case 'o': cmd->run.output_file = v; return absl::OkStatus();
    case 'm': cmd->run.metadata_file = v; return absl::OkStatus();
    case 'i': cmd->interface = v; return absl::OkStatus();
    case kDpdkConfig: cmd->dpdk_config = v; return absl::OkStatus();
    case kEal: {
      for (absl::string_view a : absl::StrSplit(v, ' ', absl::SkipEmpty())) {
        cmd->eal_args.emplace_back(a);
      }
      return absl::OkStatus();
    }
    case kDpdkPort: {
      TLSWEEP_ASSIGN_OR_RETURN(cmd->port_id, ParseFlagNumber<uint16_t>(flag, v, 0, 1023));
      return absl::OkStatus();
    }
    case kGatewayIp: {
      const auto ip = Ipv4Address::Parse(v);
      if (!ip) return absl::InvalidArgumentError(absl::StrCat(flag, ": invalid address '", v, "'"));
      cmd->run.gateway_ip = *ip;
      return absl::OkStatus();
    }
    case 'c': {
      TLSWEEP_ASSIGN_OR_RETURN(uint32_t secs, ParseFlagNumber<uint32_t>(flag, v, 0, 3600));
      cmd->run.cooldown_s = secs;
      return absl::OkStatus();
    }
    case 'O': {
      auto format = ParseOutputFormat(v);
      if (!format.ok()) return FlagError(flag, format.status());
      cmd->run.output.format = *format;
      return absl::OkStatus();
    }
    case 'f': {
      auto fields = ParseOutputFields(v);
      if (!fields.ok()) return FlagError(flag, fields.status());
      cmd->run.output.fields = *std::move(fields);
      return absl::OkStatus();
    }
    case kOutputAll: cmd->run.output.all = true; return absl::OkStatus();
    case 'u': cmd->run.status_file = v; return absl::OkStatus();
    case kDryrun: cmd->dryrun = true; return absl::OkStatus();
    case kPcap: cmd->pcap_file = v; return absl::OkStatus();
    case kResume: cmd->run.resume_file = v; return absl::OkStatus();
    case kResumeOut: cmd->run.resume_out_file = v; return absl::OkStatus();
    case 'q': cmd->run.quiet = true; return absl::OkStatus();
    case 'h': cmd->help = true; return absl::OkStatus();
    default: break;
  }
  return absl::InternalError(absl::StrCat("unhandled flag ", flag));
}

}  // namespace

absl::StatusOr<ScanCommand> ParseScanFlags(const std::vector<std::string>& args,
                                           const ExtraFlags* extra) {
  ScanCommand cmd;
  const std::string command = extra != nullptr ? extra->command : "scan";
  std::vector<option> options(std::begin(kOptions), std::end(kOptions) - 1);
  if (extra != nullptr) options.insert(options.end(), extra->options.begin(), extra->options.end());
  options.push_back({nullptr, 0, nullptr, 0});
  // getopt_long wants a mutable argv with the program name first.
  std::vector<std::string> storage = {"tlsweep " + command};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(storage.size());

  optind = 0;  // glibc: 0 re-initialises the parser for a fresh argv
  opterr = 0;  // errors are reported here, with the offending flag
  while (true) {
    int long_index = -1;
    const int opt = getopt_long(argc, argv.data(), kShortOptions, options.data(), &long_index);
    if (opt == -1) break;
    if (opt == '?' || opt == ':') {
      const std::string bad = argv[optind - 1];
      if (optopt != 0 && std::string(kShortOptions).find(static_cast<char>(optopt)) != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat("flag ", bad, " needs a value (see tlsweep ", command, " --help)"));
      }
      return absl::InvalidArgumentError(absl::StrCat("unknown or incomplete flag '", bad, "' (see tlsweep ", command, " --help)"));
    }
    const std::string flag = FlagName(options, opt, long_index);
    const std::string value = optarg ? optarg : "";
    if (extra != nullptr && long_index >= static_cast<int>(std::size(kOptions)) - 1) {
      TLSWEEP_RETURN_IF_ERROR(extra->apply(opt, flag, value));
    } else {
      TLSWEEP_RETURN_IF_ERROR(ApplyFlag(opt, flag, value, &cmd));
    }
  }
  for (int i = optind; i < argc; ++i) cmd.config.targets.target_args.push_back(argv[i]);
  if (cmd.help) return cmd;
  if (!cmd.seed_given) cmd.config.seed = RandomSeed();
  if (cmd.config.ports.empty()) {
    return absl::InvalidArgumentError("no target ports: give -p (e.g. -p 25,587 or -p 1-1024)");
  }
  if (cmd.config.shard >= cmd.config.num_shards) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard ", cmd.config.shard, " is not in [0, --shards ", cmd.config.num_shards, ")"));
  }
  if (!cmd.dryrun && cmd.interface.empty() && cmd.dpdk_config.empty() && cmd.eal_args.empty()) {
    return absl::InvalidArgumentError(
        "no NIC: give -i IFACE (af_packet), --dpdk-config FILE or --eal ARGS, or --dryrun");
  }
  if (!cmd.pcap_file.empty() && !cmd.dryrun) {
    return absl::InvalidArgumentError("--pcap writes what a dry run would send: add --dryrun");
  }
  return cmd;
}

const char* ScanUsage() {
  return R"(usage: tlsweep scan [flags] TARGET...

TARGET: an address (192.0.2.1), a CIDR (198.51.100.0/24) or a range
(203.0.113.5-203.0.113.9). The default blocklist (IANA special-purpose
ranges) always applies unless -b names another or --no-blocklist is given.

Targets and ports
  -p, --target-ports=LIST    ports: 25,110,143 or 1-1024 (required)
  -I, --list-of-ips-file=F   more targets, one per line (# comments)
  -w, --allowlist-file=F     targets from a file (ZMap's format)
  -b, --blocklist-file=F     exclude these instead of the default blocklist
      --no-blocklist         exclude nothing (lab networks only)
  -n, --max-targets=N        stop after N probes in this run
Permutation and sharding
      --seed=N               seed of the permutation (random if absent)
      --shards=N --shard=I   this machine's share I of N (0-based)
  -T, --sender-threads=N     sender threads (sub-shards of this shard)
      --resume=FILE          continue where an interrupted run stopped
      --resume-out=FILE      where an early stop saves its position
                             (default tlsweep.resume.json)
Probes
  -r, --rate=PPS             packets per second (default 10000, 0 = no limit)
  -B, --bandwidth=BPS        bits per second on the wire, K/M/G suffixes
  -P, --probes=N             probes per target, one pass apart (default 1)
  -S, --source-ip=A[-B]      source address(es)
  -s, --source-port=P[-Q]    source port range (default 32768-61000)
      --source-mac=MAC       Ethernet source
  -G, --gateway-mac=MAC      Ethernet destination
      --probe-ttl=N          IP TTL (default 255)
      --tcp-options=PROFILE  minimal (default), mss, linux
Sending (DPDK)
  -i, --interface=IFACE      DPDK's af_packet driver on this kernel interface
      --dpdk-config=FILE     EAL arguments from a file (see dpdk_cfg/)
      --eal="ARGS"           more EAL arguments
      --dpdk-port=N          DPDK port to use (default 0)
      --gateway-ip=A         resolved by ARP for the probes' destination MAC
  -c, --cooldown-time=S      seconds to receive after the last probe (8)
Output
  -O, --output-module=M      default (ip or ip,port), csv, json, zgrab2
  -f, --output-fields=LIST   csv fields: saddr,daddr,sport,dport,classification,
                             success,repeat,ttl,window,mss,wscale,sack_permitted,
                             tsval,tcp_options,icmp_responder,icmp_code,
                             timestamp_str,timestamp_us
      --output-all           every answer (closed, filtered, repeats), not
                             only new open ports
  -u, --status-updates-file=F  the status line's figures as CSV
      --dryrun               build every probe but send nothing
      --pcap=FILE            (dry run) write the frames as a pcap file
  -o, --output-file=FILE     results (dry run: one line per probe); default stdout
  -m, --metadata-file=FILE   JSON summary of the run
  -q, --quiet                no status line
)";
}

}  // namespace tlsweep
