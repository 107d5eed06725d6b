// Ctrl-C for scans and grabs, ZMap-style: the first SIGINT (or SIGTERM)
// stops sending and lets the cooldown collect late answers; a second one
// skips the cooldown too. Either way complete records, the metadata and the
// resume file are written. Installed by main() before anything slow starts,
// so a Ctrl-C during start-up is not lost.
#ifndef TLSWEEP_APP_STOP_SIGNAL_H_
#define TLSWEEP_APP_STOP_SIGNAL_H_

#include "common/stop_token.h"

namespace tlsweep {

// SIGINT and SIGTERM escalate `token` from now on. `token` must outlive the
// process's handling of signals (main()'s own token does).
void InstallStopSignals(StopToken& token);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_STOP_SIGNAL_H_
