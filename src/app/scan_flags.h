// Command-line flags of `tlsweep scan` (and of the dry run, `scan --dryrun`),
// as flag groups (app/flag_table.h) that `tlsweep run` reuses.
//
// Flag names follow ZMap's where the meaning is the same (-p, -r, -B, -b, -w,
// -I, -P, -n, -S, -s, -G, -T, -o, -m, --seed, --shards, --shard), so a ZMap
// user's command line carries over. Every error names the flag and the value.
#ifndef TLSWEEP_APP_SCAN_FLAGS_H_
#define TLSWEEP_APP_SCAN_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/flag_table.h"
#include "nic/dpdk_scanner.h"
#include "scan/scan_config.h"

namespace tlsweep {

struct ScanCommand {
  ScanConfig config;
  bool seed_given = false;
  bool source_ports_given = false;  // -s
  bool dryrun = false;
  bool help = false;
  std::string pcap_file;        // --pcap (dry run)
  // Sending on DPDK.
  std::string interface;        // -i: af_packet on this kernel interface
  std::string dpdk_config;      // --dpdk-config: EAL arguments from a file
  std::vector<std::string> eal_args;  // --eal: more EAL arguments
  uint16_t port_id = 0;         // --dpdk-port
  // Output (-o, -O, -f), metadata (-m), resume files, status (-u, -q),
  // cooldown and gateway. The dry run uses the same output, metadata,
  // resume and quiet settings.
  DpdkScanOptions run;
};

// The scan's flag groups (targets, permutation, probes, sending, output,
// dry run), writing into `cmd`; their defaults are those `cmd` holds.
std::vector<FlagGroup> ScanFlagGroups(ScanCommand* cmd);

// Flags a command adds to the scan's (`tlsweep run`'s grab flags), listed
// before them in its help.
struct ExtraFlags {
  std::string command;  // for messages: "run"
  std::vector<FlagGroup> groups;
};

// Parses the arguments after "scan" (and `extra`'s). A seed is drawn at
// random when --seed is absent (and reported in the metadata so the scan
// can be repeated).
absl::StatusOr<ScanCommand> ParseScanFlags(const std::vector<std::string>& args,
                                           const ExtraFlags* extra = nullptr);

// What a TARGET argument may be, for the help of scan and run.
extern const char kTargetHelp[];

// The help text for `tlsweep scan --help`.
std::string ScanUsage();

}  // namespace tlsweep

#endif  // TLSWEEP_APP_SCAN_FLAGS_H_
