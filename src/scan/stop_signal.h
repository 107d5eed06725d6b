// Ctrl-C for scans, ZMap-style: the first SIGINT (or SIGTERM) stops sending
// and lets the cooldown collect late answers; a second one skips the
// cooldown too. Either way complete records, the metadata and the resume
// file are written. Installed once by main() before anything slow starts,
// so a Ctrl-C during start-up is not lost.
#ifndef TLSWEEP_SCAN_STOP_SIGNAL_H_
#define TLSWEEP_SCAN_STOP_SIGNAL_H_

namespace tlsweep {

enum class StopLevel { kRunning = 0, kStopSending = 1, kStopNow = 2 };

void InstallStopSignals();

// Safe to call from any thread, on every poll.
StopLevel CurrentStopLevel();

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_STOP_SIGNAL_H_
