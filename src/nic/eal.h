// DPDK's Environment Abstraction Layer: start-up arguments from a config
// file in dpdk_cfg/ and/or flags, and a start-up that reports failures in
// words a user can act on (no hugepages, another process on the same file
// prefix, no port) instead of only DPDK's log lines.
//
// This directory is the only place in tlsweep that includes rte_*.h.
#ifndef TLSWEEP_NIC_EAL_H_
#define TLSWEEP_NIC_EAL_H_

#include <cstdint>
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
// /dev/hugepages, `queues` queue pairs, each with a receive ring of
// kAfPacketFrames frames.
std::vector<std::string> AfPacketEalArgs(const std::string& iface, int queues);

// The af_packet PMD's receive ring per queue pair (its framecnt devarg; the
// driver's default is 512). The kernel drops answers once the ring is
// full, so it must hold what arrives while the receive lcore is away: the
// veth carries about 1 Mpps (docs TESTBED), and on a small machine the
// control lcore shares its CPU with a grab lcore in time slices of a few
// milliseconds (CFS: 6 ms latency split between two busy threads), so
// 8192 frames = 8 ms of answers at 1 Mpps. Memory: 8192 x 2048-byte frames
// = 16 MiB of kernel memory per ring, one RX and one TX ring per pair.
inline constexpr int kAfPacketFrames = 8192;

// After StartEal: how many EAL lcores and queues of `port_id` are left once
// `used` of each are taken (senders and the control lcore): the grab
// lcores that --grab-lcores auto takes.
uint32_t SpareLcores(uint16_t port_id, uint32_t used);

// Calls rte_eal_init with `args` (the program name is added). Once per
// process.
absl::Status StartEal(const std::vector<std::string>& args);

// Releases what the EAL holds (hugepage files, the runtime directory).
void StopEal();

}  // namespace tlsweep

#endif  // TLSWEEP_NIC_EAL_H_
