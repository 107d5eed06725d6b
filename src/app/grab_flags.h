// The grab's flags, shared by `tlsweep grab` (kernel sockets) and
// `tlsweep run` (the DPDK grab pool): modules, limits, deadlines, TLS.
// Long options only, so they never collide with the scan's short ones.
#ifndef TLSWEEP_APP_GRAB_FLAGS_H_
#define TLSWEEP_APP_GRAB_FLAGS_H_

#include <getopt.h>

#include <span>
#include <string>

#include "absl/status/status.h"
#include "grab/scheduler.h"
#include "nlohmann/json.hpp"
#include "tls/tls_context.h"

namespace tlsweep {

struct GrabFlags {
  GrabOptions options;
  TlsProfile profile = TlsProfile::kModern;
  std::string ca_file;
  std::string names_file;  // --names, "" if none
};

// getopt_long entries; their `val`s are >= kFirstGrabFlag.
inline constexpr int kFirstGrabFlag = 2000;
std::span<const option> GrabLongOptions();

// Applies one of GrabLongOptions() (`opt` is its val) to `flags`.
absl::Status ApplyGrabFlag(int opt, const std::string& flag, const std::string& value,
                           GrabFlags* flags);

// Help lines for these flags.
const char* GrabFlagsUsage();

// The grab settings of a run, for the metadata.
nlohmann::json GrabFlagsMetadata(const GrabFlags& flags);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_GRAB_FLAGS_H_
