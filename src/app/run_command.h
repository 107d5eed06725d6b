// `tlsweep run`: one process scans on DPDK and grabs every open port it
// finds over tlsweep's userspace TCP on the same port, writing one JSON
// record per open port (the scan's answer plus the grab) and the metadata.
#ifndef TLSWEEP_APP_RUN_COMMAND_H_
#define TLSWEEP_APP_RUN_COMMAND_H_

#include <string>
#include <vector>

#include "common/stop_token.h"

namespace tlsweep {

// Runs the command with the arguments after "run"; returns the exit code
// (0 ok, 1 run-time failure, 2 bad flags) after printing any error.
// Ctrl-C trips `stop`, installed here once the flags are parsed.
int RunCommand(const std::vector<std::string>& args, StopToken& stop);

}  // namespace tlsweep

#endif  // TLSWEEP_APP_RUN_COMMAND_H_
