// DPDK's Environment Abstraction Layer: start-up arguments from a config
// file in dpdk_cfg/ and/or flags, and a start-up that reports failures in
// words a user can act on (no hugepages, another process on the same file
// prefix, no port) instead of only DPDK's log lines.
//
// This directory is the only place in tlsweep that includes rte_*.h.
#ifndef TLSWEEP_NIC_EAL_H_
#define TLSWEEP_NIC_EAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tlsweep {

// Reads EAL arguments from `path`: whitespace-separated tokens, '#' starts a
// comment. Errors name the file.
absl::StatusOr<std::vector<std::string>> ReadEalConfigFile(const std::string& path);

// The EAL arguments that put DPDK's af_packet driver on kernel interface
// `iface` (ZMap's -i): no hugepages needed, nothing left behind in
// /dev/hugepages, `queues` queue pairs.
std::vector<std::string> AfPacketEalArgs(const std::string& iface, int queues);

// Calls rte_eal_init with `args` (the program name is added). Once per
// process.
absl::Status StartEal(const std::vector<std::string>& args);

// Releases what the EAL holds (hugepage files, the runtime directory).
void StopEal();

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_EAL_H_
