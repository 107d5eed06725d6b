// `tlsweep scan --dryrun`: the whole send side without a NIC.
//
// Builds the plan, walks every sender's sub-shard, finishes each probe into
// a buffer exactly as the DPDK sender will, rate-limits it, and instead of
// transmitting writes it to a pcap file and/or one line per probe. So the
// permutation, blocklist, sharding, cookies, checksums and resume logic can
// be checked (with tshark, say) on any machine.
#ifndef TLSWEEP_APP_DRYRUN_H_
#define TLSWEEP_APP_DRYRUN_H_

#include "absl/status/status.h"
#include "app/scan_flags.h"
#include "common/stop_token.h"

namespace tlsweep {

// Runs the dry run; returns an error for bad input or an unwritable file.
// Tripping `stop` (Ctrl-C) stops it early: the probes built so far are flushed and the resume
// position and metadata are written.
absl::Status RunDryrun(const ScanCommand& cmd, const StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_DRYRUN_H_
