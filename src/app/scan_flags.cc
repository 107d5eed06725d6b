#include "app/scan_flags.h"

#include <sys/random.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "app/flag_parsing.h"
#include "common/status_macros.h"
#include "scan/resume.h"

namespace tlsweep {
namespace {

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

// -r: packets per second, 0 for no limit.
FlagSetter SetRate(RateSpec* rate) {
  return [rate](const std::string& flag, const std::string& value) -> absl::Status {
    TLSWEEP_ASSIGN_OR_RETURN(
        uint64_t pps,
        ParseFlagNumber<uint64_t>(flag, value, 0, std::numeric_limits<uint64_t>::max() / 4));
    *rate = RateSpec::Packets(pps);
    return absl::OkStatus();
  };
}

// --source-mac and -G: the probe's address, and the run's, which then skips
// asking the port (source) or ARP (gateway).
FlagSetter SetMac(MacAddress* probe, std::optional<MacAddress>* run) {
  return [probe, run](const std::string& flag, const std::string& value) -> absl::Status {
    TLSWEEP_ASSIGN_OR_RETURN(MacAddress mac, ParseMac(flag, value));
    *probe = mac;
    *run = mac;
    return absl::OkStatus();
  };
}

FlagGroup TargetFlags(ScanCommand* cmd) {
  ScanConfig& c = cmd->config;
  return {"Targets and ports",
          {{.name = "target-ports", .short_name = 'p', .arg = "LIST",
            .help = "ports: 25,110,143 or 1-1024 (required)",
            .set = SetParsed(&c.ports, ParsePortList)},
           {.name = "list-of-ips-file", .short_name = 'I', .arg = "F",
            .help = "more targets, one per line (# comments)",
            .set = SetString(&c.targets.list_file)},
           {.name = "allowlist-file", .short_name = 'w', .arg = "F",
            .help = "targets from a file (ZMap's format)",
            .set = SetString(&c.targets.allowlist_file)},
           {.name = "blocklist-file", .short_name = 'b', .arg = "F",
            .help = "exclude these instead of the default blocklist",
            .set = SetString(&c.targets.blocklist_file)},
           {.name = "no-blocklist", .help = "exclude nothing (lab networks only)",
            .set = SetTrue(&c.targets.no_blocklist)},
           {.name = "max-targets", .short_name = 'n', .arg = "N",
            .help = "stop after N probes in this run",
            .set = SetNumber<uint64_t>(&c.max_targets, 1,
                                       std::numeric_limits<uint64_t>::max())}}};
}

FlagGroup PermutationFlags(ScanCommand* cmd) {
  ScanConfig& c = cmd->config;
  return {"Permutation and sharding",
          {{.name = "seed", .arg = "N", .help = "seed of the permutation (random if absent)",
            .set = [cmd](const std::string& flag, const std::string& value) -> absl::Status {
              TLSWEEP_ASSIGN_OR_RETURN(
                  cmd->config.seed,
                  ParseFlagNumber<uint64_t>(flag, value, 0, std::numeric_limits<uint64_t>::max()));
              cmd->seed_given = true;
              return absl::OkStatus();
            }},
           {.name = "shards", .arg = "N", .help = "machines sharing the scan",
            .default_value = absl::StrCat(c.num_shards),
            .set = SetNumber<uint32_t>(&c.num_shards, 1, 65535)},
           {.name = "shard", .arg = "I", .help = "this machine's share, counted from 0",
            .default_value = absl::StrCat(c.shard),
            .set = SetNumber<uint32_t>(&c.shard, 0, 65534)},
           {.name = "sender-threads", .short_name = 'T', .arg = "N",
            .help = "sender threads (sub-shards of this shard)",
            .default_value = absl::StrCat(c.sender_threads),
            .set = SetNumber<uint32_t>(&c.sender_threads, 1, 64)},
           {.name = "resume", .arg = "FILE", .help = "continue where an interrupted run stopped",
            .set = SetString(&cmd->run.resume_file)},
           {.name = "resume-out", .arg = "FILE", .help = "where an early stop saves its position",
            .default_value = kDefaultResumeFile,
            .set = SetString(&cmd->run.resume_out_file)},
           {.name = "checkpoint-interval", .arg = "MS",
            .help = "milliseconds between crash-safe checkpoints to the --resume-out file, "
                    "with every open port found in between in its journal (FILE.journal), so "
                    "that --resume after a kill -9 records each open port exactly once "
                    "(only with -o FILE: without one there are none, a kill -9 cannot be "
                    "resumed, and the metadata's checkpoint.off_reason says so; 0: none)",
            .default_value = absl::StrCat(cmd->run.checkpoint_interval_ms),
            .set = SetNumber<uint32_t>(&cmd->run.checkpoint_interval_ms, 0, 3'600'000)}}};
}

FlagGroup ProbeFlags(ScanCommand* cmd) {
  ScanConfig& c = cmd->config;
  return {"Probes",
          {{.name = "rate", .short_name = 'r', .arg = "PPS",
            .help = "packets per second, 0 = no limit",
            .default_value = absl::StrCat(c.rate.per_second), .set = SetRate(&c.rate)},
           {.name = "bandwidth", .short_name = 'B', .arg = "BPS",
            .help = "bits per second on the wire, K/M/G suffixes",
            .set = [&c](const std::string& flag, const std::string& value) -> absl::Status {
              auto bps = ParseBandwidth(value);
              if (!bps.ok()) return FlagError(flag, bps.status());
              c.rate = RateSpec::Bits(*bps);
              return absl::OkStatus();
            }},
           {.name = "probes", .short_name = 'P', .arg = "N",
            .help = "probes per target, one pass apart",
            .default_value = absl::StrCat(c.probes),
            .set = SetNumber<uint32_t>(&c.probes, 1, 1000)},
           {.name = "source-ip", .short_name = 'S', .arg = "A[-B]", .help = "source address(es)",
            .set = [&c](const std::string& flag, const std::string& value) -> absl::Status {
              TLSWEEP_ASSIGN_OR_RETURN(c.sources, ParseSourceRange(flag, value));
              return absl::OkStatus();
            }},
           {.name = "source-port", .short_name = 's', .arg = "P[-Q]",
            .help = "source port range",
            .default_value = absl::StrCat(c.sport_first, "-", c.sport_first + c.sport_count - 1),
            .set = [cmd](const std::string& flag, const std::string& value) {
              cmd->source_ports_given = true;
              return ParseSourcePorts(flag, value, &cmd->config);
            }},
           {.name = "source-mac", .arg = "MAC", .help = "Ethernet source",
            .set = SetMac(&c.probe.src_mac, &cmd->run.source_mac)},
           {.name = "gateway-mac", .short_name = 'G', .arg = "MAC", .help = "Ethernet destination",
            .set = SetMac(&c.probe.dst_mac, &cmd->run.gateway_mac)},
           {.name = "probe-ttl", .arg = "N", .help = "IP TTL",
            .default_value = absl::StrCat(c.probe.ttl),
            .set = SetNumber<uint8_t>(&c.probe.ttl, 1, 255)},
           {.name = "tcp-options", .arg = "PROFILE", .help = "minimal, mss or linux",
            .default_value = std::string(TcpOptionProfileName(c.probe.options)),
            .set = [&c](const std::string& flag, const std::string& value) -> absl::Status {
              auto profile = ParseTcpOptionProfile(value);
              if (!profile.ok()) return FlagError(flag, profile.status());
              c.probe.options = *profile;
              // Linux's SYN window; ZMap's 65535 for the others.
              c.probe.window = *profile == TcpOptionProfile::kLinux ? 64240 : 65535;
              return absl::OkStatus();
            }}}};
}

FlagGroup SendingFlags(ScanCommand* cmd) {
  FlagGroup group = {"Sending (DPDK)",
                     DpdkPortFlags(&cmd->interface, &cmd->dpdk_config, &cmd->eal_args,
                                   &cmd->port_id)};
  std::vector<Flag> more = {
          {.name = "gateway-ip", .arg = "A",
            .help = "resolved by ARP for the probes' destination MAC",
            .set = [cmd](const std::string& flag, const std::string& value) -> absl::Status {
              const auto ip = Ipv4Address::Parse(value);
              if (!ip) {
                return absl::InvalidArgumentError(
                    absl::StrCat(flag, ": invalid address '", value, "'"));
              }
              cmd->run.gateway_ip = *ip;
              return absl::OkStatus();
            }},
           {.name = "cooldown-time", .short_name = 'c', .arg = "S",
            .help = "seconds to receive after the last probe",
            .default_value = absl::StrCat(cmd->run.cooldown_s),
            .set = [cmd](const std::string& flag, const std::string& value) -> absl::Status {
              TLSWEEP_ASSIGN_OR_RETURN(uint32_t s, ParseFlagNumber<uint32_t>(flag, value, 0, 3600));
              cmd->run.cooldown_s = s;
              return absl::OkStatus();
            }}};
  group.flags.insert(group.flags.end(), more.begin(), more.end());
  return group;
}

FlagGroup OutputGroup(ScanCommand* cmd) {
  OutputOptions& o = cmd->run.output;
  FlagGroup group = {
      "Output",
      {{.name = "output-module", .short_name = 'O', .arg = "M",
        .help = "default (ip, or ip,port when scanning several ports), csv, json or zgrab2",
        .set = SetParsed(&o.format, ParseOutputFormat)},
       {.name = "output-fields", .short_name = 'f', .arg = "LIST",
        .help = "csv fields, comma-separated, of: saddr daddr sport dport classification "
                "success repeat ttl window mss wscale sack_permitted tsval tcp_options "
                "icmp_responder icmp_code timestamp_str timestamp_us",
        .set = SetParsed(&o.fields, ParseOutputFields)},
       {.name = "output-all",
        .help = "every answer (closed, filtered, repeats), not only new open ports",
        .set = SetTrue(&o.all)},
       {.name = "status-updates-file", .short_name = 'u', .arg = "F",
        .help = "the status line's figures as CSV",
        .set = SetString(&cmd->run.status_file)}}};
  for (Flag& f : OutputFileFlags("results (dry run: one line per probe); default stdout",
                                 &cmd->run.output_file, &cmd->run.metadata_file, &cmd->run.quiet)) {
    group.flags.push_back(std::move(f));
  }
  return group;
}

FlagGroup DryrunFlags(ScanCommand* cmd) {
  return {"Dry run",
          {{.name = "dryrun", .help = "build every probe but send nothing",
            .set = SetTrue(&cmd->dryrun)},
           {.name = "pcap", .arg = "FILE", .help = "write the frames as a pcap file",
            .set = SetString(&cmd->pcap_file)}}};
}

}  // namespace

const char kTargetHelp[] = R"(TARGET: an address (192.0.2.1), a CIDR (198.51.100.0/24) or a range
(203.0.113.5-203.0.113.9). The default blocklist (IANA special-purpose
ranges) always applies unless -b names another or --no-blocklist is given.
)";

std::vector<FlagGroup> ScanFlagGroups(ScanCommand* cmd) {
  std::vector<FlagGroup> groups;
  groups.push_back(TargetFlags(cmd));
  groups.push_back(PermutationFlags(cmd));
  groups.push_back(ProbeFlags(cmd));
  groups.push_back(SendingFlags(cmd));
  groups.push_back(OutputGroup(cmd));
  groups.push_back(DryrunFlags(cmd));
  return groups;
}

absl::StatusOr<ScanCommand> ParseScanFlags(const std::vector<std::string>& args,
                                           const ExtraFlags* extra) {
  ScanCommand cmd;
  const std::string command = extra != nullptr ? extra->command : "scan";
  std::vector<FlagGroup> groups = ScanFlagGroups(&cmd);
  if (extra != nullptr) groups = Concat(extra->groups, std::move(groups));
  TLSWEEP_ASSIGN_OR_RETURN(ParsedFlags parsed, ParseFlags(command, groups, args));
  cmd.help = parsed.help;
  cmd.config.targets.target_args = std::move(parsed.positional);
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

std::string ScanUsage() {
  ScanCommand defaults;
  return absl::StrCat("usage: tlsweep scan [flags] TARGET...\n\n", kTargetHelp, "\n",
                      FlagHelp(ScanFlagGroups(&defaults)));
}

}  // namespace tlsweep
