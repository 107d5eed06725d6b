// The grab's flags, shared by `tlsweep grab` (kernel sockets) and
// `tlsweep run` (the DPDK grab pool): modules, limits, deadlines, TLS.
// Long options only, so they never collide with the scan's short ones.
#ifndef TLSWEEP_APP_GRAB_FLAGS_H_
#define TLSWEEP_APP_GRAB_FLAGS_H_

#include <string>

#include "app/flag_table.h"
#include "grab/scheduler.h"
#include "tls/tls_context.h"

namespace tlsweep {

struct GrabFlags {
  GrabOptions options;
  TlsProfile profile = TlsProfile::kModern;
  std::string ca_file;
  std::string names_file;  // --names, "" if none
};

// The grab's flag group, writing into `flags`; its defaults are those
// `flags` holds.
FlagGroup GrabFlagGroup(GrabFlags* flags);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_GRAB_FLAGS_H_
